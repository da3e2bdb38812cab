"""The layering of ARCHITECTURE.md is a checked contract (import-linter, run by `make lint`): an app imports only
the layers below it. These tests run the same check on the real tree and on a copy with one upward import."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_tree_keeps_its_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_build_and_is_named(tmp_path):
    shutil.copytree(ROOT / "cpom", tmp_path / "cpom", ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    dates = tmp_path / "cpom" / "core" / "dates.py"
    dates.write_text(dates.read_text() + "\nfrom cpom.steering import consolidation  # noqa\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "cpom.core.dates -> cpom.steering.consolidation" in result.stdout
