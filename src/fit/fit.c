/* SPDX-License-Identifier: MIT */
/* Individual MAP estimation of PK parameters (contract and model in <ketasim/fit.h>).
 * The optimiser works on standardised deviates z = eta / omega (prior N(0, 1)), which is what
 * ks_pk_patient.eta_z holds, so every evaluation is one exact PK solution for that patient. */
#include "core/core_internal.h"
#include <ketasim/fit.h>

#include <math.h>
#include <nlopt.h>
#include <stdio.h>
#include <string.h>

#define Z_BOUND 6.0       /* |z| <= 6: far beyond any plausible patient (p ~ 2e-9) */
#define HESS_STEP 1e-3    /* finite-difference step in z (the objective is smooth in z) */

ks_fit_options ks_fit_options_default(void) {
  return (ks_fit_options){.model = NULL, .sigma_prop = 0.20, .sigma_add_ng_per_mL = 1.0,
                          .allow_unstudied_doses = 0, .max_eval = 0};
}

typedef struct fit_problem {
  ks_ctx *ctx;
  const ks_fit_input *in;
  ks_drug drug;
  ks_pk_options pk;
  double sp, sa;
  size_t n;
  ks_pk_param par[KS_PKP_N];
  double *pred;             /* scratch: predictions at the observations */
  ks_status fail;           /* first failure inside the objective */
  int n_eval;
} fit_problem;

/* Predictions at every observation for deviates z (standardised, one per estimated parameter). */
static ks_status predict(fit_problem *fp, const double *z, double *pred) {
  ks_pk_patient p = fp->in->patient;
  memset(p.eta_z, 0, sizeof p.eta_z);
  for (int d = 0; d < KS_DRUG_N; d++)
    for (int k = 0; k < KS_PKP_N; k++) p.mult[d][k] = 1.0;
  for (size_t k = 0; k < fp->n; k++) p.eta_z[fp->drug][fp->par[k]] = z ? z[k] : 0.0;
  ks_pk_sim *sim = NULL;
  ks_status st = ks_pk_sim_create(fp->ctx, &p, fp->in->doses, fp->in->n_doses, &fp->pk, &sim);
  if (st != KS_OK) return st;
  for (size_t i = 0; i < fp->in->n_obs && st == KS_OK; i++) {
    ks_pk_conc c;
    st = ks_pk_sim_eval(sim, fp->in->t_h[i], &c);
    int met = fp->in->metabolite && fp->in->metabolite[i];
    pred[i] = met ? c.plasma_ng_per_mL[KS_SP_S_NORKETAMINE] + c.plasma_ng_per_mL[KS_SP_R_NORKETAMINE]
                  : c.plasma_ng_per_mL[KS_SP_S_KETAMINE] + c.plasma_ng_per_mL[KS_SP_R_KETAMINE] +
                        c.plasma_ng_per_mL[KS_SP_MIDAZOLAM];
  }
  ks_pk_sim_destroy(&sim);
  return st;
}

static double resid_sd(const fit_problem *fp, double f) {
  return sqrt(fp->sp * fp->sp * f * f + fp->sa * fp->sa);
}

/* Negative log posterior without constants: sum over observations of the normal likelihood's
 * -log density, plus the standard-normal prior on z. */
static double neg_log_post(fit_problem *fp, const double *z) {
  fp->n_eval++;
  ks_status st = predict(fp, z, fp->pred);
  if (st != KS_OK) {
    if (fp->fail == KS_OK) fp->fail = st;
    return HUGE_VAL;
  }
  double s = 0.0;
  for (size_t i = 0; i < fp->in->n_obs; i++) {
    double sd = resid_sd(fp, fp->pred[i]);
    double r = (fp->in->dv_ng_per_mL[i] - fp->pred[i]) / sd;
    s += 0.5 * r * r + log(sd);
  }
  for (size_t k = 0; k < fp->n; k++) s += 0.5 * z[k] * z[k];
  return s;
}

static double nlopt_f(unsigned n, const double *x, double *grad, void *ud) {
  (void)n; (void)grad;  /* BOBYQA is derivative-free */
  return neg_log_post(ud, x);
}

/* Central finite-difference Hessian of the objective at z (n x n, row-major). */
static void hessian(fit_problem *fp, double *z, double f0, double *H) {
  size_t n = fp->n;
  double h = HESS_STEP;
  for (size_t i = 0; i < n; i++) {
    double zi = z[i];
    z[i] = zi + h;
    double fp1 = neg_log_post(fp, z);
    z[i] = zi - h;
    double fm1 = neg_log_post(fp, z);
    z[i] = zi;
    H[i * n + i] = (fp1 - 2.0 * f0 + fm1) / (h * h);
    for (size_t j = 0; j < i; j++) {
      double zj = z[j], f[4];
      for (int c = 0; c < 4; c++) {
        z[i] = zi + ((c & 1) ? -h : h);
        z[j] = zj + ((c & 2) ? -h : h);
        f[c] = neg_log_post(fp, z);
      }
      z[i] = zi;
      z[j] = zj;
      H[i * n + j] = H[j * n + i] = (f[0] - f[1] - f[2] + f[3]) / (4.0 * h * h);
    }
  }
}

/* Diagonal of the inverse of a symmetric positive-definite matrix by Cholesky (A = L L');
 * returns 0 when A is not positive definite. A is overwritten. */
static int spd_inverse_diag(double *A, size_t n, double *diag) {
  for (size_t j = 0; j < n; j++) {
    double s = A[j * n + j];
    for (size_t k = 0; k < j; k++) s -= A[j * n + k] * A[j * n + k];
    if (!(s > 0.0) || !isfinite(s)) return 0;
    A[j * n + j] = sqrt(s);
    for (size_t i = j + 1; i < n; i++) {
      double t = A[i * n + j];
      for (size_t k = 0; k < j; k++) t -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = t / A[j * n + j];
    }
  }
  /* diag(A^-1)_i = sum_k (L^-1)_{k i}^2: solve L x = e_i for each i. */
  double x[KS_PKP_N];
  for (size_t i = 0; i < n; i++) {
    double s = 0.0;
    for (size_t r = 0; r < n; r++) {
      double t = (r == i) ? 1.0 : 0.0;
      for (size_t k = i; k < r; k++) t -= A[r * n + k] * x[k];
      x[r] = r < i ? 0.0 : t / A[r * n + r];
      s += x[r] * x[r];
    }
    diag[i] = s;
  }
  return 1;
}

/* The parameters this subject's data can inform (see ks_fit_map). */
static void choose_params(fit_problem *fp, const char *model) {
  int extravascular = 0, met_obs = 0;
  for (size_t k = 0; k < fp->in->n_doses; k++) extravascular |= fp->in->doses[k].route != KS_ROUTE_IV;
  for (size_t i = 0; i < fp->in->n_obs; i++) met_obs |= fp->in->metabolite && fp->in->metabolite[i];
  fp->n = 0;
  for (int p = 0; p < KS_PKP_N; p++) {
    double om = ks_pk_model_omega(model, (ks_pk_param)p);
    if (!(om > 0.0)) continue;
    if ((p == KS_PKP_KA || p == KS_PKP_F) && !extravascular) continue;
    if ((p == KS_PKP_CLM || p == KS_PKP_VM) && !met_obs) continue;
    fp->par[fp->n++] = (ks_pk_param)p;
  }
}

void ks_fit_result_destroy(ks_ctx *ctx, ks_fit_result **pr) {
  if (!pr || !*pr) return;
  ks_free(ctx, (*pr)->ipred_ng_per_mL);
  ks_free(ctx, (*pr)->pred_ng_per_mL);
  ks_free(ctx, (*pr)->iwres);
  ks_free(ctx, *pr);
  *pr = NULL;
}

static ks_status check_input(ks_ctx *ctx, const ks_fit_input *in, ks_drug drug,
                             const ks_fit_options *o, const char *model) {
  if (in->n_obs == 0)
    return ks_ctx_fail(ctx, KS_EINPUT, "no observations to fit (expected records with EVID 0 "
                       "and a DV)");
  if (!(o->sigma_prop >= 0.0 && o->sigma_add_ng_per_mL >= 0.0) ||
      !(o->sigma_prop > 0.0 || o->sigma_add_ng_per_mL > 0.0) || !isfinite(o->sigma_prop) ||
      !isfinite(o->sigma_add_ng_per_mL))
    return ks_ctx_fail(ctx, KS_EINPUT, "residual error: sigma_prop and sigma_add must be >= 0 "
                       "and not both 0");
  if (!ks_pk_model_citation(model))
    return ks_ctx_fail(ctx, KS_EINPUT, "unknown PK model '%s'", model);
  for (size_t k = 0; k < in->n_doses; k++)
    if (!ks_pk_model_supports(model, drug, in->doses[k].route))
      return ks_ctx_fail(ctx, KS_EINPUT, "model '%s' cannot simulate %s by the %s route", model,
                         ks_drug_name(drug), ks_route_name(in->doses[k].route));
  for (size_t i = 0; i < in->n_obs; i++)
    if (!(in->t_h[i] >= 0.0) || !(in->dv_ng_per_mL[i] >= 0.0))
      return ks_ctx_fail(ctx, KS_EINPUT, "observation %zu: negative time or concentration", i + 1);
  return KS_OK;
}

/* Optimise, then the Hessian; fills r->est and r->neg_log_post. */
static ks_status optimise(fit_problem *fp, const ks_fit_options *o, ks_fit_result *r) {
  size_t n = fp->n;
  double z[KS_PKP_N] = {0}, lb[KS_PKP_N], ub[KS_PKP_N], step[KS_PKP_N];
  for (size_t k = 0; k < n; k++) {
    lb[k] = -Z_BOUND;
    ub[k] = Z_BOUND;
    step[k] = 0.5;
  }
  double f = 0.0;
  if (n > 0) {
    nlopt_opt opt = nlopt_create(NLOPT_LN_BOBYQA, (unsigned)n);
    if (!opt) return ks_ctx_fail(fp->ctx, KS_ENOMEM, "%s: nlopt_create failed", __func__);
    nlopt_set_lower_bounds(opt, lb);
    nlopt_set_upper_bounds(opt, ub);
    nlopt_set_initial_step(opt, step);
    nlopt_set_min_objective(opt, nlopt_f, fp);
    nlopt_set_xtol_abs1(opt, 1e-7);
    nlopt_set_ftol_abs(opt, 1e-10);
    nlopt_set_maxeval(opt, o->max_eval > 0 ? o->max_eval : 4000);
    nlopt_result nr = nlopt_optimize(opt, z, &f);
    nlopt_destroy(opt);
    if (fp->fail != KS_OK) return fp->fail;
    if (nr < 0 && nr != NLOPT_ROUNDOFF_LIMITED)
      return ks_ctx_fail(fp->ctx, KS_ENUMERIC, "optimiser failed (NLopt code %d)", (int)nr);
  } else {
    f = neg_log_post(fp, z);
  }
  r->n_eval = fp->n_eval;
  r->neg_log_post = f;
  double H[KS_PKP_N * KS_PKP_N], var[KS_PKP_N];
  hessian(fp, z, f, H);
  if (fp->fail != KS_OK) return fp->fail;
  r->hessian_ok = n == 0 || spd_inverse_diag(H, n, var);
  r->n_est = n;
  for (size_t k = 0; k < n; k++) {
    double om = ks_pk_model_omega(r->model, fp->par[k]);
    r->est[k] = (ks_fit_estimate){.param = fp->par[k], .omega = om, .eta = om * z[k],
                                  .se = r->hessian_ok ? om * sqrt(var[k]) : NAN,
                                  .at_bound = fabs(z[k]) > Z_BOUND - 1e-6};
  }
  /* Predictions at the estimate and for the typical patient. */
  KS_TRY(predict(fp, z, r->ipred_ng_per_mL));
  KS_TRY(predict(fp, NULL, r->pred_ng_per_mL));
  for (size_t i = 0; i < r->n_obs; i++)
    r->iwres[i] = (fp->in->dv_ng_per_mL[i] - r->ipred_ng_per_mL[i]) /
                  resid_sd(fp, r->ipred_ng_per_mL[i]);
  return KS_OK;
}

ks_status ks_fit_map(ks_ctx *ctx, const ks_fit_input *in, ks_drug drug,
                     const ks_fit_options *opts, ks_fit_result **out) {
  KS_CHECK_ARG(ctx, in && out && (unsigned)drug < KS_DRUG_N);
  KS_CHECK_ARG(ctx, in->n_obs == 0 || (in->t_h && in->dv_ng_per_mL));
  ks_fit_options o = opts ? *opts : ks_fit_options_default();
  const char *model = o.model ? o.model : ks_pk_model_default(drug);
  KS_TRY(check_input(ctx, in, drug, &o, model));
  ks_fit_result *r = ks_calloc(ctx, 1, sizeof *r);
  double *scratch = ks_calloc(ctx, in->n_obs, sizeof(double));
  if (r) {
    r->ipred_ng_per_mL = ks_calloc(ctx, in->n_obs, sizeof(double));
    r->pred_ng_per_mL = ks_calloc(ctx, in->n_obs, sizeof(double));
    r->iwres = ks_calloc(ctx, in->n_obs, sizeof(double));
  }
  if (!r || !scratch || !r->ipred_ng_per_mL || !r->pred_ng_per_mL || !r->iwres) {
    ks_fit_result_destroy(ctx, &r);
    ks_free(ctx, scratch);
    return KS_ENOMEM;
  }
  r->drug = drug;
  snprintf(r->model, sizeof r->model, "%s", model);
  r->n_obs = in->n_obs;
  fit_problem fp = {.ctx = ctx, .in = in, .drug = drug, .pk = ks_pk_options_default(),
                    .sp = o.sigma_prop, .sa = o.sigma_add_ng_per_mL, .pred = scratch};
  fp.pk.model[drug] = r->model;
  fp.pk.allow_unstudied_doses = o.allow_unstudied_doses;
  choose_params(&fp, model);
  ks_status st = optimise(&fp, &o, r);
  ks_free(ctx, scratch);
  if (st != KS_OK) {
    ks_fit_result_destroy(ctx, &r);
    return st;
  }
  *out = r;
  return KS_OK;
}

/* ---- from a NONMEM-layout data set -------------------------------------------------------- */

void ks_fit_input_free(ks_ctx *ctx, ks_fit_input_bufs *b) {
  if (!b) return;
  ks_free(ctx, b->doses);
  ks_free(ctx, b->t_h);
  ks_free(ctx, b->dv);
  ks_free(ctx, b->met);
  memset(b, 0, sizeof *b);
}

static ks_status decl_fail(ks_ctx *ctx, const ks_nm_decl *d, const char *what,
                           const char *expected) {
  if (d->line > 0)
    return ks_ctx_fail_input(ctx, d->file, d->line, d->col, "unknown %s '%s' (expected %s)", what,
                             d->text, expected);
  return ks_ctx_fail(ctx, KS_EINPUT, "%s: unknown %s '%s' (expected %s)", d->file ? d->file : "",
                     what, d->text, expected);
}

/* The drug and route of a dose record: its DRUG/ROUTE fields, else the declarations. */
static ks_status record_drug_route(ks_ctx *ctx, const ks_nm_data *data, const ks_nm_record *rec,
                                   int *drug, int *route) {
  if (rec->drug[0]) {
    if ((*drug = ks_drug_parse(rec->drug)) < 0)
      return ks_ctx_fail_input(ctx, data->path, rec->line, rec->drug_col, "unknown drug '%s' "
                               "(expected ketamine, esketamine or midazolam)", rec->drug);
  } else if (!data->drug.text[0]) {
    return ks_ctx_fail_input(ctx, data->path, 0, 0, "the drug is not declared (expected a line "
                             "'# drug: ketamine', a DRUG column or --drug)");
  } else if ((*drug = ks_drug_parse(data->drug.text)) < 0) {
    return decl_fail(ctx, &data->drug, "drug", "ketamine, esketamine or midazolam");
  }
  *route = -1;
  if (rec->route[0]) {
    if ((*route = ks_route_parse(rec->route)) < 0)
      return ks_ctx_fail_input(ctx, data->path, rec->line, rec->route_col, "unknown route '%s' "
                               "(expected iv, im, intranasal, oral, sublingual or rectal)",
                               rec->route);
  } else if (data->route.text[0] && (*route = ks_route_parse(data->route.text)) < 0) {
    return decl_fail(ctx, &data->route, "route", "iv, im, intranasal, oral, sublingual or rectal");
  }
  return KS_OK;
}

ks_status ks_fit_input_from_data(ks_ctx *ctx, const ks_nm_data *data, size_t subject,
                                 ks_drug *drug, ks_fit_input *in, ks_fit_input_bufs *bufs) {
  KS_CHECK_ARG(ctx, data && subject < data->n_subj && drug && in && bufs);
  memset(bufs, 0, sizeof *bufs);
  const ks_nm_subject *s = &data->subj[subject];
  size_t nd = 0, no = 0;
  for (size_t k = 0; k < s->n; k++) {
    const ks_nm_record *rec = &data->rec[s->first + k];
    nd += rec->evid == 1;
    no += rec->evid == 0 && !rec->mdv;
  }
  bufs->doses = ks_calloc(ctx, nd + 1, sizeof *bufs->doses);
  bufs->t_h = ks_calloc(ctx, no + 1, sizeof(double));
  bufs->dv = ks_calloc(ctx, no + 1, sizeof(double));
  bufs->met = ks_calloc(ctx, no + 1, sizeof(int));
  if (!bufs->doses || !bufs->t_h || !bufs->dv || !bufs->met) {
    ks_fit_input_free(ctx, bufs);
    return KS_ENOMEM;
  }
  nd = no = 0;
  int first_drug = -1;
  ks_status st = KS_OK;
  for (size_t k = 0; k < s->n && st == KS_OK; k++) {
    const ks_nm_record *rec = &data->rec[s->first + k];
    if (rec->evid == 1) {
      int dr = -1, route = -1;
      if ((st = record_drug_route(ctx, data, rec, &dr, &route)) != KS_OK) break;
      if (first_drug >= 0 && dr != first_drug) {
        st = ks_ctx_fail_input(ctx, data->path, rec->line, rec->drug_col, "ID %s is given two "
                               "drugs (expected one drug per ID; give each period its own ID)",
                               s->id);
        break;
      }
      first_drug = dr;
      if (rec->cmt == KS_NM_CMT_DEPOT && (route < 0 || route == KS_ROUTE_IV)) {
        st = ks_ctx_fail_input(ctx, data->path, rec->line, 0, "a dose into the depot but no "
                               "extravascular route declared (expected a line '# route: oral' "
                               "or --route)");
        break;
      }
      bufs->doses[nd++] = (ks_pk_dose){(ks_drug)dr,
                                       rec->cmt == KS_NM_CMT_DEPOT ? (ks_route)route : KS_ROUTE_IV,
                                       rec->amt_mg, rec->time_h,
                                       rec->cmt == KS_NM_CMT_DEPOT ? 0.0 : rec->infusion_h};
    } else if (rec->evid == 0 && !rec->mdv) {
      bufs->t_h[no] = rec->time_h;
      bufs->dv[no] = rec->dv_ng_per_mL;
      bufs->met[no++] = rec->cmt == KS_NM_CMT_METABOLITE;
    }
  }
  if (st == KS_OK && first_drug < 0) {  /* no doses: the declared drug, if any */
    ks_nm_record none;
    memset(&none, 0, sizeof none);
    int route = -1;
    st = record_drug_route(ctx, data, &none, &first_drug, &route);
  }
  if (st != KS_OK) {
    ks_fit_input_free(ctx, bufs);
    return st;
  }
  double wt = isnan(s->weight_kg) ? 70.0 : s->weight_kg;
  double age = isnan(s->age_y) ? 40.0 : s->age_y;
  *in = (ks_fit_input){.patient = ks_pk_patient_typical(wt, age, s->female == 1),
                       .doses = bufs->doses, .n_doses = nd, .t_h = bufs->t_h,
                       .dv_ng_per_mL = bufs->dv, .metabolite = bufs->met, .n_obs = no};
  *drug = (ks_drug)first_drug;
  return KS_OK;
}
