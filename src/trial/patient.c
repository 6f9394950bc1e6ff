/* SPDX-License-Identifier: MIT */
/* One virtual patient through every layer: doses -> PK -> receptor + cascade (CVODE) -> circuit
 * and imaging -> fear memory -> symptom scales and acute effects -> visits and dropout.
 * This file only calls layers and the links between them (include/ketasim/link.h); it holds no
 * model constants. The joins are in docs/model/link.md, the schedule in docs/model/trial.md. */
#include "trial_internal.h"
#include "brain_visit.h"

#include <ketasim/circuit.h>
#include <ketasim/imaging.h>
#include <ketasim/link.h>
#include <ketasim/pk.h>

#include <math.h>
#include <stddef.h>
#include <string.h>

/* Everything one patient's simulation owns or has drawn. */
typedef struct {
  const trial_plan *plan;
  const trial_patient *pt;
  const ks_link_params *lp;
  ks_pk_dose *doses;
  size_t n_doses;
  ks_pk_sim *pk;
  ks_cascade_params cp;
  ks_cascade_point *cas;
  size_t n_cas;
  double *t_grid;
  ks_circuit *circ;
  ks_circuit_phenotype ph;
  ks_fear *fear;
  ks_mood mood;
  ks_link_response resp;        /* learning, placebo and rapid-response multipliers (link) */
  double expectancy;            /* the design's expectancy for this patient (0 with the route off) */
  double expectancy_same_day;   /* of rapid improvement from the doses (mood's same-day response) */
  ks_clinic_patient cpt;
  ks_acute_patient apt;
  double first_dose_h;
  unsigned cascade_flags;       /* KS_CASCADE_STATES_ONLY unless a trace records the receptor */
} patient_work;

static void work_free(ks_ctx *ctx, patient_work *w) {
  ks_free(ctx, w->doses);
  ks_pk_sim_destroy(&w->pk);
  ks_free(ctx, w->cas);
  ks_free(ctx, w->t_grid);
  ks_circuit_destroy(&w->circ);
  ks_fear_destroy(&w->fear);
}

/* The cascade point at time t (hours), linearly interpolated on the cascade grid. */
static void cascade_at(const patient_work *w, double t_h, ks_cascade_point *out) {
  double x = t_h / w->lp->cascade_step_h;
  if (x <= 0) {
    *out = w->cas[0];
    return;
  }
  size_t i = (size_t)x;
  if (i + 1 >= w->n_cas) {
    *out = w->cas[w->n_cas - 1];
    return;
  }
  double f = x - (double)i;
  const double *a = (const double *)&w->cas[i], *b = (const double *)&w->cas[i + 1];
  double *o = (double *)out;
  for (size_t k = 0; k < sizeof *out / sizeof(double); k++) o[k] = (1 - f) * a[k] + f * b[k];
}

/* One field of cascade_at (byte offset `field`), the same arithmetic without the whole point. */
static double cascade_field_at(const patient_work *w, double t_h, size_t field) {
  double x = t_h / w->lp->cascade_step_h;
  size_t i = x <= 0 ? 0 : (size_t)x;
  if (x > 0 && i + 1 >= w->n_cas) i = w->n_cas - 1;
  double a = *(const double *)((const char *)&w->cas[i] + field);
  if (x <= 0 || i + 1 >= w->n_cas) return a;
  double f = x - (double)i, b = *(const double *)((const char *)&w->cas[i + 1] + field);
  return (1 - f) * a + f * b;
}

/* Mean of the cascade field at byte offset `field` over [t0, t1] (trapezoid, 8 intervals). */
static double cascade_mean(const patient_work *w, double t0_h, double t1_h, size_t field) {
  double s = 0;
  int n = 8;
  for (int k = 0; k <= n; k++)
    s += (k == 0 || k == n ? 0.5 : 1.0) * cascade_field_at(w, t0_h + (t1_h - t0_h) * k / n, field);
  return s / n;
}

/* Expectancy acting at t_h: from the first dose on. */
static double expectancy_at(const patient_work *w, double t_h) { return t_h > w->first_dose_h ? w->expectancy : 0.0; }

ks_circuit_drive ks_trial_circuit_drive(const ks_cascade_point *p) { return ks_link_circuit_drive(p); }

/* Expectancy of this patient (ks_clinic_patient.expectancy) from the design. Every arm of a
 * double-blind trial with an active placebo and an open-label arm get the link's blinded
 * expectancy (docs/model/link.md). The one place a per-arm expectancy is wired in. */
static double patient_expectancy(const trial_plan *plan, const trial_patient *pt, int same_day) {
  /* The design's expectancy of the arm the patient starts in (a crossover's sequence starts with
   * arms[sequence's first]), relative to a double-blind active-placebo arm, times the link's
   * calibrated expectancy of such an arm (ks_link_expectancy clamps it to [0, 1]). SAME_DAY: of
   * rapid improvement from the doses alone (no background antidepressant; design.c). */
  size_t arm = (size_t)ks__trial_period_arm(plan, pt->arm, 0);
  return plan->link.blinded_expectancy * (same_day ? ks__trial_patient_expectancy_same_day(plan, arm)
                                                   : ks__trial_patient_expectancy(plan, arm));
}

/* The PK doses of the patient's arm(s): saline and active placebos have no pharmacokinetics (they
 * act through expectancy only, src/trial/design.c), so they are not PK doses. */
static ks_status build_doses(ks_ctx *ctx, const trial_plan *plan, const trial_patient *pt, patient_work *w) {
  return ks__trial_patient_doses(ctx, plan, pt, &w->doses, &w->n_doses);
}

/* The dose given on the day starting at day_start_h, or -1. */
static long dose_day_index(const patient_work *w, double day_start_h) {
  for (size_t i = 0; i < w->n_doses; i++)
    if (w->doses[i].t_start_h >= day_start_h - 1e-9 && w->doses[i].t_start_h < day_start_h + 24.0) return (long)i;
  return -1;
}

/* 1. Doses and PK with the patient's variability. */
static ks_status setup_pk(ks_ctx *ctx, patient_work *w) {
  const ks_patient *cov = &w->pt->cov;
  KS_TRY(build_doses(ctx, w->plan, w->pt, w));
  ks_pk_patient pkp = ks_pk_patient_typical(cov->weight_kg, cov->age_y, cov->female);
  ks_rng r;
  ks_rng_init(&r, w->plan->seed, KS_STREAM_PK_IIV, cov->id, 0);
  ks_pk_patient_sample_iiv(&pkp, &r);
  ks_pk_options po = ks_pk_options_default();
  po.allow_unstudied_doses = w->plan->sc->allow_unstudied_doses;
  const ks_scenario *sc = w->plan->sc;
  for (size_t a = 0; a < sc->n_arms; a++) /* pk_model: one set per drug (checked on load) */
    for (size_t k = 0; k < sc->arms[a].n_regimen; k++)
      if (sc->arms[a].regimen[k].pk_model[0]) po.model[sc->arms[a].regimen[k].drug] = sc->arms[a].regimen[k].pk_model;
  return ks_pk_sim_create(ctx, &pkp, w->doses, w->n_doses, &po, &w->pk);
}

/* 2. Receptor and plasticity cascade on the cascade grid to the last visit. */
static ks_status setup_cascade(ks_ctx *ctx, patient_work *w) {
  const trial_plan *plan = w->plan;
  const ks_patient *cov = &w->pt->cov;
  ks_exposure ex;
  ks_pk_sim_exposure(w->pk, &ex);
  w->cp = plan->cascade;
  ks_rng r;
  ks_rng_init(&r, plan->seed, KS_STREAM_PLASTICITY_IIV, cov->id, 0);
  ks_link_cascade_patient(w->lp, cov->severity_z, cov->treatment_resistance, &r, &w->cp);
  ks_scen_knockout ko = plan->sc->arms[ks__trial_period_arm(plan, w->pt->arm, 0)].knockout;
  w->cp.knockouts = ko == KS_KNOCKOUT_MTORC1 ? KS_KO_MTORC1 : ko == KS_KNOCKOUT_AMPA ? KS_KO_AMPA
                  : ko == KS_KNOCKOUT_BDNF ? KS_KO_BDNF : KS_KO_NONE;
  w->n_cas = (size_t)ceil(plan->end_h / w->lp->cascade_step_h) + 2;
  w->t_grid = ks_calloc(ctx, w->n_cas, sizeof *w->t_grid);
  w->cas = ks_calloc(ctx, w->n_cas, sizeof *w->cas);
  if (!w->t_grid || !w->cas) return KS_ENOMEM;
  for (size_t i = 0; i < w->n_cas; i++) w->t_grid[i] = (double)i * w->lp->cascade_step_h;
  return ks_cascade_solve_flags(ctx, &w->cp, &plan->receptor, &ex, w->t_grid, w->n_cas, w->cas,
                                w->cascade_flags, NULL);
}

/* 3-5. Circuit phenotype, fear memory and mood at baseline, expectancy, clinic and acute draws. */
static ks_status setup_patient_layers(ks_ctx *ctx, patient_work *w, ks_fear_drive *fd) {
  const trial_plan *plan = w->plan;
  const ks_patient *cov = &w->pt->cov;
  ks_rng r;
  ks_rng_init(&r, plan->seed, KS_STREAM_CIRCUIT_IIV, cov->id, 0);
  ks_circuit_phenotype_sample(&r, ks_link_phenotype_severity(w->lp, cov->severity_z), &w->ph);
  KS_TRY(ks_circuit_create_default(ctx, &w->ph, &w->circ));
  ks_fear_params fp = ks_link_fear_params(w->lp, &plan->fear);
  ks_mood_params mp = ks_link_mood_params(w->lp, &plan->mood);
  ks_rng_init(&r, plan->seed, KS_STREAM_RESPONSE_IIV, cov->id, 0);
  w->resp = ks_link_response_draw(w->lp, &r); /* learning, placebo and rapid-response variability */
  ks_link_response_apply(&w->resp, &fp, &mp);
  KS_TRY(ks_fear_create(ctx, &fp, &w->fear));
  *fd = ks_link_fear_drive(w->lp, &w->cas[0], &w->cas[0], &w->ph, 0.0, 0.0);
  KS_TRY(ks_fear_init(w->fear, ks_link_fear_baseline(w->lp, cov->caps5_true), fd, cov->id));
  if (ks_mood_init(&w->mood, &mp, ks_link_mood_baseline(w->lp, cov->depression_z), ks_fear_avoidance(w->fear)) != KS_OK)
    return ks_ctx_fail(ctx, KS_EINVAL, "mood model: bad baseline");
  w->expectancy = ks_link_expectancy(w->lp, patient_expectancy(plan, w->pt, 0));
  w->expectancy_same_day = ks_link_expectancy(w->lp, patient_expectancy(plan, w->pt, 1));
  ks_rng_init(&r, plan->seed, KS_STREAM_CLINIC, cov->id, 0);
  KS_TRY(ks_clinic_patient_draw(plan->clinic, &r, w->expectancy, &w->cpt));
  w->cpt.placebo_log_gain = log(w->resp.placebo_gain);
  ks_rng_init(&r, plan->seed, KS_STREAM_ACUTE, cov->id, 0);
  return ks_acute_patient_draw(&plan->acute, &r, cov->age_y, cov->hypertension, &w->apt);
}

/* Latent symptom severities at t_h from the current fear memory. */
static ks_status latent_at(const patient_work *w, double t_h, ks_clinic_latent *lat) {
  ks_clinic_inputs in = ks_link_clinic_inputs(&w->ph, ks_fear_expression(w->fear), ks_fear_avoidance(w->fear),
                                              ks_mood_value(&w->mood));
  return ks_clinic_latent_eval(w->plan->clinic, &w->cpt, &in, (t_h - w->first_dose_h) / 24.0, lat);
}

/* One row of the trace's fear/symptom trajectory at t_h (after the fear step ending there). */
static ks_status trace_step(ks_ctx *ctx, trial_trace *trace, const patient_work *w, double t_h,
                            const ks_fear_drive *fd) {
  ks_clinic_latent lat;
  KS_TRY(latent_at(w, t_h, &lat));
  return ks__trace_step(ctx, trace, t_h, fd, w->fear, &lat);
}

/* Therapy sessions and pre-dose retrieval reminders in (t0, t1] (hours). */
static ks_status fear_events(patient_work *w, double t0, double t1, const ks_fear_drive *fd) {
  const trial_plan *plan = w->plan;
  for (size_t p = 0; p < plan->n_periods; p++) {
    const ks_scen_arm *a = &plan->sc->arms[ks__trial_period_arm(plan, w->pt->arm, p)];
    double off = (double)p * plan->period_offset_h;
    /* The arm's sessions as the design resolved them (design.c): a brief reactivation where the
     * kind has one, then the exposure share of the session. */
    const trial_arm_plan *ap = &plan->arms[ks__trial_period_arm(plan, w->pt->arm, p)];
    for (size_t k = 0; k < ap->n_sessions && w->lp->route_therapy; k++) {
      const trial_session *ss = &ap->sessions[k];
      double ts = off + ss->t_h;
      if (!(ts > t0 && ts <= t1)) continue;
      if (ss->retrieval_min > 0) KS_TRY(ks_fear_exposure(w->fear, fd, ss->retrieval_min, KS_FEAR_EXPOSURE_RETRIEVAL));
      if (ss->exposure_min > 0) KS_TRY(ks_fear_exposure(w->fear, fd, ss->exposure_min, KS_FEAR_EXPOSURE_THERAPY));
    }
    if (!a->has_reminder) continue;
    for (size_t i = 0; i < w->n_doses; i++) {
      double td = w->doses[i].t_start_h, tr = td - a->reminder_before_dose_min / 60.0;
      int in_period = td >= off && (p + 1 == plan->n_periods || td < off + plan->period_offset_h);
      if (tr > t0 && tr <= t1 && in_period)
        KS_TRY(ks_fear_exposure(w->fear, fd, w->lp->retrieval_minutes, KS_FEAR_EXPOSURE_RETRIEVAL));
    }
  }
  return KS_OK;
}

/* Advance the fear memory and the mood model from *t to t_visit in steps, with events at their
 * times. */
static ks_status advance_to(ks_ctx *ctx, patient_work *w, double *t, double t_visit, ks_fear_drive *fd,
                            ks_rng *fear_rng, trial_trace *trace) {
  while (*t < t_visit - 1e-9) {
    double t_next = fmin(t_visit, *t + 24.0 * w->lp->fear_step_d);
    ks_cascade_point pc;
    cascade_at(w, t_next, &pc);
    double win = cascade_mean(w, *t, t_next, offsetof(ks_cascade_point, window));
    double eef2 = cascade_mean(w, *t, t_next, offsetof(ks_cascade_point, eef2));
    double e = expectancy_at(w, t_next);
    ks_mood_drive md = ks_link_mood_drive(w->lp, win, ks_fear_avoidance(w->fear), e, eef2, t_next > w->first_dose_h);
    md.acute_rate_per_day *= w->resp.acute_gain; /* the patient's rapid-response sensitivity */
    md.antidepressant = ks__trial_background_at(w->plan, w->pt->arm, t_next); /* design.c */
    md.expectancy = t_next > w->first_dose_h ? w->expectancy_same_day : 0.0;
    double acute0 = w->mood.acute;
    if (ks_mood_advance(&w->mood, (t_next - *t) / 24.0, &md) != KS_OK)
      return ks_ctx_fail(ctx, KS_EINVAL, "mood model: drive out of range at t = %g h", t_next);
    *fd = ks_link_fear_drive(w->lp, &pc, &w->cas[0], &w->ph, win, e);
    /* The drug's acute state (mean over the step) raises vmPFC control while it lasts. */
    fd->vmpfc_amygdala_gain = ks_link_acute_control(w->lp, fd->vmpfc_amygdala_gain, 0.5 * (acute0 + w->mood.acute));
    KS_TRY(ks_fear_advance(w->fear, (t_next - *t) / 24.0, fd, fear_rng));
    KS_TRY(fear_events(w, *t, t_next, fd));
    *t = t_next;
    if (trace) KS_TRY(trace_step(ctx, trace, w, *t, fd));
  }
  return KS_OK;
}

/* Symptom scales of visit v into row. */
static ks_status visit_scales(const patient_work *w, size_t v, double t_visit, double *row, trial_trace *trace) {
  static const ks_scen_scale sym[] = {KS_SCALE_CAPS5, KS_SCALE_PCL5, KS_SCALE_IESR, KS_SCALE_MADRS};
  static const int meas[] = {KS_M_CAPS5, KS_M_PCL5, KS_M_IESR, KS_M_MADRS};
  const trial_plan *plan = w->plan;
  unsigned scales = plan->visit_scales[v];
  ks_clinic_latent lat;
  KS_TRY(latent_at(w, t_visit, &lat));
  if (trace) ks__trace_visit_latent(trace, v, &lat);
  for (size_t k = 0; k < 4; k++) {
    if (!(scales & (1u << sym[k]))) continue;
    ks_rng vr;
    ks_rng_init(&vr, plan->seed, KS_STREAM_CLINIC, w->pt->cov.id, 1 + v * 8 + k);
    ks_scale_score out;
    KS_TRY(ks_clinic_scale_generate(plan->clinic, &w->cpt, (ks_scale)sym[k], &lat, &vr, NULL, 0, &out));
    row[meas[k]] = out.total;
    if (sym[k] == KS_SCALE_CAPS5)
      for (int c = 0; c < 4; c++) row[KS_M_CAPS5_B + c] = out.cluster[c];
  }
  return KS_OK;
}

/* Acute effects of one patient at time t_h (hours) under tolerance state ap. */
static ks_status acute_at(ks_ctx *ctx, const patient_work *w, const ks_acute_patient *ap, double t_h,
                          ks_acute_effects *ae) {
  ks_pk_conc c;
  KS_TRY(ks_pk_sim_eval(w->pk, t_h, &c));
  ks_acute_conc ac = ks_link_acute_conc(&c);
  return ks_acute_eval(ctx, &w->plan->acute, ap, &ac, ae);
}

/* Acute effects of visit v: CADSS at the visit's time; blood-pressure peaks over that day's dose. */
static ks_status visit_acute(ks_ctx *ctx, const patient_work *w, size_t v, double t_visit, double *row) {
  const trial_plan *plan = w->plan;
  unsigned scales = plan->visit_scales[v];
  double day_h = 24.0 * floor(t_visit / 24.0 + 1e-9);
  long di = dose_day_index(w, day_h);
  if (!(scales & (1u << KS_SCALE_CADSS)) && di < 0) return KS_OK;
  ks_acute_patient ap = w->apt;
  ap.n_prior_infusions = 0;
  for (size_t i = 0; i < w->n_doses; i++) ap.n_prior_infusions += w->doses[i].t_start_h < day_h - 1e-9;
  if (scales & (1u << KS_SCALE_CADSS)) {
    ks_acute_effects ae;
    KS_TRY(acute_at(ctx, w, &ap, t_visit, &ae));
    ks_rng ar;
    ks_rng_init(&ar, plan->seed, KS_STREAM_ACUTE, w->pt->cov.id, 1 + v);
    int total = 0;
    KS_TRY(ks_acute_cadss_items(&ae, &ar, NULL, 0, &total));
    row[KS_M_CADSS] = total;
  }
  if (di >= 0) {
    double peak_s = 0, peak_d = 0;
    int n = (int)lround(w->lp->bp_window_h * w->lp->bp_steps_per_h);
    for (int k = 0; k <= n; k++) {
      ks_acute_effects ae;
      KS_TRY(acute_at(ctx, w, &ap, w->doses[di].t_start_h + k / w->lp->bp_steps_per_h, &ae));
      peak_s = fmax(peak_s, ae.dsbp_mmHg);
      peak_d = fmax(peak_d, ae.ddbp_mmHg);
    }
    row[KS_M_SBP_PEAK] = w->pt->cov.sbp_mmHg + peak_s;
    row[KS_M_DBP_PEAK] = w->pt->cov.dbp_mmHg + peak_d;
  }
  return KS_OK;
}

/* Dropout, assessments and scans of visit v. *dropped, *caps5_base and *last_caps5 carry the
 * patient's dropout state between visits. */
typedef struct {
  int dropped;
  double caps5_base, last_caps5, fear_base;
  ks_rng rng;
} dropout_state;

static ks_status do_visit(ks_ctx *ctx, const patient_work *w, size_t v, dropout_state *ds, double *row,
                          trial_trace *trace) {
  const trial_plan *plan = w->plan;
  const ks_scenario *sc = plan->sc;
  double t_visit = plan->visit_t_h[v];
  ks_cascade_point pc;
  cascade_at(w, t_visit, &pc);
  double fear_now = ks_fear_expression(w->fear);
  /* Dropout before this visit (never at baseline). */
  if (v > 0 && !ds->dropped && sc->dropout_rate_per_week > 0) {
    double dt_w = (t_visit - plan->visit_t_h[v - 1]) / 168.0;
    double lam = ks_link_dropout_hazard(&plan->link, sc->dropout_rate_per_week, sc->dropout_mechanism,
                                        ds->last_caps5, ds->caps5_base, fear_now, ds->fear_base);
    if (ks_rng_uniform(&ds->rng) < 1.0 - exp(-lam * dt_w)) ds->dropped = 1;
  }
  row[KS_M_WINDOW] = pc.window;
  row[KS_M_GAIN_VMPFC_AMYGDALA] = pc.gain[KS_PATH_VMPFC_AMYGDALA];
  row[KS_M_SPINE_PFC] = pc.spine_pfc;
  row[KS_M_FEAR] = fear_now;
  row[KS_M_AVOIDANCE] = ks_fear_avoidance(w->fear);
  if (ds->dropped) {
    for (int m = KS_M_CAPS5; m <= KS_M_FC_VMPFC_AMYGDALA; m++) row[m] = NAN;
    return KS_OK;
  }
  KS_TRY(visit_scales(w, v, t_visit, row, trace));
  /* Randomized withdrawal: a patient not selected at the end of the induction leaves after this
   * visit (design.c); the later visits are missing, as after dropout. */
  if (!ks__trial_selected(plan, v, row - v * KS_M_N)) ds->dropped = 1;
  if (!isnan(row[KS_M_CAPS5])) {
    if (isnan(ds->caps5_base)) ds->caps5_base = row[KS_M_CAPS5];
    ds->last_caps5 = row[KS_M_CAPS5];
  }
  KS_TRY(visit_acute(ctx, w, v, t_visit, row));
  /* Scans of the imaging subset only (the first n_imaged patients, as the summary reads them):
   * vmPFC-amygdala coupling during the faces task (Norbury 2021), Fisher z. */
  if ((plan->visit_scales[v] & (1u << KS_SCALE_SCAN)) && w->pt->index < plan->n_imaged) {
    ks_circuit_drive dv = ks_link_circuit_drive(&pc);
    KS_TRY(ks_imaging_faces_fc_z(ctx, w->circ, &dv, &row[KS_M_FC_VMPFC_AMYGDALA]));
  }
  /* Brain layer: volume, cognition, pain, suicidal ideation, safety (src/trial/brain_visit.c). */
  ks_clinic_latent lat;
  KS_TRY(latent_at(w, t_visit, &lat));
  return ks__brain_visit(ctx, plan, w->pt, w->pk, w->doses, w->n_doses, &w->cas[0], &pc, &w->cpt, &lat, t_visit,
                         row - v * KS_M_N, v);
}

/* The patient's whole course once the layers are set up. */
static ks_status run_course(ks_ctx *ctx, patient_work *w, ks_fear_drive *fd, double *values, trial_trace *trace) {
  const trial_plan *plan = w->plan;
  const uint64_t id = w->pt->cov.id;
  ks_rng fear_rng;
  ks_rng_init(&fear_rng, plan->seed, KS_STREAM_FEAR, id, 0);
  dropout_state ds;
  memset(&ds, 0, sizeof ds);
  ds.caps5_base = ds.last_caps5 = NAN;
  ds.fear_base = ks_fear_expression(w->fear);
  ks_rng_init(&ds.rng, plan->seed, KS_STREAM_DROPOUT, id, 0);
  double t = 0.0;
  if (trace) KS_TRY(trace_step(ctx, trace, w, t, fd));
  for (size_t v = 0; v < plan->n_visits; v++) {
    KS_TRY(advance_to(ctx, w, &t, plan->visit_t_h[v], fd, &fear_rng, trace));
    KS_TRY(do_visit(ctx, w, v, &ds, values + v * KS_M_N, trace));
  }
  return KS_OK;
}

/* What the cascade grid must hold: the receptor fields are read only by the imaging subset's scans
 * (ks_link_circuit_drive) and by a trace; every other patient's visits read only the states, so
 * the receptor layer is not evaluated again at each grid time (it still drives the cascade). */
static unsigned cascade_flags(const trial_plan *plan, const trial_patient *pt, const trial_trace *trace) {
  return (trace || pt->index < plan->n_imaged) ? 0u : KS_CASCADE_STATES_ONLY;
}

ks_status ks__trial_simulate_patient(ks_ctx *ctx, const trial_plan *plan, const trial_patient *pt, double *values,
                                     trial_trace *trace) {
  for (size_t i = 0; i < plan->n_visits * KS_M_N; i++) values[i] = NAN;
  patient_work w;
  memset(&w, 0, sizeof w);
  w.plan = plan;
  w.pt = pt;
  w.lp = &plan->link;
  w.first_dose_h = 24.0 * ks_scenario_first_dose_day(plan->sc);
  w.cascade_flags = cascade_flags(plan, pt, trace);
  ks_fear_drive fd;
  ks_status st = setup_pk(ctx, &w);
  if (st == KS_OK) st = setup_cascade(ctx, &w);
  if (st == KS_OK) st = setup_patient_layers(ctx, &w, &fd);
  if (st == KS_OK && trace)
    st = ks__trace_begin(ctx, trace, plan, pt, &w.cp, w.pk, w.doses, w.n_doses, w.cas, w.n_cas, &w.apt);
  if (st == KS_OK) st = run_course(ctx, &w, &fd, values, trace);
  if (st != KS_OK) {
    char msg[600];
    snprintf(msg, sizeof msg, "%s", ks_ctx_last_error(ctx));
    ks_ctx_fail(ctx, st, "patient %zu (arm %s): %s", pt->index + 1, plan->sc->arms[pt->arm].name, msg);
  }
  work_free(ctx, &w);
  return st;
}
