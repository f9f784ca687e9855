"""nplint installed as Python users install it: the wheel `maturin build` made for this machine, installed into a
fresh virtual environment with no cargo on PATH; and the pre-commit mirror's hook, installed by pre-commit from a
local wheelhouse with no network.

`.ci/run` builds the wheelhouse and runs this with `NPLINT_WHEELHOUSE` set; see there.
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import venv

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
WHEELHOUSE = pathlib.Path(os.environ.get("NPLINT_WHEELHOUSE", ROOT / "target" / "packaging" / "wheelhouse"))
VERSION = re.search(r'(?m)^version = "([^"]+)"', (ROOT / "Cargo.toml").read_text()).group(1)
CONFLICT = "tensorflow==2.5.0\nnumpy>=1.21\n"

# Skipped only when no wheelhouse was named and none was built; `.ci/run` names the one it built, and a wheelhouse
# without this version's wheel then fails the tests.
pytestmark = pytest.mark.skipif(
    "NPLINT_WHEELHOUSE" not in os.environ and not any(WHEELHOUSE.glob(f"nplint-{VERSION}-*.whl")),
    reason=f"no nplint {VERSION} wheel in {WHEELHOUSE} (`.ci/run` builds one)",
)


def without_cargo(bin_dir: pathlib.Path, **more) -> dict:
    """This process's environment with `bin_dir` first on PATH and every folder that holds cargo or rustc removed
    from it (and no Cargo or rustup variables): a machine without Rust, as far as the tools under test can tell."""
    folders = [str(bin_dir)] + [
        folder
        for folder in os.environ.get("PATH", "").split(os.pathsep)
        if folder
        and not any(os.path.exists(os.path.join(folder, tool)) for tool in ("cargo", "rustc", "rustup"))
    ]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CARGO", "RUSTUP", "PIP_", "VIRTUAL_ENV", "PYTHON"))
    }
    env["PATH"] = os.pathsep.join(dict.fromkeys(folders))
    env.update(more)
    assert shutil.which("cargo", path=env["PATH"]) is None, env["PATH"]
    return env


def offline(**more) -> dict:
    """pip told to install from the wheelhouse only."""
    return {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(WHEELHOUSE), "PIP_DISABLE_PIP_VERSION_CHECK": "1", **more}


def test_the_wheel_installs_and_runs_without_cargo(tmp_path):
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    bin_dir = environment / "bin"
    env = without_cargo(bin_dir, **offline())
    subprocess.run([bin_dir / "pip", "install", "--quiet", f"nplint=={VERSION}"], env=env, check=True)
    assert (bin_dir / "nplint").is_file()

    version = subprocess.run(["nplint", "--version"], env=env, capture_output=True, text=True, check=True)
    assert version.stdout.startswith(f"nplint {VERSION}"), version.stdout
    module = subprocess.run(
        [bin_dir / "python", "-m", "nplint", "--version"], env=env, capture_output=True, text=True, check=True
    )
    assert module.stdout == version.stdout

    # The examples hold real problems: exit 1, each reported at its line.
    check = subprocess.run(
        ["nplint", "check", "--format", "concise", "examples"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert check.returncode == 1, check.stderr
    assert "error[" in check.stdout
    # `python -m nplint` passes the exit status through.
    module_check = subprocess.run(
        [bin_dir / "python", "-m", "nplint", "check", "--format", "concise", "examples"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert module_check.returncode == 1
    assert module_check.stdout.splitlines()[:-1] == check.stdout.splitlines()[:-1]


@pytest.mark.parametrize("installer", ["pipx", "uv"])
def test_pipx_and_uv_tool_install_put_nplint_on_path(tmp_path, installer):
    tools = pathlib.Path(sys.executable).parent
    bin_dir = tmp_path / "bin"
    env = without_cargo(
        tools,
        **offline(
            UV_NO_INDEX="1",
            UV_FIND_LINKS=str(WHEELHOUSE),
            UV_OFFLINE="1",
            UV_CACHE_DIR=str(tmp_path / "uv-cache"),
            UV_PYTHON_DOWNLOADS="never",
            UV_TOOL_DIR=str(tmp_path / "uv-tools"),
            UV_TOOL_BIN_DIR=str(bin_dir),
            PIPX_HOME=str(tmp_path / "pipx"),
            PIPX_BIN_DIR=str(bin_dir),
        ),
    )
    command = {"pipx": [tools / "pipx", "install", "nplint"], "uv": [tools / "uv", "tool", "install", "nplint"]}
    installed = subprocess.run(command[installer], env=env, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    version = subprocess.run([bin_dir / "nplint", "--version"], env=env, capture_output=True, text=True, check=True)
    assert version.stdout.startswith(f"nplint {VERSION}")


def git(*args, cwd):
    subprocess.run(
        ["git", "-c", "user.name=nplint", "-c", "user.email=nplint@localhost", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_the_pre_commit_mirror_installs_offline_and_gates_a_commit(tmp_path):
    # The mirror repository, as publish.py writes it for this version.
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    git("init", "--quiet", cwd=mirror)
    identity = {
        "GIT_AUTHOR_NAME": "nplint",
        "GIT_AUTHOR_EMAIL": "nplint@localhost",
        "GIT_COMMITTER_NAME": "nplint",
        "GIT_COMMITTER_EMAIL": "nplint@localhost",
    }
    subprocess.run(
        [sys.executable, ROOT / "pre-commit-mirror" / "publish.py", VERSION, mirror],
        check=True,
        capture_output=True,
        env={**os.environ, **identity},
    )
    # A project that uses it.
    project = tmp_path / "project"
    project.mkdir()
    git("init", "--quiet", cwd=project)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {mirror.as_uri()}\n    rev: v{VERSION}\n    hooks:\n      - id: nplint\n"
    )
    (project / "requirements.txt").write_text(CONFLICT)
    git("add", ".", cwd=project)

    pre_commit = shutil.which("pre-commit") or str(pathlib.Path(sys.executable).parent / "pre-commit")
    env = without_cargo(
        pathlib.Path(sys.executable).parent, **offline(PRE_COMMIT_HOME=str(tmp_path / "cache"))
    )
    failed = subprocess.run(
        [pre_commit, "run", "--all-files", "--color", "never"], cwd=project, env=env, capture_output=True, text=True
    )
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "numpy-conflict" in failed.stdout, failed.stdout
    assert "tensorflow==2.5.0" in failed.stdout

    # The fix `nplint check --fix --unsafe-fixes` makes: TensorFlow moved to a release with wheels for the
    # supported Pythons (it still lacks CPython 3.14: a warning, which does not fail the hook).
    (project / "requirements.txt").write_text("tensorflow==2.20.0\nnumpy>=1.21\n")
    git("add", ".", cwd=project)
    passed = subprocess.run(
        [pre_commit, "run", "--all-files", "--color", "never"], cwd=project, env=env, capture_output=True, text=True
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr
