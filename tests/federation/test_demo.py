"""`lgsp federation up --demo` as a real process on free ports: the national tier and the four seed provinces,
each its own `lgsp up` child, made a federation, and every child stopped by Ctrl+C. One start for the module."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from contracts.document import ContractDocument
from federation.demo.platforms import SEEDS
from federation.demo.setup import CROSSING, NATIONAL_CROSSING
from federation.signing import DIRECTORY_TYPE, load_pinned, verify
from registry.demo import load_seed_province, seed_contract_files, seed_provinces
from tests.faults.topology import ROOT
from tests.federation.demo_process import Demo, alive, federation_demo

PROVIDER_SERVICE = CROSSING


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    with federation_demo() as found:
        yield found


class TestTheSeeds:
    def test_each_platform_has_a_seed_with_cited_departments_and_databases(self) -> None:
        assert set(SEEDS) - {"H50"} == set(seed_provinces())
        for seed in SEEDS:
            province = load_seed_province(seed)
            assert province.departments, seed
            assert province.databases, seed


class TestAStartThatCannotWorkIsRefused:
    def lgsp(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gateway", "federation", "up", *args], cwd=ROOT, capture_output=True,
            text=True, timeout=60,
        )  # fmt: skip

    def test_without_demo_it_says_so_in_one_line(self) -> None:
        done = self.lgsp()
        assert done.returncode != 0
        assert len(done.stderr.strip().splitlines()) == 1
        assert "--demo" in done.stderr

    def test_a_data_dir_started_on_other_ports_is_refused_before_anything_starts(
        self, tmp_path: Path
    ) -> None:
        (tmp_path / "base-port").write_text("9000")
        done = self.lgsp("--demo", "--base-port", "9100", "--data-dir", str(tmp_path))
        assert done.returncode != 0
        assert len(done.stderr.strip().splitlines()) == 1
        assert "--base-port 9000" in done.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == ["base-port"]


class TestEveryPlatformAnswers:
    def test_the_national_tier_and_the_four_provinces_are_ready_at_the_printed_urls(self, demo: Demo) -> None:
        for seed in SEEDS:
            assert demo.url(seed) in demo.text()
            assert httpx.get(f"{demo.url(seed)}/readyz", timeout=10).status_code == 200, seed

    def test_each_platform_is_its_own_process(self, demo: Demo) -> None:
        assert len(demo.children) == len(SEEDS)


class TestEachProvinceListsItsDepartments:
    def test_the_departments_its_seed_names_are_in_its_registry(self, demo: Demo) -> None:
        for seed in SEEDS:
            answer = httpx.get(f"{demo.url(seed)}/api/v1/agencies", params={"limit": 100}, timeout=10)
            listed = {agency["code"] for agency in answer.json()["items"]}
            province = load_seed_province(seed)
            assert {d.code for d in province.departments} <= listed, seed
            others = {s for s in ("H93", "H38", "H51") if s != seed}
            assert not any(code.split(".")[0] in others for code in listed), seed  # its own, no other's


class TestTheNationalDirectory:
    def test_it_lists_the_four_provinces_active_signed_by_the_pinned_key(self, demo: Demo) -> None:
        token = httpx.get(f"{demo.url('national')}/api/v1/federation/directory", timeout=10).text
        pinned = load_pinned(demo.root / "data" / "national-key.json")
        directory = verify(token, pinned, DIRECTORY_TYPE)
        active = {m["code"] for m in directory["members"] if m["status"] == "active"}
        assert active == {"H50", "H93", "H38", "H51"}


class TestAServiceSharedAcrossProvinces:
    def test_a_service_published_by_quang_tri_is_in_the_other_provinces_catalogues(self, demo: Demo) -> None:
        for seed in ("H93", "H38", "H51"):
            catalogue = httpx.get(f"{demo.url(seed)}/api/v1/federation/catalogue", timeout=10).json()
            assert PROVIDER_SERVICE in {s["address"] for s in catalogue}, seed


class TestTrafficCrossesTheFederation:
    def test_each_other_provinces_call_at_start_went_origin_national_provider(self, demo: Demo) -> None:
        for seed in ("H93", "H38", "H51"):
            line = next(
                line for line in demo.text().splitlines() if line.startswith(f"{seed} → {PROVIDER_SERVICE}")
            )
            exchange_id = line.rsplit(" ", 1)[1]
            with httpx.Client(base_url=demo.url(seed), timeout=30) as http:
                token = http.post(
                    "/oauth/token", data={"grant_type": "client_credentials"},
                    auth=(f"lien-thong-{seed.lower()}", demo.consumer_secret(seed)),
                ).json()["access_token"]  # fmt: skip
                trace = http.get(
                    f"/api/v1/federation/trace/{exchange_id}", headers={"Authorization": f"Bearer {token}"}
                )
            assert trace.status_code == 200, trace.text
            path = [(hop["member"], hop["role"], hop["outcome"]) for hop in trace.json()["hops"]]
            assert path == [(seed, "origin", "ok"), ("G01", "transit", "ok"), ("H50", "provider", "ok")]


class TestANationalDatabaseCalledAcross:
    def test_hau_giangs_call_at_start_was_answered_by_the_national_tier(self, demo: Demo) -> None:
        line = next(
            line for line in demo.text().splitlines() if line.startswith(f"H93 → {NATIONAL_CROSSING}")
        )
        exchange_id = line.rsplit(" ", 1)[1]
        with httpx.Client(base_url=demo.url("H93"), timeout=30) as http:
            token = http.post(
                "/oauth/token", data={"grant_type": "client_credentials"},
                auth=("lien-thong-h93", demo.consumer_secret("H93")),
            ).json()["access_token"]  # fmt: skip
            trace = http.get(
                f"/api/v1/federation/trace/{exchange_id}", headers={"Authorization": f"Bearer {token}"}
            )
        assert trace.status_code == 200, trace.text
        path = [(hop["member"], hop["role"], hop["outcome"]) for hop in trace.json()["hops"]]
        assert path == [("H93", "origin", "ok"), ("G01", "provider", "ok")]


class TestTheNationalDatabasesAnswerAtTheNationalTier:
    def test_each_national_service_answers_its_example_to_the_printed_consumer(self, demo: Demo) -> None:
        headers = {"Authorization": f"Bearer {demo.token('national')}"}
        for path in seed_contract_files("national"):
            document = ContractDocument.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
            example = document.examples[0]
            answer = httpx.post(
                f"{demo.url('national')}/exchange/{document.provider}/{document.code}/v1",
                json=example.request, headers=headers, timeout=30,
            )  # fmt: skip
            assert answer.status_code == 200, answer.text
            assert answer.json() == example.response


class TestTheConsumerClients:
    def test_each_provinces_printed_consumer_gets_a_token_from_its_own_platform(self, demo: Demo) -> None:
        for seed in ("H50", "H93", "H38", "H51"):
            answer = httpx.post(
                f"{demo.url(seed)}/oauth/token", data={"grant_type": "client_credentials"},
                auth=(f"lien-thong-{seed.lower()}", demo.consumer_secret(seed)), timeout=30,
            )  # fmt: skip
            assert answer.status_code == 200, (seed, answer.text)


class TestCtrlCStopsEverything:
    def test_every_child_is_stopped_and_the_demo_exits(self, demo: Demo) -> None:
        demo.process.send_signal(signal.SIGINT)
        assert demo.process.wait(timeout=60) == 0, demo.text()
        assert [pid for pid in demo.children if alive(pid)] == []
