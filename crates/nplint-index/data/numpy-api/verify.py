"""Checks `../numpy-api.toml` against real NumPy releases: installs each NumPy below for a CPython it supports
(pip --target, no other package), asks it for every name of the file, and prints one line per name with `Y` where
the name exists (`ndarray.X` is read from an array). Run with CPython 3.11: `python3 verify.py > verify.out`;
NumPy 2.5 and later (no CPython 3.11 wheels) run on the CPython 3.12 that `$PYTHON3_12` names, else on `python3.12`
from `PATH`. A name must be missing exactly on `numpy>=removed` (and, when restored, `numpy<restored`); the script
exits 1 if any row disagrees."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

# The newest patch release of every minor from 1.23 (the first with CPython 3.11 wheels) on, and the first release
# of each minor that removed names since 2.0.
NUMPYS = [
    "1.23.5", "1.24.4", "1.25.2", "1.26.4", "2.0.2", "2.1.3", "2.2.6", "2.3.0", "2.3.5", "2.4.0", "2.4.6", "2.5.0",
    "2.5.5",
]  # fmt: skip


def python_for(numpy):
    """The CPython that installs `numpy`: NumPy 2.5 dropped CPython 3.11."""
    if key(numpy) < (2, 5):
        return sys.executable
    python = os.environ.get("PYTHON3_12") or shutil.which("python3.12")
    if python is None:
        sys.exit(f"NumPy {numpy} needs CPython 3.12: set PYTHON3_12")
    return python
PROBE = """
import json, sys, warnings
warnings.simplefilter("ignore")
import numpy
out = {}
for name in sys.argv[1:]:
    try:
        if name.startswith("ndarray."):
            # NumPy 2 keeps the removed methods as class descriptors that raise when read from an array.
            getattr(numpy.zeros(1), name[len("ndarray."):])
        else:
            getattr(numpy, name)
        out[name] = True
    except Exception:
        out[name] = False
print(json.dumps(out))
"""


def key(version):
    return tuple(int(part) for part in version.split("."))


def main():
    data = tomllib.loads((Path(__file__).parent.parent / "numpy-api.toml").read_text())
    names = {}
    for group in data["removal"]:
        for name in group["names"]:
            names[name] = (group["removed"], group.get("restored"))
    found = {}
    with tempfile.TemporaryDirectory() as tmp:
        for numpy in NUMPYS:
            target = Path(tmp) / numpy
            python = python_for(numpy)
            subprocess.run(
                [python, "-m", "pip", "install", "-q", "--no-deps", "--only-binary=:all:",
                 "--target", str(target), f"numpy=={numpy}"],
                check=True,
            )
            result = subprocess.run(
                [python, "-c", PROBE, *names], check=True, capture_output=True, text=True,
                env={"PYTHONPATH": str(target)}, cwd=tmp,
            )
            found[numpy] = json.loads(result.stdout)
    print("name".ljust(22), " ".join(numpy.ljust(6) for numpy in NUMPYS))
    wrong = 0
    for name, (removed, restored) in names.items():
        cells = []
        for numpy in NUMPYS:
            expected = key(numpy) < key(removed) or (restored is not None and key(numpy) >= key(restored))
            actual = found[numpy][name]
            wrong += actual != expected
            cells.append(("Y" if actual else ".") + ("" if actual == expected else "!"))
        print(name.ljust(22), " ".join(cell.ljust(6) for cell in cells))
    print(f"{len(names)} names, {wrong} disagreements", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
