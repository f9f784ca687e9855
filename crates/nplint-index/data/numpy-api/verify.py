"""Checks `../numpy-api.toml` against real NumPy releases: installs each NumPy below for this CPython (pip
--target, no other package), asks it for every name of the file, and prints one line per name with `Y` where
the name exists (`ndarray.X` is read from an array). Run with CPython 3.11: `python3 verify.py > verify.out`.
A name must be missing exactly on `numpy>=removed` (and, when restored, `numpy<restored`); the script exits 1
if any row disagrees."""

import json
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

NUMPYS = ["1.23.5", "1.24.4", "1.26.4", "2.0.2", "2.2.6"]
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
            subprocess.run(
                [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--only-binary=:all:",
                 "--target", str(target), f"numpy=={numpy}"],
                check=True,
            )
            result = subprocess.run(
                [sys.executable, "-c", PROBE, *names], check=True, capture_output=True, text=True,
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
