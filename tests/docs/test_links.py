"""Every relative link in the README and docs/ leads somewhere: the file exists, and its #anchor is a heading."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def prose(path: Path) -> str:
    return _FENCE.sub("", path.read_text(encoding="utf-8"))


def anchors(path: Path) -> set[str]:
    return {slug(heading) for heading in _HEADING.findall(prose(path))}


def relative_links(path: Path) -> list[str]:
    return [
        target
        for target in _LINK.findall(prose(path))
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target)  # http:, https:, mailto:
    ]


class TestRelativeLinksResolve:
    def test_the_docs_exist(self) -> None:
        names = {page.name for page in PAGES}
        assert {"architecture.md", "flows.md", "coverage.md", "contracts.md", "exchange-log.md"} <= names
        assert "security.md" in names

    @pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
    def test_every_link_resolves(self, page: Path) -> None:
        broken = []
        for target in relative_links(page):
            file_part, _, anchor = target.partition("#")
            destination = (page.parent / file_part).resolve() if file_part else page
            if not destination.exists():
                broken.append(f"{target}: no such file")
            elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
                broken.append(f"{target}: no heading #{anchor} in {destination.name}")
        assert not broken, f"{page.name}: " + "; ".join(broken)

    def test_the_readme_links_the_design(self) -> None:
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        assert "DESIGN.md" not in readme
        assert any(link.startswith("docs/") for link in relative_links(ROOT / "README.md"))
