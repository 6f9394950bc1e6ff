"""hdf5_check.py FILE.h5 patients.csv N: the HDF5 file of `ketasim run --hdf5` read back as a user
would (h5py): datasets, chunking and deflate, provenance attributes, and values equal patients.csv."""
import csv
import math
import sys

import h5py

path, csv_path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
bad = []
with h5py.File(path, "r") as f:
    for key in ("ketasim_version", "git_revision", "seed", "scenario_yaml", "dependencies"):
        if key not in f.attrs:
            bad.append(f"missing attribute {key}")
    deps = f.attrs.get("dependencies", b"")
    deps = deps.decode() if isinstance(deps, bytes) else str(deps)
    for dep in ("HDF5", "SUNDIALS", "libfyaml"):
        if dep not in deps:
            bad.append(f"dependencies lacks {dep}: {deps}")
    yaml = f.attrs.get("scenario_yaml", b"")
    yaml = yaml.decode() if isinstance(yaml, bytes) else str(yaml)
    if "seed:" not in yaml:
        bad.append("scenario_yaml has no seed")
    caps = f["measures/caps5"]
    nv = len(f["visits/t_h"])
    if caps.shape != (n, nv):
        bad.append(f"measures/caps5 shape {caps.shape}, expected {(n, nv)}")
    if caps.compression != "gzip" or caps.chunks is None:
        bad.append(f"measures/caps5 not chunked+deflated ({caps.compression}, {caps.chunks})")
    if f["patient"][0] != 1 or f["patient"][-1] != n or len(f["covariates/age_y"]) != n:
        bad.append("patient / covariates length")
    # Every dataset carries units; /patient and /visits/t_h are dimension scales; booleans are
    # integers; the arm names are a dataset.
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and "units" not in obj.attrs:
            bad.append(f"{name} has no units attribute")
    f.visititems(visit)
    if caps.dims[0][0].name != "/patient" or caps.dims[1][0].name != "/visits/t_h":
        bad.append(f"measures/caps5 dimension scales: {[d.keys() for d in caps.dims]}")
    if f["covariates/age_y"].dims[0][0].name != "/patient":
        bad.append("covariates/age_y has no patient scale")
    if f["covariates/female"].dtype.kind != "i":
        bad.append(f"covariates/female is {f['covariates/female'].dtype}, expected an integer")
    arm_names = [s.decode() if isinstance(s, bytes) else s for s in f["arm_names"][:]]
    if len(arm_names) < 1 or max(f["arm"][:]) >= len(arm_names):
        bad.append(f"arm_names {arm_names} do not cover arm indices")
    labels = [s.decode() if isinstance(s, bytes) else s for s in f["visits/label"][:]]
    rows = list(csv.DictReader(open(csv_path, newline="")))
    if len(rows) != n * nv:
        bad.append(f"patients.csv has {len(rows)} rows, expected {n * nv}")
    names = list(f["measures"].keys())
    checked = 0
    for k, row in enumerate(rows):
        i, v = k // nv, k % nv
        if row["visit"] != labels[v] or int(row["patient"]) != i + 1:
            bad.append(f"row {k}: visit/patient mismatch")
            break
        if abs(float(row["age_y"]) - f["covariates/age_y"][i]) > 1e-8 * max(1.0, abs(float(row["age_y"]))):
            bad.append(f"row {k}: age differs")
            break
        if int(row["after_dropout"]) != int(f["after_dropout"][i, v]):
            bad.append(f"row {k}: after_dropout differs")
            break
        for m in names:
            h = f["measures/" + m][i, v]
            c = row[m]
            if c == "":
                ok = math.isnan(h)
            else:
                ok = abs(float(c) - h) <= 1e-9 * max(1.0, abs(h))
            checked += 1
            if not ok:
                bad.append(f"patient {i + 1} visit {labels[v]} {m}: csv {c!r} vs hdf5 {h!r}")
                break
if bad:
    print("FAIL:", *bad[:10], sep="\n  ")
    sys.exit(1)
print(f"ok: {path}: {n} patients x {nv} visits x {len(names)} measures match patients.csv ({checked} values)")
