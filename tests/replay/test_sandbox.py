"""The sandbox pytest plugin, as a department uses it: a small fake project run by pytester, in process."""

import asyncio
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from tests.harness import LAND_SERVICE

pytest_plugins = ["pytester"]

ROOT = Path(__file__).parents[2]
# Once lgsp-mock is installed from this tree the entry point loads the plugin; until then, name it.
AUTOLOADED = any(ep.value == "gateway.sandbox" for ep in entry_points(group="pytest11"))
PLUGIN = [] if AUTOLOADED else ["-p", "gateway.sandbox"]

CONNECTOR = """
from connectors.sdk import Connector, ProviderProblem

connector = Connector("H50.20", "csdl-dat-dai")  # its contract comes from the sandbox's registry

@connector.service("tra-cuu-thua-dat", major=1)
async def lookup(request: dict) -> dict:
    if request["parcel_number"] != 345:
        raise ProviderProblem(404, "no such parcel", name="parcel-not-found")
    return {"parcel_id": "19234-12-345", "area_m2": 312.5, "land_use": "ONT",
            "owner": {"full_name": "Nguyễn Văn An", "citizen_id": "045089001234"}}
"""

DEPARTMENT_TESTS = """
ADDRESS = "H50.20/tra-cuu-thua-dat/v1"

async def test_a_known_parcel(lgsp_sandbox):
    call = await lgsp_sandbox.call(ADDRESS, {"commune_code": "19234", "map_sheet": 12, "parcel_number": 345})
    assert call.status == 200
    assert call.body["area_m2"] == 312.5
    logged = await lgsp_sandbox.exchange(call.exchange_id)
    assert logged["outcome"] == "ok"
    assert logged["response_payload"]["owner"]["citizen_id"] == "***"

async def test_an_unknown_parcel(lgsp_sandbox):
    call = await lgsp_sandbox.call(ADDRESS, {"commune_code": "19234", "map_sheet": 12, "parcel_number": 9})
    assert call.status == 502
    assert call.body["provider_problem"]["type"] == "urn:lgsp:error:parcel-not-found"

async def test_a_request_against_the_contract(lgsp_sandbox):
    call = await lgsp_sandbox.call(ADDRESS, {"commune_code": "xyz"})
    assert call.status == 422
    assert [e["outcome"] for e in await lgsp_sandbox.exchanges()] == ["client_error"]
"""

SETTINGS = """
[tool.pytest.ini_options]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "function"
lgsp_contracts = ["contracts/*.yaml"]
lgsp_connector = "so_tnmt:connector"
"""


@pytest.fixture
def department(pytester: pytest.Pytester) -> pytest.Pytester:
    """A department's project: its contract, its connector, its pytest settings."""
    (pytester.path / "contracts").mkdir()
    (pytester.path / "contracts" / LAND_SERVICE.name).write_bytes(LAND_SERVICE.read_bytes())
    pytester.makepyfile(so_tnmt=CONNECTOR)
    pytester.makepyprojecttoml(SETTINGS)
    return pytester


class TestSandboxFixture:
    def test_a_departments_tests_call_its_connector_through_a_real_gateway(
        self, department: pytest.Pytester
    ) -> None:
        department.makepyfile(test_so_tnmt=DEPARTMENT_TESTS)
        result = department.runpytest_inprocess(*PLUGIN, "-q")
        result.assert_outcomes(passed=3)

    def test_a_marker_names_other_contracts_and_connector_objects(self, department: pytest.Pytester) -> None:
        department.makepyfile(
            test_marker=f"""
import pytest
from connectors.sdk import Connector

other = Connector("H50.20", "csdl-dat-dai", contracts=[{str(LAND_SERVICE)!r}])

@other.service("tra-cuu-thua-dat", major=1)
def always_the_same(request):
    return {{"parcel_id": "x", "area_m2": 1, "land_use": "LUC", "owner": {{"full_name": "A", "citizen_id": "045089001234"}}}}

@pytest.mark.lgsp_sandbox(contracts=[], connector=[other])
async def test_the_marker_wins(lgsp_sandbox):
    call = await lgsp_sandbox.call("H50.20/tra-cuu-thua-dat/v1", {{"commune_code": "19234", "map_sheet": 1, "parcel_number": 9}})
    assert (call.status, call.body["land_use"]) == (200, "LUC")
"""
        )
        department.runpytest_inprocess(*PLUGIN, "-q").assert_outcomes(passed=1)

    def test_a_connector_that_cannot_be_loaded_fails_the_test_on_one_line(
        self, department: pytest.Pytester
    ) -> None:
        department.makepyfile(
            test_missing="""
import pytest

@pytest.mark.lgsp_sandbox(connector="no_such_module:connector")
async def test_it(lgsp_sandbox):
    pass
"""
        )
        result = department.runpytest_inprocess(*PLUGIN, "-q")
        result.assert_outcomes(errors=1)
        result.stdout.fnmatch_lines(["*lgsp sandbox: cannot import no_such_module*"])


class TestPluginWhenUnused:
    def test_importing_it_loads_no_part_of_the_platform(self) -> None:
        code = (
            "import sys, gateway.sandbox; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('gateway', 'connectors', 'contracts', 'registry', 'bus', 'fastapi', 'sqlalchemy', 'httpx')))"
        )
        loaded = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        assert loaded.strip() == "['gateway', 'gateway.sandbox']"

    def test_a_suite_that_does_not_ask_for_it_runs_as_before(self, pytester: pytest.Pytester) -> None:
        pytester.makepyprojecttoml(
            '[tool.pytest.ini_options]\nasyncio_default_fixture_loop_scope = "function"\n'
        )
        pytester.makepyfile(test_plain="def test_plain(tmp_path):\n    assert tmp_path.exists()\n")
        pytester.runpytest_inprocess(*PLUGIN, "-q", "--strict-markers").assert_outcomes(passed=1)

    def test_is_declared_as_a_pytest_entry_point(self) -> None:
        project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
        assert project["entry-points"]["pytest11"] == {"lgsp_sandbox": "gateway.sandbox"}


class TestSandboxSharing:
    async def test_a_connectors_dataset_is_shared_through_the_sandbox_gateway(self, tmp_path: Path) -> None:
        from connectors.sdk import Connector
        from gateway.sandbox.composition import open_sandbox
        from tests.harness import LAND_DATASET, LAND_DATASET_ADDRESS, parcel

        connector = Connector("H50.20", "csdl-dat-dai", contracts=[LAND_SERVICE, LAND_DATASET])

        @connector.service("tra-cuu-thua-dat", major=1)
        def unused(request: dict) -> dict:
            raise AssertionError("not called")

        @connector.dataset("thua-dat", major=1, every=3600)
        def parcels(since: object) -> list[dict]:
            return [parcel(1), parcel(2)]

        async with open_sandbox([], [connector], tmp_path) as sandbox:
            shared: list[dict] = []
            for _ in range(250):  # the runner shares everything once at start, in the background
                shared = await sandbox.exchanges(kind="share")
                if shared and all(s["http_status"] is not None for s in shared):  # answered, not just opened
                    break
                await asyncio.sleep(0.02)

        # accepted through the gateway with the connector's own client (no warehouse runs in the sandbox)
        assert [(s["address"], s["http_status"], s["record_count"]) for s in shared] == [
            (LAND_DATASET_ADDRESS, 202, 2)
        ]
