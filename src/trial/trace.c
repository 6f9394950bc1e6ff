/* SPDX-License-Identifier: MIT */
/* The full trajectory of one virtual patient through every layer (`ketasim patient`): the hooks
 * that ks__trial_simulate_patient calls when given a trace, and the public trace API. A trace is a
 * set of plain tables (rows x named columns of doubles with units) so that any writer (CSV, HDF5)
 * can store it without knowing the model. */
#include "trial_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRACE_NAME_MAX 48
#define TRACE_UNIT_MAX 24

/* Tables of a trace, in the order ks_trial_trace_table() returns them. */
enum { TAB_PATIENT = 0, TAB_DOSES, TAB_PK, TAB_CASCADE, TAB_FEAR, TAB_VISITS, TAB_N };
static const char *const table_names[TAB_N] = {"patient", "doses", "pk", "cascade", "fear", "visits"};

typedef struct trace_tab {
  ks_trace_table pub;
  char (*name)[TRACE_NAME_MAX];
  char (*unit)[TRACE_UNIT_MAX];
  const char **name_ptr, **unit_ptr;
  double *data;
  size_t cap_rows;
} trace_tab;

struct ks_trial_trace {
  ks_ctx *ctx;
  trace_tab tab[TAB_N];
  int arm, randomised_arm;
  size_t n_visits;
  char (*visit_label)[KS_VISIT_LABEL];
  double *visit_theta;   /* [n_visits][KS_CLUSTER_N]: latent severities the visit's scores used */
};

/* ---- tables ---------------------------------------------------------------------------------- */

static ks_status tab_init(ks_ctx *ctx, trace_tab *t, const char *name, size_t n_cols, size_t cap_rows) {
  t->pub.name = name;
  t->pub.n_cols = n_cols;
  t->name = ks_calloc(ctx, n_cols, sizeof *t->name);
  t->unit = ks_calloc(ctx, n_cols, sizeof *t->unit);
  t->name_ptr = ks_calloc(ctx, n_cols, sizeof *t->name_ptr);
  t->unit_ptr = ks_calloc(ctx, n_cols, sizeof *t->unit_ptr);
  t->cap_rows = cap_rows ? cap_rows : 1;
  t->data = ks_calloc(ctx, t->cap_rows * n_cols, sizeof *t->data);
  if (!t->name || !t->unit || !t->name_ptr || !t->unit_ptr || !t->data) return KS_ENOMEM;
  for (size_t c = 0; c < n_cols; c++) {
    t->name_ptr[c] = t->name[c];
    t->unit_ptr[c] = t->unit[c];
  }
  t->pub.col_names = t->name_ptr;
  t->pub.col_units = t->unit_ptr;
  t->pub.data = t->data;
  return KS_OK;
}

static void tab_free(ks_ctx *ctx, trace_tab *t) {
  ks_free(ctx, t->name);
  ks_free(ctx, t->unit);
  ks_free(ctx, t->name_ptr);
  ks_free(ctx, t->unit_ptr);
  ks_free(ctx, t->data);
  memset(t, 0, sizeof *t);
}

/* Name and unit of column c; the name is made an identifier (lower case, '_' for '-' and '.'). */
static void tab_col(trace_tab *t, size_t c, const char *name, const char *unit) {
  snprintf(t->name[c], TRACE_NAME_MAX, "%s", name);
  for (char *p = t->name[c]; *p; p++)
    if (*p == '-' || *p == '.' || *p == ' ') *p = '_';
  snprintf(t->unit[c], TRACE_UNIT_MAX, "%s", unit);
}

/* A new row (every value NaN until set), growing the table by doubling: amortised, and only ever
 * in trace mode (normal runs never reach this). NULL when out of memory. */
static double *tab_row(ks_ctx *ctx, trace_tab *t) {
  if (t->pub.n_rows == t->cap_rows) {
    double *d = ks_realloc(ctx, t->data, 2 * t->cap_rows * t->pub.n_cols * sizeof *d);
    if (!d) return NULL;
    t->data = d;
    t->pub.data = d;
    t->cap_rows *= 2;
  }
  double *row = t->data + t->pub.n_rows++ * t->pub.n_cols;
  for (size_t c = 0; c < t->pub.n_cols; c++) row[c] = NAN;
  return row;
}

/* ---- hooks ----------------------------------------------------------------------------------- */

static const char *const patient_cols[][2] = {
    {"patient", "1"}, {"candidate_id", "1"}, {"arm", "1"}, {"randomised_arm", "1"}, {"age_y", "y"},
    {"female", "1"}, {"weight_kg", "kg"}, {"hypertension", "1"}, {"sbp_mmHg", "mmHg"}, {"dbp_mmHg", "mmHg"},
    {"caps5_true", "points"}, {"severity_z", "SD"}, {"madrs_true", "points"}, {"comorbid_mdd", "1"},
    {"treatment_resistance", "1"}, {"spine_deficit_pfc", "1"}, {"spine_deficit_hpc", "1"},
    {"plasticity_scale", "1"}, {"bdnf_scale", "1"}, {"cadss_sensitivity", "1"}, {"hemo_sensitivity", "1"}};

static ks_status record_patient(ks_ctx *ctx, trial_trace *tr, const trial_patient *pt, const ks_cascade_params *cp,
                                const ks_acute_patient *apt) {
  trace_tab *t = &tr->tab[TAB_PATIENT];
  size_t nc = KS_ARRAY_LEN(patient_cols);
  KS_TRY(tab_init(ctx, t, table_names[TAB_PATIENT], nc, 1));
  for (size_t c = 0; c < nc; c++) tab_col(t, c, patient_cols[c][0], patient_cols[c][1]);
  double *r = tab_row(ctx, t);
  if (!r) return KS_ENOMEM;
  const ks_patient *p = &pt->cov;
  double v[] = {(double)pt->index + 1, (double)p->id, tr->arm, tr->randomised_arm, p->age_y, p->female,
                p->weight_kg, p->hypertension, p->sbp_mmHg, p->dbp_mmHg, p->caps5_true, p->severity_z,
                p->madrs_true, p->comorbid_mdd, p->treatment_resistance, cp->spine_deficit_pfc,
                cp->spine_deficit_hpc, cp->plasticity_scale, cp->bdnf_scale, apt->cadss_sensitivity,
                apt->hemo_sensitivity};
  _Static_assert(sizeof v / sizeof v[0] == sizeof patient_cols / sizeof patient_cols[0], "patient columns");
  memcpy(r, v, sizeof v);
  return KS_OK;
}

static ks_status record_doses(ks_ctx *ctx, trial_trace *tr, const ks_pk_dose *doses, size_t n_doses) {
  trace_tab *t = &tr->tab[TAB_DOSES];
  KS_TRY(tab_init(ctx, t, table_names[TAB_DOSES], 5, n_doses));
  static const char *const cols[][2] = {
      {"t_start_h", "h"}, {"infusion_h", "h"}, {"dose_mg", "mg"}, {"drug", "0 ketamine, 1 esketamine, 2 midazolam"},
      {"route", "0 iv, 1 im, 2 intranasal, 3 oral, 4 sublingual, 5 rectal"}};
  for (size_t c = 0; c < 5; c++) tab_col(t, c, cols[c][0], cols[c][1]);
  for (size_t i = 0; i < n_doses; i++) {
    double *r = tab_row(ctx, t);
    if (!r) return KS_ENOMEM;
    r[0] = doses[i].t_start_h;
    r[1] = doses[i].infusion_h;
    r[2] = doses[i].dose_mg;
    r[3] = (double)doses[i].drug;
    r[4] = (double)doses[i].route;
  }
  return KS_OK;
}

static int dbl_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Times of the concentration table: every hour to the last visit, and every minute from each
 * dose's start to 3 h after its end (where concentrations, block and acute effects change fast).
 * Sorted, duplicates removed. */
static ks_status pk_grid(ks_ctx *ctx, double end_h, const ks_pk_dose *doses, size_t n_doses, double **out, size_t *n_out) {
  size_t n_hours = (size_t)ceil(end_h) + 1, n = n_hours;
  for (size_t i = 0; i < n_doses; i++) n += (size_t)ceil(60.0 * doses[i].infusion_h) + 181;
  double *g = ks_calloc(ctx, n, sizeof *g);
  if (!g) return KS_ENOMEM;
  size_t k = 0;
  for (size_t h = 0; h < n_hours; h++) g[k++] = fmin((double)h, end_h);
  for (size_t i = 0; i < n_doses; i++) {
    size_t m = (size_t)ceil(60.0 * doses[i].infusion_h) + 181;
    for (size_t j = 0; j < m; j++) g[k++] = doses[i].t_start_h + (double)j / 60.0;
  }
  qsort(g, k, sizeof *g, dbl_cmp);
  size_t u = 0;
  for (size_t i = 0; i < k; i++)
    if (u == 0 || g[i] - g[u - 1] > 1e-9) g[u++] = g[i];
  *out = g;
  *n_out = u;
  return KS_OK;
}

/* Infusions started before the day of t_h (the tolerance state of the acute effects, as at
 * visits in patient.c). */
static int prior_infusions(const ks_pk_dose *doses, size_t n_doses, double t_h) {
  int n = 0;
  double day0 = 24.0 * floor(t_h / 24.0 + 1e-9);
  for (size_t i = 0; i < n_doses; i++) n += doses[i].t_start_h < day0 - 1e-9;
  return n;
}

static ks_status record_pk(ks_ctx *ctx, trial_trace *tr, const trial_plan *plan, const ks_pk_sim *pk,
                           const ks_pk_dose *doses, size_t n_doses, const ks_acute_patient *apt,
                           const ks_patient *cov) {
  double *g = NULL;
  size_t n = 0;
  KS_TRY(pk_grid(ctx, plan->end_h, doses, n_doses, &g, &n));
  trace_tab *t = &tr->tab[TAB_PK];
  size_t nc = 1 + 3 * KS_SPECIES_N + 5 + 7;
  ks_status st = tab_init(ctx, t, table_names[TAB_PK], nc, n);
  if (st != KS_OK) goto done;
  size_t c = 0;
  char buf[TRACE_NAME_MAX];
  tab_col(t, c++, "t_h", "h");
  static const char *const what[3] = {"plasma", "effect", "brain_unbound"};
  static const char *const unit[3] = {"ng/mL", "ng/mL", "uM"};
  static const char *const suffix[3] = {"ng_per_mL", "ng_per_mL", "uM"};
  for (int k = 0; k < 3; k++)
    for (int s = 0; s < KS_SPECIES_N; s++) {
      snprintf(buf, sizeof buf, "%s_%s_%s", what[k], ks_species_name((ks_species)s), suffix[k]);
      tab_col(t, c++, buf, unit[k]);
    }
  static const char *const rest[][2] = {
      {"nmda_occupancy", "1"},  {"block_interneuron", "1"}, {"block_pyramidal", "1"}, {"gabaa_potentiation", "1"},
      {"sedation_receptor", "1"}, {"cadss_expected", "points"}, {"dsbp_mmHg", "mmHg"}, {"ddbp_mmHg", "mmHg"},
      {"sbp_mmHg", "mmHg"},     {"dbp_mmHg", "mmHg"},         {"dhr_bpm", "1/min"},     {"sedation", "1"}};
  for (size_t k = 0; k < KS_ARRAY_LEN(rest); k++) tab_col(t, c++, rest[k][0], rest[k][1]);
  for (size_t i = 0; i < n; i++) {
    ks_pk_conc pc;
    if ((st = ks_pk_sim_eval(pk, g[i], &pc)) != KS_OK) goto done;
    ks_receptor_state rs;
    ks_receptor_eval(&plan->receptor, &pc, &rs);
    ks_acute_patient ap = *apt;
    ap.n_prior_infusions = prior_infusions(doses, n_doses, g[i]);
    ks_acute_conc ac = ks_link_acute_conc(&pc); /* the same join as the trial's visits */
    ks_acute_effects ae;
    if ((st = ks_acute_eval(ctx, &plan->acute, &ap, &ac, &ae)) != KS_OK) goto done;
    double *r = tab_row(ctx, t);
    if (!r) {
      st = KS_ENOMEM;
      goto done;
    }
    size_t j = 0;
    r[j++] = g[i];
    for (int s = 0; s < KS_SPECIES_N; s++) r[j++] = pc.plasma_ng_per_mL[s];
    for (int s = 0; s < KS_SPECIES_N; s++) r[j++] = pc.effect_ng_per_mL[s];
    for (int s = 0; s < KS_SPECIES_N; s++) r[j++] = pc.brain_unbound_uM[s];
    double v[] = {rs.nmda_occupancy, rs.block_interneuron, rs.block_pyramidal, rs.gabaa_potentiation, rs.sedation,
                  ae.cadss_mean, ae.dsbp_mmHg, ae.ddbp_mmHg, cov->sbp_mmHg + ae.dsbp_mmHg,
                  cov->dbp_mmHg + ae.ddbp_mmHg, ae.dhr_bpm, ae.sedation};
    memcpy(r + j, v, sizeof v);
  }
done:
  ks_free(ctx, g);
  return st;
}

static ks_status record_cascade(ks_ctx *ctx, trial_trace *tr, const ks_cascade_point *cas, size_t n_cas, double end_h) {
  trace_tab *t = &tr->tab[TAB_CASCADE];
  size_t nc = ks_cascade_point_n_fields();
  KS_TRY(tab_init(ctx, t, table_names[TAB_CASCADE], nc, n_cas));
  for (size_t c = 0; c < nc; c++) {
    const char *nm = ks_cascade_point_field_name(c);
    const char *u = !strcmp(nm, "t_h") ? "h" : !strcmp(nm, "glx_pct") ? "%" : "1";
    tab_col(t, c, nm, u);
  }
  /* The cascade is solved one grid point past the last visit; the trace stops at the last visit. */
  for (size_t i = 0; i < n_cas && cas[i].t_h <= end_h + 1e-9; i++) {
    double *r = tab_row(ctx, t);
    if (!r) return KS_ENOMEM;
    for (size_t c = 0; c < nc; c++) r[c] = ks_cascade_point_field(&cas[i], c);
  }
  return KS_OK;
}

static const char *const fear_cols[][2] = {
    {"t_h", "h"}, {"day", "d"}, {"window", "1"}, {"vmpfc_amygdala_drive", "1"}, {"hippocampal_context", "1"},
    {"association", "1"}, {"extinction_labile", "1"}, {"extinction_consolidated", "1"}, {"lability", "1"},
    {"stress_state", "1"}, {"fear_expression", "1"}, {"avoidance", "1"}, {"n_reminders", "1"},
    {"exposure_minutes", "min"}, {"theta_b", "theta"}, {"theta_c", "theta"}, {"theta_d", "theta"},
    {"theta_e", "theta"}, {"theta_dep", "theta"}};

ks_status ks__trace_begin(ks_ctx *ctx, trial_trace *tr, const trial_plan *plan, const trial_patient *pt,
                          const ks_cascade_params *cp, const ks_pk_sim *pk, const ks_pk_dose *doses,
                          size_t n_doses, const ks_cascade_point *cas, size_t n_cas, const ks_acute_patient *apt) {
  KS_TRY(record_patient(ctx, tr, pt, cp, apt));
  KS_TRY(record_doses(ctx, tr, doses, n_doses));
  KS_TRY(record_pk(ctx, tr, plan, pk, doses, n_doses, apt, &pt->cov));
  KS_TRY(record_cascade(ctx, tr, cas, n_cas, plan->end_h));
  trace_tab *t = &tr->tab[TAB_FEAR];
  KS_TRY(tab_init(ctx, t, table_names[TAB_FEAR], KS_ARRAY_LEN(fear_cols), (size_t)(plan->end_h / 6.0) + plan->n_visits + 2));
  for (size_t c = 0; c < KS_ARRAY_LEN(fear_cols); c++) tab_col(t, c, fear_cols[c][0], fear_cols[c][1]);
  tr->n_visits = plan->n_visits;
  tr->visit_theta = ks_calloc(ctx, (plan->n_visits ? plan->n_visits : 1) * KS_CLUSTER_N, sizeof *tr->visit_theta);
  if (!tr->visit_theta) return KS_ENOMEM;
  for (size_t i = 0; i < plan->n_visits * KS_CLUSTER_N; i++) tr->visit_theta[i] = NAN;
  return KS_OK;
}

void ks__trace_visit_latent(trial_trace *tr, size_t v, const ks_clinic_latent *lat) {
  if (v < tr->n_visits) memcpy(tr->visit_theta + v * KS_CLUSTER_N, lat->theta, KS_CLUSTER_N * sizeof *lat->theta);
}

ks_status ks__trace_step(ks_ctx *ctx, trial_trace *tr, double t_h, const ks_fear_drive *fd, const ks_fear *fear,
                         const ks_clinic_latent *lat) {
  ks_fear_snapshot s;
  KS_TRY(ks_fear_get_snapshot(fear, &s));
  double *r = tab_row(ctx, &tr->tab[TAB_FEAR]);
  if (!r) return KS_ENOMEM;
  double v[] = {t_h, t_h / 24.0, fd->window, fd->vmpfc_amygdala_gain, fd->hippocampal_context, s.association,
                s.extinction_labile, s.extinction_consolidated, s.lability, s.stress_state,
                ks_fear_expression(fear), ks_fear_avoidance(fear), s.n_reminders, s.n_exposure_minutes,
                lat->theta[KS_CLUSTER_B], lat->theta[KS_CLUSTER_C], lat->theta[KS_CLUSTER_D],
                lat->theta[KS_CLUSTER_E], lat->theta[KS_CLUSTER_DEP]};
  _Static_assert(sizeof v / sizeof v[0] == sizeof fear_cols / sizeof fear_cols[0], "fear columns");
  memcpy(r, v, sizeof v);
  return KS_OK;
}

/* ---- the visits table, from the patient's values and the fear table --------------------------- */

static ks_status record_visits(ks_ctx *ctx, trial_trace *tr, const trial_plan *plan, const double *values) {
  trace_tab *t = &tr->tab[TAB_VISITS];
  size_t nc = 3 + KS_M_N + KS_CLUSTER_N;
  KS_TRY(tab_init(ctx, t, table_names[TAB_VISITS], nc, plan->n_visits));
  size_t c = 0;
  tab_col(t, c++, "visit", "1");
  tab_col(t, c++, "t_h", "h");
  tab_col(t, c++, "day", "d");
  for (int m = 0; m < KS_M_N; m++) {
    const char *nm = ks_measure_name((ks_measure)m);
    tab_col(t, c++, nm, ks_measure_unit((ks_measure)m));
  }
  static const char *const th[KS_CLUSTER_N] = {"theta_b", "theta_c", "theta_d", "theta_e", "theta_dep"};
  for (int k = 0; k < KS_CLUSTER_N; k++) tab_col(t, c++, th[k], "theta");
  for (size_t v = 0; v < plan->n_visits; v++) {
    double *r = tab_row(ctx, t);
    if (!r) return KS_ENOMEM;
    r[0] = (double)v + 1;
    r[1] = plan->visit_t_h[v];
    r[2] = plan->visit_t_h[v] / 24.0;
    memcpy(r + 3, values + v * KS_M_N, KS_M_N * sizeof *r);
    memcpy(r + 3 + KS_M_N, tr->visit_theta + v * KS_CLUSTER_N, KS_CLUSTER_N * sizeof *r);
  }
  tr->visit_label = ks_calloc(ctx, plan->n_visits ? plan->n_visits : 1, sizeof *tr->visit_label);
  if (!tr->visit_label) return KS_ENOMEM;
  memcpy(tr->visit_label, plan->visit_label, plan->n_visits * sizeof *tr->visit_label);
  return KS_OK;
}

/* ---- public API -------------------------------------------------------------------------------- */

ks_status ks_trial_patient_trace(ks_ctx *ctx, const ks_scenario *sc, const ks_trial_options *opts, size_t patient,
                                 int arm, ks_trial_trace **out) {
  KS_CHECK_ARG(ctx, sc && out && sc->n_arms > 0);
  ks_trial_options o = opts ? *opts : ks_trial_options_default();
  size_t n = (size_t)(o.n_patients > 0 ? o.n_patients : sc->population.n);
  if (patient < 1 || patient > n)
    return ks_ctx_fail(ctx, KS_EINPUT, "patient %zu does not exist (expected 1 to %zu, the trial's patients)",
                       patient, n);
  size_t n_groups = ks__trial_n_groups(sc);
  if (arm >= (int)n_groups)
    return ks_ctx_fail(ctx, KS_EINPUT, "arm %d does not exist (expected 0 to %zu)", arm, n_groups - 1);
  /* Screening and randomisation of the first `patient` patients only: patient k's covariates and
   * allocation do not depend on how many follow (trial.c), so this is row k of the full trial.
   * Only the options that decide who the patient is are kept (no streaming, no processes). */
  ks_trial_options one = ks_trial_options_default();
  one.replicate = o.replicate;
  one.population_table = o.population_table;
  one.doses_of = o.doses_of;
  one.doses_ud = o.doses_ud;
  one.n_patients = (long)patient;
  ks_trial_result *res = NULL;
  KS_TRY(ks__trial_setup(ctx, sc, &one, &res));
  ks_trial_trace *tr = ks_calloc(ctx, 1, sizeof *tr);
  double *values = ks_calloc(ctx, res->plan.n_visits * KS_M_N + 1, sizeof *values);
  ks_status st = tr && values ? KS_OK : KS_ENOMEM;
  if (st == KS_OK) {
    tr->ctx = ctx;
    res->plan.n_imaged = ks__trial_imaging_subset(sc, n); /* the full trial's subset, not the first `patient`'s */
    trial_patient pt = res->patients[patient - 1];
    tr->randomised_arm = pt.arm;
    if (arm >= 0) pt.arm = arm;
    tr->arm = pt.arm;
    st = ks__trial_simulate_patient(ctx, &res->plan, &pt, values, tr);
  }
  if (st == KS_OK) st = record_visits(ctx, tr, &res->plan, values);
  ks_free(ctx, values);
  ks_trial_result_destroy(&res);
  if (st != KS_OK) {
    ks_trial_trace_destroy(&tr);
    return st;
  }
  *out = tr;
  return KS_OK;
}

void ks_trial_trace_destroy(ks_trial_trace **pt) {
  if (!pt || !*pt) return;
  ks_trial_trace *t = *pt;
  for (int i = 0; i < TAB_N; i++) tab_free(t->ctx, &t->tab[i]);
  ks_free(t->ctx, t->visit_label);
  ks_free(t->ctx, t->visit_theta);
  ks_free(t->ctx, t);
  *pt = NULL;
}

size_t ks_trial_trace_n_tables(const ks_trial_trace *t) { return t ? TAB_N : 0; }

const ks_trace_table *ks_trial_trace_table(const ks_trial_trace *t, size_t i) {
  return t && i < TAB_N ? &t->tab[i].pub : NULL;
}

const ks_trace_table *ks_trial_trace_find(const ks_trial_trace *t, const char *name) {
  if (!t || !name) return NULL;
  for (int i = 0; i < TAB_N; i++)
    if (!strcmp(table_names[i], name)) return &t->tab[i].pub;
  return NULL;
}

int ks_trace_table_column(const ks_trace_table *tab, const char *name) {
  if (!tab || !name) return -1;
  for (size_t c = 0; c < tab->n_cols; c++)
    if (!strcmp(tab->col_names[c], name)) return (int)c;
  return -1;
}

int ks_trial_trace_arm(const ks_trial_trace *t) { return t ? t->arm : -1; }
int ks_trial_trace_randomised_arm(const ks_trial_trace *t) { return t ? t->randomised_arm : -1; }

const char *ks_trial_trace_visit_label(const ks_trial_trace *t, size_t v) {
  return t && v < t->n_visits ? t->visit_label[v] : "";
}
