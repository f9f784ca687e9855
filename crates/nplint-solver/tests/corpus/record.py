#!/usr/bin/env python3
"""Re-run every corpus question through uv and rewrite verdicts.toml.

Usage (from anywhere; needs network access to the package index uv uses by default, and `uv` on PATH):

    python3 record.py              # run every case, rewrite verdicts.toml (and uv.toml)
    python3 record.py tf25 numba   # run only the cases whose file name contains one of the words; print, write nothing
    python3 record.py projects     # e.g. only the pyproject.toml cases (their files are projects/<name>/pyproject.toml)
    python3 record.py --jobs 4     # parallel uv processes (default 4)

The output is deterministic for a fixed uv version and --exclude-newer value: the cases are written in the order of
CASES below, then PROJECT_CASES, and only the `date` field of [resolver] changes from one run to the next. Questions whose uv run fails
in any other way than "No solution found" are not written; they are reported on stderr and the exit code is 1.
"""

import concurrent.futures
import datetime
import glob
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
INDEX = os.path.normpath(os.path.join(HERE, "..", "..", "..", "nplint-index", "data"))

PLATFORMS = {
    "linux-x86_64": "x86_64-manylinux_2_28",
    "linux-aarch64": "aarch64-manylinux_2_28",
    "macos-arm64": "aarch64-apple-darwin",
    "macos-x86_64": "x86_64-apple-darwin",
    "windows-x86_64": "x86_64-pc-windows-msvc",
}

# (group, file without .txt, python, platform). Groups are described in README.md.
CASES = [
    # classics: tensorflow and its closure
    ("tensorflow", "tf25-numpy121", "3.9", "linux-x86_64"),
    ("tensorflow", "tf25-alone", "3.9", "linux-x86_64"),
    ("tensorflow", "tf25-alone", "3.10", "linux-x86_64"),
    ("tensorflow", "tf25-alone", "3.9", "macos-arm64"),
    ("tensorflow", "tf25-alone", "3.8", "windows-x86_64"),
    ("tensorflow", "tf25-alone", "3.9", "linux-aarch64"),
    ("tensorflow", "tf25-gensim401", "3.9", "linux-x86_64"),
    ("tensorflow", "tf25-gensim401", "3.8", "macos-x86_64"),
    ("tensorflow", "tf25-gensim401", "3.8", "linux-x86_64"),
    ("tensorflow", "tf25-matplotlib38", "3.9", "linux-x86_64"),
    ("tensorflow", "tf26-h5py-numpy1192", "3.9", "linux-x86_64"),
    ("tensorflow", "tf26-h5py-numpy1192", "3.8", "linux-x86_64"),
    ("tensorflow", "tf24-h5py3", "3.8", "linux-x86_64"),
    ("tensorflow", "tf215-numpy2", "3.11", "linux-x86_64"),
    ("tensorflow", "tf216-stack", "3.11", "linux-x86_64"),
    ("tensorflow", "tf216-stack", "3.12", "windows-x86_64"),
    ("tensorflow", "tf-modern-numpy2", "3.12", "linux-x86_64"),
    ("tensorflow", "tf-modern-numpy2", "3.12", "macos-arm64"),
    ("tensorflow", "tf-modern-numpy2", "3.12", "macos-x86_64"),
    ("tensorflow", "tf213-macos", "3.11", "macos-arm64"),
    ("tensorflow", "tf213-macos", "3.11", "linux-x86_64"),
    ("tensorflow", "tf-macos-29", "3.9", "macos-arm64"),
    ("tensorflow", "tf-macos-29", "3.9", "linux-x86_64"),
    ("tensorflow", "tf210-aarch64", "3.10", "linux-aarch64"),
    ("tensorflow", "tf210-aarch64", "3.10", "linux-x86_64"),
    ("tensorflow", "tf-addons-pin", "3.10", "linux-x86_64"),
    ("tensorflow", "tf-hub-text", "3.10", "linux-x86_64"),
    ("tensorflow", "tf-hub-text", "3.10", "windows-x86_64"),
    # numpy itself on python and platform edges
    ("numpy-python", "numpy-1195", "3.11", "linux-x86_64"),
    ("numpy-python", "numpy-1195", "3.8", "linux-x86_64"),
    ("numpy-python", "numpy-1195", "3.9", "macos-arm64"),
    ("numpy-python", "numpy-1195", "3.9", "linux-aarch64"),
    ("numpy-python", "numpy-ge21", "3.9", "linux-x86_64"),
    ("numpy-python", "numpy-ge21", "3.10", "linux-x86_64"),
    ("numpy-python", "numpy-ge21", "3.13", "windows-x86_64"),
    ("numpy-python", "numpy-1264", "3.13", "linux-x86_64"),
    ("numpy-python", "numpy-1264", "3.12", "macos-arm64"),
    ("numpy-python", "numpy-lt125", "3.12", "linux-x86_64"),
    ("numpy-python", "numpy-lt125", "3.11", "linux-x86_64"),
    ("numpy-python", "numpy-20x", "3.13", "linux-x86_64"),
    ("numpy-python", "numpy-20x", "3.12", "linux-x86_64"),
    ("numpy-python", "numpy-old-marker", "3.9", "linux-x86_64"),
    ("numpy-python", "numpy-old-marker", "3.12", "linux-x86_64"),
    ("numpy-python", "numpy-lt23", "3.14", "linux-x86_64"),
    ("numpy-python", "numpy-lt23", "3.13", "macos-arm64"),
    ("numpy-python", "mpl-contourpy-chain", "3.10", "linux-x86_64"),
    # numba
    ("numba", "numba0564-numpy124", "3.10", "linux-x86_64"),
    ("numba", "numba0581-numpy126", "3.11", "linux-x86_64"),
    ("numba", "numba0581-numpy126", "3.12", "linux-x86_64"),
    ("numba", "numba060-numpy2", "3.12", "linux-x86_64"),
    ("numba", "numba060-numpy2", "3.12", "macos-arm64"),
    ("numba", "numba059-numpy2", "3.11", "linux-x86_64"),
    ("numba", "numba-old-py312", "3.12", "linux-x86_64"),
    ("numba", "numba-old-py312", "3.11", "linux-x86_64"),
    ("numba", "umap-stack", "3.11", "linux-x86_64"),
    # scipy
    ("scipy", "scipy173-numpy123", "3.9", "linux-x86_64"),
    ("scipy", "scipy173-alone", "3.11", "linux-x86_64"),
    ("scipy", "scipy173-alone", "3.10", "linux-x86_64"),
    ("scipy", "scipy173-alone", "3.9", "macos-arm64"),
    ("scipy", "scipy111-numpy2", "3.11", "linux-x86_64"),
    ("scipy", "scipy113-numpy2", "3.12", "linux-x86_64"),
    ("scipy", "scipy113-numpy2", "3.9", "windows-x86_64"),
    # pandas
    ("pandas", "pandas135-numpy2", "3.10", "linux-x86_64"),
    ("pandas", "pandas220-numpy2", "3.11", "linux-x86_64"),
    ("pandas", "pandas222-numpy2", "3.12", "linux-x86_64"),
    ("pandas", "pandas153", "3.12", "linux-x86_64"),
    ("pandas", "pandas153", "3.10", "macos-arm64"),
    ("pandas", "pandas115", "3.9", "macos-arm64"),
    ("pandas", "pandas115", "3.8", "linux-x86_64"),
    # torch
    ("torch", "torch201-numpy2", "3.11", "linux-x86_64"),
    ("torch", "torch222-vision", "3.11", "macos-x86_64"),
    ("torch", "torch222-vision", "3.12", "linux-x86_64"),
    ("torch", "torch222-vision", "3.11", "linux-aarch64"),
    ("torch", "torch23", "3.12", "macos-x86_64"),
    ("torch", "torch23", "3.13", "linux-x86_64"),
    ("torch", "torch23", "3.12", "linux-x86_64"),
    ("torch", "torch-vision-audio", "3.12", "linux-x86_64"),
    ("torch", "torch-vision-audio", "3.13", "windows-x86_64"),
    ("torch", "torch1131", "3.10", "linux-x86_64"),
    ("torch", "torch1131", "3.11", "linux-x86_64"),
    ("torch", "hf-stack", "3.11", "linux-x86_64"),
    # opencv
    ("opencv", "opencv412-numpy1", "3.11", "linux-x86_64"),
    ("opencv", "opencv410-numpy2", "3.12", "linux-x86_64"),
    ("opencv", "opencv45-numpy2", "3.10", "linux-x86_64"),
    ("opencv", "opencv-contrib-py312", "3.12", "linux-x86_64"),
    # jax
    ("jax", "jax-ge431-numpy-old", "3.11", "linux-x86_64"),
    ("jax", "jax4-13", "3.11", "linux-x86_64"),
    ("jax", "jax4-13", "3.11", "windows-x86_64"),
    ("jax", "jax-cpu-extra", "3.10", "linux-x86_64"),
    ("jax", "jax-py39", "3.9", "linux-x86_64"),
    ("jax", "jax-py39", "3.10", "linux-x86_64"),
    ("jax", "jax-flax-optax", "3.12", "linux-x86_64"),
    ("jax", "jax-flax-optax", "3.12", "macos-arm64"),
    ("jax", "jax0424-windows", "3.11", "windows-x86_64"),
    ("jax", "jax0424-windows", "3.10", "windows-x86_64"),
    ("jax", "jax-macos-x86", "3.12", "macos-x86_64"),
    ("jax", "jax-macos-x86", "3.12", "macos-arm64"),
    # scikit-learn
    ("scikit-learn", "sklearn14-numpy-old", "3.9", "linux-x86_64"),
    ("scikit-learn", "sklearn0242-numpy1195", "3.8", "linux-x86_64"),
    ("scikit-learn", "sklearn0242-numpy1195", "3.9", "macos-arm64"),
    ("scikit-learn", "sklearn152-numpy2", "3.12", "linux-x86_64"),
    ("scikit-learn", "sklearn-imblearn", "3.11", "linux-x86_64"),
    # platform-specific wheels
    ("platform", "onnxruntime-gpu", "3.11", "linux-x86_64"),
    ("platform", "onnxruntime-gpu", "3.11", "windows-x86_64"),
    ("platform", "onnxruntime-gpu", "3.11", "macos-arm64"),
    ("platform", "onnxruntime-gpu", "3.11", "linux-aarch64"),
    ("platform", "onnx-runtime-cpu", "3.12", "linux-x86_64"),
    ("platform", "faiss-sentence", "3.11", "linux-x86_64"),
    ("platform", "prophet-stan", "3.11", "linux-x86_64"),
    ("platform", "prophet-stan", "3.11", "windows-x86_64"),
    ("platform", "mediapipe", "3.11", "linux-x86_64"),
    ("platform", "mediapipe", "3.11", "linux-aarch64"),
    ("platform", "catboost-gbm", "3.11", "linux-x86_64"),
    ("platform", "catboost-gbm", "3.11", "linux-aarch64"),
    # stacks that are simply fine (and a few that age out)
    ("stacks", "ds-modern", "3.12", "linux-x86_64"),
    ("stacks", "ds-modern", "3.13", "windows-x86_64"),
    ("stacks", "ds-modern", "3.12", "macos-arm64"),
    ("stacks", "ds-2021-pinned", "3.9", "linux-x86_64"),
    ("stacks", "ds-2021-pinned", "3.8", "windows-x86_64"),
    ("stacks", "ds-2021-pinned", "3.10", "linux-x86_64"),
    ("stacks", "ds-2021-pinned", "3.11", "linux-x86_64"),
    ("stacks", "ds-2021-pinned", "3.9", "macos-arm64"),
    ("stacks", "ds-2021-pinned", "3.10", "macos-arm64"),
    ("stacks", "pymc510-numpy2", "3.11", "linux-x86_64"),
    ("stacks", "geo-stack", "3.12", "linux-x86_64"),
    ("stacks", "xarray-netcdf", "3.11", "linux-x86_64"),
    ("stacks", "astro-stack", "3.12", "linux-x86_64"),
    ("stacks", "imaging", "3.12", "linux-x86_64"),
    ("stacks", "nlp-spacy", "3.11", "linux-x86_64"),
    ("stacks", "stats-pymc", "3.12", "linux-x86_64"),
    ("stacks", "audio", "3.11", "linux-x86_64"),
    ("stacks", "lightning", "3.11", "linux-x86_64"),
    ("stacks", "statsmodels-old", "3.9", "linux-x86_64"),
    ("stacks", "zarr-numcodecs", "3.11", "macos-arm64"),
    ("stacks", "tables-h5py", "3.12", "linux-x86_64"),
    ("stacks", "shap-xgb", "3.11", "windows-x86_64"),
    ("stacks", "viz", "3.12", "linux-x86_64"),
]

# pyproject.toml projects: (group, project directory under projects/, environment, python, platform). The environment
# is named as nplint names it: `project` (the [project] dependencies), `project[<extra>]` (plus that extra) or
# `group:<name>` (plus that PEP 735 dependency group; uv installs a group together with the project).
PROJECT_CASES = [
    # an extra that pins an old tensorflow against the base's numpy floor
    ("projects", "tf-legacy-extra", "project", "3.9", "linux-x86_64"),
    ("projects", "tf-legacy-extra", "project[legacy]", "3.9", "linux-x86_64"),
    # a dependency group that pins an old numba against the base's numpy floor
    ("projects", "numba-group", "project", "3.10", "linux-x86_64"),
    ("projects", "numba-group", "group:ml", "3.10", "linux-x86_64"),
    # an extra against the base's numpy<2 (opencv 4.12 needs numpy>=2), and a group that is fine with it
    ("projects", "opencv-extra-scipy-group", "project", "3.11", "linux-x86_64"),
    ("projects", "opencv-extra-scipy-group", "project[cv]", "3.11", "linux-x86_64"),
    ("projects", "opencv-extra-scipy-group", "group:sci", "3.11", "linux-x86_64"),
    # an extra and a group that are both fine
    ("projects", "ds-extra-group", "project", "3.12", "linux-x86_64"),
    ("projects", "ds-extra-group", "project[plot]", "3.12", "macos-arm64"),
    ("projects", "ds-extra-group", "group:dev", "3.12", "windows-x86_64"),
]


def all_cases():
    """Every question as (group, file relative to this folder, environment or None, python, platform)."""
    out = [(g, f + ".txt", None, py, pl) for g, f, py, pl in CASES]
    out += [(g, "projects/%s/pyproject.toml" % d, env, py, pl) for g, d, env, py, pl in PROJECT_CASES]
    return out


def snapshot():
    with open(os.path.join(INDEX, "snapshot.json")) as f:
        return json.load(f)["newest_upload"]


def indexed_packages():
    """name -> True when any release of it is a binary (platform wheel) release."""
    out = {}
    for path in sorted(glob.glob(os.path.join(INDEX, "packages", "*.json"))):
        with open(path) as f:
            d = json.load(f)
        out[d["name"]] = any(r["kind"] == "binary" for r in d["releases"])
    return out


def write_uv_toml(index):
    lines = [
        "# uv settings used by record.py: the indexed packages that ship compiled wheels (any release of kind",
        '# "binary" in crates/nplint-index/data/packages/) may only be used through a wheel, never built from an sdist.',
        "# Other packages (pure-Python ones, and dependencies outside the index) may still be read from an sdist.",
        "# Generated by record.py; do not edit by hand.",
        "[pip]",
        "only-binary = [",
    ]
    lines += ['    "%s",' % n for n, binary in sorted(index.items()) if binary]
    lines += ["]", ""]
    with open(os.path.join(HERE, "uv.toml"), "w") as f:
        f.write("\n".join(lines))


def uv_version():
    return subprocess.run(["uv", "--version"], capture_output=True, text=True, check=True).stdout.split()[1]


def sources(file, environment):
    """uv's arguments selecting the file's environment. `--group NAME` would read ./pyproject.toml, so a group is
    given as `--group <file>:NAME`, next to the file itself, which brings the project's dependencies."""
    if environment is None or environment == "project":
        return [file]
    m = re.fullmatch(r"project\[([A-Za-z0-9_.-]+)\]", environment)
    if m:
        return [file, "--extra", m.group(1)]
    m = re.fullmatch(r"group:([A-Za-z0-9_.-]+)", environment)
    if m:
        return [file, "--group", "%s:%s" % (file, m.group(1))]
    raise ValueError("unknown environment %r" % environment)


def project_name(file):
    """The `name` of a pyproject.toml's [project] table (uv's messages call the project by it)."""
    if not file.endswith("pyproject.toml"):
        return None
    section = None
    with open(os.path.join(HERE, file)) as f:
        for line in f:
            m = re.match(r"\s*\[([^\]]+)\]\s*$", line)
            if m:
                section = m.group(1).strip()
                continue
            m = re.match(r'\s*name\s*=\s*"([^"]+)"', line)
            if m and section == "project":
                return norm(m.group(1))
    return None


def command(file, environment, python, platform, exclude_newer):
    return [
        "uv", "pip", "compile", *sources(file, environment),
        "--config-file", "uv.toml",
        "--python-version", python,
        "--python-platform", PLATFORMS[platform],
        "--exclude-newer", exclude_newer,
        "--no-header", "--quiet",
    ]


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


NAME_RE = re.compile(
    r"(?<![\w.-])([A-Za-z][A-Za-z0-9_.-]*?)(?:\[[A-Za-z0-9_,-]+\])?(?===|>=|<=|!=|~=|<|>|\s+has no|\s+depends on|\s+was yanked)"
    r"|versions of ([A-Za-z][A-Za-z0-9_.-]*)"
)


def names_in(text):
    out = set()
    for m in NAME_RE.finditer(text):
        n = norm(m.group(1) or m.group(2))
        if n not in ("python", "you", "and", "because"):
            out.add(n)
    return out


def parse_failure(stderr):
    text = stderr.replace("\r", "")
    cause = text.split("cause:", 1)[1] if "cause:" in text else text
    parts = re.split(r"\n\s*\n\s*hint:", cause)
    cause = " ".join(parts[0].split())
    hints = [" ".join(h.split()) for h in parts[1:]]
    sentences = re.split(r"(?<=\.)\s+(?=(?:And|Because|Since|However)\b)", cause)
    final = [s for s in sentences if "we can conclude" in s]
    return (final[-1] if final else sentences[-1]), cause, hints


def run_case(case, exclude_newer, index):
    group, file, environment, python, platform = case
    cmd = command(file, environment, python, platform, exclude_newer)
    own = project_name(file)
    env = {k: v for k, v in os.environ.items() if not k.startswith("UV_")}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    p = subprocess.run(cmd, cwd=HERE, capture_output=True, text=True, env=env)
    rec = {
        "file": file,
        "group": group,
        "python": python,
        "platform": platform,
        "command": "UV_PYTHON_DOWNLOADS=never " + " ".join(cmd),
    }
    if environment is not None:
        rec["environment"] = environment
    if p.returncode == 0:
        pins = {}
        for line in p.stdout.splitlines():
            m = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", line)
            if m and norm(m.group(1)) != own:
                pins[norm(m.group(1))] = m.group(2)
        if "numpy" not in pins:
            return None, "exit 0 but numpy is not in the resolution:\n" + p.stdout
        rec["verdict"] = "installable"
        rec["numpy"] = pins["numpy"]
        rec["indexed_pins"] = {n: v for n, v in sorted(pins.items()) if n in index}
        rec["outside_index"] = sorted(n for n in pins if n not in index)
        return rec, None
    if p.returncode == 1 and "No solution found" in p.stderr:
        reason, cause, hints = parse_failure(p.stderr)
        rec["verdict"] = "unsatisfiable"
        rec["reason"] = reason
        rec["cause"] = cause
        if hints:
            rec["hints"] = hints
        rec["outside_index"] = sorted(n for n in names_in(cause) if n not in index and n != own)
        return rec, None
    return None, "exit %d\n%s%s" % (p.returncode, p.stdout, p.stderr)


def toml_str(s):
    return json.dumps(s, ensure_ascii=False)


def toml_value(v):
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join("%s = %s" % (toml_str(k), toml_value(x)) for k, x in v.items()) + " }"
    raise TypeError(v)


FIELDS = ["file", "environment", "python", "platform", "verdict", "numpy", "reason", "group", "command", "cause", "hints",
          "outside_index", "indexed_pins"]


def write_verdicts(path, resolver, records):
    out = [
        "# Verdicts of a real resolver (uv) on the corpus; generated by record.py, do not edit by hand.",
        "# See README.md for what each field means and how to re-run.",
        "",
        "[resolver]",
    ]
    for k in ["tool", "version", "date", "exclude_newer", "config", "index"]:
        out.append("%s = %s" % (k, toml_str(resolver[k])))
    for rec in records:
        out += ["", "[[case]]"]
        for k in FIELDS:
            if k in rec:
                out.append("%s = %s" % (k, toml_value(rec[k])))
    out.append("")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(out))
    os.replace(tmp, path)


def label(case):
    file, environment = case[1], case[2]
    if environment is None:
        return file[: -len(".txt")]
    return "%s (%s)" % (file.split("/")[1], environment)


def main(argv):
    jobs = 4
    words = []
    it = iter(argv)
    for a in it:
        if a == "--jobs":
            jobs = int(next(it))
        else:
            words.append(a)
    exclude_newer = snapshot()
    index = indexed_packages()
    cases = [c for c in all_cases() if not words or any(w in c[1] for w in words)]
    write = not words
    if write:
        write_uv_toml(index)
    resolver = {
        "tool": "uv",
        "version": uv_version(),
        "date": datetime.date.today().isoformat(),
        "exclude_newer": exclude_newer,
        "config": "uv.toml (only-binary for every indexed package that ships platform wheels)",
        "index": "uv's default package index",
    }
    results = {}
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futs = {pool.submit(run_case, c, exclude_newer, index): i for i, c in enumerate(cases)}
        for fut in concurrent.futures.as_completed(futs):
            i = futs[fut]
            rec, err = fut.result()
            c = cases[i]
            if err:
                failed += 1
                print("FAILED %s %s %s: %s" % (label(c), c[3], c[4], err), file=sys.stderr)
                continue
            results[i] = rec
            print("%-28s %-5s %-15s %-14s %s" % (label(c), c[3], c[4], rec["verdict"],
                  rec.get("numpy") or rec.get("reason")), flush=True)
            if write:
                write_verdicts(os.path.join(HERE, "verdicts.toml"), resolver,
                               [results[j] for j in sorted(results)])
    print("%d recorded, %d failed" % (len(results), failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
