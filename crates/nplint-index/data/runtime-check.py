#!/usr/bin/env python3
"""Validates runtime.toml (the curated runtime facts) beside this script.

Checks: allowed keys in canonical order, kinds, unique kebab-case ids, `versions` as a PEP 440 specifier set and
`numpy` as one or a non-empty list of them (a union), `package` indexed (packages/<package>.json) with at least one
release matched by `versions`, `marker` as a PEP 508 marker, `api` names present in numpy-api.toml (removed-api only,
and required there), a removed-api `numpy` that is where the names exist (`<removed`, and `>=restored` as a second
range when NumPy restored every name), https references, and the order of entries (by kind, then package, then id).

Python 3.11+ (tomllib). Uses `packaging` when it is installed; without it, a small built-in parser covers the
specifiers this file uses and markers are only checked for balance. Exit status 0 when the file is valid.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

try:
    from packaging.markers import Marker
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version
except ImportError:  # pragma: no cover - exercised only where packaging is missing
    Marker = SpecifierSet = Version = None

HERE = Path(__file__).resolve().parent
KINDS = ["abi", "removed-api", "known-pitfall"]
KEYS = ["id", "kind", "package", "versions", "numpy", "api", "marker", "symptom", "references", "note"]
REQUIRED = {"id", "kind", "package", "versions", "numpy", "symptom", "references", "note"}
ID_RE = re.compile(r"^[a-z0-9]+(\.[a-z0-9]+)*(-[a-z0-9]+(\.[a-z0-9]+)*)*$")


# --- a fallback for PEP 440, for machines without `packaging` ------------------------------------------------------

_V_RE = re.compile(r"^v?(\d+(?:\.\d+)*)(?:(a|b|rc)(\d+))?(?:\.post(\d+))?(?:\.dev(\d+))?$")


def _fallback_version(text: str):
    m = _V_RE.match(text.strip().lower())
    if not m:
        raise ValueError(f"not a version this checker understands: {text!r}")
    release = tuple(int(p) for p in m.group(1).split("."))
    while len(release) > 1 and release[-1] == 0:
        release = release[:-1]
    pre = {"a": 0, "b": 1, "rc": 2}.get(m.group(2), 3), int(m.group(3) or 0)
    if m.group(5) is not None and m.group(2) is None and m.group(4) is None:
        pre = (-1, 0)
    post = int(m.group(4)) if m.group(4) is not None else -1
    return release, pre, post


class _FallbackSpecifierSet:
    OPS = ("===", "~=", "==", "!=", "<=", ">=", "<", ">")

    def __init__(self, text: str):
        self.specs = []
        for part in text.split(","):
            part = part.strip()
            op = next((o for o in self.OPS if part.startswith(o)), None)
            if op is None or op in ("===", "~="):
                raise ValueError(f"unsupported specifier {part!r}")
            version = part[len(op):].strip()
            if version.endswith(".*"):
                raise ValueError(f"wildcards are not supported here: {part!r}")
            self.specs.append((op, version, _fallback_version(version)))

    def __iter__(self):
        return iter(_FallbackSpec(op, v) for op, v, _ in self.specs)

    def contains(self, version: str, prereleases: bool = True) -> bool:
        v = _fallback_version(version)
        checks = {"==": v.__eq__, "!=": v.__ne__, "<=": v.__le__, ">=": v.__ge__, "<": v.__lt__, ">": v.__gt__}
        return all(checks[op](ref) for op, _, ref in self.specs)


class _FallbackSpec:
    def __init__(self, operator: str, version: str):
        self.operator, self.version = operator, version


def specifier_set(text: str):
    if SpecifierSet is not None:
        return SpecifierSet(text)
    return _FallbackSpecifierSet(text)


def same_version(a: str, b: str) -> bool:
    if Version is not None:
        return Version(a) == Version(b)
    return _fallback_version(a) == _fallback_version(b)


def check_marker(text: str) -> None:
    if Marker is not None:
        Marker(text)
    elif text.count("(") != text.count(")") or text.count('"') % 2:
        raise ValueError(f"unbalanced marker {text!r}")


# --- the checks ----------------------------------------------------------------------------------------------------


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main() -> int:
    runtime_path = HERE / "runtime.toml"
    raw = runtime_path.read_text(encoding="utf-8")
    data = tomllib.loads(raw)
    api = tomllib.loads((HERE / "numpy-api.toml").read_text(encoding="utf-8"))
    removal_of = {name: group["removed"] for group in api["removal"] for name in group["names"]}
    restored_of = {name: group.get("restored") for group in api["removal"] for name in group["names"]}

    errors: list[str] = []
    if set(data) != {"fact"} or not isinstance(data["fact"], list):
        errors.append("the file must hold only [[fact]] tables")
        data = {"fact": []}

    facts = data["fact"]
    seen: set[str] = set()
    releases_cache: dict[str, list[dict]] = {}
    for index, fact in enumerate(facts):
        where = f"fact #{index + 1} ({fact.get('id', '?')})"

        def err(message: str) -> None:
            errors.append(f"{where}: {message}")

        keys = list(fact)
        unknown = [k for k in keys if k not in KEYS]
        if unknown:
            err(f"unknown keys {unknown}")
        missing = REQUIRED - set(keys)
        if missing:
            err(f"missing keys {sorted(missing)}")
        known = [k for k in keys if k in KEYS]
        if known != sorted(known, key=KEYS.index):
            err(f"keys are not in the canonical order {KEYS}")
        for key in ("id", "kind", "package", "versions", "symptom", "note", "marker"):
            if key in fact and (not isinstance(fact[key], str) or not fact[key].strip()):
                err(f"`{key}` must be a non-empty string")
        if missing or unknown:
            continue
        numpy_texts = fact["numpy"] if isinstance(fact["numpy"], list) else [fact["numpy"]]
        if not numpy_texts or not all(isinstance(t, str) and t.strip() for t in numpy_texts):
            err("`numpy` must be a non-empty string or a non-empty list of them")
            numpy_texts = []

        fid = fact["id"]
        if not ID_RE.match(fid):
            err("`id` is not kebab-case")
        if fid in seen:
            err("`id` is listed twice")
        seen.add(fid)

        kind = fact["kind"]
        if kind not in KINDS:
            err(f"unknown kind {kind!r}")

        package = fact["package"]
        if normalize(package) != package:
            err(f"`package` is not a normalized name (expected {normalize(package)!r})")
        package_file = HERE / "packages" / f"{package}.json"
        if not package_file.is_file():
            err(f"{package!r} is not indexed (no packages/{package}.json)")
            releases = []
        else:
            if package not in releases_cache:
                releases_cache[package] = json.loads(package_file.read_text(encoding="utf-8"))["releases"]
            releases = releases_cache[package]

        try:
            versions = specifier_set(fact["versions"])
        except Exception as e:  # noqa: BLE001 - report every parse failure the same way
            err(f"`versions` is not a specifier set: {e}")
            versions = None
        if versions is not None and releases:
            matched = [r["version"] for r in releases if versions.contains(r["version"], prereleases=True)]
            if not matched:
                err(f"`versions` {fact['versions']!r} matches no indexed release of {package}")

        try:
            numpy = [specifier_set(text) for text in numpy_texts] or None
        except Exception as e:  # noqa: BLE001
            err(f"`numpy` is not a specifier set: {e}")
            numpy = None

        if "marker" in fact:
            try:
                check_marker(fact["marker"])
            except Exception as e:  # noqa: BLE001
                err(f"`marker` is not a PEP 508 marker: {e}")

        names = fact.get("api", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            err("`api` must be a list of strings")
            names = []
        if kind == "removed-api" and not names:
            err("a removed-api fact needs `api`")
        if kind != "removed-api" and names:
            err("`api` is for removed-api facts only")
        unknown_names = [n for n in names if n not in removal_of]
        if unknown_names:
            err(f"`api` names not in numpy-api.toml: {unknown_names}")
        if kind == "removed-api" and names and not unknown_names and numpy is not None:
            removals = {removal_of[n] for n in names}
            restorations = {restored_of[n] for n in names}
            if len(removals) != 1:
                err(f"`api` mixes names removed in different releases: {sorted(removals)}")
            else:
                # The names exist before their removal and, when NumPy restored every one, from that release on.
                expected = [("<", removals.pop())]
                if len(restorations) == 1 and None not in restorations:
                    expected.append((">=", restorations.pop()))
                ranges = [list(part) for part in numpy]
                if len(ranges) != len(expected) or not all(
                    len(part) == 1 and part[0].operator == op and same_version(part[0].version, version)
                    for part, (op, version) in zip(ranges, expected)
                ):
                    want = " or ".join(f"{op}{version}" for op, version in expected)
                    err(f"`numpy` must be where the `api` names exist: {want}")

        refs = fact["references"]
        if not isinstance(refs, list) or not refs:
            err("`references` must be a non-empty list")
        else:
            for ref in refs:
                if not isinstance(ref, str) or not re.match(r"^https://[^\s/]+\.[^\s/]+/\S*$", ref):
                    err(f"reference is not an https URL: {ref!r}")
            if len(set(refs)) != len(refs):
                err("a reference is listed twice")

    order = [(KINDS.index(f["kind"]) if f.get("kind") in KINDS else 99, f.get("package", ""), f.get("id", "")) for f in facts]
    if order != sorted(order):
        errors.append("entries are not sorted by kind (abi, removed-api, known-pitfall), then package, then id")

    if errors:
        for e in errors:
            print(f"runtime.toml: {e}", file=sys.stderr)
        print(f"runtime.toml: {len(errors)} problem(s) in {len(facts)} facts", file=sys.stderr)
        return 1
    counts = {k: sum(f["kind"] == k for f in facts) for k in KINDS}
    print(f"runtime.toml: {len(facts)} facts valid ({', '.join(f'{n} {k}' for k, n in counts.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
