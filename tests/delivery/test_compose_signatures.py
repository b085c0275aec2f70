"""`docker-compose.yml` requires authentic bus messages, configured as the fault campaign runs them on processes
(tests/faults/topology.py): the seed writes the keys, the connectors and the warehouse sign with them, and the
gateways believe only the warehouse client's acknowledgements."""

from pathlib import Path
from typing import Any

import yaml

from gateway.cli.demo.message_keys import CONNECTOR_KEYS, WAREHOUSE_CLIENT, WAREHOUSE_KEY

COMPOSE = Path(__file__).parents[2] / "docker-compose.yml"


def services() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())["services"]
    return found


class TestComposeSignsEveryMessage:
    def test_no_service_turns_signatures_off(self) -> None:
        for name, service in services().items():
            assert service.get("environment", {}).get("LGSP_BUS_SIGNATURES", "auto") != "off", name

    def test_the_seed_writes_the_keys_the_connectors_and_the_warehouse_read(self) -> None:
        found = services()
        directory = found["migrate"]["command"][-1].split("--message-keys ")[1].split()[0]
        assert f"keys:{directory}" in found["migrate"]["volumes"]
        for name, key_file in (("connectors", CONNECTOR_KEYS), ("warehouse", WAREHOUSE_KEY)):
            assert found[name]["environment"]["LGSP_MESSAGE_KEY_FILE"] == f"{directory}/{key_file}"
            assert f"keys:{directory}:ro" in found[name]["volumes"]

    def test_gateways_believe_the_warehouse_client_the_seed_registers(self) -> None:
        assert services()["gateway"]["environment"]["LGSP_WAREHOUSE_CLIENT_ID"] == WAREHOUSE_CLIENT
