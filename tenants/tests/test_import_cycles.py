"""`make lint`'s import-circle check (bin/import_cycles.py): it finds a circle however it is hidden, and
Patchbay's production modules have none."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("import_cycles", ROOT / "bin" / "import_cycles.py")
import_cycles = importlib.util.module_from_spec(spec)
spec.loader.exec_module(import_cycles)


def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    modules = {}
    for name in files:
        dotted = name.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        modules[dotted] = tmp_path / name
    return modules


def test_a_circle_through_a_function_level_or_type_checking_import_is_found(tmp_path: Path) -> None:
    modules = _tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/actions.py": "def queue():\n    from app.tasks import task\n",
            "app/tasks.py": "from app import actions\n",
            "app/models.py": "import typing\nif typing.TYPE_CHECKING:\n    from .query import Q\n",
            "app/query.py": "from app.models import Model\n",
            "app/leaf.py": "import app.models\n",
        },
    )
    found = import_cycles.circles(import_cycles.import_graph(modules))
    assert found == [["app.actions", "app.tasks"], ["app.models", "app.query"]]


def test_patchbay_has_no_import_circle() -> None:
    graph = import_cycles.import_graph(import_cycles.production_modules(ROOT))
    assert graph.number_of_nodes() > 200  # the apps were found
    assert import_cycles.circles(graph) == []
