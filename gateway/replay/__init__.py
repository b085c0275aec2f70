"""Replay (DESIGN.md §5 flow 5): captured exchanges re-sent to a target, the answers compared with the recording.

```python
exchanges = await select_from_gateway(client, Selection(address="H50.20/tra-cuu-thua-dat/v1"))
async with ConnectorTarget(connectors) as target:
    report = await replay(exchanges, target, ReplayOptions(rules=NoiseRules(timestamps=True).compile()))
```
"""

from gateway.replay.cassette import CassetteHeader, CassetteInvalid, read_cassette, write_cassette
from gateway.replay.comparison import Comparison, Difference, compare
from gateway.replay.engine import ReplayOptions, replay
from gateway.replay.junit import junit_xml, write_junit
from gateway.replay.noise import CompiledRules, NoiseRules, RulesInvalid, load_rules, rules_from
from gateway.replay.recording import Answer, RecordedExchange
from gateway.replay.report import ExchangeResult, ReplayReport, Verdict
from gateway.replay.selection import Selection, select_from_gateway
from gateway.replay.targets import CannotReplay, ConnectorTarget, GatewayTarget, SendFailed, Target
from gateway.replay.verify import ExampleResult, verify_contract

__all__ = [
    "Answer",
    "CannotReplay",
    "CassetteHeader",
    "CassetteInvalid",
    "Comparison",
    "CompiledRules",
    "ConnectorTarget",
    "Difference",
    "ExampleResult",
    "ExchangeResult",
    "GatewayTarget",
    "NoiseRules",
    "RecordedExchange",
    "ReplayOptions",
    "ReplayReport",
    "RulesInvalid",
    "Selection",
    "SendFailed",
    "Target",
    "Verdict",
    "compare",
    "junit_xml",
    "load_rules",
    "read_cassette",
    "replay",
    "rules_from",
    "select_from_gateway",
    "verify_contract",
    "write_cassette",
    "write_junit",
]
