"""The layers of the apps hold (pyproject.toml [tool.importlinter], docs/architecture.md):
pytest runs the same contracts as `.venv/bin/lint-imports` in .ci/run, so a new upward import
fails here first."""

from pathlib import Path

from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_the_import_contracts_are_kept(capsys):
    exit_code = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert exit_code == 0, report
    assert "3 kept, 0 broken" in report
