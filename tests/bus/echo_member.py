"""A connectors process reduced to its bus: joins a consumer group on a topic and echoes every request.

Run by tests/bus/test_failover.py as `python -m tests.bus.echo_member BOOTSTRAP TOPIC GROUP`, so a test can
SIGKILL or SIGTERM a real member. Prints "ready" once the group has assigned it partitions.
"""

import asyncio
import signal
import sys
import uuid

from bus.kafka import KafkaBus
from contracts.envelope import Envelope, make_reply


async def serve(bootstrap: str, topic: str, group: str) -> None:
    bus = KafkaBus(bootstrap, f"member-{uuid.uuid4().hex[:8]}", metadata_max_age_ms=1000)
    await bus.start()

    async def echo(request: Envelope) -> None:
        await bus.reply(request, make_reply(request, source="urn:test:member", data=request.data))

    member = await bus.subscribe([topic], group, echo)
    await member.ready()
    print("ready", flush=True)
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    await stopping.wait()
    await bus.stop()  # drains what is in flight, commits, leaves the group


if __name__ == "__main__":
    asyncio.run(serve(*sys.argv[1:4]))
