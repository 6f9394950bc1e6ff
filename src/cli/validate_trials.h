/* SPDX-License-Identifier: MIT */
/* The trial library of `ketasim validate --trials` (validate_trials.c). */
#ifndef KS_CLI_VALIDATE_TRIALS_H
#define KS_CLI_VALIDATE_TRIALS_H

#include <ketasim/ketasim.h>

typedef enum {
  VT_PASS,          /* inside the band */
  VT_MISS,          /* outside the band */
  VT_MISSING,       /* no published number (NA in data/trials) */
  VT_NO_BAND,       /* a published number without a CI, or an SD and n: no band can be drawn */
  VT_NOT_SIMULATED, /* the run cannot compute the measure (e.g. too few patients) */
  VT_SKIPPED        /* the scenario language cannot express the trial yet */
} vt_status;

typedef struct vt_options {
  const char *library_dir;  /* examples/trials */
  const char *data_dir;     /* data/trials (library.tsv and TRIAL.tsv) */
  double n_scale;           /* patients = the published trial's n times this */
  int n_threads;
  int only_calibration;     /* 1: only the rows listed in data/targets/calibration.tsv */
  const char *const *scenarios; /* non-NULL: only rows of these scenarios (NULL-terminated) */
  long n_patients;          /* > 0: every scenario runs with this many patients (not n_scale) */
  int quiet;                /* 0: a progress line per trial simulated, on stderr */
  /* Layer parameters for every run (NULL: the committed calibrated set); `ketasim calibrate`. */
  const struct ks_link_params *link;
  const struct ks_mood_params *mood;
  const struct ks_clinic_params *clinic;
  /* >= 2: also K runs of the library over the calibrated parameter ensemble (ks_ensemble_draw,
   * keyed by the context's seed): each target gets the model's 95% prediction interval, which
   * widens its band (ks_target_band). 0: none. */
  size_t uncertainty_k;
} vt_options;

typedef struct vt_target {
  char id[80], scenario[48], contrast[96], endpoint[96], source[200], why[600];
  int calibration;          /* listed in data/targets/calibration.tsv */
  double published, ci_lo, ci_hi, sd, n;   /* the published figure (NAN: not published) */
  double lo, hi;            /* the band (ks_target_band), widened by the prediction interval when run */
  double lo_published, hi_published; /* the band from the published figure alone */
  double simulated, sim_lo, sim_hi;        /* simulated value and its own sampling 95% CI */
  double pred_lo, pred_hi;  /* the model's 95% prediction interval over the ensemble (NAN: not run) */
  vt_status status;
} vt_target;

typedef struct vt_cache {
  char name[48];
  int skip;
  char why[600];
  ks_scenario *sc;
  ks_trial_result *r;
} vt_cache;

/* Run the library: one entry per row of DATA_DIR/library.tsv, in order. */
ks_status vt_run(ks_ctx *ctx, const vt_options *o, vt_target *out, size_t cap, size_t *n);
const char *vt_status_name(vt_status s);

/* The "trial" layer of `ketasim validate`: the library rows of Feder 2021 (the calibration trial)
 * and Feder 2014 (examples/trials, data/trials: the one list of trial targets), each scenario run
 * with 4000 patients, as ks_target_result entries (ks_validate_fn). Rows without a published number
 * or a band are left to `validate --trials`, which lists them. */
ks_status vt_layer_targets(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n);

#endif
