#!/usr/bin/env bash
# Invariants under extreme but valid inputs, end to end (issue 8): `ketasim run` on scenarios at
# the edges of what the schema accepts, and checks that nothing non-finite reaches an output.
#   light-1-patient   1 patient, weight 30 kg, one dose, 0-day follow-up
#   heavy-every-route weight 250 kg, every drug by every route mixed in one regimen, every scale
#   infusions-200     200 daily IV infusions (ketamine, and midazolam in a second arm)
#   many-patients     KS_INVARIANTS_N patients (default 500) of the cheapest scenario, 2 threads.
#                     A run costs ~25 ms of CPU per patient, so 20k would take ~8 CPU-minutes: too
#                     long for CI. tests/invariants_pk.c takes 100k patients through the population
#                     and PK layers; KS_INVARIANTS_N=100000 runs the full-size case by hand.
# Checks on every run (documented conventions: an empty patients.csv field and a JSON null mean
# "does not exist / not assessed"):
#   - exit 0; summary.json parses with no NaN/Infinity literal; no "nan"/"inf" token in
#     patients.csv, summary.json, scenario.resolved.yaml, report.html or the table on stdout;
#   - patients.csv: every row has the header's field count; every number is finite; the columns
#     that always exist (identity, time, covariates, model state) are never empty; with no
#     dropout, every scale listed for a day is present on that day's row and within its range;
#     weights lie in [30, 250] kg and follow the scenario's mean;
#   - summary.json: n_randomized = population n = sum of arm n = number of patients in
#     patients.csv; every arm's baseline mean of a listed scale is a number.
# Usage: invariants_cli.sh KETASIM [SCENARIO-NAME...]
set -euo pipefail
ks=$1; shift
only=("$@")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
N_MANY=${KS_INVARIANTS_N:-500}

write_scenarios() {
cat > "$work/light-1-patient.yaml" <<'YAML'
ketasim: 1
name: light-1-patient
seed: 11
population: {n: 1, weight_mean: 30 kg, weight_sd: 0.01 kg, female_fraction: 1}
design: single-arm
arms:
  - name: ketamine
    regimen:
      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, infusion: 40 min, days: [1]}
assessments: {caps5: [0, 1], madrs: [0, 1]}
followup: {days: 0}
YAML
cat > "$work/heavy-every-route.yaml" <<'YAML'
ketasim: 1
name: heavy-every-route
seed: 12
population: {n: 3, weight_mean: 250 kg, weight_sd: 0.01 kg, female_fraction: 0}
design: single-arm
allow_unstudied_doses: true
arms:
  - name: everything
    regimen:
      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, infusion: 40 min, days: [1]}
      - {drug: ketamine, route: iv, dose: 0.2 mg/kg, infusion: bolus, days: [2]}
      - {drug: ketamine, route: im, dose: 0.5 mg/kg, days: [3]}
      - {drug: ketamine, route: intranasal, dose: 50 mg, days: [4]}
      - {drug: ketamine, route: oral, dose: 1 mg/kg, days: [5]}
      - {drug: ketamine, route: sublingual, dose: 0.5 mg/kg, days: [6]}
      - {drug: ketamine, route: rectal, dose: 0.5 mg/kg, days: [7]}
      - {drug: esketamine, route: iv, dose: 0.2 mg/kg, infusion: 40 min, days: [8]}
      - {drug: esketamine, route: intranasal, dose: 84 mg, days: [9]}
      - {drug: esketamine, route: oral, dose: 0.5 mg/kg, days: [10]}
      - {drug: midazolam, route: iv, dose: 0.045 mg/kg, infusion: 40 min, days: [11]}
    therapy:
      - {kind: prolonged-exposure, days: [12, 13]}
assessments:
  caps5: [0, 7, 14]
  pcl5: [0, 7, 14]
  iesr: [0, 7, 14]
  madrs: [0, 7, 14]
  cadss: ["40 min"]
  scan: [0, 14]
followup: {days: 0}
YAML
{
cat <<'YAML'
ketasim: 1
name: infusions-200
seed: 13
population: {n: 2}
design: parallel
arms:
  - name: ketamine
    regimen:
      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, infusion: 40 min, every: 1 d, from: 1, until: 200}
  - name: midazolam
    regimen:
      - {drug: midazolam, route: iv, dose: 0.045 mg/kg, infusion: 40 min, every: 1 d, from: 1, until: 200}
assessments: {caps5: [0, 1, 100, 200], madrs: [0, 200]}
followup: {days: 28, caps5_every: 14}
YAML
} > "$work/infusions-200.yaml"
cat > "$work/many-patients.yaml" <<YAML
ketasim: 1
name: many-patients
seed: 14
population: {n: $N_MANY}
design: parallel
arms:
  - name: ketamine
    regimen:
      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, infusion: 40 min, days: [1]}
  - name: midazolam
    regimen:
      - {drug: midazolam, route: iv, dose: 0.045 mg/kg, infusion: 40 min, days: [1]}
assessments: {caps5: [0, 1]}
imaging: none
YAML
}

check_outputs() { # DIR SCENARIO STDOUT
python3 - "$1" "$2" "$3" <<'PY'
import csv, json, math, re, sys
out, scen_path = sys.argv[1], sys.argv[2]
fail = []
def bad(msg):
    fail.append(msg)

# The scenario, for what was asked (a tiny reader of the keys written above).
scen = open(scen_path).read()
n_pop = int(re.search(r"\{n: (\d+)", scen).group(1))
wmean = re.search(r"weight_mean: ([0-9.]+) kg", scen)
wmean = float(wmean.group(1)) if wmean else None
listed = {}  # scale -> set of day visits
m = re.search(r"assessments:\s*\{([^}]*)\}", scen)
block = m.group(1) if m else ""
if not m:
    block = ",".join(re.findall(r"^  (\w+: \[[^\]]*\])", scen, re.M))
for sc, days in re.findall(r"(\w+): \[([^\]]*)\]", block):
    listed[sc] = {int(x) for x in re.findall(r"(?<![\w.\"])(\d+)(?![\w.\"])", days)}
scale_max = {"caps5": 80, "pcl5": 80, "iesr": 88, "madrs": 60, "cadss": 92}

token = re.compile(r"(?<![A-Za-z_])[-+]?(nan|inf|infinity)(?![A-Za-z_])", re.I)
for f in ["patients.csv", "summary.json", "scenario.resolved.yaml", "report.html", sys.argv[3]]:
    try:
        text = open(f if f.startswith("/") else f"{out}/{f}", encoding="utf-8").read()
    except OSError as e:
        bad(f"{f}: {e}"); continue
    t = token.search(text)
    if t:
        bad(f"{f}: non-finite token {t.group(0)!r} near {text[max(0, t.start()-60):t.end()+20]!r}")

def no_constants(c):
    raise ValueError(f"JSON constant {c}")
try:
    summary = json.load(open(f"{out}/summary.json"), parse_constant=no_constants)
except (OSError, ValueError) as e:
    bad(f"summary.json: {e}")
    summary = {}

always = ["patient", "arm", "period", "treatment", "visit", "t_h", "day", "age_y", "female",
          "weight_kg", "window", "gain_vmpfc_amygdala", "spine_pfc", "fear", "avoidance"]
patients = set()
rows = 0
with open(f"{out}/patients.csv", newline="") as fh:
    r = csv.reader(fh)
    header = next(r)
    for col in always:
        if col not in header:
            bad(f"patients.csv: no column {col}")
    idx = {c: i for i, c in enumerate(header)}
    for row in r:
        rows += 1
        where = f"patients.csv row {rows + 1}"
        if len(row) != len(header):
            bad(f"{where}: {len(row)} fields, header has {len(header)}"); continue
        for c, v in zip(header, row):
            if c in ("arm", "treatment", "visit") or v == "":
                continue
            try:
                x = float(v)
            except ValueError:
                bad(f"{where}: {c} = {v!r} is not a number"); continue
            if not math.isfinite(x):
                bad(f"{where}: {c} = {v!r}")
        for c in always:
            if c in idx and row[idx[c]] == "":
                bad(f"{where}: {c} is empty")
        patients.add(row[idx["patient"]])
        w = float(row[idx["weight_kg"]])
        if not 30.0 <= w <= 250.0 or (wmean is not None and abs(w - wmean) > 1.0):
            bad(f"{where}: weight {w} kg (scenario mean {wmean})")
        visit = row[idx["visit"]]
        if visit.startswith("day "):
            day = int(visit[4:])
            for sc, days in listed.items():
                if sc in scale_max and day in days:
                    v = row[idx[sc]] if sc in idx else ""
                    if v == "":
                        bad(f"{where}: {sc} listed for day {day} but empty (a NaN written as 'not assessed'?)")
                    elif not 0.0 <= float(v) <= scale_max[sc]:
                        bad(f"{where}: {sc} = {v} outside [0, {scale_max[sc]}]")
        if len(fail) > 20:
            break

if summary.get("n_randomized") != n_pop:
    bad(f"summary.json: n_randomized {summary.get('n_randomized')}, population n {n_pop}")
arm_n = sum(a.get("n", 0) for a in summary.get("arms", []))
if arm_n != n_pop or len(patients) != n_pop:
    bad(f"arms hold {arm_n} patients, patients.csv {len(patients)}, population n {n_pop}")
for a in summary.get("arms", []):
    for sc in listed:
        if sc in scale_max and 0 in listed[sc]:
            b = (a.get("baseline") or {}).get(sc) or {}
            if not isinstance(b.get("mean"), (int, float)):
                bad(f"summary.json: arm {a.get('name')} baseline {sc} mean is {b.get('mean')!r}")
for m in fail[:20]:
    print("  " + m)
sys.exit(1 if fail else 0)
PY
}

write_scenarios
passed=0; failed=0
for scen in light-1-patient heavy-every-route infusions-200 many-patients; do
  if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $scen "* ]]; then continue; fi
  threads=1; [ "$scen" = many-patients ] && threads=2
  start=$(date +%s.%N)
  if ! "$ks" run "$work/$scen.yaml" --out "$work/out-$scen" --threads $threads \
       >"$work/$scen.stdout" 2>"$work/$scen.stderr"; then
    echo "FAIL $scen: ketasim run failed"; cat "$work/$scen.stderr"; failed=$((failed + 1)); continue
  fi
  secs=$(python3 -c "import sys,time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$start")
  if check_outputs "$work/out-$scen" "$work/$scen.yaml" "$work/$scen.stdout"; then
    echo "ok   $scen (${secs} s)"; passed=$((passed + 1))
  else
    echo "FAIL $scen"; failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
