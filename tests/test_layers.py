"""The package's layers: render → facts → analytics → io, arrows only downward.

The import graph is read from the source (every ``import`` statement, at the
module top or inside a function), so an import hidden in a function counts
like any other: a local import is how a cycle hides.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import perjaka_analysis

PACKAGE = Path(perjaka_analysis.__file__).resolve().parent

#: Layers from the top down; a module may import its own layer or any below it.
#: A name matches the module and, for a package, everything inside it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("entry", tuple("__main__ cli report kernels exports brief overview semester".split())),
    ("render", ("render",)),
    ("facts", ("facts",)),
    ("analytics", tuple("active active_data active_results backtest card coverage employers "
                        "forecast geo plotting precision privacy public_figures results "
                        "saturation saturation_filter segments trend trend_base trend_logit "
                        "trend_results trend_saturation uhc uhc_backtest uhc_count "
                        "uhc_paths".split())),
    ("io", ("", *"config contracts datasets errors i18n io kabkota loaders provinces sources "
                 "validate".split())),
]  # fmt: skip

#: Modules whose function-level imports of the package's own modules are still
#: to be moved to the top (each is moved with the module's own restructuring).
LOCAL_IMPORTS_PENDING: set[str] = set()


def module_name(path: Path) -> str:
    """``perjaka_analysis/render/brief.py`` → ``render.brief``; the package itself is ``""``."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the package by its name inside the package."""
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]) -> list[tuple[str, int, bool]]:
    """``(imported module, line, local)`` for each import of the package's modules.

    ``local`` is true for an import inside a function, unless the comment just
    above it (or above the block of imports it belongs to) starts with
    ``# heavy:`` and says why (a module whose import loads
    a heavy dependency, kept out of processes that never use it).
    """
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)

    def justified(line: int) -> bool:
        """A ``# heavy:`` comment above the import or above the imports it opens."""
        above = line - 2
        while above >= 0 and lines[above].strip().startswith(("#", "from ", "import ")):
            if lines[above].strip().startswith("# heavy:"):
                return True
            above -= 1
        return False

    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    package = [p for p in package if p]
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            targets: list[str] = []
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package[: len(package) - (child.level - 1)]
                    target = ".".join(base + ([child.module] if child.module else []))
                elif (child.module or "").split(".")[0] == "perjaka_analysis":
                    target = (child.module or "").removeprefix("perjaka_analysis").lstrip(".")
                else:
                    target = None
                if target is not None:
                    targets = [target] + [f"{target}.{a.name}".lstrip(".") for a in child.names]
            elif isinstance(child, ast.Import):
                targets = [
                    a.name.removeprefix("perjaka_analysis").lstrip(".")
                    for a in child.names
                    if a.name.split(".")[0] == "perjaka_analysis"
                ]
            local = bool(targets) and in_function and not justified(child.lineno)
            for t in targets:
                if t in known and t != name:
                    found.append((t, child.lineno, local))
            visit(child, inside)

    visit(tree, False)
    return found


def layer_of(name: str) -> int:
    """Index of the layer a module belongs to (0 is the top)."""
    matches = [
        (len(prefix), i)
        for i, (_, prefixes) in enumerate(LAYERS)
        for prefix in prefixes
        if name == prefix or (prefix and name.startswith(prefix + "."))
    ]
    if not matches:
        raise AssertionError(f"module {name!r} is in no layer: add it to LAYERS")
    return max(matches)[1]


def graph() -> dict[str, list[tuple[str, int, bool]]]:
    mods = modules()
    return {name: imports(name, path, set(mods)) for name, path in mods.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph (as a path that returns to its start), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := walk(start)):
            return cycle
    return None


def test_every_module_is_in_a_layer():
    for name in modules():
        layer_of(name)


def test_imports_only_go_down_the_layers():
    upward = [
        f"{name or 'perjaka_analysis'} ({LAYERS[layer_of(name)][0]}) imports {target} "
        f"({LAYERS[layer_of(target)][0]}) at line {line}"
        for name, found in graph().items()
        for target, line, _ in found
        if layer_of(target) < layer_of(name)
    ]
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_no_import_cycle():
    edges = {name: {t for t, _, _ in found} for name, found in graph().items()}
    # a package's __init__ re-exporting its own modules is not a cycle
    for name in edges:
        edges[name] = {t for t in edges[name] if not t.startswith(name + ".") or name == ""}
    edges[""] = {t for t in edges[""] if "." not in t}
    assert find_cycle(edges) is None, f"import cycle: {' → '.join(find_cycle(edges) or [])}"


def test_package_imports_are_at_module_top():
    local = [
        f"{name}: line {line} imports {target} inside a function (without a '# heavy:' reason)"
        for name, found in graph().items()
        if name not in LOCAL_IMPORTS_PENDING
        for target, line, in_function in found
        if in_function
    ]
    assert not local, "\n".join(local)


@pytest.mark.parametrize(
    ("edges", "cycle"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"a"}}, ["a", "a"]),
    ],
)
def test_find_cycle_on_small_graphs(edges, cycle):
    assert find_cycle(edges) == cycle


def test_layer_of_matches_the_longest_name():
    assert LAYERS[layer_of("render.brief")][0] == "render"
    assert LAYERS[layer_of("employers.score")][0] == "analytics"
    assert LAYERS[layer_of("")][0] == "io"
    with pytest.raises(AssertionError, match="no layer"):
        layer_of("nowhere")
