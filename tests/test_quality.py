"""The code stays typed, linted and small: mypy --strict and ruff (with the DTZ clock rules)
pass, and no module grows past what a reader can hold (issue 13)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "src" / "feedpub"
MAX_MODULE_LINES = 400
MAX_BUILD_LINES = 200  # build.py only runs the phases in order


def test_code_passes_ruff() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "src", "tests", "bench"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_passes_mypy_strict() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", "/dev/null"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_quality_no_module_over_400_lines() -> None:
    sizes = {path.relative_to(PACKAGE).as_posix(): _lines(path) for path in PACKAGE.rglob("*.py")}
    over = sorted(f"{name} ({n} lines)" for name, n in sizes.items() if n > MAX_MODULE_LINES)
    limit = f"at most {MAX_MODULE_LINES} lines; split by responsibility"
    assert not over, f"{limit}: {', '.join(over)}"


def test_quality_build_py_at_most_200_lines() -> None:
    count = _lines(PACKAGE / "build.py")
    assert count <= MAX_BUILD_LINES, f"build.py has {count} lines; it only runs the phases"
