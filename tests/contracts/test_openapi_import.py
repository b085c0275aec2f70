"""`lgsp contract import`: realistic OpenAPI descriptions as draft contracts the platform accepts, and the
constructs it refuses, each named with its JSON Pointer.

The two descriptions in fixtures/openapi/ are what departments' vendors publish: the land register's (OpenAPI
3.0, query and header parameters, `nullable`, boolean exclusive bounds, components by `$ref`) and the civil
status register's (OpenAPI 3.1, a request body, a JSON and an XML media type, examples by name).
"""

import copy
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from connectors.sdk import Connector, ConnectorRunner, GatewayClient, GatewayKeys, RequestContext
from contracts.cli import app
from contracts.loading import load_contract
from contracts.openapi_draft import kebab_case
from contracts.validation import compile_contract
from gateway.cli import app as lgsp
from tests.harness import Harness, gateway_settings, running_gateway

OPENAPI = Path(__file__).parent / "fixtures" / "openapi"
LAND = OPENAPI / "so-tnmt-dat-dai.yaml"
CIVIL = OPENAPI / "so-tp-ho-tich.yaml"
LAND_ARGS = ["--provider", "H50.20", "--database", "csdl-dat-dai"]
CIVIL_ARGS = ["--provider", "H50.03", "--database", "csdl-ho-tich"]


def run(*args: str | Path) -> Any:
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"}).invoke(app, [str(arg) for arg in args])


def imported(tmp: Path, source: Path, operation: str, *args: str) -> Path:
    output = tmp / f"{operation}.yaml"
    result = run("import", source, "--operation", operation, *args, "--output", output)
    assert result.exit_code == 0, result.output
    return output


@pytest.fixture(scope="module")
def land_draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return imported(tmp_path_factory.mktemp("land"), LAND, "traCuuThuaDat", *LAND_ARGS)


@pytest.fixture(scope="module")
def civil_draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return imported(tmp_path_factory.mktemp("civil"), CIVIL, "TraCuuKhaiSinh", *CIVIL_ARGS)


class TestParametersBecomeTheRequestObject:
    """The land register's GET with query and header parameters (OpenAPI 3.0)."""

    def test_the_draft_passes_lint(self, land_draft: Path) -> None:
        result = run("lint", land_draft)
        assert result.exit_code == 0, result.output
        assert "H50.20/tra-cuu-thua-dat/v1" in result.stdout  # the code: the operationId in kebab-case

    def test_query_and_header_parameters_are_properties_with_their_required_flags(
        self, land_draft: Path
    ) -> None:
        contract = compile_contract(load_contract(land_draft.read_bytes()))
        parcel = {"ma_xa": "19333", "so_to": 12, "so_thua": 145}
        assert contract.validate_request(parcel) == []
        assert contract.validate_request({**parcel, "X-Ma-Can-Bo": "CB-0042"}) == []  # the path's header
        assert contract.validate_request({"ma_xa": "19333", "so_to": 12}) != []  # so_thua is required
        assert contract.validate_request({**parcel, "so_to": 0}) != []  # the parameter's own schema
        # Accept is ignored, as OpenAPI says; nothing else is accepted
        assert contract.validate_request({**parcel, "Accept": "application/json"}) != []

    def test_openapi_30_nullable_and_exclusive_bounds_mean_the_same(self, land_draft: Path) -> None:
        contract = compile_contract(load_contract(land_draft.read_bytes()))
        found = load_contract(land_draft.read_bytes()).examples[0].response
        assert contract.validate_response(found) == []
        assert contract.validate_response({**found, "nguoi_su_dung": None}) == []  # nullable on an allOf
        assert contract.validate_response({**found, "han_su_dung": "2043-10-15"}) == []
        assert contract.validate_response({**found, "han_su_dung": 2043}) != []
        assert contract.validate_response({**found, "tinh_trang_the_chap": None}) == []  # nullable on an enum
        assert contract.validate_response({**found, "tinh_trang_the_chap": "khac"}) != []
        assert contract.validate_response({**found, "dien_tich": 0}) != []  # exclusiveMinimum: true
        # the component reached through $ref keeps its rules once inlined
        assert contract.validate_response({**found, "muc_dich_su_dung": {"ma": "XYZ", "ten": "?"}}) != []

    def test_refs_are_inlined_and_openapi_keywords_dropped(self, land_draft: Path) -> None:
        document = yaml.safe_load(land_draft.read_text(encoding="utf-8"))
        text = yaml.safe_dump(document["response"])
        for gone in ("$ref", "nullable", "x-java-class"):
            assert gone not in text
        assert (
            "x-audit" in document["response"]["properties"]
        )  # a property so named is data, not an extension

    def test_examples_are_the_parameters_and_answers_paired_by_name(self, land_draft: Path) -> None:
        examples = load_contract(land_draft.read_bytes()).examples
        assert [(e.name, e.request) for e in examples] == [
            ("da-cap-giay", {"ma_xa": "19333", "so_to": 12, "so_thua": 145}),
            ("khong-tim-thay", {"ma_xa": "19636", "so_to": 5, "so_thua": 9999}),
        ]
        assert examples[1].response == {"found": False}
        assert examples[1].description == "Không có thửa đất trong cơ sở dữ liệu"

    def test_a_path_parameter_is_a_required_property(self, tmp_path: Path) -> None:
        draft = imported(tmp_path, LAND, "layThuaDatTheoMa", *LAND_ARGS)
        contract = compile_contract(load_contract(draft.read_bytes()))
        assert contract.validate_request({"parcel_id": "19333-12-145"}) == []
        assert contract.validate_request({}) != []

    def test_an_example_without_its_other_half_is_left_out_with_a_note(self) -> None:
        result = run("import", LAND, "--operation", "layThuaDatTheoMa", *LAND_ARGS)
        assert result.exit_code == 0, result.output
        assert (
            "note: request example at /paths/~1thua-dat~1{parcel_id}/get/parameters/0/example has no response "
            "example of the same name: left out"
        ) in result.stderr
        assert load_contract(result.stdout).examples == []

    def test_parameters_and_a_body_are_one_object(self, tmp_path: Path) -> None:
        description = minimal(
            parameters=[
                {
                    "name": "ma_so_thue",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^[0-9]{10}$"},
                    "example": "3200123456",
                },
                {"name": "X-Ma-Ho-So", "in": "header", "schema": {"type": "string"}, "example": "HS-000123"},
            ],
            responses={
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {"schema": {"type": "object"}, "example": {"found": False}}
                    },
                }
            },
        )
        description["paths"] = {"/doanh-nghiep/{ma_so_thue}": description["paths"]["/tra-cuu"]}
        schema = description["components"]["schemas"]["Yeu_cau"]
        schema |= {"required": ["ma"], "additionalProperties": False, "example": {"ma": "DN-01"}}
        result = run("import", write(tmp_path, description), "--operation", "op", *LAND_ARGS)
        assert result.exit_code == 0, result.output
        document = load_contract(result.stdout)
        contract = compile_contract(document)
        assert contract.validate_request({"ma": "x", "ma_so_thue": "3200123456"}) == []
        assert contract.validate_request({"ma": "x"}) != []  # the path parameter is required
        assert contract.validate_request({"ma_so_thue": "3200123456"}) != []  # so is the body's
        assert contract.validate_request({"ma": "x", "ma_so_thue": "3200123456", "khac": 1}) != []  # closed
        # the body schema's example and the parameters' make one request
        assert [(e.request, e.response) for e in document.examples] == [
            ({"ma": "DN-01", "ma_so_thue": "3200123456", "X-Ma-Ho-So": "HS-000123"}, {"found": False})
        ]


class TestRequestBodyBecomesTheRequest:
    """The civil status register's POST with a JSON body (OpenAPI 3.1)."""

    def test_the_draft_passes_lint(self, civil_draft: Path) -> None:
        result = run("lint", civil_draft)
        assert result.exit_code == 0, result.output
        assert "H50.03/tra-cuu-khai-sinh/v1" in result.stdout

    def test_the_body_schema_is_the_request_and_3_1_schemas_pass_through(self, civil_draft: Path) -> None:
        document = load_contract(civil_draft.read_bytes())
        contract = compile_contract(document)
        assert contract.validate_request({"citizen_id": "045223000389", "ngay_sinh": "2023-02-14"}) == []
        assert contract.validate_request({"citizen_id": "0452", "ngay_sinh": "2023-02-14"}) != []
        assert contract.validate_request({"citizen_id": "045223000389"}) != []
        assert document.response is not None
        assert document.response["properties"]["ngay_dang_ky"]["type"] == ["string", "null"]
        # a $ref's sibling description is kept on the inlined component
        assert document.response["properties"]["cha"]["description"].startswith("Người cha")

    def test_a_later_import_is_checked_for_compatibility(self, tmp_path: Path, civil_draft: Path) -> None:
        newer = imported(tmp_path, CIVIL, "TraCuuKhaiSinh", *CIVIL_ARGS, "--version", "1.1.0")
        result = run("check", civil_draft, newer)
        assert result.exit_code == 0, result.output

    def test_examples_carry_their_summary(self, civil_draft: Path) -> None:
        examples = load_contract(civil_draft.read_bytes()).examples
        assert [(e.name, e.description) for e in examples] == [
            ("tre-em-2023", "Trẻ sinh năm 2023 tại Đông Hà"),
            ("khong-co", ""),
        ]

    def test_numeric_looking_strings_are_quoted(self, civil_draft: Path) -> None:
        # 045223000389 unquoted is a number to a YAML 1.2 reader
        assert 'citizen_id: "045223000389"' in civil_draft.read_text(encoding="utf-8")


class TestExamplesMustValidate:
    def test_an_example_against_the_schema_is_refused_naming_where_it_came_from(self, tmp_path: Path) -> None:
        description = yaml.safe_load(CIVIL.read_text(encoding="utf-8"))
        body = description["paths"]["/khai-sinh/tra-cuu"]["post"]["requestBody"]["content"][
            "application/json"
        ]
        body["examples"]["khong-co"]["value"]["citizen_id"] = "0452"
        source = write(tmp_path, description)
        output = tmp_path / "draft.yaml"
        result = run("import", source, "--operation", "TraCuuKhaiSinh", *CIVIL_ARGS, "--output", output)
        assert result.exit_code == 1
        assert result.stderr.startswith("error: ")
        assert "examples do not validate" in result.stderr
        assert "/examples/1/request/citizen_id" in result.stderr
        assert "/requestBody/content/application~1json/examples/khong-co/value" in result.stderr
        assert not output.exists()


class TestBind:
    def test_the_backend_url_is_the_first_server_with_its_defaults_and_the_path(self, tmp_path: Path) -> None:
        draft = imported(tmp_path, CIVIL, "TraCuuKhaiSinh", *CIVIL_ARGS, "--bind")
        document = yaml.safe_load(draft.read_text(encoding="utf-8"))
        assert document["backend"] == {"url": "http://10.50.3.15:8080/hotich/v1/khai-sinh/tra-cuu"}

    @pytest.mark.parametrize(
        ("operation", "expected"),
        [
            (
                "layThuaDatTheoMa",
                "path parameter 'parcel_id' at /paths/~1thua-dat~1{parcel_id}/get/parameters/0",
            ),
            ("traCuuThuaDat", "GET /thua-dat (/paths/~1thua-dat/get) has header parameter 'X-Ma-Can-Bo'"),
        ],
    )
    def test_an_operation_the_http_connector_cannot_call_is_refused(
        self, operation: str, expected: str
    ) -> None:
        result = run("import", LAND, "--operation", operation, *LAND_ARGS, "--bind")
        assert result.exit_code == 1
        assert expected in result.stderr
        assert result.stderr.count("\n") == 1

    def test_the_bound_draft_passes_lint(self, tmp_path: Path) -> None:
        draft = imported(tmp_path, CIVIL, "TraCuuKhaiSinh", *CIVIL_ARGS, "--bind")
        result = run("lint", draft)
        assert result.exit_code == 0, result.output

    def test_a_relative_server_is_refused(self, tmp_path: Path) -> None:
        description = yaml.safe_load(CIVIL.read_text(encoding="utf-8"))
        description["servers"] = [{"url": "/hotich/v1"}]
        result = run(
            "import", write(tmp_path, description), "--operation", "TraCuuKhaiSinh", *CIVIL_ARGS, "--bind"
        )
        assert result.exit_code == 1
        assert "'/hotich/v1' at /servers/0/url is not an absolute http or https URL" in result.stderr


def write(tmp: Path, description: dict[str, Any], name: str = "openapi.yaml") -> Path:
    path = tmp / name
    path.write_text(yaml.safe_dump(description, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def minimal(**operation: Any) -> dict[str, Any]:
    """A valid OpenAPI 3.1 description of one POST operation `op`, changed by `operation`."""
    post = {
        "operationId": "op",
        "requestBody": {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Yeu_cau"}}}
        },
        "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}
        },
        **operation,
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/tra-cuu": {"post": post}},
        "components": {"schemas": {"Yeu_cau": {"type": "object", "properties": {"ma": {"type": "string"}}}}},
    }


def recursive() -> dict[str, Any]:
    description = minimal()
    description["components"]["schemas"]["Yeu_cau"]["properties"]["con"] = {
        "$ref": "#/components/schemas/Yeu_cau"
    }
    return description


def ref_in(where: str) -> dict[str, Any]:
    description = minimal()
    description["components"]["schemas"]["Yeu_cau"]["properties"]["ma"] = {"$ref": where}
    return description


def nested(levels: int, uses: int) -> dict[str, Any]:
    """Components Yeu_cau → C1 → … → C{levels}, each using the next `uses` times."""
    description = minimal()
    schemas = description["components"]["schemas"]
    names = ["Yeu_cau", *(f"C{level}" for level in range(1, levels + 1))]
    for name, following in itertools.pairwise(names):
        refs = {f"p{use}": {"$ref": f"#/components/schemas/{following}"} for use in range(uses)}
        schemas[name] = {"type": "object", "properties": refs}
    schemas[names[-1]] = {"type": "string"}
    return description


def body(media: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"content": media}}


REFUSALS = {
    "multipart form": (
        minimal(**body({"multipart/form-data": {"schema": {"type": "object"}}})),
        "the request body at /paths/~1tra-cuu/post/requestBody/content is multipart/form-data",
    ),
    "a body in XML only": (
        minimal(**body({"application/xml": {"schema": {"type": "object"}}})),
        "has no JSON media type (only application/xml)",
    ),
    "an answer in plain text only": (
        minimal(
            responses={
                "200": {"description": "ok", "content": {"text/plain": {"schema": {"type": "string"}}}}
            }
        ),
        "the success response 200 at /paths/~1tra-cuu/post/responses/200/content has no JSON media type",
    ),
    "no success response": (
        minimal(responses={"404": {"description": "không có"}, "default": {"description": "lỗi"}}),
        "no success response (200, 201 or another 2XX) at /paths/~1tra-cuu/post/responses",
    ),
    "a success without a body": (
        minimal(responses={"204": {"description": "xong"}}),
        "the success response 204 at /paths/~1tra-cuu/post/responses/204 has no body",
    ),
    "callbacks": (
        minimal(
            callbacks={
                "xong": {"{$request.body#/url}": {"post": {"responses": {"200": {"description": "ok"}}}}}
            }
        ),
        "callbacks at /paths/~1tra-cuu/post/callbacks",
    ),
    "a cookie parameter": (
        minimal(parameters=[{"name": "phien", "in": "cookie", "schema": {"type": "string"}}]),
        "cookie parameter 'phien' at /paths/~1tra-cuu/post/parameters/0",
    ),
    "a recursive $ref": (
        recursive(),
        "recursive $ref '#/components/schemas/Yeu_cau' at /components/schemas/Yeu_cau/properties/con/$ref",
    ),
    "a $ref to itself": (
        ref_in("#/components/schemas/Yeu_cau/properties/ma"),
        "the $ref at /components/schemas/Yeu_cau/properties/ma/$ref leads back to itself",
    ),
    "a $ref to nothing": (
        ref_in("#/components/schemas/Ma"),
        "$ref '#/components/schemas/Ma' at /components/schemas/Yeu_cau/properties/ma/$ref names nothing",
    ),
    "a $ref to another file": (
        ref_in("common.yaml#/components/schemas/Ma"),
        "external $ref 'common.yaml#/components/schemas/Ma' at /components/schemas/Yeu_cau/properties/ma/$ref",
    ),
    "a $ref to a URL": (
        ref_in("https://example.gov.vn/schemas/ma.json"),
        "external $ref 'https://example.gov.vn/schemas/ma.json' at",
    ),
    "a parameter named like a body property": (
        minimal(parameters=[{"name": "ma", "in": "query", "schema": {"type": "string"}}]),
        "query parameter 'ma' at /paths/~1tra-cuu/post/parameters/0 has the name of "
        "/paths/~1tra-cuu/post/requestBody/content/application~1json/schema/properties/ma",
    ),
    "schemas nested too deep once inlined": (nested(40, 1), "the draft cannot be a contract: "),
    "schemas that explode once inlined": (nested(20, 2), "the schemas expand to more than 50000 values"),
    "a body that is not an object beside parameters": (
        minimal(
            parameters=[{"name": "trang", "in": "query", "schema": {"type": "integer"}}],
            requestBody={"content": {"application/json": {"schema": {"type": "array"}}}},
        ),
        "the request body at /paths/~1tra-cuu/post/requestBody/content/application~1json/schema is not an "
        "object with properties",
    ),
    "Swagger 2.0": (
        {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}},
        "Swagger 2.0 (/swagger) is not imported",
    ),
    "an invalid description": (
        {**minimal(), "info": {"title": "t"}},
        'not a valid OpenAPI 3.1.0 description: /info: "version" is a required property',
    ),
    "a missing operation": (
        minimal(operationId="traCuu"),
        "no operation 'op' in the description; its operations are: traCuu",
    ),
}


class TestUnmappableConstructsAreRefused:
    @pytest.mark.parametrize("construct", REFUSALS)
    def test_refused_in_one_line_naming_the_construct_and_its_pointer(
        self, construct: str, tmp_path: Path
    ) -> None:
        description, expected = REFUSALS[construct]
        output = tmp_path / "draft.yaml"
        result = run(
            "import",
            write(tmp_path, copy.deepcopy(description)),
            "--operation",
            "op",
            *LAND_ARGS,
            "-o",
            output,
        )
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("error: ")
        assert result.stderr.count("\n") == 1
        assert expected in result.stderr
        assert not output.exists()

    def test_the_fixtures_own_unmappable_operations(self) -> None:
        for operation, expected in (
            ("taiLenBanDo", "is multipart/form-data"),
            ("xuatBaoCaoBienDong", "has no JSON media type (only text/csv)"),
            ("traCuuTheoPhien", "cookie parameter 'JSESSIONID'"),
        ):
            result = run("import", LAND, "--operation", operation, *LAND_ARGS)
            assert (result.exit_code, expected in result.stderr) == (1, True), result.stderr
        result = run("import", CIVIL, "--operation", "TraCuuKetHon", *CIVIL_ARGS)
        assert "callbacks at /paths/~1ket-hon~1tra-cuu/post/callbacks" in result.stderr


class TestUsageMistakes:
    @pytest.mark.parametrize(
        ("args", "expected"),
        [
            (
                ["--provider", "so-tnmt", "--database", "csdl-dat-dai"],
                "--provider 'so-tnmt' is not an agency code",
            ),
            ([*LAND_ARGS, "--version", "2"], "--version '2' is not a semantic version"),
            ([*LAND_ARGS, "--code", "Tra_Cuu"], "--code 'Tra_Cuu' is not a code"),
        ],
    )
    def test_a_bad_option_is_one_line_and_exit_2(self, args: list[str], expected: str) -> None:
        result = run("import", LAND, "--operation", "traCuuThuaDat", *args)
        assert result.exit_code == 2
        assert expected in result.stderr

    def test_a_file_that_cannot_be_read(self, tmp_path: Path) -> None:
        result = run("import", tmp_path / "none.yaml", "--operation", "op", *LAND_ARGS)
        assert result.exit_code == 2
        assert result.stderr.startswith("error: cannot read")

    def test_the_code_defaults_to_the_operation_id_in_kebab_case(self) -> None:
        assert kebab_case("TraCuuKhaiSinh") == "tra-cuu-khai-sinh"
        assert kebab_case("getHTTPStatus") == "get-http-status"
        assert kebab_case("tra_cuu_Đất đai") == "tra-cuu-dat-dai"


@pytest.fixture(scope="module")
async def province(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    """A gateway (SQLite: registration does not depend on the database) with both departments and a consumer."""
    data = tmp_path_factory.mktemp("gateway")
    async with running_gateway(gateway_settings(f"sqlite+aiosqlite:///{data / 'lgsp.db'}", data)) as harness:
        await harness.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        await harness.create_database("H50.20", "csdl-dat-dai", "CSDL đất đai")
        await harness.create_agency("H50.03", "Sở Tư pháp")
        await harness.create_database("H50.03", "csdl-ho-tich", "CSDL hộ tịch điện tử")
        await harness.create_agency("H50.01", "Văn phòng UBND tỉnh")
        yield harness


def examples_connector(draft: dict[str, Any]) -> Connector:
    """A connector answering each of the draft's example requests with its example answer."""
    answers = {yaml.safe_dump(e["request"], sort_keys=True): e["response"] for e in draft["examples"]}
    connector = Connector(draft["provider"], draft["database"])

    @connector.service(draft["code"], major=1)
    async def answer(request: dict, context: RequestContext) -> dict:
        return dict(answers[yaml.safe_dump(request, sort_keys=True)])

    return connector


class TestTheDraftIsRegisteredAndAnswersItsExamples:
    @pytest.mark.parametrize(
        ("fixture", "client_id"), [("land_draft", "mot-cua-dat"), ("civil_draft", "mot-cua-ho-tich")]
    )
    async def test_registered_then_each_example_is_a_call_answered_through_the_gateway(
        self, province: Harness, request: pytest.FixtureRequest, fixture: str, client_id: str
    ) -> None:
        path: Path = request.getfixturevalue(fixture)
        registered = await province.http.post(
            "/api/v1/contracts",
            content=path.read_bytes(),
            headers={**await province.admin(), "Content-Type": "application/yaml"},
        )
        assert registered.status_code == 201, registered.text
        draft = yaml.safe_load(path.read_text(encoding="utf-8"))
        address = f"{draft['provider']}/{draft['code']}/v1"
        _, secret = await province.create_client("H50.01", client_id)
        grant = await province.post(
            "/api/v1/grants", {"client_id": client_id, "address": address, "purpose": "thử"}
        )
        assert grant.status_code == 201, grant.text
        consumer = await province.auth(client_id, secret)
        transport = httpx.ASGITransport(app=province.app)
        runner = ConnectorRunner(
            examples_connector(draft),
            province.app.state.runtime.bus,
            keys=GatewayKeys(url="http://testserver", transport=transport),
            gateway=GatewayClient("http://testserver", transport=transport),
        )
        async with runner:
            for example in draft["examples"]:
                answer = await province.http.post(
                    f"/exchange/{address}", json=example["request"], headers=consumer
                )
                assert answer.status_code == 200, answer.text
                assert answer.json() == example["response"]
            refused = await province.http.post(
                f"/exchange/{address}", json={"khong": "hop le"}, headers=consumer
            )
        assert refused.status_code == 422  # the imported request schema is what the gateway enforces


class TestTheLgspCommand:
    def test_lgsp_contract_import_is_wired_and_prints_the_draft(self) -> None:
        result = CliRunner().invoke(
            lgsp, ["contract", "import", str(CIVIL), "--operation", "TraCuuKhaiSinh", *CIVIL_ARGS]
        )
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("# Draft made by `lgsp contract import` from so-tp-ho-tich.yaml")
        assert load_contract(result.stdout).code == "tra-cuu-khai-sinh"
