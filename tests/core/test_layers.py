"""The layers of the apps hold (pyproject.toml [tool.importlinter], docs/architecture.md):
pytest runs the same contracts as `.venv/bin/lint-imports` in .ci/run, so a new upward import
fails here first."""

import ast
from pathlib import Path

from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_the_import_contracts_are_kept(capsys):
    exit_code = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert exit_code == 0, report
    assert "3 kept, 0 broken" in report


SRC = Path(__file__).resolve().parents[2] / "src" / "hexie"


def private_imports_across_apps(root: Path) -> list[str]:
    """``from hexie.<other app>… import _name`` (or ``import hexie.<other>._module``) anywhere
    under ``root``: an app's underscore names are its own."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        own = path.relative_to(root).parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                parts = node.module.split(".")
                if parts[0] != "hexie" or len(parts) < 2 or parts[1] == own:
                    continue
                names = [a.name for a in node.names]
                if any(p.startswith("_") for p in parts[2:]) or any(
                        n.startswith("_") for n in names):
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.module}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if (parts[0] == "hexie" and len(parts) > 2 and parts[1] != own
                            and any(p.startswith("_") for p in parts[2:])):
                        found.append(f"{path.relative_to(root)}:{node.lineno} {alias.name}")
    return found


def test_no_app_imports_another_apps_private_names():
    assert private_imports_across_apps(SRC) == []


def test_the_private_import_guard_catches_one(tmp_path):
    (tmp_path / "recognition").mkdir()
    (tmp_path / "recognition" / "views.py").write_text(
        "from hexie.campaigns.views import _own_unit\nfrom hexie.recognition import _mine\n",
        encoding="utf-8")
    assert private_imports_across_apps(tmp_path) == [
        "recognition/views.py:1 hexie.campaigns.views"]
