"""The demo province, Quảng Trị (H50), as data the project carries: `province.yaml` (agencies, databases,
the coverage target) and `contracts/*.yaml` (service and dataset contracts, DESIGN.md §4).

Contract files are named `<provider>--<code>--<version>.yaml`.
"""

from functools import cache
from pathlib import Path
from typing import Any

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
PROVINCES_DIR = (
    DEMO_DIR / "provinces"
)  # the federation demo's other platforms, `<code>.yaml` or `national.yaml`

__all__ = [
    "CONTRACTS_DIR",
    "DEMO_DIR",
    "PROVINCES_DIR",
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
    "load_seed_province",
    "read_contract",
    "seed_contract_files",
    "seed_provinces",
]


# libyaml's loader when PyYAML was built with it: the pure-Python one is several times slower.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


@cache
def load_province() -> Province:
    """The demo province, checked: unique codes, known parents, owners and sources."""
    return Province.model_validate(_read(PROVINCE_FILE))


def contract_files() -> list[Path]:
    """Every demo contract document, in name order (so versions of one contract follow each other)."""
    return sorted(CONTRACTS_DIR.glob("*.yaml"))


def read_contract(path: Path) -> ContractDocument:
    """A contract file the project carries, read with the fast loader (registration checks it again)."""
    return ContractDocument.model_validate(_read(path))


@cache
def load_contracts() -> tuple[ContractDocument, ...]:
    """The demo contract documents, in file name order (the documents are immutable)."""
    return tuple(ContractDocument.model_validate(_read(path)) for path in contract_files())


def seed_provinces() -> list[str]:
    """The names the federation demo's platforms other than Quảng Trị are loaded by (`national`, `H93`, …)."""
    return sorted(path.stem for path in PROVINCES_DIR.glob("*.yaml"))


@cache
def load_seed_province(name: str) -> Province:
    """A platform of the federation demo: `H50` is the demo province, any other name a file of `provinces/`."""
    if name == load_province().code:
        return load_province()
    if name not in seed_provinces():
        raise KeyError(name)
    return Province.model_validate(_read(PROVINCES_DIR / f"{name}.yaml"))


def seed_contract_files(name: str) -> list[Path]:
    """The contracts of a federation demo platform other than Quảng Trị (`provinces/contracts/`): those whose
    provider is one of its agencies."""
    agencies = {agency.code for agency in load_seed_province(name).agencies}
    files = sorted((PROVINCES_DIR / "contracts").glob("*.yaml"))
    return [path for path in files if path.name.split("--", 1)[0] in agencies]
