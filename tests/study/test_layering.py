"""The study layer's services depend on each other in one direction only."""

from __future__ import annotations

import ast
from pathlib import Path

import quizdl.study

STUDY = Path(quizdl.study.__file__).parent


def _imports_of(path: Path) -> set[str]:
    """Every quizdl.study module a file imports, lazily inside functions too."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "quizdl.study":
                found.update(f"quizdl.study.{alias.name}" for alias in node.names)
            elif node.module.startswith("quizdl.study."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("quizdl.study."))
    return found


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in STUDY.rglob("*.py"):
        parts = path.relative_to(STUDY).with_suffix("").parts
        name = ".".join(("quizdl", "study", *parts)).removesuffix(".__init__")
        graph[name] = _imports_of(path)
    return graph


def test_no_module_of_the_study_layer_imports_another_in_a_circle() -> None:
    graph = _graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for imported in sorted(graph.get(module, ())):
            visit(imported, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_challenge_grading_depends_on_answering_not_on_the_whole_service() -> None:
    graph = _graph()
    assert "quizdl.study.answering" in graph["quizdl.study.challenges"]
    assert "quizdl.study.service" not in graph["quizdl.study.challenges"]
    # Only the front door and what builds it know the front door.
    knows_facade = {m for m, imports in graph.items() if "quizdl.study.service" in imports}
    assert knows_facade <= {"quizdl.study.factory", "quizdl.study.session"}
