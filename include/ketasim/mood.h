/* SPDX-License-Identifier: MIT */
/* Mood as a learned appraisal: the value a patient expects from everyday activity (reward and
 * control expectation), learned from daily outcomes, with a brief drug-evoked antidepressant state.
 * Part of the fear module (learning and memory); equations and sources: docs/model/fear.md, "Mood".
 *
 *  - V in (0, 1): learned value of everyday activity (Rescorla-Wagner; Huys 2013: anhedonia as
 *    low reward sensitivity; Maier & Seligman 2016: learned helplessness as the default when control
 *    is not detected). The clinic reads negative appraisal 1 - V_read.
 *  - Engagement e = (1 - Av (1 - approach)) V_read: avoidance and low mood reduce activity
 *    (Lewinsohn's behavioural account; Dimidjian 2011); outcomes follow engagement
 *    o = V0 + k_BA (e - e0) (+ expectancy bias), so more activity brings more reward.
 *  - Learning rate lambda = eta n0 (1 - Av (1 - approach)) (1 + k_W W): fewer activities, fewer
 *    updates; the window of plasticity raises the rate (how fast new appraisals are learned and so
 *    consolidated) (Moda-Sava 2019: synaptogenesis sustains, but does not start, the effect).
 *  - Acute state a: da/dt = u(t) - a / tau_a, u = the drug's eEF2 de-repression relative to one
 *    0.5 mg/kg infusion (Autry 2011: rapid, translation-dependent antidepressant response);
 *    V_read = V + c_a a. It lifts mood within hours and fades over days unless engagement and
 *    learning carry V up while it lasts.
 *  - Same-day expectancy x: dx/dt = (E e^(-t/tau_f) - x) / tau_x, E = the design's expectancy while
 *    treated, t = time on treatment;
 *    V_read gains c_x x: the expectation of improvement lowers reported symptoms from the first day
 *    (response expectancy, Kirsch 1985; Rutherford & Roose 2013) and, through engagement, is
 *    learned into V like any other lift.
 *  - Background antidepressant (docs/model/mood.md): its action s (dS/dt = (D(t) - s) / tau_s,
 *    D = 1 while taken) shifts the appraisal of everyday outcomes: o gains b_AD s. The shift is early,
 *    the mood change slow: V learns the new outcome value at the rate above (Harmer 2009: cognitive
 *    neuropsychological model of antidepressant action).
 *
 * Lifecycle: caller-allocated ks_mood; ks_mood_init -> ks_mood_advance ... (no allocation).
 * Thread-safety: one thread per ks_mood. */
#ifndef KETASIM_MOOD_H
#define KETASIM_MOOD_H

#include <ketasim/core.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ks_mood_params {
  double eta_per_activity;     /* Rescorla-Wagner rate per everyday activity at W = 0 */
  double activities_per_day;   /* everyday activities (outcomes) without avoidance, n0 */
  double k_window_learning;    /* learning-rate gain per unit W: (1 + k_W W) */
  double activation_gain;      /* outcome value per unit engagement above baseline, k_BA */
  double acute_readout;        /* V_read = V + c_a a */
  double acute_tau_days;       /* decay time of the acute state */
  double expectancy_bias;      /* outcome value added per unit expectancy while treated */
  double expectancy_readout;   /* c_x: V_read = ... + c_x x (same-day expectancy response) */
  double expectancy_tau_days;  /* tau_x: build-up time of x */
  double expectancy_fade_days; /* tau_f: the expectation of rapid improvement fades as E e^(-t/tau_f) */
  double antidepressant_bias;  /* b_AD: outcome value added at full background-antidepressant action */
  double antidepressant_tau_days; /* tau_s: approach of the action to steady state while taken */
} ks_mood_params;

/** Defaults (docs/model/fear.md, "Mood"). */
KS_API ks_mood_params ks_mood_params_default(void);

/* Inputs held constant over one step. */
typedef struct ks_mood_drive {
  double window;               /* W >= 0 */
  double avoidance;            /* Av in [0, 1) from the fear layer */
  double approach;             /* [0, 1]: share of avoidance overcome (expectancy) */
  double acute_rate_per_day;   /* u >= 0 (acute state units per day) */
  double expectancy;           /* [0, 1]: expectancy bias applies while > 0 */
  double antidepressant;       /* [0, 1]: 1 while a background oral antidepressant is taken */
} ks_mood_drive;

typedef struct ks_mood {
  ks_mood_params p;
  double value;                /* V */
  double acute;                /* a */
  double expect;               /* x: same-day expectancy response */
  double ad;                   /* s: background antidepressant action */
  double treated_days;         /* time with expectancy > 0 (for the fading of x) */
  double value0, engagement0;  /* baseline fixed point */
} ks_mood;

/** Start at the steady state V = value0 in (0, 1) under baseline avoidance av0 in [0, 1), a = x = s = 0.
 *  @return KS_OK, KS_EINVAL (value0 or av0 out of range, bad parameter). */
KS_API ks_status ks_mood_init(ks_mood *m, const ks_mood_params *p, double value0, double av0);

/** Advance dt_days (> 0) with the drive held constant: the acute state exactly; V exactly toward
 *  the outcome value at the start of the step. @return KS_OK, KS_EINVAL. */
KS_API ks_status ks_mood_advance(ks_mood *m, double dt_days, const ks_mood_drive *d);

/** V_read = V + c_a a + c_x x, clamped to (0, 1): what the patient reports. */
KS_API double ks_mood_value(const ks_mood *m);

#ifdef __cplusplus
}
#endif
#endif
