"""Codes, addresses and Kafka topic names (DESIGN.md §2, §4)."""

import re
from dataclasses import dataclass
from typing import Self

from contracts.errors import InvalidInput

# Decision 20/2020/QĐ-TTg: dot-separated groups, level-1 first (a letter A-Y and two digits), ≤ 35 chars.
AGENCY_CODE = re.compile(r"^[A-Y][0-9]{2}(?:\.[0-9A-Z]+)*$")
AGENCY_CODE_MAX = 35
CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_MAX = 63
_ADDRESS = re.compile(r"^(?P<agency>[^/]+)/(?P<code>[^/]+)/v(?P<major>0|[1-9][0-9]{0,5})$")


def is_agency_code(value: str) -> bool:
    return len(value) <= AGENCY_CODE_MAX and AGENCY_CODE.match(value) is not None


def is_code(value: str) -> bool:
    return len(value) <= CODE_MAX and CODE.match(value) is not None


def parent_agency_code(code: str) -> str | None:
    """`H50.20` → `H50`; a level-1 code has no parent."""
    return code.rsplit(".", 1)[0] if "." in code else None


@dataclass(frozen=True, slots=True)
class Address:
    """`{agency}/{code}/v{major}`: where a service or dataset major version is reached."""

    agency: str
    code: str
    major: int

    def __post_init__(self) -> None:
        if not is_agency_code(self.agency):
            raise InvalidInput(
                f"'{self.agency}' is not an agency code (Decision 20/2020/QĐ-TTg format, e.g. H50.20)"
            )
        if not is_code(self.code):
            raise InvalidInput(f"'{self.code}' is not a code (lower-case letters, digits and single hyphens)")

    @classmethod
    def parse(cls, text: str) -> Self:
        match = _ADDRESS.match(text)
        if match is None:
            raise InvalidInput(f"'{text}' is not an address of the form AGENCY/CODE/vMAJOR")
        return cls(match["agency"], match["code"], int(match["major"]))

    def __str__(self) -> str:
        return f"{self.agency}/{self.code}/v{self.major}"

    @property
    def _topic_part(self) -> str:
        return f"{agency_topic_part(self.agency)}.{self.code}.v{self.major}"

    @property
    def service_topic(self) -> str:
        return f"lgsp.svc.{self._topic_part}"

    @property
    def share_topic(self) -> str:
        return f"lgsp.share.{self._topic_part}"

    @property
    def consumer_group(self) -> str:
        return f"lgsp.connector.{self._topic_part}"


def agency_topic_part(agency: str) -> str:
    """An agency's code in topic names: Kafka allows [a-zA-Z0-9._-], and the dots of a code become underscores,
    so that an agency's topics share a prefix (`lgsp.svc.h50_20.`) that no other agency's starts with."""
    return agency.lower().replace(".", "_")


def reply_topic(instance_id: str) -> str:
    return f"lgsp.reply.{instance_id}"


REGISTRY_TOPIC = "lgsp.registry"
SHARE_ACK_TOPIC = "lgsp.ack.share"  # the warehouse's acknowledgements of delivered shares
