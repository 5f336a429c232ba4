"""The static checks are part of the suite (so `scripts/test.sh` runs them too): ruff over the
repository and mypy over engine/, both configured in pyproject.toml. Run as the tools run from
a shell, in subprocesses, so what fails here fails the same way at the command line."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=240)


def test_ruff_finds_nothing_in_the_repository():
    out = _run("ruff", "check", "--no-fix", ".")
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_finds_no_type_error_in_the_engine():
    out = _run("mypy", "engine")
    assert out.returncode == 0, out.stdout + out.stderr
