"""The sample department databases: deterministic, realistic, and answering their contracts."""

import re
import sqlite3
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

import jsonschema_rs
import pytest

from connectors.samples import agencies, catalogue, residents
from connectors.samples.dat_dai import data as dat_dai
from connectors.samples.database import SampleDatabase, connect, dump
from connectors.samples.geography import COMMUNES, commune
from connectors.samples.nha_o import data as nha_o
from connectors.samples.synthetic import SURNAMES, is_enterprise_code
from connectors.samples.vien_thong import data as vien_thong
from contracts.document import ContractDocument, Kind
from contracts.errors import InvalidInput
from registry.demo import load_contracts, load_province

CITIZEN_ID = re.compile(r"^045[0-3][0-9]{8}$")
SAMPLE_NAMES = [s.name for s in catalogue.SAMPLES]
SERVICES = [d for d in load_contracts() if d.kind is Kind.SERVICE]
DATASETS = [d for d in load_contracts() if d.kind is Kind.DATASET]


def contract_id(doc: ContractDocument) -> str:
    return f"{doc.code}-{doc.version}"


def sample(name: str) -> SampleDatabase:
    return next(s for s in catalogue.SAMPLES if s.name == name)


def owner_of(doc: ContractDocument) -> SampleDatabase:
    found = catalogue.sample_database(doc.provider, doc.database)
    assert found is not None, f"no sample database {doc.provider}/{doc.database}"
    return found


def superseded(doc: ContractDocument) -> bool:
    """An older version: a newer one of its major, or a newer major, replaced it. Versions are immutable, so
    their examples show the data as it was (before the reorganisation of 01/07/2025)."""
    newest = max((d for d in load_contracts() if d.address == doc.address), key=lambda d: d.version_key)
    return newest.version != doc.version or doc.major < max(owner_of(doc).majors(doc.code))


def closed(schema: Any) -> Any:
    """`schema` with every object that lists properties closed: an answer may hold declared fields only.

    Conditions (`if`, `not`) stay as they are: closing them would change what they test.
    """
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: value if key in ("if", "not") else closed(value) for key, value in schema.items()}
    if "properties" in schema:
        result["properties"] = {name: closed(sub) for name, sub in schema["properties"].items()}
        result.setdefault("additionalProperties", False)
    return result


def project(value: Any, schema: dict[str, Any]) -> Any:
    """What a consumer of `schema` reads of `value`: the declared properties, recursively."""
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        return {key: project(item, props[key]) for key, item in value.items() if key in props}
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [project(item, schema["items"]) for item in value]
    return value


def validator(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every sample database at its default size and seed, as `lgsp up --demo` creates them."""
    folder = tmp_path_factory.mktemp("samples")
    paths = {}
    for each in catalogue.SAMPLES:
        paths[each.name] = folder / f"{each.name}.db"
        each.create(paths[each.name])
    return paths


@pytest.fixture(scope="module")
def connections(databases: dict[str, Path]) -> dict[str, sqlite3.Connection]:
    return {name: connect(path) for name, path in databases.items()}


def every_row(connection: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    cursor = connection.execute(sql)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class TestCatalogue:
    def test_every_sample_is_a_registered_database(self) -> None:
        province = load_province()
        for each in catalogue.SAMPLES:
            assert province.database_today(each.provider, each.database) is not None, each.name

    def test_every_demo_contract_has_its_query(self) -> None:
        for doc in SERVICES:
            assert catalogue.service_lookup(doc.provider, doc.code) is not None, contract_id(doc)
        for doc in DATASETS:
            assert catalogue.dataset_records(doc.provider, doc.code) is not None, contract_id(doc)

    def test_departments_are_named_as_in_the_province(self) -> None:
        province = load_province()
        assert {(a.code, a.name) for a in agencies.CIVIL_DEPARTMENTS} <= {
            (a.code, a.name) for a in province.departments
        }
        assert "Công an tỉnh" not in {a.name for a in agencies.CIVIL_DEPARTMENTS}


@pytest.mark.parametrize("name", SAMPLE_NAMES)
class TestGeneration:
    def test_same_seed_gives_the_same_database(self, name: str, tmp_path: Path) -> None:
        each = sample(name)
        each.create(tmp_path / "a.db", size=150)
        each.create(tmp_path / "b.db", size=150)
        assert dump(tmp_path / "a.db") == dump(tmp_path / "b.db")

    def test_another_seed_gives_other_rows(self, name: str, tmp_path: Path) -> None:
        each = sample(name)
        each.create(tmp_path / "a.db", size=150)
        each.create(tmp_path / "b.db", size=150, seed=each.seed + 1)
        assert dump(tmp_path / "a.db") != dump(tmp_path / "b.db")

    def test_size_sets_the_number_of_main_records(self, name: str, tmp_path: Path) -> None:
        each = sample(name)
        each.create(tmp_path / "small.db", size=40)
        connection = connect(tmp_path / "small.db")
        main_table = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid LIMIT 1"
        ).fetchone()[0]
        assert connection.execute(f"SELECT count(*) FROM {main_table}").fetchone()[0] == 40

    def test_creating_again_replaces_the_file(self, name: str, tmp_path: Path) -> None:
        each = sample(name)
        each.create(tmp_path / "x.db", size=60)
        each.create(tmp_path / "x.db", size=30)
        fresh = tmp_path / "fresh.db"
        each.create(fresh, size=30)
        assert dump(tmp_path / "x.db") == dump(fresh)


class TestReadOnlyConnection:
    def test_refuses_writes(self, databases: dict[str, Path]) -> None:
        connection = connect(databases["dat_dai"])
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            connection.execute("DELETE FROM thua_dat")


@pytest.mark.parametrize("doc", SERVICES, ids=contract_id)
class TestServiceLookups:
    def test_example_requests_get_the_example_answers(
        self, doc: ContractDocument, connections: dict[str, sqlite3.Connection]
    ) -> None:
        lookup = owner_of(doc).service(doc.code, doc.major)
        assert doc.response is not None
        if superseded(doc):
            pytest.skip("an older version's examples show the data as it was")
        for example in doc.examples:
            answer = lookup(connections[owner_of(doc).name], **example.request)
            assert project(answer, doc.response) == example.response, example.name

    def test_answers_for_stored_rows_match_the_response_schema(
        self, doc: ContractDocument, connections: dict[str, sqlite3.Connection]
    ) -> None:
        """Every version of the major reads the answer; the newest declares every field of it."""
        owner = owner_of(doc)
        connection = connections[owner.name]
        lookup = owner.service(doc.code, doc.major)
        newest = max((d for d in SERVICES if d.address == doc.address), key=lambda d: d.version_key)
        assert doc.response is not None
        assert newest.response is not None
        readable, exact = validator(doc.response), validator(closed(newest.response))
        requests = _stored_requests(doc.code, connection)
        assert len(requests) >= 20
        for request in requests:
            answer = lookup(connection, **request)
            assert answer["found"] is True, request
            assert readable.is_valid(answer), request
            errors = [f"{e.instance_path}: {e.message}" for e in exact.iter_errors(answer)]
            assert not errors, (request, errors)


def _stored_requests(service: str, connection: sqlite3.Connection) -> list[dict[str, Any]]:
    """Requests for rows that exist, a spread of each table."""
    queries = {
        "tra-cuu-thua-dat": "SELECT ma_xa, so_to, so_thua FROM thua_dat WHERE rowid % 97 = 1",
        "tra-cuu-doanh-nghiep": "SELECT ma_so_doanh_nghiep FROM doanh_nghiep WHERE rowid % 61 = 1",
        "trich-luc-khai-sinh": "SELECT citizen_id FROM khai_sinh WHERE rowid % 97 = 1",
        "tra-cuu-ho-so-ly-lich-tu-phap": "SELECT ma_ho_so, citizen_id FROM ho_so WHERE rowid % 47 = 1",
        "kiem-tra-giay-phep-lai-xe": "SELECT so_giay_phep FROM giay_phep WHERE rowid % 79 = 1",
        "lich-su-tiem-chung": "SELECT citizen_id FROM nguoi WHERE rowid % 97 = 1",
        "tra-cuu-truong-hoc": "SELECT school_code FROM truong WHERE rowid % 4 = 1",
        "tra-cuu-nguoi-co-cong": "SELECT citizen_id FROM nguoi_co_cong WHERE rowid % 47 = 1",
    }
    return every_row(connection, queries[service])


@pytest.mark.parametrize("doc", DATASETS, ids=contract_id)
class TestDatasetRecords:
    def test_every_record_matches_the_record_schema(
        self, doc: ContractDocument, connections: dict[str, sqlite3.Connection]
    ) -> None:
        owner = owner_of(doc)
        records = owner.dataset(doc.code, doc.major)(connections[owner.name], limit=1_000_000)
        assert doc.record is not None
        check = validator(doc.record)
        assert len(records) >= 20
        bad = [r for r in records if not check.is_valid(r)]
        assert not bad, bad[:3]

    def test_example_records_are_shared(
        self, doc: ContractDocument, connections: dict[str, sqlite3.Connection]
    ) -> None:
        owner = owner_of(doc)
        records = owner.dataset(doc.code, doc.major)(connections[owner.name], limit=1_000_000)
        if superseded(doc):
            pytest.skip("an older version's examples show the data as it was")
        for example in doc.examples:
            assert example.record in records, example.name

    def test_keys_are_unique_and_pages_follow_each_other(
        self, doc: ContractDocument, connections: dict[str, sqlite3.Connection]
    ) -> None:
        owner = owner_of(doc)
        query = owner.dataset(doc.code, doc.major)
        connection = connections[owner.name]
        everything = query(connection, limit=1_000_000)
        keys = [tuple(r[k] for k in doc.key) for r in everything]
        assert len(keys) == len(set(keys))
        pages = query(connection, offset=0, limit=7) + query(connection, offset=7, limit=7)
        assert pages == everything[:14]


@pytest.mark.parametrize("doc", DATASETS, ids=contract_id)
class TestSharedPlaces:
    def test_commune_codes_are_quang_tri_communes(
        self, doc: ContractDocument, connections: dict[str, sqlite3.Connection]
    ) -> None:
        owner = owner_of(doc)
        records = owner.dataset(doc.code, doc.major)(connections[owner.name], limit=1_000_000)
        known = {c.code for c in COMMUNES}
        assert {r["ma_xa"] for r in records if "ma_xa" in r} <= known
        if "ten_xa" in (doc.record or {}).get("properties", {}):
            assert all(commune(r["ma_xa"]).name == r["ten_xa"] for r in records)


class TestTotals:
    """A dataset of totals counts every row of the department's own table once, and its parts fit the whole."""

    # dataset: (sample, the count of rows, the table counted, {part: the whole it belongs to})
    TOTALS: ClassVar[dict[str, tuple[str, str, str, dict[str, str]]]] = {
        "ket-qua-giai-quyet-tthc": (
            "ket_qua_tthc",
            "so_ho_so_tiep_nhan",
            "ho_so",
            {
                "so_ho_so_truc_tuyen": "so_ho_so_tiep_nhan",
                "so_ho_so_da_giai_quyet": "so_ho_so_tiep_nhan",
                "so_ket_qua_da_so_hoa": "so_ho_so_da_giai_quyet",
            },
        ),
        "so-luong-can-bo-cong-chuc": (
            "can_bo_cong_chuc",
            "so_nguoi",
            "nhan_su",
            {"so_nu": "so_nguoi", "so_dan_toc_thieu_so": "so_nguoi", "so_tren_dai_hoc": "so_nguoi"},
        ),
        "giao-dich-bat-dong-san": ("nha_o", "so_giao_dich", "giao_dich", {}),
        "tiem-chung-theo-xa": ("tiem_chung", "so_mui_tiem", "mui_tiem", {}),
    }

    @pytest.mark.parametrize("dataset", TOTALS)
    def test_totals_count_every_row_once(
        self, dataset: str, connections: dict[str, sqlite3.Connection]
    ) -> None:
        name, count, table, _ = self.TOTALS[dataset]
        connection = connections[name]
        records = sample(name).datasets[dataset](connection, limit=1_000_000)
        rows = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        assert sum(r[count] for r in records) == rows

    @pytest.mark.parametrize("dataset", TOTALS)
    def test_parts_never_exceed_their_whole(
        self, dataset: str, connections: dict[str, sqlite3.Connection]
    ) -> None:
        name, _, _, parts = self.TOTALS[dataset]
        for record in sample(name).datasets[dataset](connections[name], limit=1_000_000):
            assert all(record[part] <= record[whole] for part, whole in parts.items()), record

    def test_resolved_dossiers_are_on_time_or_late(self, connections: dict[str, sqlite3.Connection]) -> None:
        query = sample("ket_qua_tthc").datasets["ket-qua-giai-quyet-tthc"]
        records = query(connections["ket_qua_tthc"], limit=1_000_000)
        assert all(
            r["so_ho_so_dung_han"] + r["so_ho_so_qua_han"] == r["so_ho_so_da_giai_quyet"] for r in records
        )
        assert any(r["so_ho_so_qua_han"] for r in records)


class TestPublicAssets:
    def test_values_wear_except_land(self, connections: dict[str, sqlite3.Connection]) -> None:
        assets = sample("tai_san_cong").datasets["tai-san-cong"](connections["tai_san_cong"], limit=1_000_000)
        assert all(0 <= a["gia_tri_con_lai"] <= a["nguyen_gia"] for a in assets)
        assert all(a["gia_tri_con_lai"] == a["nguyen_gia"] for a in assets if a["loai_tai_san"] == "dat")
        assert any(a["gia_tri_con_lai"] < a["nguyen_gia"] for a in assets if a["loai_tai_san"] == "nha")

    def test_only_land_and_buildings_have_an_area(self, connections: dict[str, sqlite3.Connection]) -> None:
        assets = sample("tai_san_cong").datasets["tai-san-cong"](connections["tai_san_cong"], limit=1_000_000)
        assert all((a["dien_tich"] is not None) == (a["loai_tai_san"] in ("dat", "nha")) for a in assets)


class TestBaseStations:
    def test_default_database_has_the_plans_sites_and_about_its_stations(
        self, connections: dict[str, sqlite3.Connection]
    ) -> None:
        """1,188 sites with 2,982 stations (819 2G, 1,108 3G, 1,055 4G) of four operators in the 2022 plan."""
        sites = vien_thong.bts_site_records(connections["vien_thong"], limit=1_000_000)
        assert len(sites) == 1188
        assert {s["doanh_nghiep"] for s in sites} == {"viettel", "vnpt", "mobifone", "vietnamobile"}
        stations = Counter(g for s in sites for g in s["cong_nghe"])
        for generation, planned in {"2G": 819, "3G": 1108, "4G": 1055}.items():
            assert abs(stations[generation] - planned) / planned < 0.05, (generation, stations[generation])


class TestParcelLookup:
    def test_needs_a_parcel_id_or_all_three_locators(
        self, connections: dict[str, sqlite3.Connection]
    ) -> None:
        with pytest.raises(InvalidInput):
            dat_dai.lookup_parcel(connections["dat_dai"], ma_xa="19333", so_to=12)

    def test_both_ways_find_the_same_parcel(self, connections: dict[str, sqlite3.Connection]) -> None:
        connection = connections["dat_dai"]
        by_locators = dat_dai.lookup_parcel(connection, ma_xa="19636", so_to=5, so_thua=87)
        assert dat_dai.lookup_parcel(connection, parcel_id="19636-5-87") == by_locators
        assert "giay_chung_nhan" not in by_locators  # this parcel has no certificate yet


class TestIdentifiers:
    PEOPLE: ClassVar[dict[str, str]] = {
        "ho_tich": "SELECT citizen_id, ngay_sinh, gioi_tinh FROM khai_sinh",
        "tiem_chung": "SELECT citizen_id, ngay_sinh, gioi_tinh FROM nguoi",
        "nguoi_co_cong": "SELECT citizen_id, ngay_sinh, gioi_tinh FROM nguoi_co_cong",
    }

    def test_citizen_ids_encode_quang_tri_birth_year_and_sex(
        self, connections: dict[str, sqlite3.Connection]
    ) -> None:
        for name, sql in self.PEOPLE.items():
            for person in every_row(connections[name], sql):
                cid, born = person["citizen_id"], person["ngay_sinh"]
                assert CITIZEN_ID.match(cid), cid
                century_sex = (int(born[:4]) // 100 - 19) * 2 + (person["gioi_tinh"] == "Nữ")
                assert cid[3:6] == f"{century_sex}{born[2:4]}", (cid, born, person["gioi_tinh"])

    def test_citizen_ids_of_owners_applicants_and_holders_are_quang_tri_ones(
        self, connections: dict[str, sqlite3.Connection]
    ) -> None:
        columns = {
            "dat_dai": "SELECT chu_citizen_id FROM thua_dat",
            "ly_lich_tu_phap": "SELECT citizen_id FROM ho_so",
            "giay_phep_lai_xe": "SELECT citizen_id FROM giay_phep",
        }
        for name, sql in columns.items():
            assert all(CITIZEN_ID.match(row[0]) for row in connections[name].execute(sql)), name

    def test_enterprise_codes_are_quang_tri_tax_codes(
        self, connections: dict[str, sqlite3.Connection]
    ) -> None:
        tables = {"doanh_nghiep": "doanh_nghiep", "hoa_chat": "co_so"}
        codes = [
            row[0]
            for name, table in tables.items()
            for row in connections[name].execute(f"SELECT ma_so_doanh_nghiep FROM {table}")
        ]
        assert all(is_enterprise_code(code) for code in codes)
        assert not is_enterprise_code("3200125644")  # a wrong check digit

    def test_licence_numbers_are_twelve_digits_from_quang_tri(
        self, connections: dict[str, sqlite3.Connection]
    ) -> None:
        numbers = [
            row[0] for row in connections["giay_phep_lai_xe"].execute("SELECT so_giay_phep FROM giay_phep")
        ]
        assert all(re.fullmatch(r"45[0-9]{10}", n) for n in numbers)


class TestPeople:
    def test_names_are_vietnamese_with_common_surnames_most_often(
        self, connections: dict[str, sqlite3.Connection]
    ) -> None:
        names = [row[0] for row in connections["ho_tich"].execute("SELECT ho_ten FROM khai_sinh")]
        assert all(len(n.split()) >= 3 and unicodedata.is_normalized("NFC", n) for n in names)
        surnames = Counter(n.split()[0] for n in names)
        assert set(surnames) <= {s for s, _ in SURNAMES}
        assert surnames.most_common(1)[0][0] == "Nguyễn"
        assert 0.2 < surnames["Nguyễn"] / len(names) < 0.45

    def test_a_resident_is_the_same_person_in_every_database(
        self, connections: dict[str, sqlite3.Connection]
    ) -> None:
        sources = {
            "ho_tich": "SELECT ho_ten, ngay_sinh FROM khai_sinh WHERE citizen_id = ?",
            "tiem_chung": "SELECT ho_ten, ngay_sinh FROM nguoi WHERE citizen_id = ?",
            "giay_phep_lai_xe": "SELECT ho_ten, ngay_sinh FROM giay_phep WHERE citizen_id = ?",
            "nguoi_co_cong": "SELECT ho_ten, ngay_sinh FROM nguoi_co_cong WHERE citizen_id = ?",
            "dat_dai": "SELECT chu_ho_ten, chu_nam_sinh || '' FROM thua_dat WHERE chu_citizen_id = ?",
        }
        for person in residents.RESIDENTS:
            seen = {
                name: row
                for name, sql in sources.items()
                if (row := connections[name].execute(sql, (person.citizen_id,)).fetchone()) is not None
            }
            assert len(seen) >= 2, person.ho_ten
            for row in seen.values():
                assert row[0] == person.ho_ten
                assert person.ngay_sinh.isoformat().startswith(row[1])

    def test_addresses_name_the_commune_and_the_province_only(
        self, connections: dict[str, sqlite3.Connection]
    ) -> None:
        rows = connections["nguoi_co_cong"].execute("SELECT dia_chi, ma_xa FROM nguoi_co_cong").fetchall()
        for address, code in rows:
            assert address.endswith(f", {commune(code).in_address}, tỉnh Quảng Trị"), address
            assert "huyện" not in address, address
            assert "thị trấn" not in address, address


class TestCommuneOnly:
    """Since 01/07/2025 the province has communes only: 2.0.0 names no district, 1.x (until its sunset) names the
    district the commune's seat belonged to."""

    def test_the_newest_major_of_every_contract_names_no_district(self) -> None:
        newest: dict[tuple[str, str], ContractDocument] = {}
        for doc in load_contracts():
            key = (doc.provider, doc.code)
            if key not in newest or doc.version_key > newest[key].version_key:
                newest[key] = doc
        assert [d.address for d in newest.values() if "ten_huyen" in str(d.response or d.record)] == []
        assert {d.code for d in newest.values() if d.major == 2} == {
            "tra-cuu-thua-dat", "tra-cuu-truong-hoc", "giao-dich-bat-dong-san", "tiem-chung-theo-xa",
            "ket-qua-giai-quyet-tthc",
        }  # fmt: skip

    def test_the_first_major_still_answers_with_the_former_district(
        self, connections: dict[str, sqlite3.Connection]
    ) -> None:
        request = {"ma_xa": "19333", "so_to": 12, "so_thua": 145}
        v1 = dat_dai.SAMPLE.service("tra-cuu-thua-dat", 1)(connections["dat_dai"], **request)
        v2 = dat_dai.SAMPLE.service("tra-cuu-thua-dat", 2)(connections["dat_dai"], **request)
        assert (v1["ten_xa"], v1["ten_huyen"]) == ("Phường Đông Hà", "Thành phố Đông Hà")
        assert "ten_huyen" not in v2
        assert {**v2, "ten_huyen": "Thành phố Đông Hà"} == v1
        shared = nha_o.SAMPLE.dataset("giao-dich-bat-dong-san", 1)(connections["nha_o"], limit=5)
        assert all(r["ten_huyen"] == commune(r["ma_xa"]).former_district for r in shared)
