"""Who may do what on the broker: a SASL/SCRAM login per component, and the ACLs that confine each one.

A second line behind the signatures on envelopes. With the broker's authorizer on, a connectors process of an
agency reads only that agency's request topics and writes only replies; only the warehouse writes share
acknowledgements; only gateways write requests and shares. `lgsp bus acls` prints the plan as `kafka-acls.sh`
commands, Apache Kafka's own tool, for the operator to apply with an admin login.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from contracts.addresses import REGISTRY_TOPIC, SHARE_ACK_TOPIC, agency_topic_part

Mechanism = Literal["SCRAM-SHA-256", "SCRAM-SHA-512"]


class Role(StrEnum):
    GATEWAY = "gateway"
    CONNECTOR = "connector"
    WAREHOUSE = "warehouse"


@dataclass(frozen=True)
class KafkaLogin:
    username: str
    password: str = field(repr=False)
    mechanism: Mechanism = "SCRAM-SHA-512"

    def client_options(self) -> dict[str, str]:
        """aiokafka's options for every client of a bus that logs in."""
        return {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": self.mechanism,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
        }


@dataclass(frozen=True)
class Acl:
    """Allow `principal` the `operations` on one topic or group, by exact name or by prefix."""

    principal: str
    operations: tuple[str, ...]
    resource: Literal["topic", "group"]
    name: str
    prefixed: bool = False

    def arguments(self) -> list[str]:
        """The arguments of `kafka-acls.sh --add` (after the bootstrap and the admin's command config)."""
        operations = [part for operation in self.operations for part in ("--operation", operation)]
        pattern = ["--resource-pattern-type", "prefixed" if self.prefixed else "literal"]
        return [
            "--add",
            "--allow-principal",
            self.principal,
            *operations,
            f"--{self.resource}",
            self.name,
            *pattern,
        ]


def acl_plan(role: Role, user: str, agency: str | None = None) -> list[Acl]:
    """What a component's login may do. A connector's is bounded to one agency's request topics and groups."""
    principal = f"User:{user}"
    if role is Role.GATEWAY:
        return [
            Acl(principal, ("Write", "Create", "Describe"), "topic", "lgsp.svc.", prefixed=True),
            Acl(principal, ("Write", "Create", "Describe"), "topic", "lgsp.share.", prefixed=True),
            Acl(principal, ("Read", "Create", "Describe"), "topic", "lgsp.reply.", prefixed=True),
            Acl(principal, ("Read", "Create", "Describe"), "topic", SHARE_ACK_TOPIC),
            Acl(principal, ("Read", "Write", "Create", "Describe"), "topic", REGISTRY_TOPIC),
            Acl(principal, ("Read",), "group", "lgsp.gateway.", prefixed=True),
        ]
    if role is Role.WAREHOUSE:
        return [
            Acl(principal, ("Read", "Create", "Describe"), "topic", "lgsp.share.", prefixed=True),
            Acl(principal, ("Write", "Create", "Describe"), "topic", SHARE_ACK_TOPIC),
            Acl(principal, ("Read", "Create", "Describe"), "topic", REGISTRY_TOPIC),
            Acl(principal, ("Read",), "group", "lgsp.warehouse", prefixed=True),
        ]
    if agency is None:
        raise ValueError("a connector's ACLs are for one agency: give its code")
    part = agency_topic_part(agency)
    return [
        Acl(principal, ("Read", "Create", "Describe"), "topic", f"lgsp.svc.{part}.", prefixed=True),
        Acl(principal, ("Read", "Create", "Describe"), "topic", f"lgsp.schedule.{part}"),
        Acl(principal, ("Read",), "group", f"lgsp.connector.{part}.", prefixed=True),
        Acl(principal, ("Write", "Describe"), "topic", "lgsp.reply.", prefixed=True),
    ]
