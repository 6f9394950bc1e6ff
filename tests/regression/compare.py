#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Stored-answer regression of a whole small trial (SUNDIALS .out style).

compare.py EXPECTED_DIR RUN_DIR: summary.json (without its "run" key: wall time, threads) and
patients.csv of RUN_DIR must match EXPECTED_DIR: the same keys, strings, columns and row count, and
every number within a relative tolerance of 1e-9 (absolute 1e-12 near zero); NaN and null match
only themselves. The tolerance admits the last-bit differences that another libm or BLAS build
can give; a change of the model in any layer moves numbers far beyond it. The stored answer is
regenerated, after a deliberate model change, with scripts/regen-regression (see its header).
Exit 0 when equal, 1 with the first differences listed otherwise."""
import csv
import json
import math
import sys

REL, ABS = 1e-9, 1e-12
MAX_REPORT = 20


def close(a, b):
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return abs(a - b) <= max(ABS, REL * max(abs(a), abs(b)))


def num(text):
    try:
        return float(text)
    except ValueError:
        return None


def walk(exp, got, path, diffs):
    if isinstance(exp, dict):
        if not isinstance(got, dict) or list(exp) != list(got):
            diffs.append(f"{path}: keys {list(exp)} != {list(got) if isinstance(got, dict) else got!r}")
            return
        for k in exp:
            walk(exp[k], got[k], f"{path}.{k}", diffs)
    elif isinstance(exp, list):
        if not isinstance(got, list) or len(exp) != len(got):
            diffs.append(f"{path}: {exp!r} != {got!r}")
            return
        for i, (a, b) in enumerate(zip(exp, got)):
            walk(a, b, f"{path}[{i}]", diffs)
    elif isinstance(exp, bool) or exp is None or isinstance(exp, str):
        if exp != got:
            diffs.append(f"{path}: {exp!r} != {got!r}")
    elif isinstance(exp, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float)) or not close(float(exp), float(got)):
            diffs.append(f"{path}: {exp!r} != {got!r}")
    else:
        diffs.append(f"{path}: unexpected value {exp!r}")


def summary(path):
    with open(path) as f:
        s = json.load(f)
    s.pop("run", None)
    return s


def compare_csv(exp_path, got_path, diffs):
    with open(exp_path, newline="") as f:
        exp = list(csv.reader(f))
    with open(got_path, newline="") as f:
        got = list(csv.reader(f))
    if len(exp) != len(got):
        diffs.append(f"patients.csv: {len(got)} rows (expected {len(exp)})")
        return
    if exp and exp[0] != got[0]:
        diffs.append(f"patients.csv header: {got[0]} (expected {exp[0]})")
        return
    head = exp[0] if exp else []
    for r, (a, b) in enumerate(zip(exp[1:], got[1:]), start=2):
        for c, (x, y) in enumerate(zip(a, b)):
            nx, ny = num(x), num(y)
            ok = (x == y) if nx is None or ny is None else close(nx, ny)
            if not ok:
                diffs.append(f"patients.csv line {r} column {head[c]}: {y} (expected {x})")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    exp_dir, run_dir = sys.argv[1], sys.argv[2]
    diffs = []
    walk(summary(f"{exp_dir}/summary.json"), summary(f"{run_dir}/summary.json"), "summary", diffs)
    compare_csv(f"{exp_dir}/patients.csv", f"{run_dir}/patients.csv", diffs)
    for d in diffs[:MAX_REPORT]:
        print(f"regression: {d}")
    if len(diffs) > MAX_REPORT:
        print(f"regression: ... and {len(diffs) - MAX_REPORT} more differences")
    if diffs:
        print("regression: the whole-trial answer changed; if the model change was deliberate, "
              "run scripts/regen-regression and commit tests/regression/expected/ with the reason")
        return 1
    print("regression: summary.json and patients.csv match the stored answer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
