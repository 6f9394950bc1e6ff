/* SPDX-License-Identifier: MIT */
/* The plasticity cascade ODE (docs/model/plasticity.md, equations P1-P15) and its solver. */
#include "core/core_internal.h"
#include "plasticity_internal.h"
#include <ketasim/ode.h>

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *const pathway_names[KS_PATH_N] = {"vmpfc_amygdala", "hippocampus_vmpfc", "dmn",
                                                     "salience"};

const char *ks_pathway_name(ks_pathway p) {
  return (p >= 0 && p < KS_PATH_N) ? pathway_names[p] : "unknown";
}

int ks_knockout_parse(const char *name) {
  if (!name) return -1;
  if (!strcmp(name, "none")) return KS_KO_NONE;
  if (!strcmp(name, "mtorc1") || !strcmp(name, "rapamycin")) return KS_KO_MTORC1;
  if (!strcmp(name, "ampa") || !strcmp(name, "nbqx")) return KS_KO_AMPA;
  if (!strcmp(name, "bdnf")) return KS_KO_BDNF;
  return -1;
}

const char *ks_knockout_name(ks_knockout k) {
  switch (k) {
  case KS_KO_NONE: return "none";
  case KS_KO_MTORC1: return "mtorc1";
  case KS_KO_AMPA: return "ampa";
  case KS_KO_BDNF: return "bdnf";
  }
  return "combined";
}

ks_cascade_params ks_cascade_params_default(void) {
  ks_cascade_params p;
  memset(&p, 0, sizeof p);
  p.spine_deficit_pfc = 0.15;   /* Radley 2004: -16% apical spines after chronic stress */
  p.spine_deficit_hpc = 0.10;   /* assumption, smaller than PFC (Logue 2018 volume d = -0.17) */
  p.disinhibition_scale = 1.0;
  p.bdnf_scale = 1.0;
  p.plasticity_scale = 1.0;
  p.relax_scale = 1.0;
  p.knockouts = KS_KO_NONE;

  p.tau_interneuron_h = 2.0 / 60.0;
  p.tau_pyramidal_h = 2.0 / 60.0;
  /* phi_I and k_H: calibrated to the Glx peak (+38% at 26 min, Milak 2016) through the PK layer's
   * default ketamine set (fanta2015, t1/2ke0 35 s); were 2.0 and 1.0 against a private Domino
   * reference. tau_H (40 min) kept. */
  p.interneuron_nmda_gain = 4.75;
  p.pyramidal_nmda_gain = 1.0;
  p.disinhibition_gain = 6.4;   /* Deco 2014 mass: 20% E->I NMDA loss +24%, 50% loss +156% */
  p.gabaa_gain = 1.0;
  p.tau_glutamate_h = 5.0 / 60.0;
  p.tau_mglur_h = 40.0 / 60.0;
  p.mglur_gain = 3.0;
  p.glx_fraction = 0.4;

  p.tau_ampa_h = 5.0 / 60.0;
  p.tau_eef2_h = 30.0 / 60.0;
  p.tau_bdnf_h = 15.0 / 60.0;
  p.bdnf_release_gain = 2.0;
  p.eef2_translation_gain = 10.0;
  p.tau_mtorc1_h = 15.0 / 60.0;
  p.mtorc1_gain = 1.0;
  p.tau_mtor_feedback_h = 40.0 / 60.0;
  p.mtor_feedback_gain = 0.7;

  p.protein_half_life_h = 36.0;
  p.protein_synthesis_gain = 25.0;
  p.spine_formation_per_h_pfc = 0.12;
  p.spine_formation_per_h_hpc = 0.09;
  p.spine_max = 1.10;
  p.spine_relax_d = 7.0;
  p.gain_tau_h = 12.0;
  p.salience_coupling = 1.0;
  p.window_k = 0.1;

  p.rtol = 1e-7;
  p.atol = 1e-10;
  p.max_step_h = 0.0;
  return p;
}

ks_status ks_cascade_params_check(ks_ctx *ctx, const ks_cascade_params *p) {
  KS_CHECK_ARG(ctx, p != NULL);
#define RANGE(field, lo, hi)                                                                     \
  if (!(isfinite(p->field) && p->field >= (lo) && p->field <= (hi)))                             \
  return ks_ctx_fail(ctx, KS_EINVAL, "cascade parameter %s = %g is outside [%g, %g]", #field,    \
                     p->field, (double)(lo), (double)(hi))
#define POS(field)                                                                               \
  if (!(isfinite(p->field) && p->field > 0.0))                                                   \
  return ks_ctx_fail(ctx, KS_EINVAL, "cascade parameter %s = %g must be finite and > 0", #field, \
                     p->field)
  RANGE(spine_deficit_pfc, 0.0, 0.6);
  RANGE(spine_deficit_hpc, 0.0, 0.6);
  RANGE(disinhibition_scale, 0.0, 10.0);
  RANGE(bdnf_scale, 0.0, 10.0);
  RANGE(plasticity_scale, 0.0, 10.0);
  RANGE(relax_scale, 0.05, 20.0);
  POS(tau_interneuron_h);
  POS(tau_pyramidal_h);
  RANGE(interneuron_nmda_gain, 0.0, 10.0);
  RANGE(pyramidal_nmda_gain, 0.0, 10.0);
  RANGE(disinhibition_gain, 0.0, 100.0);
  RANGE(gabaa_gain, 0.0, 100.0);
  POS(tau_glutamate_h);
  POS(tau_mglur_h);
  RANGE(mglur_gain, 0.0, 20.0);
  RANGE(glx_fraction, 0.0, 10.0);
  POS(tau_ampa_h);
  POS(tau_eef2_h);
  POS(tau_bdnf_h);
  RANGE(bdnf_release_gain, 0.0, 100.0);
  RANGE(eef2_translation_gain, 0.0, 1000.0);
  POS(tau_mtorc1_h);
  RANGE(mtorc1_gain, 0.0, 100.0);
  POS(tau_mtor_feedback_h);
  RANGE(mtor_feedback_gain, 0.0, 20.0);
  POS(protein_half_life_h);
  RANGE(protein_synthesis_gain, 0.0, 1000.0);
  RANGE(spine_formation_per_h_pfc, 0.0, 100.0);
  RANGE(spine_formation_per_h_hpc, 0.0, 100.0);
  RANGE(spine_max, 1.0, 3.0);
  POS(spine_relax_d);
  POS(gain_tau_h);
  RANGE(salience_coupling, 0.0, 10.0);
  POS(window_k);
  RANGE(rtol, 1e-12, 1e-3);
  RANGE(atol, 1e-16, 1e-3);
  RANGE(max_step_h, 0.0, 1e6);
#undef RANGE
#undef POS
  if (p->knockouts & ~(unsigned)(KS_KO_MTORC1 | KS_KO_AMPA | KS_KO_BDNF))
    return ks_ctx_fail(ctx, KS_EINVAL, "cascade parameter knockouts = %#x has unknown bits",
                       p->knockouts);
  return KS_OK;
}

/* Targets of the pathway gains for given spine densities (docs P13). */
static void gain_targets(const ks_cascade_params *p, double s_pfc, double s_hpc,
                         double g[KS_PATH_N]) {
  g[KS_PATH_VMPFC_AMYGDALA] = s_pfc;
  g[KS_PATH_HIPPOCAMPUS_VMPFC] = sqrt(fmax(s_pfc, 0.0) * fmax(s_hpc, 0.0));
  g[KS_PATH_DMN] = s_pfc;
  g[KS_PATH_SALIENCE] = 1.0 + p->salience_coupling * (1.0 - s_pfc);
}

static void steady_state_y(const ks_cascade_params *p, double *y) {
  for (int i = 0; i < KS__Y_N; i++) y[i] = 1.0;
  y[KS__Y_EEF2] = 0.0;
  y[KS__Y_SPFC] = 1.0 - p->spine_deficit_pfc;
  y[KS__Y_SHPC] = 1.0 - p->spine_deficit_hpc;
  gain_targets(p, y[KS__Y_SPFC], y[KS__Y_SHPC], &y[KS__Y_GAIN0]);
}

static double pos(double x) { return x > 0.0 ? x : 0.0; }

/* Right-hand side inputs: the receptor state at t, cached (the Jacobian by finite differences
 * evaluates many y at one t, and the concentration does not depend on y). */
typedef struct rhs_data {
  ks_ctx *ctx;
  const ks_cascade_params *p;
  const ks_receptor_params *rp;
  const ks_exposure *exposure;
  double t_cached;
  ks_receptor_state rec;
  ks_status exposure_status;
  char exposure_msg[256];
} rhs_data;

static int receptor_at(rhs_data *d, double t, ks_receptor_state *out) {
  if (t == d->t_cached) {
    *out = d->rec;
    return 0;
  }
  if (!d->exposure || !d->exposure->eval) {
    memset(&d->rec, 0, sizeof d->rec);
  } else {
    ks_pk_conc c;
    ks_status st = d->exposure->eval(d->exposure->ud, t, &c);
    if (st != KS_OK) {
      d->exposure_status = st;
      snprintf(d->exposure_msg, sizeof d->exposure_msg, "%s", ks_ctx_last_error(d->ctx));
      return -1;
    }
    ks_receptor_eval(d->rp, &c, &d->rec);
  }
  d->t_cached = t;
  *out = d->rec;
  return 0;
}

/* Drug-evoked part of a node above basal 1, removed by a knockout. */
static double evoked(double x, unsigned ko, unsigned flag) { return (ko & flag) ? 1.0 : x; }

static int cascade_rhs(double t, const double *yin, double *dy, void *ud) {
  rhs_data *d = ud;
  const ks_cascade_params *p = d->p;
  ks_receptor_state r;
  if (receptor_at(d, t, &r) != 0) return -1;
  /* States as the equations see them: CVODE's trial values may dip below 0 by rounding. */
  double y[KS__Y_N];
  for (int i = 0; i < KS__Y_N; i++) y[i] = pos(yin[i]);
  const unsigned ko = p->knockouts;

  /* P1-P2: population rates. GABA-A potentiation divides both (shunting inhibition). */
  double shunt = 1.0 / (1.0 + p->gabaa_gain * r.gabaa_potentiation);
  double i_ss = pos(1.0 - p->interneuron_nmda_gain * r.block_interneuron) * shunt;
  double loss = pos(1.0 - y[KS__Y_INT]);
  double e_ss = pos(1.0 + p->disinhibition_scale * p->disinhibition_gain * loss * loss -
                    p->pyramidal_nmda_gain * r.block_pyramidal) * shunt;
  dy[KS__Y_INT] = (i_ss - y[KS__Y_INT]) / p->tau_interneuron_h;
  dy[KS__Y_PYR] = (e_ss - y[KS__Y_PYR]) / p->tau_pyramidal_h;
  /* P3-P4: glutamate release with mGluR2/3 autoreceptor feedback. */
  double release = y[KS__Y_PYR] * exp(-p->mglur_gain * (y[KS__Y_MGLUR] - 1.0));
  dy[KS__Y_GLU] = (release - y[KS__Y_GLU]) / p->tau_glutamate_h;
  dy[KS__Y_MGLUR] = (y[KS__Y_GLU] - y[KS__Y_MGLUR]) / p->tau_mglur_h;
  /* P5: AMPA drive follows glutamate; NBQX removes the evoked part. */
  double a_ss = evoked(y[KS__Y_GLU], ko, KS_KO_AMPA);
  dy[KS__Y_AMPA] = (a_ss - y[KS__Y_AMPA]) / p->tau_ampa_h;
  /* P6: eEF2 de-repression follows the block of resting NMDA signalling on pyramidal cells. */
  dy[KS__Y_EEF2] = (r.block_pyramidal - y[KS__Y_EEF2]) / p->tau_eef2_h;
  /* P7: evoked BDNF release, from a pool enlarged by eEF2-dependent translation. */
  double b_ss = 1.0;
  if (!(ko & KS_KO_BDNF))
    b_ss += p->bdnf_scale * p->bdnf_release_gain * pos(y[KS__Y_AMPA] - 1.0) *
            (1.0 + p->eef2_translation_gain * y[KS__Y_EEF2]);
  dy[KS__Y_BDNF] = (b_ss - y[KS__Y_BDNF]) / p->tau_bdnf_h;
  /* P8-P9: TrkB -> mTORC1 with S6K1 negative feedback; rapamycin removes the evoked part. */
  double m_ss = (1.0 + p->mtorc1_gain * (y[KS__Y_BDNF] - 1.0)) *
                exp(-p->mtor_feedback_gain * (y[KS__Y_MTORFB] - 1.0));
  m_ss = evoked(pos(m_ss), ko, KS_KO_MTORC1);
  dy[KS__Y_MTOR] = (m_ss - y[KS__Y_MTOR]) / p->tau_mtorc1_h;
  dy[KS__Y_MTORFB] = (y[KS__Y_MTOR] - y[KS__Y_MTORFB]) / p->tau_mtor_feedback_h;
  /* P10: synaptic protein synthesis by mTORC1, first-order turnover. */
  double k_prot = log(2.0) / p->protein_half_life_h;
  double synth = pos(1.0 + p->protein_synthesis_gain * (y[KS__Y_MTOR] - 1.0));
  dy[KS__Y_PROT] = k_prot * (synth - y[KS__Y_PROT]);
  /* P11-P12: spines form from the protein rise (saturating at spine_max) and relax back to the
   * chronic-stress set point. */
  double dp = pos(y[KS__Y_PROT] - 1.0);
  double k_relax = 1.0 / (p->spine_relax_d * 24.0 * p->relax_scale);
  double set_pfc = 1.0 - p->spine_deficit_pfc, set_hpc = 1.0 - p->spine_deficit_hpc;
  dy[KS__Y_SPFC] = p->plasticity_scale * p->spine_formation_per_h_pfc * dp *
                       pos(p->spine_max - y[KS__Y_SPFC]) -
                   k_relax * (y[KS__Y_SPFC] - set_pfc);
  dy[KS__Y_SHPC] = p->plasticity_scale * p->spine_formation_per_h_hpc * dp *
                       pos(p->spine_max - y[KS__Y_SHPC]) -
                   k_relax * (y[KS__Y_SHPC] - set_hpc);
  /* P13: pathway gains follow their spine-determined targets. */
  double g[KS_PATH_N];
  gain_targets(p, y[KS__Y_SPFC], y[KS__Y_SHPC], g);
  double tau_g = p->gain_tau_h * p->relax_scale;
  for (int k = 0; k < KS_PATH_N; k++)
    dy[KS__Y_GAIN0 + k] = (g[k] - y[KS__Y_GAIN0 + k]) / tau_g;
  return 0;
}

static void fill_point(const ks_cascade_params *p, double t, const double *yin,
                       const ks_receptor_state *r, ks_cascade_point *o) {
  double y[KS__Y_N];
  for (int i = 0; i < KS__Y_N; i++) y[i] = isfinite(yin[i]) ? pos(yin[i]) : 0.0;
  o->t_h = t;
  o->nmda_occupancy = r->nmda_occupancy;
  o->block_interneuron = r->block_interneuron;
  o->block_pyramidal = r->block_pyramidal;
  o->gabaa_potentiation = r->gabaa_potentiation;
  o->sedation = r->sedation;
  o->interneuron = y[KS__Y_INT];
  o->pyramidal = y[KS__Y_PYR];
  o->glutamate = y[KS__Y_GLU];
  o->mglur_feedback = y[KS__Y_MGLUR];
  o->ampa = y[KS__Y_AMPA];
  o->eef2 = y[KS__Y_EEF2];
  o->bdnf = y[KS__Y_BDNF];
  o->mtorc1 = y[KS__Y_MTOR];
  o->mtor_feedback = y[KS__Y_MTORFB];
  o->proteins = y[KS__Y_PROT];
  o->spine_pfc = y[KS__Y_SPFC];
  o->spine_hpc = y[KS__Y_SHPC];
  for (int k = 0; k < KS_PATH_N; k++) o->gain[k] = y[KS__Y_GAIN0 + k];
  /* P14: Glx observable. P15: window of plasticity, a saturating function of the protein rise. */
  o->glx_pct = 100.0 * p->glx_fraction * (y[KS__Y_GLU] - 1.0);
  double dp = pos(y[KS__Y_PROT] - 1.0);
  o->window = dp / (dp + p->window_k);
}

ks_status ks_cascade_steady_state(ks_ctx *ctx, const ks_cascade_params *p, ks_cascade_point *out) {
  KS_CHECK_ARG(ctx, p && out);
  KS_TRY(ks_cascade_params_check(ctx, p));
  double y[KS__Y_N];
  steady_state_y(p, y);
  ks_receptor_state r = {0};
  fill_point(p, 0.0, y, &r, out);
  return KS_OK;
}

/* Where ks_ode_advance_outputs delivers the cascade's states: the points of a solve. */
typedef struct output_sink {
  const ks_cascade_params *p;
  rhs_data *d;
  ks_cascade_point *out;
  unsigned flags;
  size_t first;             /* index in out of the run's first output */
  double y_last[KS__Y_N];   /* the state at the last output delivered */
} output_sink;

static ks_status output_point(size_t i, double t, const double *y, void *ud) {
  output_sink *s = ud;
  ks_receptor_state r = {NAN, NAN, NAN, NAN, NAN};
  if (!(s->flags & KS_CASCADE_STATES_ONLY)) {
    s->d->t_cached = NAN; /* evaluate exactly at the output time */
    if (receptor_at(s->d, t, &r) != 0) return s->d->exposure_status; /* reported at done: */
  }
  fill_point(s->p, t, y, &r, &s->out[s->first + i]);
  memcpy(s->y_last, y, sizeof s->y_last);
  return KS_OK;
}

static const char *const state_names[KS__Y_N] = {
    "interneuron", "pyramidal", "glutamate", "mglur_feedback", "ampa", "eef2", "bdnf", "mtorc1",
    "mtor_feedback", "proteins", "spine_pfc", "spine_hpc", "gain_vmpfc_amygdala",
    "gain_hippocampus_vmpfc", "gain_dmn", "gain_salience"};

ks_status ks_cascade_solve(ks_ctx *ctx, const ks_cascade_params *p, const ks_receptor_params *rp,
                           const ks_exposure *exposure, const double *t_out_h, size_t n_out,
                           ks_cascade_point *out) {
  return ks_cascade_solve_stats(ctx, p, rp, exposure, t_out_h, n_out, out, NULL);
}

ks_status ks_cascade_solve_stats(ks_ctx *ctx, const ks_cascade_params *p,
                                 const ks_receptor_params *rp, const ks_exposure *exposure,
                                 const double *t_out_h, size_t n_out, ks_cascade_point *out,
                                 ks_cascade_stats *stats) {
  return ks_cascade_solve_flags(ctx, p, rp, exposure, t_out_h, n_out, out, 0, stats);
}

ks_status ks_cascade_solve_flags(ks_ctx *ctx, const ks_cascade_params *p,
                                 const ks_receptor_params *rp, const ks_exposure *exposure,
                                 const double *t_out_h, size_t n_out, ks_cascade_point *out,
                                 unsigned flags, ks_cascade_stats *stats) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, !(flags & ~KS_CASCADE_STATES_ONLY));
  KS_CHECK_ARG(ctx, p && rp && t_out_h && out && n_out >= 1);
  KS_CHECK_ARG(ctx, !exposure || !exposure->n_events || exposure->event_t_h);
  KS_TRY(ks_cascade_params_check(ctx, p));
  KS_TRY(ks_receptor_params_check(ctx, rp));
  for (size_t i = 0; i < n_out; i++) {
    if (!isfinite(t_out_h[i]) || (i > 0 && t_out_h[i] < t_out_h[i - 1]))
      return ks_ctx_fail(ctx, KS_EINVAL,
                         "ks_cascade_solve: output times must be finite and non-decreasing "
                         "(t_out_h[%zu] = %g)", i, t_out_h[i]);
  }
  const double *ev = exposure ? exposure->event_t_h : NULL;
  size_t n_ev = exposure ? exposure->n_events : 0;
  for (size_t i = 0; i < n_ev; i++) {
    if (!isfinite(ev[i]) || (i > 0 && ev[i] < ev[i - 1]))
      return ks_ctx_fail(ctx, KS_EINVAL, "ks_cascade_solve: exposure events must be finite and "
                         "ascending (event %zu = %g)", i, ev[i]);
  }
  rhs_data d = {.ctx = ctx, .p = p, .rp = rp, .exposure = exposure, .t_cached = NAN};
  ks_ode *ode = NULL;
  KS_TRY(ks_ode_create(ctx, KS__Y_N, cascade_rhs, &d, &ode));
  ks_status st = KS_OK;
  char label[160];
  snprintf(label, sizeof label,
           "cascade: deficit pfc %.3g hpc %.3g, scales dis %.3g bdnf %.3g plast %.3g relax %.3g, "
           "knockouts %#x",
           p->spine_deficit_pfc, p->spine_deficit_hpc, p->disinhibition_scale, p->bdnf_scale,
           p->plasticity_scale, p->relax_scale, p->knockouts);
  double y[KS__Y_N];
  steady_state_y(p, y);
  double t = t_out_h[0];
  if (n_ev > 0 && ev[0] < t) t = ev[0];
  size_t k_ev = 0;
  while (k_ev < n_ev && ev[k_ev] <= t) k_ev++;
  double t_end = t_out_h[n_out - 1];
  if ((st = ks_ode_set_tolerances(ode, p->rtol, p->atol)) != KS_OK) goto done;
  /* Non-negativity by construction, not by CVODE constraints: every state relaxes towards a
   * non-negative target, so the exact solution stays >= 0; the right-hand side reads max(y, 0)
   * and outputs are clipped at 0. (Constraints made CVODE fail when a state decays towards 0,
   * as eEF2 de-repression does after each dose.) */
  if ((st = ks_ode_set_nonnegative(ode, 0)) != KS_OK) goto done;
  if ((st = ks_ode_set_max_step(ode, p->max_step_h)) != KS_OK) goto done;
  if ((st = ks_ode_set_labels(ode, state_names, label)) != KS_OK) goto done;
  if ((st = ks_ode_init(ode, t, y)) != KS_OK) goto done;
  output_sink sink = {.p = p, .d = &d, .out = out, .flags = flags};
  for (size_t i = 0; i < n_out;) {
    double to = t_out_h[i];
    /* Cross every event up to this output: stop exactly there and restart. */
    while (k_ev < n_ev && ev[k_ev] <= to) {
      double te = ev[k_ev];
      if (te > t) {
        if ((st = ks_ode_advance(ode, te, te, y)) != KS_OK) goto done;
        t = te;
        if ((st = ks_ode_init(ode, t, y)) != KS_OK) goto done;
      }
      k_ev++;
    }
    /* Every output before the next event in one pass (ks_ode_advance_outputs: the same steps and
     * values as one advance per output). */
    double t_next_ev = k_ev < n_ev ? ev[k_ev] : INFINITY;
    double t_stop = k_ev < n_ev ? ev[k_ev] : fmax(t_end, to);
    size_t j = i + 1;
    while (j < n_out && t_out_h[j] < t_next_ev) j++;
    sink.first = i;
    if ((st = ks_ode_advance_outputs(ode, t_out_h + i, j - i, t_stop, output_point, &sink)) != KS_OK)
      goto done;
    memcpy(y, sink.y_last, sizeof y);
    t = t_out_h[j - 1];
    i = j;
  }
done:
  if (st != KS_OK && d.exposure_status != KS_OK) {
    st = ks_ctx_fail(ctx, d.exposure_status,
                     "ks_cascade_solve: the concentration source failed at t=%.6g h: %s",
                     d.t_cached, d.exposure_msg);
  }
  if (stats) {
    ks_ode_stats s = ks_ode_get_stats(ode);
    stats->n_steps = s.n_steps;
    stats->n_rhs = s.n_rhs;
    stats->n_restarts = s.n_restarts;
  }
  ks_ode_destroy(&ode);
  return st;
}

/* CSV columns of a point. */
typedef struct field_def {
  const char *name;
  size_t offset;
} field_def;
#define F(name) {#name, offsetof(ks_cascade_point, name)}
static const field_def fields[] = {
    F(t_h), F(nmda_occupancy), F(block_interneuron), F(block_pyramidal), F(gabaa_potentiation),
    F(sedation), F(interneuron), F(pyramidal), F(glutamate), F(glx_pct), F(mglur_feedback),
    F(ampa), F(eef2), F(bdnf), F(mtorc1), F(mtor_feedback), F(proteins), F(spine_pfc),
    F(spine_hpc), {"gain_vmpfc_amygdala", offsetof(ks_cascade_point, gain[0])},
    {"gain_hippocampus_vmpfc", offsetof(ks_cascade_point, gain[1])},
    {"gain_dmn", offsetof(ks_cascade_point, gain[2])},
    {"gain_salience", offsetof(ks_cascade_point, gain[3])}, F(window)};
#undef F

size_t ks_cascade_point_n_fields(void) { return KS_ARRAY_LEN(fields); }

const char *ks_cascade_point_field_name(size_t i) {
  return i < KS_ARRAY_LEN(fields) ? fields[i].name : NULL;
}

double ks_cascade_point_field(const ks_cascade_point *pt, size_t i) {
  if (!pt || i >= KS_ARRAY_LEN(fields)) return NAN;
  double v;
  memcpy(&v, (const char *)pt + fields[i].offset, sizeof v);
  return v;
}
