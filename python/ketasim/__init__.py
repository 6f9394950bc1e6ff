# SPDX-License-Identifier: MIT
"""ketasim from Python: the installed libketasim through ctypes, answers as pandas DataFrames.

    import ketasim
    sc = ketasim.load("examples/feder2021.yaml")          # raises ketasim.KetasimError on bad input
    trial = ketasim.run(sc, n_patients=40, threads=2)     # a virtual trial
    trial.patients                                        # one row per patient x visit
    trial.summary                                         # summary.json as a dict
    ketasim.pk("ketamine", "iv", "0.5 mg/kg", infusion="40 min", duration="6 h", step="1 min")
    ketasim.cascade("ketamine", "iv", "0.5 mg/kg", infusion="40 min", duration="7 d", step="1 h")
    ketasim.patient(sc, 3)["pk"]                          # one patient's trace, table by table

Units: every DataFrame carries them in ``df.attrs["units"]`` (column -> unit, "1" for
dimensionless) and time columns say theirs in their names (``t_h``). Durations and doses are
strings with units, as in a scenario ("0.5 mg/kg", "40 min"), or numbers in hours for times.

The library is found, in order, at $KETASIM_LIB, through pkg-config (``ketasim.pc``), by the
system's loader (``libketasim.so``), or in a build tree next to this package. This is a research
simulator, not medical advice: doses outside the studied range are refused unless
``allow_unstudied=True``.
"""
import ctypes
import ctypes.util
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np
import pandas as pd

__all__ = ["KetasimError", "Scenario", "Trial", "load", "check", "run", "patient", "pk", "cascade",
           "version", "library_path"]


class KetasimError(Exception):
    """A failure reported by libketasim. ``status`` is the library's status name (``KS_EINPUT`` for
    bad input: the message is then ``FILE:LINE:COL: what is wrong (what was expected)``)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def _candidates():
    env = os.environ.get("KETASIM_LIB")
    if env:
        yield env
        return
    try:
        libdir = subprocess.run(["pkg-config", "--variable=libdir", "ketasim"], capture_output=True,
                                text=True, check=True).stdout.strip()
        if libdir:
            yield os.path.join(libdir, "libketasim.so")
    except (OSError, subprocess.CalledProcessError):
        pass
    found = ctypes.util.find_library("ketasim")
    if found:
        yield found
    here = os.path.dirname(os.path.abspath(__file__))
    for build in ("build", "build-pic"):
        yield os.path.join(here, "..", "..", build, "libketasim.so")


def _load_library():
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append(f"{path}: {e}")
    raise ImportError("ketasim: cannot find libketasim.so (set KETASIM_LIB or install the library "
                      "with cmake --install); tried:\n  " + "\n  ".join(tried))


_lib, _lib_path = _load_library()
_P = ctypes.c_void_p
_D = ctypes.c_double


def _fn(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


class _Regimen(ctypes.Structure):
    # Mirrors ks_api_regimen (include/ketasim/api.h): strings and two ints, nothing else.
    _fields_ = [("drug", ctypes.c_char_p), ("route", ctypes.c_char_p), ("dose", ctypes.c_char_p),
                ("infusion", ctypes.c_char_p), ("weight", ctypes.c_char_p), ("every", ctypes.c_char_p),
                ("model", ctypes.c_char_p), ("repeat", ctypes.c_int), ("allow_unstudied", ctypes.c_int)]


_status_name = _fn("ks_status_name", ctypes.c_char_p, ctypes.c_int)
_version = _fn("ks_version", ctypes.c_char_p)
_ctx_create = _fn("ks_api_ctx_create", ctypes.c_int, ctypes.c_uint64, ctypes.c_int, ctypes.POINTER(_P))
_ctx_destroy = _fn("ks_ctx_destroy", None, ctypes.POINTER(_P))
_last_error = _fn("ks_ctx_last_error", ctypes.c_char_p, _P)
_units_parse = _fn("ks_units_parse", ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(_D),
                   ctypes.c_char_p, ctypes.c_size_t)
_sc_load = _fn("ks_scenario_load", ctypes.c_int, _P, ctypes.c_char_p, ctypes.POINTER(_P))
_sc_load_string = _fn("ks_scenario_load_string", ctypes.c_int, _P, ctypes.c_char_p, ctypes.c_char_p,
                      ctypes.c_size_t, ctypes.POINTER(_P))
_sc_destroy = _fn("ks_scenario_destroy", None, ctypes.POINTER(_P))
_trial_run = _fn("ks_api_trial_run", ctypes.c_int, _P, _P, ctypes.c_long, ctypes.c_int, ctypes.POINTER(_P))
_trial_destroy = _fn("ks_trial_result_destroy", None, ctypes.POINTER(_P))
_trial_write = _fn("ks_trial_write", ctypes.c_int, _P, _P, ctypes.c_char_p, _D, ctypes.c_int, ctypes.c_int)
_trial_n_groups = _fn("ks_trial_n_groups", ctypes.c_size_t, _P)
_trial_group_label = _fn("ks_trial_group_label", ctypes.c_char_p, _P, ctypes.c_size_t, ctypes.c_char_p,
                         ctypes.c_size_t)
_trial_visit_label = _fn("ks_trial_visit_label", ctypes.c_char_p, _P, ctypes.c_size_t)
_trace = _fn("ks_trial_patient_trace", ctypes.c_int, _P, _P, _P, ctypes.c_size_t, ctypes.c_int,
             ctypes.POINTER(_P))
_trace_destroy = _fn("ks_trial_trace_destroy", None, ctypes.POINTER(_P))
_trace_n_tables = _fn("ks_trial_trace_n_tables", ctypes.c_size_t, _P)
_api_pk = _fn("ks_api_pk", ctypes.c_int, _P, ctypes.POINTER(_Regimen), _D, _D, ctypes.POINTER(_P))
_api_cascade = _fn("ks_api_cascade", ctypes.c_int, _P, ctypes.POINTER(_Regimen), _D, _D, _D,
                   ctypes.POINTER(_P))
_api_trial = _fn("ks_api_trial", ctypes.c_int, _P, _P, ctypes.POINTER(_P))
_api_trace = _fn("ks_api_trace", ctypes.c_int, _P, _P, ctypes.c_char_p, ctypes.POINTER(_P))
_tab_rows = _fn("ks_table_n_rows", ctypes.c_size_t, _P)
_tab_cols = _fn("ks_table_n_cols", ctypes.c_size_t, _P)
_tab_name = _fn("ks_table_col_name", ctypes.c_char_p, _P, ctypes.c_size_t)
_tab_unit = _fn("ks_table_col_unit", ctypes.c_char_p, _P, ctypes.c_size_t)
_tab_data = _fn("ks_table_data", ctypes.POINTER(_D), _P)
_tab_destroy = _fn("ks_table_destroy", None, ctypes.POINTER(_P))

_KS_DIM_TIME = 3  # ks_dim in include/ketasim/units.h: NONE, MASS, MASS_PER_BODY_MASS, TIME


def version():
    """The library's version string."""
    return _version().decode()


def library_path():
    """The path libketasim was loaded from."""
    return _lib_path


class _Ctx:
    """A library context (owns allocation and the last error); closed when collected."""

    def __init__(self, seed=0, threads=0):
        self.p = _P()
        st = _ctx_create(int(seed), int(threads), ctypes.byref(self.p))
        if st != 0:
            raise KetasimError(_status_name(st).decode(), "cannot create a context")

    def check(self, st):
        if st != 0:
            raise KetasimError(_status_name(st).decode(), _last_error(self.p).decode(errors="replace"))

    def __del__(self):
        if getattr(self, "p", None):
            _ctx_destroy(ctypes.byref(self.p))


def _hours(x, what):
    if isinstance(x, (int, float)):
        return float(x)
    v, err = _D(), ctypes.create_string_buffer(160)
    if _units_parse(str(x).encode(), _KS_DIM_TIME, ctypes.byref(v), err, 160) != 0:
        raise KetasimError("KS_EINPUT", f"{what}: {err.value.decode()}")
    return v.value


def _frame(ctx, table):
    """Copy a ks_table into a DataFrame (units in attrs) and free it."""
    try:
        nr, nc = _tab_rows(table), _tab_cols(table)
        names = [_tab_name(table, c).decode() for c in range(nc)]
        units = [_tab_unit(table, c).decode() for c in range(nc)]
        data = np.ctypeslib.as_array(_tab_data(table), shape=(nr * nc,)).reshape(nr, nc).copy() \
            if nr and nc else np.empty((nr, nc))
    finally:
        _tab_destroy(ctypes.byref(table))
    df = pd.DataFrame(data, columns=names)
    df.attrs["units"] = dict(zip(names, units))
    return df


class Scenario:
    """A loaded, checked scenario (ks_scenario). ``Scenario(path)`` or ``Scenario(text=..., name=...)``."""

    def __init__(self, path=None, *, text=None, name="<string>", seed=None):
        self._ctx = _Ctx(seed or 0)
        self.p = _P()
        if text is not None:
            b = text.encode()
            self._ctx.check(_sc_load_string(self._ctx.p, name.encode(), b, len(b), ctypes.byref(self.p)))
            self.path = name
        else:
            self._ctx.check(_sc_load(self._ctx.p, os.fspath(path).encode(), ctypes.byref(self.p)))
            self.path = os.fspath(path)

    def __del__(self):
        if getattr(self, "p", None):
            _sc_destroy(ctypes.byref(self.p))

    def __repr__(self):
        return f"ketasim.Scenario({self.path!r})"


def load(path):
    """Load and check a scenario file; raises KetasimError with the file:line:col message."""
    return Scenario(path)


def check(path):
    """True when the scenario is valid; otherwise raises KetasimError (as ``ketasim check``)."""
    load(path)
    return True


def _scenario(sc):
    return sc if isinstance(sc, Scenario) else Scenario(sc)


class Trial:
    """A finished virtual trial: ``patients`` (one row per patient x visit, units in attrs),
    ``arms`` (group labels), ``visits`` (visit labels) and ``summary`` (summary.json as a dict)."""

    def __init__(self, patients, arms, visits, summary):
        self.patients, self.arms, self.visits, self.summary = patients, arms, visits, summary

    def __repr__(self):
        return f"ketasim.Trial({len(self.arms)} arms, {self.patients['patient'].nunique()} patients)"


def run(scenario, n_patients=None, threads=0, out=None):
    """Run the scenario's trial (same answer for any thread count). With ``out``, the run's files
    (summary.json, patients.csv, scenario.resolved.yaml) are written there, as ``ketasim run``."""
    sc = _scenario(scenario)
    ctx = _Ctx(0, threads)
    res = _P()
    ctx.check(_trial_run(ctx.p, sc.p, int(n_patients or 0), int(threads), ctypes.byref(res)))
    try:
        t = _P()
        ctx.check(_api_trial(ctx.p, res, ctypes.byref(t)))
        df = _frame(ctx, t)
        for c in ("patient", "arm", "visit"):
            df[c] = df[c].astype(int)
        buf = ctypes.create_string_buffer(256)
        arms = [_trial_group_label(res, g, buf, 256).decode() for g in range(_trial_n_groups(res))]
        visits = [_trial_visit_label(res, v).decode() for v in range(int(df["visit"].max()) + 1)]
        tmp = out or tempfile.mkdtemp(prefix="ketasim-")
        try:
            ctx.check(_trial_write(ctx.p, res, os.fspath(tmp).encode(), 0.0, int(threads), 1))
            with open(os.path.join(tmp, "summary.json"), encoding="utf-8") as f:
                summary = json.load(f)
        finally:
            if out is None:
                shutil.rmtree(tmp, ignore_errors=True)
    finally:
        _trial_destroy(ctypes.byref(res))
    return Trial(df, arms, visits, summary)


def patient(scenario, patient_id, arm=-1):
    """One patient through every layer (as ``ketasim patient``): a dict of DataFrames "patient",
    "doses", "pk", "cascade", "fear", "visits". ``arm`` simulates another arm (counterfactual)."""
    sc = _scenario(scenario)
    ctx = _Ctx(0, 1)
    tr = _P()
    ctx.check(_trace(ctx.p, sc.p, None, int(patient_id), int(arm), ctypes.byref(tr)))
    try:
        out = {}
        for name in ("patient", "doses", "pk", "cascade", "fear", "visits"):
            t = _P()
            ctx.check(_api_trace(ctx.p, tr, name.encode(), ctypes.byref(t)))
            out[name] = _frame(ctx, t)
    finally:
        _trace_destroy(ctypes.byref(tr))
    return out


def _regimen(drug, route, dose, infusion, weight, repeat, every, model, allow_unstudied):
    s = lambda x: None if x is None else str(x).encode()  # noqa: E731
    return _Regimen(s(drug), s(route), s(dose), s(infusion), s(weight), s(every), s(model), int(repeat),
                    int(bool(allow_unstudied)))


def pk(drug, route, dose, infusion=None, weight=None, duration="24 h", step="1 min", repeat=1, every=None,
       model=None, allow_unstudied=False):
    """Plasma, effect-site and unbound brain concentrations of a regimen for the typical patient."""
    ctx = _Ctx()
    reg = _regimen(drug, route, dose, infusion, weight, repeat, every, model, allow_unstudied)
    t = _P()
    ctx.check(_api_pk(ctx.p, ctypes.byref(reg), _hours(duration, "duration"), _hours(step, "step"),
                      ctypes.byref(t)))
    return _frame(ctx, t)


def cascade(drug, route, dose, infusion=None, weight=None, duration="14 d", step="10 min", repeat=1,
            every=None, deficit=None, allow_unstudied=False):
    """Receptor block and the plasticity cascade (glutamate, BDNF, mTORC1, spines, window)."""
    ctx = _Ctx()
    reg = _regimen(drug, route, dose, infusion, weight, repeat, every, None, allow_unstudied)
    t = _P()
    ctx.check(_api_cascade(ctx.p, ctypes.byref(reg), _hours(duration, "duration"), _hours(step, "step"),
                           -1.0 if deficit is None else float(deficit), ctypes.byref(t)))
    return _frame(ctx, t)
