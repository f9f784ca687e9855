"""Writes the pre-commit mirror for one nplint release into a checkout of the mirror repository, and commits and
tags it there (`vVERSION`), as the release workflow does after the wheels are on PyPI.

    python pre-commit-mirror/publish.py VERSION MIRROR_CHECKOUT

Only the files of this folder that the mirror holds are copied, with the version set; nothing is pushed.
"""

import pathlib
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
FILES = [".pre-commit-hooks.yaml", "pyproject.toml", "README.md"]


def render(name: str, text: str, version: str) -> str:
    """The file with every version of nplint in it set to `version`."""
    if name == "pyproject.toml":
        text = re.sub(r'(?m)^version = "[^"]*"$', f'version = "{version}"', text)
        text = re.sub(r'"nplint==[^"]*"', f'"nplint=={version}"', text)
    if name == "README.md":
        text = re.sub(r"rev: v\S+", f"rev: v{version}", text)
    return text


def main() -> int:
    if len(sys.argv) != 3 or not re.fullmatch(r"\d+\.\d+\.\d+", sys.argv[1]):
        print(__doc__, file=sys.stderr)
        return 2
    version, mirror = sys.argv[1], pathlib.Path(sys.argv[2])
    for name in FILES:
        (mirror / name).write_text(render(name, (HERE / name).read_text(), version))
    git = ["git", "-C", str(mirror)]
    subprocess.run([*git, "add", *FILES], check=True)
    subprocess.run([*git, "commit", "--quiet", "--allow-empty", "-m", f"nplint {version}"], check=True)
    subprocess.run([*git, "tag", f"v{version}"], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
