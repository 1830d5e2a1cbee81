"""Shared helpers: the repository's fixtures, the command-line binary the
Python results are compared with, and ../shared (skipped when absent,
except under CI=true, where its absence fails)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "fixtures"
SHARED = REPO.parent / "shared"


def cli_binary() -> Path | None:
    given = os.environ.get("BOILERSTRIP_BIN")
    if given:
        return Path(given)
    for profile in ("release", "debug"):
        p = REPO / "target" / profile / "boilerstrip"
        if p.is_file():
            return p
    found = shutil.which("boilerstrip")
    return Path(found) if found else None


@pytest.fixture(scope="session")
def cli():
    """Runs the command line: cli(args, stdin bytes) -> stdout bytes."""
    binary = cli_binary()
    if binary is None:
        message = "no boilerstrip binary (cargo build, or set BOILERSTRIP_BIN)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)

    def run(args, stdin=b""):
        done = subprocess.run(
            [str(binary), *args], input=stdin, capture_output=True, check=False
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        return done.stdout

    return run


@pytest.fixture(scope="session")
def shared():
    if not SHARED.is_dir():
        message = f"{SHARED} is absent: the tests over shared data are skipped"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return SHARED


def fixture_pages(kind: str, name: str) -> list[Path]:
    pages = sorted((FIXTURES / kind).glob(f"*/{name}"))
    assert pages, f"no fixtures under {FIXTURES / kind}"
    return pages
