"""docs/architecture.md matches the code: its package tree names what exists, and its dependency rules hold.

Imports are read with `ast` from the source, at module level and inside functions alike, so a lazy import
counts as much as any other.
"""

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = ("contracts", "registry", "bus", "gateway", "connectors", "warehouse", "migrations", "federation")
ARCHITECTURE = ROOT / "docs" / "architecture.md"

# What each domain may import of the others (as stated in docs/architecture.md, "Dependency rules").
ALLOWED = {
    "contracts": set(),
    "bus": {"contracts"},
    "registry": {"contracts"},
    "connectors": {"contracts", "bus"},
    "warehouse": {"contracts", "bus", "connectors.sdk"},
    "migrations": {"registry"},
    "federation": {"contracts", "registry"},
    "gateway": {"contracts", "registry", "bus", "connectors", "warehouse", "migrations", "federation"},
}
COMPOSITION_ROOTS = ("gateway.cli", "gateway.sandbox", "gateway.replay", "gateway.platform")
# The warehouse's store, which the app reads for dead letters; never its sink or commands.
WAREHOUSE_STORE = ("warehouse.store", "warehouse.tables", "warehouse.deadletters", "warehouse.batch")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for domain in DOMAINS:
        for path in (ROOT / domain).rglob("*.py"):
            found[module_name(path)] = path
    return found


@cache
def imports_of(module: str) -> frozenset[str]:
    """The modules of ours that `module` imports (a `from package import name` counts `package.name` when it
    is a module)."""
    tree = ast.parse(modules()[module].read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(name for name in names if name.split(".")[0] in DOMAINS and name in modules())


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def domain_of(module: str) -> str:
    return module.split(".")[0]


def cross_domain_imports() -> Iterator[tuple[str, str]]:
    for module in modules():
        for imported in imports_of(module):
            if domain_of(imported) != domain_of(module):
                yield module, imported


class TestDependencyRules:
    def test_each_domain_imports_only_what_the_rules_allow(self) -> None:
        broken = [
            f"{module} imports {imported}"
            for module, imported in cross_domain_imports()
            if not any(within(imported, allowed) for allowed in ALLOWED[domain_of(module)])
        ]
        assert not broken

    def test_nothing_imports_the_gateway(self) -> None:
        assert not [
            f"{module} imports {imported}"
            for module, imported in cross_domain_imports()
            if domain_of(imported) == "gateway"
        ]

    def test_only_the_composition_roots_import_connectors(self) -> None:
        assert not [
            f"{module} imports {imported}"
            for module, imported in cross_domain_imports()
            if domain_of(module) == "gateway"
            and domain_of(imported) in ("connectors", "warehouse")
            and not any(within(imported, store) for store in WAREHOUSE_STORE)
            and not any(within(module, root) for root in COMPOSITION_ROOTS)
        ]

    def test_the_app_reaches_no_connector_warehouse_or_composition_root(self) -> None:
        reached, todo = set(), ["gateway.app"]
        while todo:
            module = todo.pop()
            if module not in reached:
                reached.add(module)
                todo.extend(imports_of(module))
        assert "gateway.exchange.flow" in reached  # the walk does follow the app's imports
        forbidden = ("connectors", "warehouse", *COMPOSITION_ROOTS)
        assert not sorted(
            m
            for m in reached
            if any(within(m, f) for f in forbidden) and not any(within(m, s) for s in WAREHOUSE_STORE)
        )

    def test_the_rules_are_the_ones_the_document_states(self) -> None:
        text = ARCHITECTURE.read_text(encoding="utf-8")
        assert "`contracts` imports nothing of ours." in text
        assert "`bus` imports only `contracts`." in text
        assert "`registry` imports only `contracts`." in text
        assert "`connectors` imports only `contracts` and `bus`." in text
        assert "`migrations` imports only `registry`" in text
        assert "`federation` imports only `contracts` and `registry`." in text
        assert "No package imports `gateway`." in text
        assert "the log imports\n  nothing of the path." in text
        assert "No domain but the registry names a registry table in a query" in text


def layout_paths() -> list[str]:
    """The paths the package tree in docs/architecture.md names, from its indentation (two spaces a level)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    block = re.search(r"## Package layout.*?```\n(.*?)```", text, re.DOTALL)
    assert block is not None, "docs/architecture.md has no package tree"
    stack: list[str] = []
    paths = []
    for line in block.group(1).splitlines():
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        name = line.split()[0]
        stack = [*stack[:depth], name]
        paths.append("".join(stack))
    return paths


class TestPackageTree:
    def test_every_path_in_the_tree_exists(self) -> None:
        missing = [path for path in layout_paths() if not (ROOT / path).exists()]
        assert not missing

    def test_every_package_is_in_the_tree(self) -> None:
        named = {path.rstrip("/") for path in layout_paths()}
        packages = {
            path.parent.relative_to(ROOT).as_posix()
            for domain in DOMAINS
            for path in (ROOT / domain).rglob("__init__.py")
            if "samples/" not in path.relative_to(ROOT).as_posix()
        }
        assert packages - named == set()

    def test_the_tree_shows_the_platform_domains(self) -> None:
        assert {"warehouse/", "migrations/", "migrations/versions/"} <= set(layout_paths())


# Calls that build or run a query: a registry table named in one of them is a query on the registry's tables.
QUERY_CALLS = {
    "select",
    "update",
    "delete",
    "insert",
    "col",
    "exists",
    "get",
    "exec",
    "execute",
    "where",
    "join",
}


@cache
def registry_tables() -> frozenset[str]:
    """The registry's table classes by module-qualified name, e.g. `registry.agencies.models.Agency`."""
    found = set()
    for module, path in modules().items():
        if within(module, "registry"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef) and any(
                    keyword.arg == "table" for keyword in node.keywords
                ):
                    found.add(f"{module}.{node.name}")
    return frozenset(found)


def registry_queries(module: str) -> list[str]:
    """`module`'s calls that name a registry table in a query, as `line: call(Table)`."""
    tree = ast.parse(modules()[module].read_text(encoding="utf-8"))
    tables = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
        if f"{node.module}.{alias.name}" in registry_tables()
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in QUERY_CALLS:
            continue
        named = {n.id for arg in node.args for n in ast.walk(arg) if isinstance(n, ast.Name)} & tables
        found.extend(f"{node.lineno}: {name}({table})" for table in sorted(named))
    return found


class TestTheRegistryOwnsItsTables:
    def test_the_registry_tables_are_found(self) -> None:
        assert {"registry.agencies.models.Agency", "registry.grants.models.Grant"} <= registry_tables()

    def test_no_other_domain_queries_them(self) -> None:
        """Other domains go through the registry's services, repositories or read models."""
        queries = {
            module: found
            for module in modules()
            if not within(module, "registry") and not within(module, "migrations")
            for found in [registry_queries(module)]
            if found
        }
        assert queries == {}


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The groups of nodes that reach each other (strongly connected components of more than one node)."""
    reach = {node: set() for node in graph}
    for start in graph:
        todo = list(graph[start])
        while todo:
            node = todo.pop()
            if node not in reach[start]:
                reach[start].add(node)
                todo.extend(graph.get(node, ()))
    groups = {frozenset({a} | {b for b in reach[a] if a in reach.get(b, ())}) for a in graph}
    return [set(group) for group in groups if len(group) > 1]


class TestNoImportCircles:
    def test_the_gateways_parts_import_each_other_one_way(self) -> None:
        """`gateway/exchange`, `gateway/exchangelog`, `gateway/cli`, `gateway/platform.py`...: no two of them
        import each other, however indirectly."""

        def part(module: str) -> str:
            return ".".join(module.split(".")[:2])

        graph: dict[str, set[str]] = {}
        for module in modules():
            if within(module, "gateway"):
                graph.setdefault(part(module), set()).update(
                    part(imported)
                    for imported in imports_of(module)
                    if within(imported, "gateway") and part(imported) != part(module)
                )
        assert cycles(graph) == []

    def test_a_circle_is_found(self) -> None:
        assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]

    def test_the_exchange_log_does_not_import_the_exchange_path(self) -> None:
        """The exchange path writes the log; the log knows nothing of the path (they once imported each other)."""
        assert not [
            f"{module} imports {imported}"
            for module in modules()
            if within(module, "gateway.exchangelog")
            for imported in imports_of(module)
            if within(imported, "gateway.exchange")
        ]


class TestOneDefinitionEach:
    def test_a_tables_core_form_is_named_once_beside_its_model(self) -> None:
        """`X = Model.__table__` lives in the model's module, not copied into each module that queries it."""
        named: dict[str, list[str]] = {}
        for module, path in modules().items():
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                value = node.value if isinstance(node, ast.Assign) else None
                if isinstance(value, ast.Attribute) and value.attr == "__table__":
                    named.setdefault(ast.unparse(value.value), []).append(module)
        assert {model: found for model, found in named.items() if len(found) > 1} == {}
        assert [m for found in named.values() for m in found if not m.endswith(".models")] == []
