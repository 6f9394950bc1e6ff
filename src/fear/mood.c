/* SPDX-License-Identifier: MIT */
/* Mood as a learned appraisal (include/ketasim/mood.h; docs/model/fear.md, "Mood"). */
#include <ketasim/mood.h>

#include <math.h>

ks_mood_params ks_mood_params_default(void) {
  ks_mood_params p;
  p.eta_per_activity = 0.05;
  p.activities_per_day = 4.0;
  p.k_window_learning = 3.0;
  p.activation_gain = 0.3;
  p.acute_readout = 0.1;
  p.acute_tau_days = 1.5;
  p.expectancy_bias = 0.0;
  p.expectancy_readout = 0.234;
  p.expectancy_tau_days = 0.25;
  p.expectancy_fade_days = 7.0;
  p.antidepressant_bias = 0.087;
  p.antidepressant_tau_days = 1.5;
  return p;
}

static int bad_params(const ks_mood_params *p) {
  return !(p->eta_per_activity >= 0.0 && p->eta_per_activity <= 1.0) || !(p->activities_per_day >= 0.0) ||
         !isfinite(p->activities_per_day) || !(p->k_window_learning >= 0.0) || !isfinite(p->k_window_learning) ||
         !(p->activation_gain >= 0.0 && p->activation_gain < 2.0) || !(p->acute_readout >= 0.0) ||
         !isfinite(p->acute_readout) || !(p->acute_tau_days > 0.0) || !isfinite(p->acute_tau_days) ||
         !isfinite(p->expectancy_bias) || !(p->expectancy_readout >= 0.0 && p->expectancy_readout <= 1.0) ||
         !(p->expectancy_tau_days > 0.0) || !isfinite(p->expectancy_tau_days) || !(p->expectancy_fade_days > 0.0) ||
         !isfinite(p->expectancy_fade_days) ||
         !(p->antidepressant_bias >= 0.0 && p->antidepressant_bias <= 1.0) || !(p->antidepressant_tau_days > 0.0) ||
         !isfinite(p->antidepressant_tau_days);
}

static double clamp(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

/* What the patient experiences: learned value plus the drug's acute lift. */
static double felt_value(const ks_mood *m) { return clamp(m->value + m->p.acute_readout * m->acute, 0.005, 0.995); }

/* What the patient reports: the felt value appraised through the expectation of improvement
 * (response expectancy acts on the appraisal of one's state, not on everyday outcomes). */
double ks_mood_value(const ks_mood *m) {
  return m ? clamp(felt_value(m) + m->p.expectancy_readout * m->expect, 0.005, 0.995) : 0.0;
}

/* Share of everyday activity the patient does: avoidance cuts it, approach restores it. */
static double activity(const ks_mood_drive *d) { return 1.0 - d->avoidance * (1.0 - d->approach); }

ks_status ks_mood_init(ks_mood *m, const ks_mood_params *p, double value0, double av0) {
  if (!m || !p || bad_params(p) || !(value0 > 0.0 && value0 < 1.0) || !(av0 >= 0.0 && av0 < 1.0)) return KS_EINVAL;
  m->p = *p;
  m->value = m->value0 = value0;
  m->acute = m->expect = m->ad = m->treated_days = 0.0;
  m->engagement0 = (1.0 - av0) * value0;
  return KS_OK;
}

ks_status ks_mood_advance(ks_mood *m, double dt_days, const ks_mood_drive *d) {
  if (!m || !d || !(dt_days > 0.0) || !isfinite(dt_days) || !(d->window >= 0.0) || !isfinite(d->window) ||
      !(d->avoidance >= 0.0 && d->avoidance < 1.0) || !(d->approach >= 0.0 && d->approach <= 1.0) ||
      !(d->acute_rate_per_day >= 0.0) || !isfinite(d->acute_rate_per_day) ||
      !(d->expectancy >= 0.0 && d->expectancy <= 1.0) || !(d->antidepressant >= 0.0 && d->antidepressant <= 1.0))
    return KS_EINVAL;
  const ks_mood_params *p = &m->p;
  double act = activity(d);
  /* Outcome value: baseline plus what extra engagement brings (behavioural activation) and the
   * expectancy bias of a treated patient, plus the background antidepressant's shift of the
   * appraisal of outcomes (Harmer 2009); read at the start of the step. */
  double engagement = act * felt_value(m);
  double o = clamp(m->value0 + p->activation_gain * (engagement - m->engagement0) + p->expectancy_bias * d->expectancy +
                       p->antidepressant_bias * m->ad,
                   0.005, 0.995);
  double lam = p->eta_per_activity * p->activities_per_day * act * (1.0 + p->k_window_learning * d->window);
  m->value = o + (m->value - o) * exp(-lam * dt_days);
  /* Acute state: exact solution of da/dt = u - a / tau with u constant over the step. */
  double ea = exp(-dt_days / p->acute_tau_days);
  m->acute = m->acute * ea + d->acute_rate_per_day * p->acute_tau_days * (1.0 - ea);
  /* Same-day expectancy: first-order approach (exact over the step) to the expectation of rapid
   * improvement, which fades with time on treatment (tau_f) while the clinic's slow placebo term
   * builds; antidepressant action: first-order approach to its drive. */
  double ex = d->expectancy * exp(-m->treated_days / p->expectancy_fade_days);
  m->expect = ex + (m->expect - ex) * exp(-dt_days / p->expectancy_tau_days);
  if (d->expectancy > 0.0) m->treated_days += dt_days;
  m->ad = d->antidepressant + (m->ad - d->antidepressant) * exp(-dt_days / p->antidepressant_tau_days);
  return KS_OK;
}
