/* SPDX-License-Identifier: MIT */
/* One virtual patient through every layer: doses -> PK -> receptor + cascade (CVODE) -> circuit
 * and imaging -> fear memory -> symptom scales and acute effects -> visits and dropout.
 * The equations that join the layers are in docs/model/trial.md. */
#include "trial_internal.h"

#include <ketasim/circuit.h>
#include <ketasim/imaging.h>
#include <ketasim/pk.h>

#include <math.h>
#include <string.h>

/* Step of the fear-memory layer (days): the drive is held constant over a step (fear.h asks
 * for <= 0.25 d). */
#define KS_FEAR_DT_D 0.25
/* Resolution of the cascade trajectory the upper layers read (hours). */
#define KS_CASCADE_DT_H 1.0
/* Baseline CAPS-5 at which a patient's trauma-memory expression equals the clinic layer's
 * reference (0.5), and CAPS-5 points per logit unit of expression: calibrated so that the
 * simulated baseline CAPS-5 follows the population preset (docs/model/trial.md). */
#define KS_CAPS5_AT_REF 40.0
#define KS_CAPS5_PER_LOGIT 14.0
/* Expectancy of every patient in a trial that gives everyone an infusion (double-blind with an
 * active placebo, or open label): calibrated to Feder 2021's midazolam week-2 response (20%). */
#define KS_BLINDED_EXPECTANCY 1.0
/* Human/rodent ratio of spine relaxation time: calibrated to Feder 2021's median time to loss of
 * response (27.5 days among ketamine responders). */
#define KS_HUMAN_SPINE_RELAX_SCALE 3.0

typedef struct {
  ks_pk_dose *doses;
  size_t n_doses;
  ks_pk_sim *pk;
  ks_cascade_point *cas;
  size_t n_cas;
  double *t_grid;
  ks_circuit *circ;
  ks_fear *fear;
} patient_work;

static void work_free(ks_ctx *ctx, patient_work *w) {
  ks_free(ctx, w->doses);
  ks_pk_sim_destroy(&w->pk);
  ks_free(ctx, w->cas);
  ks_free(ctx, w->t_grid);
  ks_circuit_destroy(&w->circ);
  ks_fear_destroy(&w->fear);
}

static double clamp(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

/* The cascade point at time t (hours), linearly interpolated on the hourly grid. */
static void cascade_at(const patient_work *w, double t_h, ks_cascade_point *out) {
  double x = t_h / KS_CASCADE_DT_H;
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

/* Mean window of plasticity over [t0, t1] (trapezoid on the hourly grid). */
static double window_mean(const patient_work *w, double t0_h, double t1_h) {
  double s = 0;
  int n = 8;
  for (int k = 0; k <= n; k++) {
    ks_cascade_point p;
    cascade_at(w, t0_h + (t1_h - t0_h) * k / n, &p);
    s += (k == 0 || k == n ? 0.5 : 1.0) * p.window;
  }
  return s / n;
}

/* Circuit drive from the cascade state: pathway gains scale long-range couplings; receptor block
 * at that moment (non-zero only during and just after a dose). */
ks_circuit_drive ks_trial_circuit_drive(const ks_cascade_point *p) {
  ks_circuit_drive d = ks_circuit_drive_baseline();
  d.nmda_block_E = p->block_pyramidal;
  d.nmda_block_I = p->block_interneuron;
  d.gabaa_potentiation = 1.0 + p->gabaa_potentiation;
  for (int k = 0; k < KS_PATH_N; k++) d.gain[k] = p->gain[k];
  d.spine_pfc_rel = p->spine_pfc;
  return d;
}

/* Fear drive from the cascade and circuit phenotype. */
static ks_fear_drive fear_drive(const ks_cascade_point *p, const ks_circuit_phenotype *ph, double window) {
  ks_fear_drive d = ks_fear_drive_default();
  d.window = window;
  d.vmpfc_amygdala_gain = clamp(p->gain[KS_PATH_VMPFC_AMYGDALA] * ph->vmpfc_amygdala_control, 0.05, 3.0);
  d.hippocampal_context = clamp(p->gain[KS_PATH_HIPPOCAMPUS_VMPFC] * ph->hippocampal_volume_rel, 0.0, 1.0);
  d.stress = 0.0;
  return d;
}

static ks_status build_doses(ks_ctx *ctx, const trial_plan *plan, const trial_patient *pt, patient_work *w) {
  const ks_scenario *sc = plan->sc;
  size_t n = 0;
  for (size_t p = 0; p < plan->n_periods; p++) {
    const ks_scen_arm *a = &sc->arms[ks__trial_period_arm(plan, pt->arm, p)];
    for (size_t r = 0; r < a->n_regimen; r++) n += a->regimen[r].n_days;
  }
  w->doses = ks_calloc(ctx, n ? n : 1, sizeof *w->doses);
  if (!w->doses) return KS_ENOMEM;
  for (size_t p = 0; p < plan->n_periods; p++) {
    const ks_scen_arm *a = &sc->arms[ks__trial_period_arm(plan, pt->arm, p)];
    double off = (double)p * plan->period_offset_h;
    for (size_t r = 0; r < a->n_regimen; r++) {
      const ks_scen_dose *d = &a->regimen[r];
      for (size_t k = 0; k < d->n_days; k++) {
        ks_pk_dose *o = &w->doses[w->n_doses++];
        o->drug = (ks_drug)d->drug;
        o->route = (ks_route)d->route;
        o->dose_mg = d->per_kg ? d->dose * pt->cov.weight_kg : d->dose;
        o->t_start_h = off + 24.0 * d->days[k];
        o->infusion_h = d->infusion_h;
      }
    }
  }
  return KS_OK;
}

/* Is t (hours) within [dose start, dose start + window] of any dose? Returns the dose or -1. */
static long dose_day_index(const patient_work *w, double day_start_h) {
  for (size_t i = 0; i < w->n_doses; i++)
    if (w->doses[i].t_start_h >= day_start_h - 1e-9 && w->doses[i].t_start_h < day_start_h + 24.0) return (long)i;
  return -1;
}

/* ---- trace hook (`ketasim patient`; recorded by trace.c) ---- */
/* Inputs of the symptom layer from the cascade, the fear memory and the circuit's first-order
 * response to the vmPFC->amygdala gain: used at every visit and for the trace's rows between
 * visits. */
static ks_clinic_inputs clinic_inputs(const ks_cascade_point *pc, const ks_circuit_phenotype *ph, double fear,
                                            double avoid, double g0, double damy_dlng, double sal_dlng) {
  ks_clinic_inputs in = ks_clinic_inputs_reference();
  in.fear_expression = clamp(fear, 1e-4, 1 - 1e-4);
  in.avoidance = clamp(avoid, 1e-4, 0.999);
  in.spine_density_rel = clamp(pc->spine_pfc, 0.05, 2.0);
  double dlng = log(pc->gain[KS_PATH_VMPFC_AMYGDALA] / g0);
  in.amygdala_reactivity = clamp(ph->amygdala_reactivity * exp(damy_dlng * dlng), 0.2, 5.0);
  in.salience_coupling = clamp(ph->salience_coupling * exp(sal_dlng * dlng), 0.2, 5.0);
  return in;
}

/* One row of the trace's fear/symptom trajectory at t_h (after the fear step ending there). */
static ks_status trace_step(ks_ctx *ctx, trial_trace *trace, const trial_plan *plan, const ks_clinic_patient *cpt,
                            const patient_work *w, const ks_circuit_phenotype *ph, const double lin[3], double t_h,
                            double first_dose_h, const ks_fear_drive *fd) {
  ks_cascade_point pc;
  cascade_at(w, t_h, &pc);
  ks_clinic_inputs in = clinic_inputs(&pc, ph, ks_fear_expression(w->fear), ks_fear_avoidance(w->fear), lin[0],
                                            lin[1], lin[2]);
  ks_clinic_latent lat;
  KS_TRY(ks_clinic_latent_eval(plan->clinic, cpt, &in, (t_h - first_dose_h) / 24.0, &lat));
  return ks__trace_step(ctx, trace, t_h, fd, w->fear, &lat);
}

ks_status ks__trial_simulate_patient(ks_ctx *ctx, const trial_plan *plan, const trial_patient *pt, double *values,
                                     trial_trace *trace) {
  const ks_scenario *sc = plan->sc;
  const ks_patient *cov = &pt->cov;
  const uint64_t id = cov->id, seed = plan->seed;
  size_t nv = plan->n_visits;
  for (size_t i = 0; i < nv * KS_M_N; i++) values[i] = NAN;
  patient_work w;
  memset(&w, 0, sizeof w);
  ks_status st;
  ks_rng r;

  /* 1. Doses and PK. */
  if ((st = build_doses(ctx, plan, pt, &w)) != KS_OK) goto done;
  ks_pk_patient pkp = ks_pk_patient_typical(cov->weight_kg, cov->age_y, cov->female);
  ks_rng_init(&r, seed, KS_STREAM_PK_IIV, id, 0);
  ks_pk_patient_sample_iiv(&pkp, &r);
  ks_pk_options po = ks_pk_options_default();
  po.allow_unstudied_doses = sc->allow_unstudied_doses;
  if ((st = ks_pk_sim_create(ctx, &pkp, w.doses, w.n_doses, &po, &w.pk)) != KS_OK) goto done;
  ks_exposure ex;
  ks_pk_sim_exposure(w.pk, &ex);

  /* 2. Receptor and plasticity cascade on an hourly grid to the last visit. The chronic-stress
   * spine deficit grows with PTSD severity and treatment resistance (docs/model/trial.md). */
  ks_cascade_params cp = plan->cascade;
  ks_rng_init(&r, seed, KS_STREAM_PLASTICITY_IIV, id, 0);
  double deficit = 0.15 * (1.0 + 0.25 * cov->severity_z + 0.3 * (cov->treatment_resistance - 0.3)) *
                   exp(0.25 * ks_rng_normal(&r));
  cp.spine_deficit_pfc = clamp(deficit, 0.02, 0.5);
  cp.spine_deficit_hpc = clamp(deficit * 0.8, 0.02, 0.5);
  cp.plasticity_scale = exp(0.3 * ks_rng_normal(&r));
  cp.bdnf_scale = exp(0.2 * ks_rng_normal(&r));
  /* Human spines and synapses outlast the rodent time course the plasticity layer is fitted to
   * (T_S 7 d, Li 2010 / Moda-Sava 2019): scaled by KS_HUMAN_SPINE_RELAX_SCALE, calibrated to
   * Feder 2021's median 27.5 days to loss of response (docs/model/trial.md). */
  cp.spine_relax_d *= ks_param(ctx, "trial.human_spine_relax_scale", KS_HUMAN_SPINE_RELAX_SCALE);
  ks_scen_knockout ko = sc->arms[ks__trial_period_arm(plan, pt->arm, 0)].knockout;
  cp.knockouts = ko == KS_KNOCKOUT_MTORC1 ? KS_KO_MTORC1 : ko == KS_KNOCKOUT_AMPA ? KS_KO_AMPA
               : ko == KS_KNOCKOUT_BDNF ? KS_KO_BDNF : KS_KO_NONE;
  w.n_cas = (size_t)ceil(plan->end_h / KS_CASCADE_DT_H) + 2;
  w.t_grid = ks_calloc(ctx, w.n_cas, sizeof *w.t_grid);
  w.cas = ks_calloc(ctx, w.n_cas, sizeof *w.cas);
  if (!w.t_grid || !w.cas) {
    st = KS_ENOMEM;
    goto done;
  }
  for (size_t i = 0; i < w.n_cas; i++) w.t_grid[i] = (double)i * KS_CASCADE_DT_H;
  if ((st = ks_cascade_solve(ctx, &cp, &plan->receptor, &ex, w.t_grid, w.n_cas, w.cas)) != KS_OK) goto done;

  /* 3. Circuit phenotype and the imaging readouts at baseline. */
  ks_circuit_phenotype ph;
  ks_rng_init(&r, seed, KS_STREAM_CIRCUIT_IIV, id, 0);
  ks_circuit_phenotype_sample(&r, clamp(0.6 + 0.25 * cov->severity_z, 0.0, 1.0), &ph);
  if ((st = ks_circuit_create_default(ctx, &ph, &w.circ)) != KS_OK) goto done;
  ks_circuit_drive d0 = ks_trial_circuit_drive(&w.cas[0]);
  ks_imaging_summary img0;
  if ((st = ks_imaging_scan_summary(ctx, w.circ, &d0, &img0)) != KS_OK) goto done;
  /* Sensitivity of the clinic's circuit inputs to the vmPFC->amygdala and salience gains, by a
   * finite difference at baseline: the symptom layer reads the circuit at every visit through
   * this first-order expansion; full scans are solved at scan visits. */
  ks_circuit_drive d1 = d0;
  d1.gain[KS_PATH_VMPFC_AMYGDALA] *= 1.1;
  ks_imaging_summary img1;
  if ((st = ks_imaging_scan_summary(ctx, w.circ, &d1, &img1)) != KS_OK) goto done;
  double g0 = d0.gain[KS_PATH_VMPFC_AMYGDALA];
  double damy_dlng = (log(fmax(img1.amygdala_threat_pct, 1e-6)) - log(fmax(img0.amygdala_threat_pct, 1e-6))) / log(1.1);
  double sal_dlng = (img1.salience_z - img0.salience_z) / log(1.1);

  /* 4. Fear memory. */
  if ((st = ks_fear_create(ctx, &plan->fear, &w.fear)) != KS_OK) goto done;
  double fear0 = 1.0 / (1.0 + exp(-(cov->caps5_true - KS_CAPS5_AT_REF) / KS_CAPS5_PER_LOGIT));
  ks_fear_drive fd = fear_drive(&w.cas[0], &ph, 0.0);
  if ((st = ks_fear_init(w.fear, clamp(fear0, 0.02, 0.98), &fd, id)) != KS_OK) goto done;

  /* 5. Clinic: the patient's traits and expectancy. Every arm of a double-blind trial with an
   * active placebo (midazolam mimics the infusion experience) and an open-label arm get the full
   * expectancy (calibrated to Feder 2021's 20% midazolam responders at week 2, docs/model/trial.md). */
  ks_clinic_patient cpt;
  ks_rng_init(&r, seed, KS_STREAM_CLINIC, id, 0);
  double expectancy = clamp(ks_param(ctx, "trial.blinded_expectancy", KS_BLINDED_EXPECTANCY), 0.0, 1.0);
  if ((st = ks_clinic_patient_draw(plan->clinic, &r, expectancy, &cpt)) != KS_OK) goto done;
  ks_acute_patient apt;
  ks_rng_init(&r, seed, KS_STREAM_ACUTE, id, 0);
  if ((st = ks_acute_patient_draw(&plan->acute, &r, cov->age_y, cov->hypertension, &apt)) != KS_OK) goto done;
  if (trace && (st = ks__trace_begin(ctx, trace, plan, pt, &cp, w.pk, w.doses, w.n_doses, w.cas, w.n_cas, &apt)) != KS_OK)
    goto done;

  /* 6. March through time: fear steps, therapy sessions, reminders, and visits. */
  ks_rng fear_rng;
  ks_rng_init(&fear_rng, seed, KS_STREAM_FEAR, id, 0);
  ks_rng drop_rng;
  ks_rng_init(&drop_rng, seed, KS_STREAM_DROPOUT, id, 0);
  double first_dose_h = 24.0 * ks_scenario_first_dose_day(sc);
  double t = 0.0;
  size_t next_visit = 0;
  int dropped = 0;
  double caps5_base = NAN, last_caps5 = NAN;
  double fear_base = ks_fear_expression(w.fear);
  const double trace_lin[3] = {g0, damy_dlng, sal_dlng};
  if (trace && (st = trace_step(ctx, trace, plan, &cpt, &w, &ph, trace_lin, t, first_dose_h, &fd)) != KS_OK) goto done;
  while (next_visit < nv) {
    double t_visit = plan->visit_t_h[next_visit];
    /* Advance fear memory to the visit in steps, with therapy sessions and reminders at their times. */
    while (t < t_visit - 1e-9) {
      double t_next = fmin(t_visit, t + 24.0 * KS_FEAR_DT_D);
      ks_cascade_point pc;
      cascade_at(&w, t_next, &pc);
      fd = fear_drive(&pc, &ph, window_mean(&w, t, t_next));
      if ((st = ks_fear_advance(w.fear, (t_next - t) / 24.0, &fd, &fear_rng)) != KS_OK) goto done;
      /* Events in (t, t_next]: therapy sessions (at 2 h into their day, after any infusion),
       * post-retrieval reminders (before each dose). */
      for (size_t p = 0; p < plan->n_periods; p++) {
        const ks_scen_arm *a = &sc->arms[ks__trial_period_arm(plan, pt->arm, p)];
        double off = (double)p * plan->period_offset_h;
        for (size_t k = 0; k < a->n_therapy; k++)
          for (size_t j = 0; j < a->therapy[k].n_days; j++) {
            double ts = off + 24.0 * a->therapy[k].days[j] + 2.0;
            if (ts > t && ts <= t_next)
              if ((st = ks_fear_exposure(w.fear, &fd, a->therapy[k].minutes, KS_FEAR_EXPOSURE_THERAPY)) != KS_OK)
                goto done;
          }
        if (a->has_reminder)
          for (size_t i = 0; i < w.n_doses; i++) {
            double tr = w.doses[i].t_start_h - a->reminder_before_dose_min / 60.0;
            if (tr > t && tr <= t_next && w.doses[i].t_start_h >= off && (p + 1 == plan->n_periods || w.doses[i].t_start_h < off + plan->period_offset_h))
              if ((st = ks_fear_exposure(w.fear, &fd, 5.0, KS_FEAR_EXPOSURE_RETRIEVAL)) != KS_OK) goto done;
          }
      }
      t = t_next;
      if (trace && (st = trace_step(ctx, trace, plan, &cpt, &w, &ph, trace_lin, t, first_dose_h, &fd)) != KS_OK) goto done;
    }
    /* The visit. */
    size_t v = next_visit++;
    double *row = values + v * KS_M_N;
    ks_cascade_point pc;
    cascade_at(&w, t_visit, &pc);
    double fear_now = ks_fear_expression(w.fear), avoid_now = ks_fear_avoidance(w.fear);
    /* Dropout before this visit (never at baseline): a weekly hazard, raised by worsening for MAR
     * (observed CAPS-5) and MNAR (unobserved current fear expression). */
    if (v > 0 && !dropped && sc->dropout_rate_per_week > 0) {
      double dt_w = (t_visit - plan->visit_t_h[v - 1]) / 168.0;
      double lam = -log(1.0 - sc->dropout_rate_per_week);
      if (sc->dropout_mechanism == KS_DROPOUT_MAR && !isnan(last_caps5) && !isnan(caps5_base))
        lam *= exp(0.05 * (last_caps5 - caps5_base));
      else if (sc->dropout_mechanism == KS_DROPOUT_MNAR)
        lam *= exp(3.0 * (fear_now - fear_base));
      if (ks_rng_uniform(&drop_rng) < 1.0 - exp(-lam * dt_w)) dropped = 1;
    }
    row[KS_M_WINDOW] = pc.window;
    row[KS_M_GAIN_VMPFC_AMYGDALA] = pc.gain[KS_PATH_VMPFC_AMYGDALA];
    row[KS_M_SPINE_PFC] = pc.spine_pfc;
    row[KS_M_FEAR] = fear_now;
    row[KS_M_AVOIDANCE] = avoid_now;
    if (dropped) {
      for (int m = KS_M_CAPS5; m <= KS_M_FC_VMPFC_AMYGDALA; m++) row[m] = NAN;
      continue;
    }
    unsigned scales = plan->visit_scales[v];
    /* Symptom scales. */
    ks_clinic_inputs in = clinic_inputs(&pc, &ph, fear_now, avoid_now, g0, damy_dlng, sal_dlng);
    ks_clinic_latent lat;
    if ((st = ks_clinic_latent_eval(plan->clinic, &cpt, &in, (t_visit - first_dose_h) / 24.0, &lat)) != KS_OK) goto done;
    if (trace) ks__trace_visit_latent(trace, v, &lat);
    static const ks_scen_scale sym[] = {KS_SCALE_CAPS5, KS_SCALE_PCL5, KS_SCALE_IESR, KS_SCALE_MADRS};
    static const int meas[] = {KS_M_CAPS5, KS_M_PCL5, KS_M_IESR, KS_M_MADRS};
    for (size_t k = 0; k < 4; k++) {
      if (!(scales & (1u << sym[k]))) continue;
      ks_rng vr;
      ks_rng_init(&vr, seed, KS_STREAM_CLINIC, id, 1 + v * 8 + k);
      ks_scale_score sc_out;
      if ((st = ks_clinic_scale_generate(plan->clinic, &cpt, (ks_scale)sym[k], &lat, &vr, NULL, 0, &sc_out)) != KS_OK)
        goto done;
      row[meas[k]] = sc_out.total;
      if (sym[k] == KS_SCALE_CAPS5)
        for (int c = 0; c < 4; c++) row[KS_M_CAPS5_B + c] = sc_out.cluster[c];
    }
    if (!isnan(row[KS_M_CAPS5])) {
      if (isnan(caps5_base)) caps5_base = row[KS_M_CAPS5];
      last_caps5 = row[KS_M_CAPS5];
    }
    /* Acute effects: CADSS at the visit's time; blood-pressure peaks over that day's session. */
    long di = dose_day_index(&w, 24.0 * floor(t_visit / 24.0 + 1e-9));
    if ((scales & (1u << KS_SCALE_CADSS)) || di >= 0) {
      ks_acute_patient ap = apt;
      ap.n_prior_infusions = 0;
      for (size_t i = 0; i < w.n_doses; i++) ap.n_prior_infusions += w.doses[i].t_start_h < 24.0 * floor(t_visit / 24.0 + 1e-9) - 1e-9;
      if (scales & (1u << KS_SCALE_CADSS)) {
        ks_pk_conc c;
        if ((st = ks_pk_sim_eval(w.pk, t_visit, &c)) != KS_OK) goto done;
        ks_acute_conc ac = {c.effect_ng_per_mL[KS_SP_S_KETAMINE], c.effect_ng_per_mL[KS_SP_R_KETAMINE],
                            c.effect_ng_per_mL[KS_SP_MIDAZOLAM]};
        ks_acute_effects ae;
        if ((st = ks_acute_eval(ctx, &plan->acute, &ap, &ac, &ae)) != KS_OK) goto done;
        ks_rng ar;
        ks_rng_init(&ar, seed, KS_STREAM_ACUTE, id, 1 + v);
        int total = 0;
        if ((st = ks_acute_cadss_items(&ae, &ar, NULL, 0, &total)) != KS_OK) goto done;
        row[KS_M_CADSS] = total;
      }
      if (di >= 0) {
        double peak_s = 0, peak_d = 0;
        for (int k = 0; k <= 36; k++) { /* 0-3 h after the dose in 5-min steps */
          ks_pk_conc c;
          if ((st = ks_pk_sim_eval(w.pk, w.doses[di].t_start_h + k / 12.0, &c)) != KS_OK) goto done;
          ks_acute_conc ac = {c.effect_ng_per_mL[KS_SP_S_KETAMINE], c.effect_ng_per_mL[KS_SP_R_KETAMINE],
                              c.effect_ng_per_mL[KS_SP_MIDAZOLAM]};
          ks_acute_effects ae;
          if ((st = ks_acute_eval(ctx, &plan->acute, &ap, &ac, &ae)) != KS_OK) goto done;
          peak_s = fmax(peak_s, ae.dsbp_mmHg);
          peak_d = fmax(peak_d, ae.ddbp_mmHg);
        }
        row[KS_M_SBP_PEAK] = cov->sbp_mmHg + peak_s;
        row[KS_M_DBP_PEAK] = cov->dbp_mmHg + peak_d;
      }
    }
    /* Scans: vmPFC-amygdala coupling during the faces task (Norbury 2021), Fisher z. */
    if (scales & (1u << KS_SCALE_SCAN)) {
      ks_circuit_drive dv = ks_trial_circuit_drive(&pc);
      ks_imaging_summary img;
      if ((st = ks_imaging_scan_summary(ctx, w.circ, &dv, &img)) != KS_OK) goto done;
      row[KS_M_FC_VMPFC_AMYGDALA] = img.vmpfc_amygdala_faces_z;
    }
  }
  st = KS_OK;
done:
  if (st != KS_OK) {
    char msg[600];
    snprintf(msg, sizeof msg, "%s", ks_ctx_last_error(ctx));
    ks_ctx_fail(ctx, st, "patient %zu (arm %s): %s", pt->index + 1, sc->arms[pt->arm].name, msg);
  }
  work_free(ctx, &w);
  return st;
}
