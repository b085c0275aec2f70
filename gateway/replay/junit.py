"""JUnit XML for CI: one testcase per exchange; a difference is a failure whose message is the first one."""

from pathlib import Path
from xml.etree import ElementTree

from gateway.replay.report import ReplayReport, Verdict

SUITE = "lgsp replay"


def junit_xml(report: ReplayReport, suite: str = SUITE) -> bytes:
    results = report.results
    testsuites = ElementTree.Element("testsuites")
    testsuite = ElementTree.SubElement(
        testsuites,
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(report.count(Verdict.DIFFERENT)),
        errors=str(report.count(Verdict.FAILED)),
        skipped=str(report.count(Verdict.SKIPPED)),
        time=f"{sum(r.seconds for r in results):.3f}",
    )
    properties = ElementTree.SubElement(testsuite, "properties")
    for name, value in (("source", report.source), ("target", report.target)):
        ElementTree.SubElement(properties, "property", name=name, value=value)
    for result in results:
        testcase = ElementTree.SubElement(
            testsuite,
            "testcase",
            classname=result.exchange.address,
            name=result.exchange.id,
            time=f"{result.seconds:.3f}",
        )
        if result.verdict is Verdict.DIFFERENT:
            failure = ElementTree.SubElement(
                testcase, "failure", message=result.first_difference, type="different"
            )
            details = [d.describe() for d in result.differences]
            failure.text = "\n".join([f"status {result.status_pair}", *details, "", result.diff()])
        elif result.verdict is Verdict.FAILED:
            ElementTree.SubElement(testcase, "error", message=result.reason or "failed", type="failed")
        elif result.verdict is Verdict.SKIPPED:
            ElementTree.SubElement(testcase, "skipped", message=result.reason or "skipped")
    ElementTree.indent(testsuites)
    return ElementTree.tostring(testsuites, encoding="utf-8", xml_declaration=True)


def write_junit(report: ReplayReport, path: Path, suite: str = SUITE) -> None:
    path.write_bytes(junit_xml(report, suite))
