"""One runner per dataset schedule across all the connectors processes of an agency.

The processes of an agency join one consumer group on the agency's schedule topic, where nothing is ever
published: the group's assignment is the lease. A dataset belongs to the partition its address hashes to, and
the member holding that partition runs the dataset's schedule. When a process dies or joins, the group moves
partitions (within a session, 3 s) and the schedules follow them. On the in-process bus one process holds all.
`PARTITIONS` bounds how many processes can share an agency's schedules.
"""

import asyncio
import zlib
from collections.abc import Iterable

from bus import Bus, Subscription
from contracts.addresses import Address, agency_topic_part

PARTITIONS = 12


def schedule_topic(agency: str) -> str:
    return f"lgsp.schedule.{agency_topic_part(agency)}"


def schedule_group(agency: str) -> str:
    return f"lgsp.connector.{agency_topic_part(agency)}.schedules"


def partition_of(address: Address) -> int:
    return zlib.crc32(str(address).encode()) % PARTITIONS


class ScheduleLeases:
    def __init__(self, bus: Bus) -> None:
        self._bus = bus
        self._members: dict[str, Subscription] = {}

    async def start(self, agencies: Iterable[str]) -> None:
        for agency in sorted(set(agencies)):
            topic = schedule_topic(agency)
            await self._bus.ensure_topics([topic], partitions=PARTITIONS)
            self._members[agency] = await self._bus.join(topic, schedule_group(agency))
        await asyncio.gather(*(member.ready() for member in self._members.values()))

    def holds(self, address: Address) -> bool:
        member = self._members.get(address.agency)
        if member is None:
            return True
        assigned = member.assigned()
        return assigned is None or partition_of(address) in assigned

    async def stop(self) -> None:
        members, self._members = self._members, {}
        await asyncio.gather(*(member.stop() for member in members.values()))
