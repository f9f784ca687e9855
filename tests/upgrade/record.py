#!/usr/bin/env python3
"""Check nplint's upgrade plans for the upgrade corpus with a real resolver (uv) and write verdicts.toml.

For every file in corpus/<folder>/, this takes the file's FIRST environment (the first entry of
`nplint upgrade 'numpy>=2' FILE --format json` for that file) and each part of its plan whose outcome is `changes`
or `ready` (blocked and unplanned parts are ignored). For each such part it

1. copies the folder to a temporary directory and applies the plan there: with `nplint upgrade 'numpy>=2' COPY
   --write` when the part is the environment's only one (nothing changes for `ready`); when the targets need
   different changes (one part per Python or per target, which `--write` leaves alone), by applying that part's
   edits from the JSON plan, and the case records the part's index in the plan as `part`. `plan_sha256` is the
   SHA-256 of the written file's bytes;
2. builds a requirements.in from `nplint debug manifest COPY`: the environment's requirements (registry sources only;
   URL and path sources, nameless requirements and, in conda files, `python` and `pip` are left out; conda
   requirements are given by their PyPI `name` with their PEP 440 specifiers), plus a line `numpy>=2`. Requirements
   whose role is `constraint` go to a constraints file passed with `--constraint`;
3. asks uv, for every target (Python, platform) of that part:

       UV_PYTHON_DOWNLOADS=never uv pip compile requirements.in --config-file <resolver corpus uv.toml> \\
           --python-version X.Y --python-platform P --exclude-newer 2026-11-21T12:24:32Z --no-header --quiet

   and records `installable` (exit 0, with the numpy version uv pinned), `unsatisfiable` (exit 1 and "No solution
   found", with uv's final "... we can conclude that ..." sentence) or `error` (anything else, with the first lines
   of uv's stderr). An error is recorded, never fatal.

The uv.toml is the resolver corpus's (crates/nplint-solver/tests/corpus/uv.toml: `only-binary` for every indexed
package that ships compiled wheels); it is read, never regenerated here. UV_* variables of the caller's environment
are dropped.

Usage (needs uv on PATH or --uv, and access to the package index uv uses by default):

    python3 tests/upgrade/record.py --nplint /path/to/nplint        # all files; rewrites tests/upgrade/verdicts.toml
    python3 tests/upgrade/record.py --nplint /path/to/nplint audiocraft darts
                                    # only folders whose name contains a word; prints, writes nothing
    options: --uv PATH (default: uv), --jobs N (parallel uv processes, default 4), --keep (keep the temp directory)

Cases are written sorted by file, python (as a version), platform; only the dates change between runs with the same
nplint build, uv version and --exclude-newer value.
"""

import concurrent.futures
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(HERE, "corpus")
UV_TOML = os.path.join(REPO, "crates", "nplint-solver", "tests", "corpus", "uv.toml")
VERDICTS = os.path.join(HERE, "verdicts.toml")

GOAL = "numpy>=2"
EXCLUDE_NEWER = "2026-11-21T12:24:32Z"  # the index's newest_upload (crates/nplint-index/data/snapshot.json)
UV_TIMEOUT = 1800  # seconds per uv run; a run that takes longer is recorded as an error

PLATFORMS = {
    "linux-x86_64": "x86_64-manylinux_2_28",
    "linux-aarch64": "aarch64-manylinux_2_28",
    "macos-arm64": "aarch64-apple-darwin",
    "macos-x86_64": "x86_64-apple-darwin",
    "windows-x86_64": "x86_64-pc-windows-msvc",
}


def rel(path):
    return os.path.relpath(path, REPO)


def corpus_files(words):
    out = []
    for folder in sorted(os.listdir(CORPUS)):
        d = os.path.join(CORPUS, folder)
        if not os.path.isdir(d) or (words and not any(w in folder for w in words)):
            continue
        for name in sorted(os.listdir(d)):
            if os.path.isfile(os.path.join(d, name)):
                out.append((folder, name))
    return out


def run_nplint(nplint, args, cwd):
    return subprocess.run([nplint, *args], cwd=cwd, capture_output=True, text=True)


def first_environment(plan, path):
    """The plan's first entry for `path` (the file's first environment), or None."""
    for f in plan["files"]:
        if os.path.normpath(f["path"]) == os.path.normpath(path):
            return f
    return None


def requirement_line(r):
    line = r["name"]
    if r.get("extras"):
        line += "[" + ",".join(r["extras"]) + "]"
    line += r.get("specifiers") or ""
    if r.get("marker"):
        line += " ; " + r["marker"]
    return line


def build_inputs(manifest, env_name):
    """(requirement lines, constraint lines, notes about what was left out) of one environment of a manifest."""
    env = next((e for e in manifest["environments"] if e["name"] == env_name), None)
    if env is None:
        raise ValueError("environment %r is not in the manifest" % env_name)
    conda = manifest.get("format") == "conda-environment"
    reqs, cons, left_out = [], [], []
    for i in env["requirements"]:
        r = manifest["requirements"][i]
        name = r.get("name")
        kind = (r.get("source") or {}).get("kind")
        if not name:
            left_out.append("a requirement without a name (%s)" % r.get("location", {}).get("text", "?"))
            continue
        if kind != "registry":
            left_out.append("%s (source %s)" % (name, kind))
            continue
        if conda and name in ("python", "pip"):
            continue
        (cons if r.get("role") == "constraint" else reqs).append(requirement_line(r))
    reqs.append(GOAL)
    return reqs, cons, left_out


def apply_edits(file, edits):
    """Apply a plan part's edits (byte offsets into the file, as nplint's JSON gives them) to `file`."""
    with open(file, "rb") as f:
        data = f.read()
    end = len(data)
    for e in sorted(edits, key=lambda e: e["span"]["start"]["offset"], reverse=True):
        start, stop = e["span"]["start"]["offset"], e["span"]["end"]["offset"]
        if stop > end:
            raise ValueError("overlapping edits at byte %d" % start)
        data = data[:start] + e["replacement"].encode("utf-8") + data[stop:]
        end = start
    with open(file, "wb") as f:
        f.write(data)


def prepare(nplint, folder, name, tmp):
    """Plan, write and build uv's inputs for one corpus file. Returns (jobs, messages)."""
    path = os.path.join(folder, name)  # relative to a work directory, the cwd of every nplint run
    label = "%s/%s" % (folder, name)
    probe = os.path.join(tmp, folder)
    shutil.copytree(os.path.join(CORPUS, folder), os.path.join(probe, folder))
    p = run_nplint(nplint, ["upgrade", GOAL, path, "--format", "json"], probe)
    try:
        plan = json.loads(p.stdout)
    except ValueError:
        return [], ["FAILED %s: nplint upgrade exit %d: %s" % (label, p.returncode, first_lines(p.stderr))]
    entry = first_environment(plan, path)
    if entry is None:
        return [], ["SKIPPED %s: no environment in the plan" % label]
    env_name = entry["environment"]
    parts = [(i, pt) for i, pt in enumerate(entry["parts"]) if pt["outcome"] in ("changes", "ready")]
    others = ", ".join(pt["outcome"] for pt in entry["parts"] if pt["outcome"] not in ("changes", "ready"))
    if not parts:
        return [], ["SKIPPED %s (%s): no part with outcome changes/ready (%s)" % (label, env_name, others)]
    jobs, messages = [], []
    for index, part in parts:
        work = probe if len(parts) == 1 else os.path.join(tmp, "%s-part%d" % (folder, index))
        if work != probe:
            shutil.copytree(os.path.join(CORPUS, folder), os.path.join(work, folder))
        js, msg = prepare_part(nplint, work, path, label, env_name, part, None if len(parts) == 1 else index)
        jobs += js
        messages.append(msg + ("; ignored parts: " + others if others else ""))
    return jobs, messages


def prepare_part(nplint, work, path, label, env_name, part, index):
    """Write one part of the plan into `work` (with --write when `index` is None, the part being the environment's
    only one; else by its own edits) and build uv's inputs. Returns (jobs, message)."""
    if part["outcome"] == "changes":
        if index is None:
            w = run_nplint(nplint, ["upgrade", GOAL, path, "--write"], work)
            if w.returncode not in (0, 1):  # 1: some part is blocked, the plan was still written
                return [], "FAILED %s: nplint upgrade --write exit %d: %s" % (
                    label, w.returncode, first_lines(w.stderr))
        else:
            edits = [e for c in part["changes"] for e in c.get("edits", [])
                     if os.path.normpath(e["path"]) == os.path.normpath(path)]
            try:
                apply_edits(os.path.join(work, path), edits)
            except ValueError as e:
                return [], "FAILED %s part %d: %s" % (label, index, e)
    with open(os.path.join(work, path), "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()

    m = run_nplint(nplint, ["debug", "manifest", path], work)
    try:
        manifest = json.loads(m.stdout)
        reqs, cons, left_out = build_inputs(manifest, env_name)
    except ValueError as e:
        return [], "FAILED %s: nplint debug manifest: %s %s" % (label, e, first_lines(m.stderr))
    with open(os.path.join(work, "requirements.in"), "w") as f:
        f.write("\n".join(reqs) + "\n")
    if cons:
        with open(os.path.join(work, "constraints.txt"), "w") as f:
            f.write("\n".join(cons) + "\n")

    jobs = []
    for t in part["targets"]:
        jobs.append({
            "file": label,
            "environment": env_name,
            "python": t["python"],
            "platform": t["platform"],
            "plan_sha256": sha,
            "work": work,
            "constraints": bool(cons),
        })
        if index is not None:
            jobs[-1]["part"] = index
    msg = "%s (%s)%s: %s, %d targets, %d requirements%s%s" % (
        label, env_name, "" if index is None else " part %d" % index, part["outcome"], len(jobs), len(reqs) - 1,
        ", %d constraints" % len(cons) if cons else "",
        "; left out: " + ", ".join(left_out) if left_out else "")
    return jobs, msg


def first_lines(text, n=5):
    """The first n non-empty lines of text (leaving out uv's bare "[stdout]"/"[stderr]" markers), on one line."""
    lines = [" ".join(l.split()) for l in text.replace("\r", "").splitlines()]
    return " / ".join([l for l in lines if l and l not in ("[stdout]", "[stderr]")][:n]) or "(no output)"


def conclusion(stderr):
    """uv's final "... we can conclude that ..." sentence, on one line."""
    text = stderr.replace("\r", "")
    cause = text.split("cause:", 1)[1] if "cause:" in text else text
    cause = " ".join(re.split(r"\n\s*\n\s*hint:", cause)[0].split())
    sentences = re.split(r"(?<=\.)\s+(?=(?:And|Because|Since|However)\b)", cause)
    final = [s for s in sentences if "we can conclude" in s]
    return final[-1] if final else sentences[-1]


def uv_command(uv, job):
    cmd = [uv, "pip", "compile", "requirements.in"]
    if job["constraints"]:
        cmd += ["--constraint", "constraints.txt"]
    return cmd + [
        "--config-file", UV_TOML,
        "--python-version", job["python"],
        "--python-platform", PLATFORMS[job["platform"]],
        "--exclude-newer", EXCLUDE_NEWER,
        "--no-header", "--quiet",
    ]


def uv_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("UV_")}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def run_case(uv, job):
    rec = {k: job[k] for k in ("file", "environment", "part", "python", "platform", "plan_sha256") if k in job}
    try:
        p = subprocess.run(uv_command(uv, job), cwd=job["work"], capture_output=True, text=True, env=uv_env(),
                           timeout=UV_TIMEOUT)
    except subprocess.TimeoutExpired:
        rec["verdict"], rec["reason"] = "error", "uv did not finish within %d s" % UV_TIMEOUT
        return rec
    if p.returncode == 0:
        pins = re.findall(r"^numpy==(\S+)", p.stdout, re.M)
        if pins:
            rec["verdict"], rec["numpy"] = "installable", pins[0]
        else:
            rec["verdict"], rec["reason"] = "error", "exit 0 but numpy is not in uv's resolution"
    elif p.returncode == 1 and "No solution found" in p.stderr:
        rec["verdict"], rec["reason"] = "unsatisfiable", conclusion(p.stderr)
    else:
        rec["verdict"], rec["reason"] = "error", "exit %d: %s" % (p.returncode, first_lines(p.stderr))
    return rec


def toml_str(s):
    """A TOML basic string."""
    out = []
    for c in s:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append("\\u%04X" % ord(c))
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def version_key(v):
    return tuple(int(x) for x in v.split("."))


def sort_key(rec):
    return (rec["file"], version_key(rec["python"]), rec["platform"])


FIELDS = ["file", "environment", "part", "python", "platform", "plan_sha256", "verdict", "numpy", "reason"]


def write_verdicts(resolver, records, command):
    out = [
        "# Verdicts of a real resolver (uv) on nplint's upgrade plans for the upgrade corpus: for each corpus file's",
        "# first environment, the plan `nplint upgrade 'numpy>=2' FILE --write` wrote, or where its targets need",
        "# different changes, each part's edits (`part`); plan_sha256 is the SHA-256 of the written file. Each is",
        "# resolved by uv with numpy>=2 on every target of the plan. See README.md.",
        "# Generated by record.py, do not edit by hand. Command: %s" % command,
        "# Date: %s" % resolver["date"],
        "",
        "[resolver]",
    ]
    for k in ["tool", "version", "date", "exclude_newer", "config"]:
        out.append("%s = %s" % (k, toml_str(resolver[k])))
    for rec in sorted(records, key=sort_key):
        out += ["", "[[case]]"]
        for k in FIELDS:
            if k == "part" and k in rec:
                out.append("part = %d" % rec[k])
            elif k in rec:
                out.append("%s = %s" % (k, toml_str(rec[k])))
    out.append("")
    tmp = VERDICTS + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    os.replace(tmp, VERDICTS)


def uv_version(uv):
    return subprocess.run([uv, "--version"], capture_output=True, text=True, check=True, env=uv_env()).stdout.split()[1]


def main(argv):
    nplint, uv, jobs, keep, words = "nplint", "uv", 4, False, []
    it = iter(argv)
    for a in it:
        if a == "--nplint":
            nplint = next(it)
        elif a == "--uv":
            uv = next(it)
        elif a == "--jobs":
            jobs = int(next(it))
        elif a == "--keep":
            keep = True
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            words.append(a)
    if os.sep in nplint:
        nplint = os.path.abspath(nplint)
    write = not words
    resolver = {
        "tool": "uv",
        "version": uv_version(uv),
        "date": datetime.date.today().isoformat(),
        "exclude_newer": EXCLUDE_NEWER,
        "config": rel(UV_TOML),
    }
    tmp = tempfile.mkdtemp(prefix="nplint-upgrade-record-")
    failed = 0
    all_jobs = []
    try:
        for folder, name in corpus_files(words):
            js, messages = prepare(nplint, folder, name, tmp)
            for msg in messages:
                failed += msg.startswith("FAILED")
                print(msg, flush=True)
            all_jobs += js
        records = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            futs = [pool.submit(run_case, uv, j) for j in all_jobs]
            for fut in concurrent.futures.as_completed(futs):
                rec = fut.result()
                records.append(rec)
                print("%-40s %-5s %-15s %-14s %s" % (rec["file"], rec["python"], rec["platform"], rec["verdict"],
                      rec.get("numpy") or rec.get("reason")), flush=True)
    finally:
        if keep:
            print("kept %s" % tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    counts = {}
    for r in records:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    print("%d cases: %s; %d files failed before uv" % (
        len(records), ", ".join("%d %s" % (n, v) for v, n in sorted(counts.items())), failed), file=sys.stderr)
    if write:
        command = "python3 tests/upgrade/record.py --nplint <nplint binary>  (%s)" % nplint_version(nplint)
        write_verdicts(resolver, records, command)
        print("wrote %s" % rel(VERDICTS), file=sys.stderr)
    return 1 if failed else 0


def nplint_version(nplint):
    p = subprocess.run([nplint, "--version"], capture_output=True, text=True)
    return " ".join(p.stdout.split()) if p.returncode == 0 and p.stdout.strip() else "nplint, version unknown"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
