"""The demo province, Quảng Trị (H50), as data the project carries: `province.yaml` (agencies, databases,
the coverage target) and `contracts/*.yaml` (service and dataset contracts, DESIGN.md §4).

Contract files are named `<provider>--<code>--<version>.yaml`.
"""

from functools import cache
from pathlib import Path

import yaml

from contracts.document import ContractDocument
from registry.demo.province import (
    AgencyEntry,
    Citation,
    CoverageTarget,
    DatabaseEntry,
    DatabaseStatus,
    Province,
    SourceDocument,
    Tier,
)

DEMO_DIR = Path(__file__).parent
PROVINCE_FILE = DEMO_DIR / "province.yaml"
CONTRACTS_DIR = DEMO_DIR / "contracts"

__all__ = [
    "CONTRACTS_DIR",
    "DEMO_DIR",
    "PROVINCE_FILE",
    "AgencyEntry",
    "Citation",
    "CoverageTarget",
    "DatabaseEntry",
    "DatabaseStatus",
    "Province",
    "SourceDocument",
    "Tier",
    "contract_files",
    "load_contracts",
    "load_province",
]


@cache
def load_province() -> Province:
    """The demo province, checked: unique codes, known parents, owners and sources."""
    return Province.model_validate(yaml.safe_load(PROVINCE_FILE.read_text(encoding="utf-8")))


def contract_files() -> list[Path]:
    """Every demo contract document, in name order (so versions of one contract follow each other)."""
    return sorted(CONTRACTS_DIR.glob("*.yaml"))


def load_contracts() -> list[ContractDocument]:
    return [
        ContractDocument.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        for path in contract_files()
    ]
