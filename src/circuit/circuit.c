/* SPDX-License-Identifier: MIT */
/* The circuit: built-in PTSD network and whole-brain networks, phenotypes, drives, feedback
 * inhibition control and the deterministic fixed point. */
#include "circuit_internal.h"

#include <ctype.h>
#include <ketasim/linalg.h>
#include <stdio.h>

static const char *const region_names[KS_REGION_N] = {"vmPFC", "rACC", "dACC", "dlPFC",
                                                      "amygdala", "aHipp", "aInsula", "PCC"};

const char *ks_region_name(ks_region r) {
  return (r >= 0 && r < KS_REGION_N) ? region_names[r] : "?";
}

ks_circuit_drive ks_circuit_drive_baseline(void) {
  ks_circuit_drive d;
  memset(&d, 0, sizeof d);
  d.gabaa_potentiation = 1.0;
  for (int p = 0; p < KS_PATH_N; p++) d.gain[p] = 1.0;
  d.spine_pfc_rel = 1.0;
  d.threat_input_nA = 0.01;
  return d;
}

ks_circuit_phenotype ks_circuit_phenotype_healthy(void) {
  ks_circuit_phenotype p = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
  return p;
}

/* Mean shift at severity 1 and between-patient SD (log scale) of each phenotype multiplier.
 * Directions from Koch 2016 (salience up, DMN down), Hayes 2012 and Patel 2012 (amygdala
 * hyperreactive, vmPFC control weak), Logue 2018 / Smith 2005 (hippocampal volume); magnitudes
 * calibrated so that the PTSD circuit's summary differs from the healthy one in those directions
 * (docs/model/circuit.md, "Phenotype"). */
void ks_circuit_phenotype_sample(ks_rng *rng, double severity, ks_circuit_phenotype *out) {
  if (!out) return;
  if (!(severity >= 0.0)) severity = 0.0;
  if (severity > 1.0) severity = 1.0;
  static const double mean_log[6] = {-0.357 /* 0.70 */, 0.336 /* 1.40 */, 0.262 /* 1.30 */,
                                     -0.223 /* 0.80 */, -0.051 /* 0.95 */, 0.0};
  static const double sd_log[6] = {0.15, 0.15, 0.15, 0.15, 0.03, 0.05};
  double v[6];
  for (int k = 0; k < 6; k++) {
    double z = rng ? ks_rng_normal(rng) : 0.0;
    if (z > 3.0) z = 3.0;
    if (z < -3.0) z = -3.0;
    v[k] = exp(severity * mean_log[k] + sd_log[k] * z);
  }
  out->vmpfc_amygdala_control = v[0];
  out->amygdala_reactivity = v[1];
  out->salience_coupling = v[2];
  out->dmn_coupling = v[3];
  out->hippocampal_volume_rel = v[4];
  out->global_coupling = v[5];
}

/* ---- The built-in circuit ---------------------------------------------------------------- */

/* Directed structural edges source -> target: relative weight (max 1), the fraction of it that
 * lands on the target's interneurons (feed-forward inhibition) and the plasticity pathway it
 * belongs to. Reasons and sources: docs/model/circuit.md, table "Default circuit". */
typedef struct edge_def {
  ks_region src, dst;
  double w, to_I;
  int pathway;
} edge_def;

#define P_VA KS_PATH_VMPFC_AMYGDALA
#define P_HV KS_PATH_HIPPOCAMPUS_VMPFC
#define P_DMN KS_PATH_DMN
#define P_SAL KS_PATH_SALIENCE

static const edge_def default_edges[] = {
    /* Top-down control of the amygdala (vmPFC/rACC -> intercalated cells and BLA interneurons). */
    {KS_REGION_VMPFC, KS_REGION_AMYGDALA, 0.8, 1.0, P_VA},
    {KS_REGION_AMYGDALA, KS_REGION_VMPFC, 0.6, 0.0, P_VA},
    {KS_REGION_RACC, KS_REGION_AMYGDALA, 0.4, 0.8, P_VA},
    {KS_REGION_AMYGDALA, KS_REGION_RACC, 0.4, 0.0, P_VA},
    /* Hippocampal context to vmPFC (monosynaptic), weak return via nucleus reuniens. */
    {KS_REGION_AHIPP, KS_REGION_VMPFC, 0.7, 0.0, P_HV},
    {KS_REGION_VMPFC, KS_REGION_AHIPP, 0.25, 0.0, P_HV},
    /* Default-mode: cingulum bundle and medial prefrontal links. */
    {KS_REGION_VMPFC, KS_REGION_PCC, 0.6, 0.0, P_DMN},
    {KS_REGION_PCC, KS_REGION_VMPFC, 0.6, 0.0, P_DMN},
    {KS_REGION_RACC, KS_REGION_PCC, 0.4, 0.0, P_DMN},
    {KS_REGION_PCC, KS_REGION_RACC, 0.4, 0.0, P_DMN},
    {KS_REGION_AHIPP, KS_REGION_PCC, 0.4, 0.0, P_DMN},
    {KS_REGION_PCC, KS_REGION_AHIPP, 0.4, 0.0, P_DMN},
    {KS_REGION_VMPFC, KS_REGION_RACC, 0.6, 0.0, P_DMN},
    {KS_REGION_RACC, KS_REGION_VMPFC, 0.6, 0.0, P_DMN},
    /* Salience: anterior insula <-> dACC (von Economo neurons), amygdala <-> insula, dACC. */
    {KS_REGION_AINSULA, KS_REGION_DACC, 0.8, 0.0, P_SAL},
    {KS_REGION_DACC, KS_REGION_AINSULA, 0.8, 0.0, P_SAL},
    {KS_REGION_AMYGDALA, KS_REGION_AINSULA, 0.6, 0.0, P_SAL},
    {KS_REGION_AINSULA, KS_REGION_AMYGDALA, 0.5, 0.0, P_SAL},
    {KS_REGION_AMYGDALA, KS_REGION_DACC, 0.5, 0.0, P_SAL},
    {KS_REGION_DACC, KS_REGION_AMYGDALA, 0.3, 0.0, P_SAL},
    /* Fixed links: cognitive control, cingulate, hippocampus-amygdala, vmPFC-insula. */
    {KS_REGION_DLPFC, KS_REGION_DACC, 0.6, 0.0, -1},
    {KS_REGION_DACC, KS_REGION_DLPFC, 0.6, 0.0, -1},
    {KS_REGION_DLPFC, KS_REGION_VMPFC, 0.4, 0.0, -1},
    {KS_REGION_VMPFC, KS_REGION_DLPFC, 0.3, 0.0, -1},
    {KS_REGION_DACC, KS_REGION_RACC, 0.4, 0.0, -1},
    {KS_REGION_RACC, KS_REGION_DACC, 0.4, 0.5, -1},
    {KS_REGION_VMPFC, KS_REGION_DACC, 0.4, 1.0, -1},
    {KS_REGION_AHIPP, KS_REGION_AMYGDALA, 0.6, 0.0, -1},
    {KS_REGION_AMYGDALA, KS_REGION_AHIPP, 0.6, 0.0, -1},
    {KS_REGION_AINSULA, KS_REGION_VMPFC, 0.3, 0.0, -1},
    {KS_REGION_VMPFC, KS_REGION_AINSULA, 0.3, 0.0, -1},
};
#define N_DEFAULT_EDGES (sizeof default_edges / sizeof default_edges[0])

/* Global coupling of the built-in circuit: G * w with w <= 1. Deco 2014 use G ~ 2 on weights
 * normalised to max 0.2, i.e. 0.4 on the strongest edge; the eight-region circuit has fewer
 * inputs per region, so its G was calibrated to 0.5 (resting FC of 0.1-0.5 between linked
 * regions, a stable low-activity state up to the strongest phenotype and drive). */
#define KS_DEFAULT_G 0.25

/* Prefrontal regions whose excitatory synapses sit on the spines the plasticity layer counts. */
static int role_is_pfc(int role) {
  return role == KS_REGION_VMPFC || role == KS_REGION_RACC || role == KS_REGION_DLPFC;
}

static ks_status check_phen(ks_ctx *ctx, const ks_circuit_phenotype *p) {
  const double v[6] = {p->vmpfc_amygdala_control, p->amygdala_reactivity, p->salience_coupling,
                       p->dmn_coupling, p->hippocampal_volume_rel, p->global_coupling};
  for (int k = 0; k < 6; k++)
    if (!(isfinite(v[k]) && v[k] > 0.0 && v[k] < 100.0))
      return ks_ctx_fail(ctx, KS_EINVAL, "circuit phenotype: multiplier %d is %g (expected a finite "
                                         "value > 0)", k, v[k]);
  return KS_OK;
}

ks_status ks__check_drive(ks_ctx *ctx, const ks_circuit_drive *d) {
  if (!d) return ks_ctx_fail(ctx, KS_EINVAL, "circuit drive is NULL");
  if (!(d->nmda_block_E >= 0.0 && d->nmda_block_E <= 1.0) ||
      !(d->nmda_block_I >= 0.0 && d->nmda_block_I <= 1.0))
    return ks_ctx_fail(ctx, KS_EINVAL, "circuit drive: NMDA block E %g, I %g (expected 0..1)",
                       d->nmda_block_E, d->nmda_block_I);
  if (!(d->gabaa_potentiation >= 0.1 && d->gabaa_potentiation <= 10.0))
    return ks_ctx_fail(ctx, KS_EINVAL, "circuit drive: GABA-A potentiation %g (expected 0.1..10)",
                       d->gabaa_potentiation);
  for (int p = 0; p < KS_PATH_N; p++)
    if (!(d->gain[p] >= 0.0 && d->gain[p] <= 10.0))
      return ks_ctx_fail(ctx, KS_EINVAL, "circuit drive: gain of pathway %d is %g (expected 0..10)",
                         p, d->gain[p]);
  if (!(d->spine_pfc_rel > 0.0 && d->spine_pfc_rel <= 5.0))
    return ks_ctx_fail(ctx, KS_EINVAL, "circuit drive: spine_pfc_rel %g (expected 0..5)",
                       d->spine_pfc_rel);
  if (!(fabs(d->threat_input_nA) <= 1.0))
    return ks_ctx_fail(ctx, KS_EINVAL, "circuit drive: threat input %g nA (expected |x| <= 1)",
                       d->threat_input_nA);
  return KS_OK;
}

/* Allocate every array of a circuit with n regions and nnz edges in one block. */
static ks_status circuit_alloc(ks_ctx *ctx, size_t n, size_t nnz, ks_circuit **out) {
  ks_circuit *c = ks_calloc(ctx, 1, sizeof *c);
  if (!c) return KS_ENOMEM;
  c->ctx = ctx;
  c->n = n;
  c->nnz = nnz;
  c->label = ks_calloc(ctx, n, sizeof *c->label);
  c->role = ks_calloc(ctx, n, sizeof *c->role);
  c->row = ks_calloc(ctx, n + 1, sizeof *c->row);
  c->col = ks_calloc(ctx, nnz ? nnz : 1, sizeof *c->col);
  c->w_E = ks_calloc(ctx, nnz ? nnz : 1, sizeof *c->w_E);
  c->w_I = ks_calloc(ctx, nnz ? nnz : 1, sizeof *c->w_I);
  c->pathway = ks_calloc(ctx, nnz ? nnz : 1, sizeof *c->pathway);
  c->delay = ks_calloc(ctx, nnz ? nnz : 1, sizeof *c->delay);
  c->wplus = ks_calloc(ctx, n, sizeof *c->wplus);
  c->threat_gain = ks_calloc(ctx, n, sizeof *c->threat_gain);
  c->pfc = ks_calloc(ctx, n, sizeof *c->pfc);
  c->J_i = ks_calloc(ctx, n, sizeof *c->J_i);
  if (!c->label || !c->role || !c->row || !c->col || !c->w_E || !c->w_I || !c->pathway ||
      !c->delay || !c->wplus || !c->threat_gain || !c->pfc || !c->J_i) {
    ks_circuit_destroy(&c);
    return ks_ctx_fail(ctx, KS_ENOMEM, "circuit: out of memory for %zu regions", n);
  }
  *out = c;
  return KS_OK;
}

void ks_circuit_destroy(ks_circuit **cp) {
  if (!cp || !*cp) return;
  ks_circuit *c = *cp;
  ks_ctx *ctx = c->ctx;
  ks_free(ctx, c->label);
  ks_free(ctx, c->role);
  ks_free(ctx, c->row);
  ks_free(ctx, c->col);
  ks_free(ctx, c->w_E);
  ks_free(ctx, c->w_I);
  ks_free(ctx, c->pathway);
  ks_free(ctx, c->delay);
  ks_free(ctx, c->wplus);
  ks_free(ctx, c->threat_gain);
  ks_free(ctx, c->pfc);
  ks_free(ctx, c->J_i);
  ks_free(ctx, c);
  *cp = NULL;
}

/* Per-region local parameters from the role and phenotype. Amygdala hyperreactivity is a larger
 * response to threat: the threat input is multiplied by the reactivity. The local recurrent
 * excitation is left at w+ (raising it made the resting amygdala more correlated with every
 * neighbour, vmPFC included, against the resting PTSD phenotype; docs/model/circuit.md). */
static void set_local(ks_circuit *c, const ks_circuit_phenotype *p) {
  for (size_t i = 0; i < c->n; i++) {
    c->wplus[i] = KS_WW_WPLUS;
    c->threat_gain[i] = 1.0;
    c->pfc[i] = role_is_pfc(c->role[i]) ? 1.0 : 0.0;
    if (c->role[i] == KS_REGION_AMYGDALA) {
      c->threat_gain[i] = p->amygdala_reactivity;
    }
  }
}

/* Phenotype multiplier of one edge. */
static double edge_phen(const ks_circuit_phenotype *p, int pathway, int src_role, int dst_role) {
  double m = 1.0;
  if (pathway == KS_PATH_VMPFC_AMYGDALA) m *= p->vmpfc_amygdala_control;
  /* vmPFC <-> anterior insula shares the ventral prefrontal-limbic white matter (uncinate
   * fasciculus and extreme capsule) whose integrity is lower in PTSD (Koch 2017), so the same
   * tract multiplier applies (docs/model/circuit.md, "PTSD phenotype"). */
  if ((src_role == KS_REGION_VMPFC && dst_role == KS_REGION_AINSULA) ||
      (src_role == KS_REGION_AINSULA && dst_role == KS_REGION_VMPFC))
    m *= p->vmpfc_amygdala_control;
  if (pathway == KS_PATH_SALIENCE) m *= p->salience_coupling;
  if (pathway == KS_PATH_DMN) m *= p->dmn_coupling;
  if (src_role == KS_REGION_AHIPP) m *= p->hippocampal_volume_rel;
  return m;
}

/* Solve S = tau_I gamma_I H_I(x0 - cII S) for the inhibitory gating at a fixed E state by
 * bisection (the right side decreases in S, so the root is unique). */
static double solve_SI(double x0, double cII) {
  double lo = 0.0, hi = 1.0;
  for (int it = 0; it < 200; it++) {
    double mid = 0.5 * (lo + hi);
    double g = KS_WW_TAU_I * KS_WW_GAMMA_I * ks__ww_rate(x0 - cII * mid, KS_WW_A_I, KS_WW_B_I, KS_WW_D_I) - mid;
    if (g > 0.0) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/* Feedback inhibition control (Deco 2014): choose J_i per region so that, with every region at
 * the target excitatory state, I_E - b_E/a_E = -0.026 nA (r_E ~ 3.06 Hz). With all regions at
 * the same target S_E* the condition is explicit: S_I follows from the I-pool equation and J_i
 * from the E-pool current balance. Tuned once at the drug-free baseline and never again. */
static ks_status tune_fic(ks_ctx *ctx, ks_circuit *c) {
  const double IE_target = KS_WW_B_E / KS_WW_A_E + KS_WW_FIC_OFFSET;
  const double rE = ks__ww_rate(IE_target, KS_WW_A_E, KS_WW_B_E, KS_WW_D_E);
  const double g = KS_WW_GAMMA_E * rE * KS_WW_TAU_E;
  const double SE = g / (1.0 + g); /* Deco 2014 eq. 5 at steady state */
  c->S_E_ref = SE;
  c->S_I_ref = 0.0;
  for (size_t i = 0; i < c->n; i++) {
    double in_E = 0.0, in_I = 0.0;
    for (size_t k = c->row[i]; k < c->row[i + 1]; k++) {
      in_E += c->w_E[k] * SE;
      in_I += c->w_I[k] * SE;
    }
    double xI0 = KS_WW_W_I * KS_WW_I0 + KS_WW_J_NMDA * (SE + in_I);
    double SI = solve_SI(xI0, 1.0);
    double num = KS_WW_W_E * KS_WW_I0 + KS_WW_J_NMDA * (c->wplus[i] * SE + in_E) - IE_target;
    if (!(SI > 1e-9) || !(num > 0.0))
      return ks_ctx_fail(ctx, KS_ENUMERIC, "circuit: feedback inhibition cannot reach the target in "
                                           "region %zu (excitation too weak)", i);
    c->J_i[i] = num / SI;
    c->S_I_ref += SI / (double)c->n;
  }
  return KS_OK;
}

ks_status ks_circuit_create_default(ks_ctx *ctx, const ks_circuit_phenotype *phen,
                                    ks_circuit **out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, out != NULL);
  ks_circuit_phenotype p = phen ? *phen : ks_circuit_phenotype_healthy();
  KS_TRY(check_phen(ctx, &p));
  ks_circuit *c = NULL;
  KS_TRY(circuit_alloc(ctx, KS_REGION_N, N_DEFAULT_EDGES, &c));
  for (size_t i = 0; i < KS_REGION_N; i++) {
    snprintf(c->label[i], KS_LABEL_MAX, "%s", region_names[i]);
    c->role[i] = (int)i;
  }
  /* CSR by target. */
  size_t k = 0;
  for (size_t t = 0; t < KS_REGION_N; t++) {
    c->row[t] = k;
    for (size_t e = 0; e < N_DEFAULT_EDGES; e++) {
      const edge_def *d = &default_edges[e];
      if ((size_t)d->dst != t) continue;
      double w = KS_DEFAULT_G * p.global_coupling * d->w * edge_phen(&p, d->pathway, (int)d->src, (int)d->dst);
      c->col[k] = (size_t)d->src;
      c->w_E[k] = w * (1.0 - d->to_I);
      c->w_I[k] = w * d->to_I;
      c->pathway[k] = d->pathway;
      c->delay[k] = 0;
      k++;
    }
  }
  c->row[KS_REGION_N] = k;
  set_local(c, &p);
  ks_status st = tune_fic(ctx, c);
  if (st != KS_OK) {
    ks_circuit_destroy(&c);
    return st;
  }
  *out = c;
  return KS_OK;
}

ks_circuit_brain_opts ks_circuit_brain_opts_default(void) {
  ks_circuit_brain_opts o = {2.0, 3.0, 1};
  return o;
}

/* Pathway of an edge between two mapped roles in a whole-brain network: the same classes as the
 * built-in circuit; feed-forward inhibition fraction likewise. */
static void brain_edge_class(int src, int dst, int *pathway, double *to_I) {
  *pathway = -1;
  *to_I = 0.0;
  if (src < 0 || dst < 0) return;
  for (size_t e = 0; e < N_DEFAULT_EDGES; e++)
    if ((int)default_edges[e].src == src && (int)default_edges[e].dst == dst) {
      *pathway = default_edges[e].pathway;
      *to_I = default_edges[e].to_I;
      return;
    }
}

ks_status ks_circuit_create_brain(ks_ctx *ctx, const ks_connectome *conn,
                                  const ks_circuit_brain_opts *opts,
                                  const ks_circuit_phenotype *phen, ks_circuit **out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, conn != NULL && out != NULL);
  ks_circuit_brain_opts o = opts ? *opts : ks_circuit_brain_opts_default();
  if (!(o.global_coupling >= 0.0 && o.global_coupling < 100.0) || !(o.speed_mm_per_ms > 0.0))
    return ks_ctx_fail(ctx, KS_EINVAL, "circuit: global coupling %g, speed %g mm/ms (expected "
                                       "G >= 0, speed > 0)", o.global_coupling, o.speed_mm_per_ms);
  ks_circuit_phenotype p = phen ? *phen : ks_circuit_phenotype_healthy();
  KS_TRY(check_phen(ctx, &p));
  size_t n = ks_connectome_n_regions(conn);
  double wmax = 0.0;
  size_t nnz = 0;
  for (size_t t = 0; t < n; t++)
    for (size_t s = 0; s < n; s++) {
      double w = ks_connectome_weight(conn, t, s);
      if (s != t && w > 0.0) {
        nnz++;
        if (w > wmax) wmax = w;
      }
    }
  ks_circuit *c = NULL;
  KS_TRY(circuit_alloc(ctx, n, nnz, &c));
  for (size_t i = 0; i < n; i++) {
    snprintf(c->label[i], KS_LABEL_MAX, "%s", ks_connectome_label(conn, i));
    c->role[i] = ks_connectome_map_label(c->label[i]);
  }
  /* Deco 2014: weights normalised to max 0.2, times G. Delays in steps of 0.1 ms. */
  const double scale = wmax > 0.0 ? 0.2 * o.global_coupling * p.global_coupling / wmax : 0.0;
  c->dt_delay_ms = 0.1;
  size_t k = 0;
  for (size_t t = 0; t < n; t++) {
    c->row[t] = k;
    for (size_t s = 0; s < n; s++) {
      double w = ks_connectome_weight(conn, t, s);
      if (s == t || !(w > 0.0)) continue;
      int pw;
      double to_I;
      brain_edge_class(c->role[s], c->role[t], &pw, &to_I);
      double we = scale * w * edge_phen(&p, pw, c->role[s], c->role[t]);
      c->col[k] = s;
      c->w_E[k] = we * (1.0 - to_I);
      c->w_I[k] = we * to_I;
      c->pathway[k] = pw;
      if (o.use_delays) {
        double steps = ks_connectome_length_mm(conn, t, s) / o.speed_mm_per_ms / c->dt_delay_ms;
        if (!(steps >= 0.0 && steps < 1e7)) steps = 0.0;
        c->delay[k] = (uint32_t)lround(steps);
        if (c->delay[k] > c->max_delay) c->max_delay = c->delay[k];
      }
      k++;
    }
  }
  c->row[n] = k;
  set_local(c, &p);
  ks_status st = tune_fic(ctx, c);
  if (st != KS_OK) {
    ks_circuit_destroy(&c);
    return st;
  }
  *out = c;
  return KS_OK;
}

size_t ks_circuit_n_regions(const ks_circuit *c) { return c ? c->n : 0; }

const char *ks_circuit_region_label(const ks_circuit *c, size_t i) {
  return (c && i < c->n) ? c->label[i] : NULL;
}

static int str_ieq(const char *a, const char *b) {
  for (; *a && *b; a++, b++)
    if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
  return *a == *b;
}

long ks_circuit_region_index(const ks_circuit *c, const char *name) {
  if (!c || !name) return -1;
  for (size_t i = 0; i < c->n; i++)
    if (str_ieq(c->label[i], name)) return (long)i;
  int r = ks_connectome_map_label(name);
  return r >= 0 ? ks_circuit_role_index(c, (ks_region)r) : -1;
}

long ks_circuit_role_index(const ks_circuit *c, ks_region role) {
  if (!c) return -1;
  for (size_t i = 0; i < c->n; i++)
    if (c->role[i] == (int)role) return (long)i;
  return -1;
}

/* ---- Effective parameters under a drive -------------------------------------------------- */

/* NMDA block scales the NMDA conductance where the receptor sits: on pyramidal cells the local
 * recurrent and long-range excitation onto the E pool; on interneurons the E -> I drive (local
 * and feed-forward). GABA-A potentiation scales every GABA-A synapse (I -> E and I -> I).
 * Pathway gains scale that pathway's long-range synapses; prefrontal spine density scales the
 * excitatory synapses onto prefrontal pyramidal cells (spines carry them; interneurons are
 * largely aspiny). */
ks_status ks__eff_build(ks_ctx *ctx, const ks_circuit *c, const ks_circuit_drive *d, ks__eff *e) {
  const size_t n = c->n, nnz = c->nnz;
  memset(e, 0, sizeof *e);
  size_t nd = 2 * (nnz ? nnz : 1) + 6 * n;
  double *m = ks_calloc(ctx, nd, sizeof *m);
  if (!m) return ks_ctx_fail(ctx, KS_ENOMEM, "circuit: out of memory for the drive");
  e->mem = m;
  e->n = n;
  e->nnz = nnz;
  e->row = c->row;
  e->col = c->col;
  e->delay = c->delay;
  e->wE = m;
  e->wI = m + (nnz ? nnz : 1);
  e->aE = e->wI + (nnz ? nnz : 1);
  e->aI = e->aE + n;
  e->cJ = e->aI + n;
  e->IE0 = e->cJ + n;
  e->II0 = e->IE0 + n;
  e->ext_gain = e->II0 + n;
  const double jE = KS_WW_J_NMDA * (1.0 - d->nmda_block_E);
  const double jI = KS_WW_J_NMDA * (1.0 - d->nmda_block_I);
  for (size_t i = 0; i < n; i++) {
    double spine = c->pfc[i] > 0.0 ? d->spine_pfc_rel : 1.0;
    e->aE[i] = jE * c->wplus[i];
    e->aI[i] = jI;
    e->cJ[i] = c->J_i[i] * d->gabaa_potentiation;
    e->IE0[i] = KS_WW_W_E * KS_WW_I0;
    e->II0[i] = KS_WW_W_I * KS_WW_I0;
    e->ext_gain[i] = c->threat_gain[i];
    for (size_t k = c->row[i]; k < c->row[i + 1]; k++) {
      double g = c->pathway[k] >= 0 ? d->gain[c->pathway[k]] : 1.0;
      e->wE[k] = jE * c->w_E[k] * g * spine;
      e->wI[k] = jI * c->w_I[k] * g;
    }
  }
  e->cII = d->gabaa_potentiation;
  return KS_OK;
}

void ks__eff_free(ks_ctx *ctx, ks__eff *e) {
  ks_free(ctx, e->mem);
  e->mem = NULL;
}

/* Deco 2014 eqs. 1-6 without noise; instantaneous coupling. ext_nA (may be NULL) is added to the
 * E-pool current. */
/* Element-wise part of the right-hand side: on entry dSE, dSI hold the long-range inputs cE, cI;
 * on exit the derivatives. Same operations in the same order as the scalar form, so every clone
 * gives identical bits. */
KS_CLONES
static void rhs_local(size_t n, const double *restrict IE0, const double *restrict II0,
                      const double *restrict aE, const double *restrict aI,
                      const double *restrict cJ, double cII, const double *restrict gain,
                      const double *restrict ext, const double *restrict SE,
                      const double *restrict SI, double *restrict dSE, double *restrict dSI) {
  for (size_t i = 0; i < n; i++) {
    double u = ext ? gain[i] * ext[i] : 0.0;
    double xE = IE0[i] + aE[i] * SE[i] + dSE[i] - cJ[i] * SI[i] + u;
    double xI = II0[i] + aI[i] * SE[i] + dSI[i] - cII * SI[i];
    double re = ks__ww_rate(xE, KS_WW_A_E, KS_WW_B_E, KS_WW_D_E);
    double ri = ks__ww_rate(xI, KS_WW_A_I, KS_WW_B_I, KS_WW_D_I);
    dSE[i] = -SE[i] / KS_WW_TAU_E + (1.0 - SE[i]) * KS_WW_GAMMA_E * re;
    dSI[i] = -SI[i] / KS_WW_TAU_I + KS_WW_GAMMA_I * ri;
  }
}

void ks__neural_rhs(const ks__eff *e, const double *SE, const double *SI, const double *ext_nA,
                    double *dSE, double *dSI, double *rE, double *rI) {
  for (size_t i = 0; i < e->n; i++) {
    double cE = 0.0, cI = 0.0;
    for (size_t k = e->row[i]; k < e->row[i + 1]; k++) {
      cE += e->wE[k] * SE[e->col[k]];
      cI += e->wI[k] * SE[e->col[k]];
    }
    if (rE || rI) {
      double xE = e->IE0[i] + e->aE[i] * SE[i] + cE - e->cJ[i] * SI[i] +
                  (ext_nA ? e->ext_gain[i] * ext_nA[i] : 0.0);
      double xI = e->II0[i] + e->aI[i] * SE[i] + cI - e->cII * SI[i];
      if (rE) rE[i] = ks__ww_rate(xE, KS_WW_A_E, KS_WW_B_E, KS_WW_D_E);
      if (rI) rI[i] = ks__ww_rate(xI, KS_WW_A_I, KS_WW_B_I, KS_WW_D_I);
    }
    dSE[i] = cE;
    dSI[i] = cI;
  }
  rhs_local(e->n, e->IE0, e->II0, e->aE, e->aI, e->cJ, e->cII, e->ext_gain, ext_nA, SE, SI, dSE,
            dSI);
}

/* Fixed point: relax from the FIC baseline by explicit Euler (dt 0.5 ms, 4 s), then Newton with
 * a finite-difference Jacobian (LAPACK dgesv). SE and SI are n each, written on success. */
ks_status ks__fixed_point(ks_ctx *ctx, const ks_circuit *c, const ks__eff *e,
                          const double *ext_nA, double *SE, double *SI) {
  const size_t n = c->n, m = 2 * n;
  double *w = ks_malloc(ctx, (6 * m + m * m) * sizeof *w);
  if (!w) {
    return ks_ctx_fail(ctx, KS_ENOMEM, "circuit: out of memory for the fixed point");
  }
  double *x = w, *f = w + m, *xp = w + 2 * m, *fp = w + 3 * m, *dx = w + 4 * m, *J = w + 6 * m;
  ks_status st = KS_OK;
  for (size_t i = 0; i < n; i++) {
    x[i] = c->S_E_ref;
    x[n + i] = c->S_I_ref;
  }
  /* Relaxation along the dynamics (Euler steps of 0.5 ms) so the fixed point is the attractor
   * reached from the FIC baseline; it stops once the largest derivative is below 1e-6 per ms
   * (within ~1e-4 of the attractor; Newton converges from there) or after 8000 steps. */
  for (int it = 0; it < 8000; it++) {
    ks__neural_rhs(e, x, x + n, ext_nA, f, f + n, NULL, NULL);
    double res = 0.0;
    for (size_t j = 0; j < m; j++) res = fmax(res, fabs(f[j]));
    if (res < 1e-6) break;
    for (size_t j = 0; j < m; j++) {
      x[j] += 0.5 * f[j];
      if (x[j] < 0.0) x[j] = 0.0;
      if (j < n && x[j] > 1.0) x[j] = 1.0;
    }
  }
  int converged = 0;
  for (int it = 0; it < 30 && !converged; it++) {
    ks__neural_rhs(e, x, x + n, ext_nA, f, f + n, NULL, NULL);
    double res = 0.0;
    for (size_t j = 0; j < m; j++) res = fmax(res, fabs(f[j]));
    if (res < 1e-13) {
      converged = 1;
      break;
    }
    for (size_t j = 0; j < m; j++) {
      memcpy(xp, x, m * sizeof *x);
      double h = 1e-7 * fmax(1.0, fabs(x[j]));
      xp[j] += h;
      ks__neural_rhs(e, xp, xp + n, ext_nA, fp, fp + n, NULL, NULL);
      for (size_t i = 0; i < m; i++) J[i * m + j] = (fp[i] - f[i]) / h;
    }
    for (size_t j = 0; j < m; j++) dx[j] = -f[j];
    if (ks_la_solve(m, J, dx) != 0) break;
    for (size_t j = 0; j < m; j++) x[j] += dx[j];
  }
  if (!converged) {
    ks__neural_rhs(e, x, x + n, ext_nA, f, f + n, NULL, NULL);
    double res = 0.0;
    for (size_t j = 0; j < m; j++) res = fmax(res, fabs(f[j]));
    converged = res < 1e-10;
  }
  for (size_t j = 0; j < m; j++)
    if (!isfinite(x[j]) || x[j] < -1e-9 || (j < n && x[j] > 1.0 + 1e-9)) converged = 0;
  if (!converged)
    st = ks_ctx_fail(ctx, KS_ENUMERIC, "circuit: no steady state found for this drive (the network "
                                       "left its low-activity regime)");
  else {
    memcpy(SE, x, n * sizeof *x);
    memcpy(SI, x + n, n * sizeof *x);
  }
  ks_free(ctx, w);
  return st;
}

ks_status ks_circuit_steady_state(ks_ctx *ctx, const ks_circuit *c, const ks_circuit_drive *drive,
                                  const double *input_nA, double *r_E_Hz, double *S_E,
                                  double *r_I_Hz) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, c != NULL);
  KS_TRY(ks__check_drive(ctx, drive));
  const size_t n = c->n;
  ks__eff e;
  KS_TRY(ks__eff_build(ctx, c, drive, &e));
  double *buf = ks_malloc(ctx, 6 * n * sizeof *buf);
  if (!buf) {
    ks__eff_free(ctx, &e);
    return ks_ctx_fail(ctx, KS_ENOMEM, "circuit: out of memory");
  }
  double *se = buf, *si = buf + n, *d1 = buf + 2 * n, *d2 = buf + 3 * n, *re = buf + 4 * n,
         *ri = buf + 5 * n;
  ks_status st = ks__fixed_point(ctx, c, &e, input_nA, se, si);
  if (st == KS_OK) {
    ks__neural_rhs(&e, se, si, input_nA, d1, d2, re, ri);
    if (r_E_Hz) memcpy(r_E_Hz, re, n * sizeof *re);
    if (S_E) memcpy(S_E, se, n * sizeof *se);
    if (r_I_Hz) memcpy(r_I_Hz, ri, n * sizeof *ri);
  }
  ks_free(ctx, buf);
  ks__eff_free(ctx, &e);
  return st;
}
