# SPDX-License-Identifier: MIT
"""The Python binding against the CLI: the same question asked both ways gives the same answer,
errors carry the library's file:line:col message, and the worked example of docs/python.md runs.
Run by CTest (tests/python.cmake) with KETASIM_LIB, KETASIM_CLI and KETASIM_SOURCE set."""
import io
import os
import re
import subprocess

import numpy as np
import pandas as pd
import pytest

import ketasim

SRC = os.environ.get("KETASIM_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.environ.get("KETASIM_CLI", os.path.join(SRC, "build", "ketasim"))
FEDER = os.path.join(SRC, "examples", "feder2021.yaml")


def cli(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, check=True).stdout


def test_pk_matches_the_cli():
    df = ketasim.pk("ketamine", "iv", "0.5 mg/kg", infusion="40 min", duration="6 h", step="5 min")
    ref = pd.read_csv(io.StringIO(cli("pk", "--drug", "ketamine", "--route", "iv", "--dose", "0.5mg/kg",
                                      "--infusion", "40min", "--duration", "6h", "--step", "5min")))
    assert len(df) == len(ref) == 73
    assert df.attrs["units"]["s-ketamine_plasma"] == "ng/mL"
    # The CLI prints 6 significant digits.
    np.testing.assert_allclose(df["s-ketamine_plasma"], ref["s-ketamine_plasma_ng_per_mL"], rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(df["r-norketamine_plasma"], ref["r-norketamine_plasma_ng_per_mL"], rtol=1e-5,
                               atol=1e-9)


def test_cascade_matches_the_cli():
    df = ketasim.cascade("ketamine", "iv", "0.5 mg/kg", infusion="40 min", duration="3 d", step="1 h")
    ref = pd.read_csv(io.StringIO(cli("cascade", "--drug", "ketamine", "--route", "iv", "--dose", "0.5mg/kg",
                                      "--infusion", "40min", "--days", "3", "--step", "1h")))
    assert list(df.columns) == list(ref.columns)
    np.testing.assert_allclose(df["spine_pfc"], ref["spine_pfc"], rtol=1e-6)
    np.testing.assert_allclose(df["window"], ref["window"], rtol=1e-6, atol=1e-8)


def test_run_matches_the_cli_and_any_thread_count(tmp_path):
    a = ketasim.run(FEDER, n_patients=12, threads=1)
    b = ketasim.run(FEDER, n_patients=12, threads=2, out=tmp_path)
    pd.testing.assert_frame_equal(a.patients, b.patients)
    assert a.summary["primary"] == b.summary["primary"]
    assert a.arms == ["ketamine", "midazolam"]
    csv = pd.read_csv(tmp_path / "patients.csv")
    one = b.patients[b.patients["visit"] == 0]
    assert len(one) == 12
    # patients.csv and the DataFrame hold the same CAPS-5 totals, patient by patient and visit by visit.
    wide = b.patients.dropna(subset=["caps5"]).sort_values(["patient", "t_h"])["caps5"].to_numpy()
    ref = csv.dropna(subset=["caps5"]).sort_values(["patient", "t_h"])["caps5"]
    np.testing.assert_array_equal(wide, ref.to_numpy())


def test_patient_trace_tables():
    tr = ketasim.patient(FEDER, 3)
    assert set(tr) == {"patient", "doses", "pk", "cascade", "fear", "visits"}
    assert len(tr["doses"]) == 6
    assert tr["pk"].attrs["units"]["t_h"] == "h"


def test_errors_carry_file_line_col(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("ketasim: 1\nname: x\nseed: 1\npopulation: {n: 10, preset: civilian-chronic-ptsd}\n"
                   "design: paralel\n")
    with pytest.raises(ketasim.KetasimError) as e:
        ketasim.load(bad)
    assert e.value.status == "KS_EINPUT"
    assert re.match(rf"{re.escape(str(bad))}:5:\d+: ", str(e.value)), str(e.value)
    with pytest.raises(ketasim.KetasimError, match="drug"):
        ketasim.pk("ketamin", "iv", "0.5 mg/kg")
    with pytest.raises(ketasim.KetasimError):
        ketasim.pk("ketamine", "iv", "5 mg/kg")  # outside the studied range


def test_worked_example_in_docs_runs():
    text = open(os.path.join(SRC, "docs", "python.md"), encoding="utf-8").read()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "docs/python.md has no python block"
    cwd = os.getcwd()
    os.chdir(SRC)
    try:
        for code in blocks:
            exec(compile(code, "docs/python.md", "exec"), {})
    finally:
        os.chdir(cwd)
