/* SPDX-License-Identifier: MIT */
/* Fear memory: the public API and the default two-trace model (trauma association A, labile and
 * consolidated extinction E_l, E_c). Equations and sources: docs/model/fear.md. */
#include "fear_internal.h"
#include "core/core_internal.h"

#include <math.h>
#include <string.h>

#define LN2 0.69314718055994530942
#define MAX_SUBSTEP_MIN 5.0 /* exposure learning is integrated in steps of at most 5 minutes */

ks_fear_drive ks_fear_drive_default(void) {
  ks_fear_drive d = {.window = 0.0, .vmpfc_amygdala_gain = 0.8, .hippocampal_context = 1.0,
                     .stress = 0.0, .approach = 0.0};
  return d;
}

ks_fear_params ks_fear_params_default(ks_fear_model model) {
  ks_fear_params p;
  memset(&p, 0, sizeof p);
  p.model = model;
  p.beta_extinction = 4.0;
  p.gamma_topdown = 1.5;
  p.recall_gain_half = 0.8;
  p.recall_hill = 4.0;
  p.alpha_ext_per_min = 0.006;
  p.k_window_learning = 1.0;
  p.k_window_consolidation = 2.0;
  p.consolidation_per_day = 0.5;
  p.labile_loss_per_day = 1.0;
  p.consolidated_halflife_days = 60.0;
  p.association_halflife_days = 1825.0;
  p.reminder_rate_per_day = 2.0;
  p.reminder_minutes = 5.0;
  p.avoidance_max = 0.9;
  p.avoidance_f50 = 0.45;
  p.avoidance_hill = 2.0;
  p.stress_gain = 1.0;
  p.stress_recall_loss = 1.0;
  p.stress_tau_days = 2.0;
  p.recon_window_h = 3.0;
  p.recon_fraction = 0.5;
  p.recon_window_rate_per_day = 2.0;
  p.lcm_particles = 200;
  p.lcm_causes = 10;
  p.lcm_alpha = 2.0;
  p.lcm_stickiness = 0.5;
  p.lcm_beta_a = 0.1;
  p.lcm_beta_b = 0.1;
  p.lcm_us_learning_rate = 0.2;
  p.lcm_window_alpha_drop = 100.0;
  p.lcm_kernel_tau_days[0] = 0.05;
  p.lcm_kernel_tau_days[1] = 1.0;
  p.lcm_kernel_tau_days[2] = 30.0;
  p.lcm_kernel_weight[0] = 1.0;
  p.lcm_kernel_weight[1] = 0.3;
  p.lcm_kernel_weight[2] = 0.05;
  p.lcm_kernel_weight_count = 0.01;
  p.lcm_trial_minutes = 10.0;
  p.lcm_trauma_trials = 10.0;
  return p;
}

static int finite_pos(double x) { return isfinite(x) && x > 0.0; }
static int finite_nonneg(double x) { return isfinite(x) && x >= 0.0; }

static ks_status check_params(ks_ctx *ctx, const ks_fear_params *p) {
#define REQ(cond, what)                                                                 \
  do {                                                                                  \
    if (!(cond)) return ks_ctx_fail(ctx, KS_EINVAL, "ks_fear_create: %s", what);       \
  } while (0)
  REQ(p->model == KS_FEAR_MODEL_TWO_TRACE || p->model == KS_FEAR_MODEL_LATENT_CAUSE,
      "unknown model (expected two-trace or latent-cause)");
  REQ(finite_nonneg(p->beta_extinction), "beta_extinction must be >= 0");
  REQ(finite_nonneg(p->gamma_topdown), "gamma_topdown must be >= 0");
  REQ(finite_pos(p->recall_gain_half) && finite_pos(p->recall_hill), "recall parameters must be > 0");
  REQ(finite_nonneg(p->alpha_ext_per_min), "alpha_ext_per_min must be >= 0");
  REQ(finite_nonneg(p->k_window_learning) && finite_nonneg(p->k_window_consolidation),
      "window gains must be >= 0");
  REQ(finite_nonneg(p->consolidation_per_day) && finite_nonneg(p->labile_loss_per_day),
      "extinction rates must be >= 0");
  REQ(finite_pos(p->consolidated_halflife_days) && finite_pos(p->association_halflife_days),
      "half-lives must be > 0");
  REQ(finite_nonneg(p->reminder_rate_per_day) && finite_nonneg(p->reminder_minutes),
      "reminder rate and minutes must be >= 0");
  REQ(finite_nonneg(p->avoidance_max) && p->avoidance_max < 1.0, "avoidance_max must be in [0, 1)");
  REQ(finite_pos(p->avoidance_f50) && finite_pos(p->avoidance_hill), "avoidance f50 and hill must be > 0");
  REQ(finite_nonneg(p->stress_gain) && finite_nonneg(p->stress_recall_loss) &&
          finite_pos(p->stress_tau_days), "stress parameters must be >= 0 (tau > 0)");
  REQ(finite_pos(p->recon_window_h) && finite_nonneg(p->recon_fraction) && p->recon_fraction <= 1.0 &&
          finite_nonneg(p->recon_window_rate_per_day), "reconsolidation parameters out of range");
  if (p->model == KS_FEAR_MODEL_LATENT_CAUSE) {
    REQ(p->lcm_particles >= 1 && p->lcm_particles <= 100000, "lcm_particles must be in [1, 100000]");
    REQ(p->lcm_causes >= 2 && p->lcm_causes <= KS_FEAR_LCM_MAX_CAUSES, "lcm_causes must be in [2, 16]");
    REQ(finite_nonneg(p->lcm_alpha) && finite_nonneg(p->lcm_stickiness), "lcm alpha, stickiness >= 0");
    REQ(finite_pos(p->lcm_beta_a) && finite_pos(p->lcm_beta_b), "lcm Beta prior must be > 0");
    REQ(finite_nonneg(p->lcm_us_learning_rate) && p->lcm_us_learning_rate < 1.0,
        "lcm_us_learning_rate must be in [0, 1)");
    REQ(finite_nonneg(p->lcm_window_alpha_drop), "lcm_window_alpha_drop must be >= 0");
    for (int m = 0; m < 3; m++)
      REQ(finite_pos(p->lcm_kernel_tau_days[m]) && finite_nonneg(p->lcm_kernel_weight[m]),
          "lcm kernel time scales must be > 0 and weights >= 0");
    REQ(finite_nonneg(p->lcm_kernel_weight_count), "lcm_kernel_weight_count must be >= 0");
    REQ(finite_pos(p->lcm_trial_minutes) && finite_pos(p->lcm_trauma_trials),
        "lcm trial minutes and trauma trials must be > 0");
  }
#undef REQ
  return KS_OK;
}

static ks_status check_drive(ks_ctx *ctx, const ks_fear_drive *d, const char *fn) {
  if (!d) return ks_ctx_fail(ctx, KS_EINVAL, "%s: drive is NULL", fn);
  if (!finite_nonneg(d->window) || !finite_pos(d->vmpfc_amygdala_gain) ||
      !(d->hippocampal_context >= 0.0 && d->hippocampal_context <= 1.0) ||
      !(d->stress >= 0.0 && d->stress <= 1.0) || !(d->approach >= 0.0 && d->approach <= 1.0))
    return ks_ctx_fail(ctx, KS_EINVAL,
                       "%s: drive out of range (window >= 0, gain > 0, context, stress and approach in [0, 1])",
                       fn);
  return KS_OK;
}

ks_status ks_fear_create(ks_ctx *ctx, const ks_fear_params *p, ks_fear **out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, p != NULL && out != NULL);
  KS_TRY(check_params(ctx, p));
  ks_fear *f = ks_calloc(ctx, 1, sizeof *f);
  if (!f) return KS_ENOMEM;
  f->ctx = ctx;
  f->p = *p;
  f->drive = ks_fear_drive_default();
  f->g_base = f->drive.vmpfc_amygdala_gain;
  if (p->model == KS_FEAR_MODEL_LATENT_CAUSE) {
    ks_status st = ks__lcm_alloc(f);
    if (st != KS_OK) {
      ks_free(ctx, f);
      return st;
    }
  }
  *out = f;
  return KS_OK;
}

void ks_fear_destroy(ks_fear **f) {
  if (!f || !*f) return;
  ks__lcm_free(*f);
  ks_free((*f)->ctx, *f);
  *f = NULL;
}

/* ---- two-trace model ---------------------------------------------------------------------- */

/* Extinction recall: a Hill function of the vmPFC->amygdala gain, normalised to 1 at the healthy
 * gain 1 (Milad & Quirk 2002; Milad 2009), times the context match (Bouton 2004), divided by the
 * stress state (Maren & Holmes 2016: stress impairs extinction retrieval). */
static double recall(const ks_fear_params *p, const ks_fear_drive *d, double s) {
  double kn = pow(p->recall_gain_half, p->recall_hill);
  double gn = pow(d->vmpfc_amygdala_gain, p->recall_hill);
  double h = (1.0 + kn) * gn / (gn + kn);
  return d->hippocampal_context * h / (1.0 + p->stress_recall_loss * s);
}

/* Fear expression F = A (1 + g_s s) / (1 + gamma g + beta E R), clamped to [0, 1]. */
static double expression_2t(const ks_fear *f, const ks_fear_drive *d) {
  const ks_fear_params *p = &f->p;
  double E = f->El + f->Ec;
  double num = f->A * (1.0 + p->stress_gain * f->s);
  double den = 1.0 + p->gamma_topdown * d->vmpfc_amygdala_gain + p->beta_extinction * E * recall(p, d, f->s);
  double F = num / den;
  if (!(F > 0.0)) F = 0.0;
  return F > 1.0 ? 1.0 : F;
}

static double expression_lcm(const ks_fear *f, const ks_fear_drive *d) {
  const ks_fear_params *p = &f->p;
  double v = ks__lcm_predict(f, f->t_days, KS_FEAR_CTX_DAILY, fmax(d->hippocampal_context, 1e-3));
  /* vmPFC top-down inhibition scales the readout, as in the two-trace model. */
  double top = (1.0 + p->gamma_topdown * f->g_base) / (1.0 + p->gamma_topdown * d->vmpfc_amygdala_gain);
  double F = f->lcm.cr_scale * v * top;
  if (!(F > 0.0)) F = 0.0;
  return F > 1.0 ? 1.0 : F;
}

static double expression(const ks_fear *f, const ks_fear_drive *d) {
  return f->p.model == KS_FEAR_MODEL_LATENT_CAUSE ? expression_lcm(f, d) : expression_2t(f, d);
}

/* Avoidance: a Hill function of fear expression (avoidance is learned fast and tracks fear;
 * Krypotos 2015). */
static double avoidance_of(const ks_fear_params *p, double F) {
  double fn = pow(F, p->avoidance_hill), kn = pow(p->avoidance_f50, p->avoidance_hill);
  return p->avoidance_max * fn / (fn + kn);
}

/* Share of daily-life reminders met: avoidance cuts them short, approach (expectancy of
 * improvement, encouragement) overcomes part of the avoidance. */
static double reminder_share(const ks_fear_params *p, double F, const ks_fear_drive *d) {
  return 1.0 - avoidance_of(p, F) * (1.0 - d->approach);
}

ks_status ks_fear_init(ks_fear *f, double severity, const ks_fear_drive *baseline, uint64_t patient_id) {
  if (!f) return KS_EINVAL;
  KS_TRY(check_drive(f->ctx, baseline, "ks_fear_init"));
  if (!(severity > 0.0 && severity < 1.0))
    return ks_ctx_fail(f->ctx, KS_EINVAL, "ks_fear_init: severity %g outside (0, 1)", severity);
  const ks_fear_params *p = &f->p;
  f->drive = *baseline;
  f->g_base = baseline->vmpfc_amygdala_gain;
  f->t_days = 0.0;
  f->L = 0.0;
  f->s = baseline->stress;
  f->n_reminders = 0.0;
  f->n_minutes = 0.0;
  if (p->model == KS_FEAR_MODEL_LATENT_CAUSE) {
    f->A = f->El = f->Ec = 0.0;
    ks__lcm_reset(f, patient_id);
    /* The trauma: acquisition trials (CS + US in the trauma context) two years before baseline,
     * one a minute; then the baseline US expectancy in daily life sets the readout scale. */
    int x[KS_LCM_D] = {0};
    x[KS_LCM_US] = 1;
    x[KS_LCM_CS] = 1;
    x[2 + KS_FEAR_CTX_TRAUMA] = 1;
    int n_tr = (int)ceil(p->lcm_trauma_trials);
    for (int i = 0; i < n_tr; i++) ks__lcm_trial(f, -730.0 + i / 1440.0, x, 0.0, 1.0);
    double v0 = ks__lcm_predict(f, 0.0, KS_FEAR_CTX_DAILY, fmax(baseline->hippocampal_context, 1e-3));
    f->lcm.cr_scale = severity / fmax(v0, 1e-6);
    return KS_OK;
  }
  /* Mean-field steady state of reminders (learning) against forgetting (docs/model/fear.md, eq. 9). */
  double F0 = severity;
  double av = avoidance_of(p, F0);
  double lam = p->reminder_rate_per_day * (1.0 - av);
  double inflow = lam * p->alpha_ext_per_min * F0 * p->reminder_minutes * (1.0 - av);
  double kappa = p->consolidation_per_day * baseline->vmpfc_amygdala_gain;
  double a = p->labile_loss_per_day + kappa;
  double lam_c = LN2 / p->consolidated_halflife_days;
  double c = a > 0.0 ? (1.0 + kappa / lam_c) / a : 0.0;
  double E = inflow * c / (1.0 + inflow * c);
  f->El = a > 0.0 ? inflow * (1.0 - E) / a : 0.0;
  f->Ec = kappa * f->El / lam_c;
  double R = recall(p, baseline, f->s);
  f->A = F0 * (1.0 + p->gamma_topdown * baseline->vmpfc_amygdala_gain + p->beta_extinction * (f->El + f->Ec) * R) /
         (1.0 + p->stress_gain * f->s);
  return KS_OK;
}

/* Extinction learning over `minutes` of exposure (Rescorla-Wagner with prediction error F and
 * capacity 1 - E; rate x (1 + k_W W)). While the memory is labile, a share of the learning weakens
 * the association itself (reconsolidation update). */
static void learn_2t(ks_fear *f, const ks_fear_drive *d, double minutes) {
  const ks_fear_params *p = &f->p;
  double rate = p->alpha_ext_per_min * (1.0 + p->k_window_learning * d->window);
  double left = minutes;
  while (left > 1e-12) {
    double dm = left > MAX_SUBSTEP_MIN ? MAX_SUBSTEP_MIN : left;
    double F = expression_2t(f, d);
    double E = f->El + f->Ec;
    double dE = rate * F * fmax(0.0, 1.0 - E) * dm;
    if (dE > 1.0 - E) dE = fmax(0.0, 1.0 - E);
    double share = p->recon_fraction * f->L;
    f->A *= exp(-share * dE);
    f->El += (1.0 - share) * dE;
    left -= dm;
  }
}

static void learn_lcm(ks_fear *f, const ks_fear_drive *d, double minutes, int ctx_id) {
  const ks_fear_params *p = &f->p;
  int n = (int)floor(minutes / p->lcm_trial_minutes + 0.5);
  if (n < 1) n = 1;
  int x[KS_LCM_D] = {0};
  x[KS_LCM_CS] = 1;
  x[2 + ctx_id] = 1;
  double h = fmax(d->hippocampal_context, 1e-3);
  for (int i = 0; i < n; i++)
    ks__lcm_trial(f, f->t_days + i * p->lcm_trial_minutes / 1440.0, x, d->window, h);
}

ks_status ks_fear_exposure(ks_fear *f, const ks_fear_drive *drive, double minutes, ks_fear_exposure_kind kind) {
  if (!f) return KS_EINVAL;
  KS_TRY(check_drive(f->ctx, drive, "ks_fear_exposure"));
  if (!(isfinite(minutes) && minutes > 0.0 && minutes <= 1440.0))
    return ks_ctx_fail(f->ctx, KS_EINVAL, "ks_fear_exposure: minutes %g outside (0, 1440]", minutes);
  if (kind != KS_FEAR_EXPOSURE_REMINDER && kind != KS_FEAR_EXPOSURE_THERAPY &&
      kind != KS_FEAR_EXPOSURE_RETRIEVAL)
    return ks_ctx_fail(f->ctx, KS_EINVAL, "ks_fear_exposure: unknown exposure kind %d", (int)kind);
  f->drive = *drive;
  double eff = minutes;
  if (kind == KS_FEAR_EXPOSURE_REMINDER) eff *= reminder_share(&f->p, expression(f, drive), drive);
  if (kind == KS_FEAR_EXPOSURE_THERAPY) f->n_minutes += minutes;
  if (f->p.model == KS_FEAR_MODEL_LATENT_CAUSE) {
    learn_lcm(f, drive, minutes, kind == KS_FEAR_EXPOSURE_THERAPY ? KS_FEAR_CTX_THERAPY : KS_FEAR_CTX_DAILY);
  } else {
    learn_2t(f, drive, eff);
  }
  /* A brief isolated retrieval destabilises the memory (Nader 2000; Monfils 2009). */
  if (kind == KS_FEAR_EXPOSURE_RETRIEVAL) f->L = 1.0;
  return KS_OK;
}

ks_status ks_fear_stressor(ks_fear *f, double magnitude) {
  if (!f) return KS_EINVAL;
  if (!finite_nonneg(magnitude) || magnitude > 10.0)
    return ks_ctx_fail(f->ctx, KS_EINVAL, "ks_fear_stressor: magnitude %g outside [0, 10]", magnitude);
  if (magnitude == 0.0) return KS_OK;
  if (f->p.model == KS_FEAR_MODEL_LATENT_CAUSE) {
    /* Reinstatement as in Gershman, Blei & Niv 2010: US-alone trials in the daily context. */
    int x[KS_LCM_D] = {0};
    x[KS_LCM_US] = 1;
    x[2 + KS_FEAR_CTX_DAILY] = 1;
    int n = (int)ceil(magnitude);
    for (int i = 0; i < n; i++) ks__lcm_trial(f, f->t_days + i / 1440.0, x, f->drive.window, 1.0);
  } else {
    f->s += magnitude;
  }
  return KS_OK;
}

/* Exact propagation of the linear between-event dynamics over dt days (docs/model/fear.md, eqs. 5-8). */
static void propagate_2t(ks_fear *f, const ks_fear_drive *d, double dt) {
  const ks_fear_params *p = &f->p;
  double kappa = p->consolidation_per_day * d->vmpfc_amygdala_gain * (1.0 + p->k_window_consolidation * d->window);
  double a = p->labile_loss_per_day + kappa;
  double lam_c = LN2 / p->consolidated_halflife_days;
  double ea = exp(-a * dt), ec = exp(-lam_c * dt);
  double el0 = f->El;
  double transfer;
  if (fabs(a - lam_c) > 1e-12)
    transfer = kappa * el0 * (ec - ea) / (a - lam_c);
  else
    transfer = kappa * el0 * dt * ea;
  f->El = el0 * ea;
  f->Ec = f->Ec * ec + transfer;
  double tau_L = p->recon_window_h / 24.0;
  double intL = f->L * tau_L * (1.0 - exp(-dt / tau_L));
  f->A *= exp(-LN2 / p->association_halflife_days * dt - p->recon_window_rate_per_day * d->window * intL);
}

static void propagate_common(ks_fear *f, const ks_fear_drive *d, double dt) {
  const ks_fear_params *p = &f->p;
  f->L *= exp(-dt * 24.0 / p->recon_window_h);
  f->s = d->stress + (f->s - d->stress) * exp(-dt / p->stress_tau_days);
  f->t_days += dt;
}

ks_status ks_fear_advance(ks_fear *f, double dt_days, const ks_fear_drive *drive, ks_rng *rng) {
  if (!f) return KS_EINVAL;
  KS_TRY(check_drive(f->ctx, drive, "ks_fear_advance"));
  if (!(isfinite(dt_days) && dt_days > 0.0 && dt_days <= 3650.0))
    return ks_ctx_fail(f->ctx, KS_EINVAL, "ks_fear_advance: dt_days %g outside (0, 3650]", dt_days);
  const ks_fear_params *p = &f->p;
  f->drive = *drive;
  double left = dt_days;
  while (left > 0.0) {
    double step = left;
    int event = 0;
    if (rng && p->reminder_rate_per_day > 0.0 && p->reminder_minutes > 0.0) {
      /* Reminder rate held at its value at the start of the interval (the last event). */
      double lam = p->reminder_rate_per_day * reminder_share(p, expression(f, drive), drive);
      if (lam > 0.0) {
        double wait = -log(ks_rng_uniform(rng)) / lam;
        if (wait < left) {
          step = wait;
          event = 1;
        }
      }
    }
    if (p->model == KS_FEAR_MODEL_TWO_TRACE) propagate_2t(f, drive, step);
    propagate_common(f, drive, step);
    left -= step;
    if (event) {
      f->n_reminders += 1.0;
      double eff = p->reminder_minutes;
      if (p->model == KS_FEAR_MODEL_LATENT_CAUSE) {
        learn_lcm(f, drive, eff, KS_FEAR_CTX_DAILY);
      } else {
        eff *= reminder_share(p, expression_2t(f, drive), drive);
        learn_2t(f, drive, eff);
      }
    }
  }
  return KS_OK;
}

double ks_fear_expression(const ks_fear *f) { return f ? expression(f, &f->drive) : 0.0; }

double ks_fear_expression_under(const ks_fear *f, const ks_fear_drive *drive) {
  if (!f || !drive) return 0.0;
  ks_fear_drive d = *drive;
  if (!(d.vmpfc_amygdala_gain > 0.0) || !isfinite(d.vmpfc_amygdala_gain)) d.vmpfc_amygdala_gain = f->drive.vmpfc_amygdala_gain;
  if (!(d.hippocampal_context >= 0.0 && d.hippocampal_context <= 1.0)) d.hippocampal_context = 1.0;
  return expression(f, &d);
}

double ks_fear_avoidance(const ks_fear *f) {
  return f ? avoidance_of(&f->p, expression(f, &f->drive)) : 0.0;
}

ks_status ks_fear_get_snapshot(const ks_fear *f, ks_fear_snapshot *out) {
  if (!f || !out) return KS_EINVAL;
  memset(out, 0, sizeof *out);
  out->t_days = f->t_days;
  out->association = f->A;
  out->extinction_labile = f->El;
  out->extinction_consolidated = f->Ec;
  out->lability = f->L;
  out->stress_state = f->s;
  out->fear_expression = expression(f, &f->drive);
  out->avoidance = avoidance_of(&f->p, out->fear_expression);
  out->n_reminders = f->n_reminders;
  out->n_exposure_minutes = f->n_minutes;
  if (f->p.model == KS_FEAR_MODEL_LATENT_CAUSE) {
    out->lcm_causes_mean = ks__lcm_causes_mean(f);
    out->lcm_p_trauma_cause = ks__lcm_p_cause0(f, f->t_days, KS_FEAR_CTX_DAILY,
                                               fmax(f->drive.hippocampal_context, 1e-3));
  }
  return KS_OK;
}

/* ---- latent-cause laboratory API ---------------------------------------------------------- */

ks_status ks_fear_lcm_trial(ks_fear *f, double t_days, int cs, ks_fear_context ctx_id, int us,
                            double window, double *cr_out) {
  if (!f) return KS_EINVAL;
  if (f->p.model != KS_FEAR_MODEL_LATENT_CAUSE)
    return ks_ctx_fail(f->ctx, KS_EUNSUPPORTED, "ks_fear_lcm_trial: not a latent-cause model");
  if ((int)ctx_id < 0 || ctx_id >= KS_FEAR_CTX_N || !isfinite(t_days) || !finite_nonneg(window) ||
      t_days < f->lcm.t_last_days)
    return ks_ctx_fail(f->ctx, KS_EINVAL,
                       "ks_fear_lcm_trial: bad context, window or time (t %g before last trial %g)",
                       t_days, f->lcm.t_last_days);
  int x[KS_LCM_D] = {0};
  x[KS_LCM_US] = us != 0;
  x[KS_LCM_CS] = cs != 0;
  x[2 + ctx_id] = 1;
  double cr = ks__lcm_trial(f, t_days, x, window, 1.0);
  if (t_days > f->t_days) f->t_days = t_days;
  if (cr_out) *cr_out = cr;
  return KS_OK;
}

ks_status ks_fear_lcm_probe(const ks_fear *f, double t_days, ks_fear_context ctx_id, double *cr_out) {
  if (!f || !cr_out) return KS_EINVAL;
  if (f->p.model != KS_FEAR_MODEL_LATENT_CAUSE)
    return ks_ctx_fail(f->ctx, KS_EUNSUPPORTED, "ks_fear_lcm_probe: not a latent-cause model");
  if ((int)ctx_id < 0 || ctx_id >= KS_FEAR_CTX_N || !isfinite(t_days))
    return ks_ctx_fail(f->ctx, KS_EINVAL, "ks_fear_lcm_probe: bad context or time");
  *cr_out = ks__lcm_predict(f, t_days, (int)ctx_id, 1.0);
  return KS_OK;
}

ks_status ks_fear_lcm_reset_naive(ks_fear *f, uint64_t patient_id) {
  if (!f) return KS_EINVAL;
  if (f->p.model != KS_FEAR_MODEL_LATENT_CAUSE)
    return ks_ctx_fail(f->ctx, KS_EUNSUPPORTED, "ks_fear_lcm_reset_naive: not a latent-cause model");
  ks__lcm_reset(f, patient_id);
  f->t_days = 0.0;
  f->lcm.cr_scale = 1.0;
  return KS_OK;
}
