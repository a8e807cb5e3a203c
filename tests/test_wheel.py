"""The built wheel, installed into a fresh venv, runs the README's code blocks (the shell ones
against its own ``telnyx-mock serve``, the python ones under pytest with its plugin).

The wheel is built offline (``pip wheel --no-build-isolation``: hatchling is a test extra) and
installed with ``--no-index --no-deps``; the fresh venv takes the wheel's dependencies (starlette,
telnyx, pytest, ...) from the project's own environment through a ``.pth`` line, so nothing is
downloaded. That line adds a plain directory: the editable install's own ``.pth`` there is not
run, so ``mockserver`` can only come from the wheel, which the test checks.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver import __version__
from tests import readme_blocks
from tests.helpers import stop_process
from tests.readme_blocks import ROOT, blocks

pytestmark = pytest.mark.slow


def run(*argv: str | Path, cwd: Path) -> str:
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{argv}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the wheel (dependencies from the project's environment)."""
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
        "-w", dist, ROOT, cwd=work)  # fmt: skip
    [wheel] = dist.glob("telnyx_mockserver-*.whl")
    env = work / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", env, cwd=work)
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = Path(run(env / "bin" / "python", "-c", where, cwd=work).strip())
    (purelib / "_project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(sys.executable, "-m", "pip", "--python", env / "bin" / "python", "install", "-q",
        "--no-index", "--no-deps", wheel, cwd=work)  # fmt: skip
    return env


@pytest.fixture
def server(venv: Path, tmp_path: Path) -> Iterator[str]:
    proc, address = readme_blocks.started_server(venv / "bin" / "telnyx-mock", tmp_path)
    yield address
    stop_process(proc)


def test_mockserver_comes_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    out = run(venv / "bin" / "python", "-c",
              "import mockserver, mockserver.schemas as s, mockserver.world as w; "
              "print(mockserver.__file__); print(s.schemas_dir()); print(w.default_world_path())",
              cwd=tmp_path)  # fmt: skip
    module, schemas_dir, world = out.split()
    assert module.startswith(str(venv))
    assert schemas_dir.startswith(str(venv))
    assert schemas_dir.endswith("mockserver/_data/schemas")
    assert world.startswith(str(venv))
    version = run(venv / "bin" / "telnyx-mock", "--version", cwd=tmp_path).strip()
    assert version == f"telnyx-mock {__version__}"  # the wheel's console script


def test_the_readme_python_blocks_against_the_wheel(
    venv: Path, tmp_path: Path, server: str
) -> None:
    record, replay = readme_blocks.run_python_blocks(venv / "bin" / "python", tmp_path, server)
    count = sum(1 for b in blocks() if b.language == "python")
    assert f"{count} passed" in record
    assert f"{count} passed" in replay


def test_the_readme_shell_blocks_against_the_wheel(venv: Path, tmp_path: Path, server: str) -> None:
    ran = 0
    for block in blocks():
        if block.language == "sh" and not block.is_make:  # make needs the repository
            readme_blocks.run_shell_block(block, venv / "bin", tmp_path, server)
            ran += 1
    assert ran >= 3
