"""`docker-compose.yml` ships the broker the tests run: the same Kafka version and the same KRaft settings."""

from pathlib import Path

import yaml

from tests.kafka.broker import kafka_version, shared_properties

COMPOSE = Path(__file__).parents[2] / "docker-compose.yml"


def compose_kafka() -> dict[str, object]:
    service: dict[str, object] = yaml.safe_load(COMPOSE.read_text())["services"]["kafka"]
    return service


class TestComposeMatchesTheTestBroker:
    def test_the_image_is_the_version_maven_resolves_for_the_tests(self) -> None:
        assert compose_kafka()["image"] == f"apache/kafka:{kafka_version()}"

    def test_every_kraft_and_replication_setting_is_the_same(self) -> None:
        environment = compose_kafka()["environment"]
        assert isinstance(environment, dict)
        in_compose = {
            key.removeprefix("KAFKA_").lower().replace("_", "."): str(value)
            for key, value in environment.items()
        }
        for name, value in shared_properties(1).items():
            assert in_compose.get(name) == value, name
