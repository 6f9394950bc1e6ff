/* SPDX-License-Identifier: MIT */
/* Target roles, written once: the calibration set (data/targets/calibration.tsv) and the checks
 * that pass by construction (data/targets/by_construction.tsv); test_target_lists checks that these
 * tables equal the files. Every other target is a validation target. */
#include "core_internal.h"
#include <ketasim/validate.h>

#include <string.h>

static const char *const calibration_ids[] = {
    "pk.ketamine.im.tmax",
    "receptor.nmda.interneuron_preference",
    "receptor.midazolam.sedation",
    "plasticity.glx.peak_pct",
    "plasticity.glx.peak_time",
    "plasticity.mtorc1.peak_time",
    "plasticity.mtorc1.at_2h",
    "plasticity.proteins.at_2h",
    "plasticity.spines.at_24h",
    "plasticity.spines.at_7d",
    "plasticity.spines.at_14d",
    "circuit.ptsd.rest_vmpfc_amygdala",
    "circuit.ptsd.rest_vmpfc_insula",
    "circuit.ptsd.salience",
    "circuit.ptsd.dmn",
    "circuit.ptsd.amygdala_threat",
    "clinic.caps5.test_retest",
    "clinic.pcl5.test_retest",
    "clinic.caps5_pcl5.r",
    "clinic.pcl5.mean",
    "clinic.pcl5.sd",
    "clinic.pcl5.cluster_b.mean",
    "clinic.pcl5.cluster_c.mean",
    "clinic.pcl5.cluster_d.mean",
    "clinic.pcl5.cluster_e.mean",
    "clinic.placebo.response_12wk",
    "acute.cadss.mean_peak",
    "acute.cadss.sd_peak",
    "acute.cadss.sixth_vs_first",
    "acute.sbp.mean_peak",
    "acute.dbp.mean_peak",
    "acute.hr.mean_peak",
    "acute.sbp.age50_htn_ratio",
    "acute.sedation.midazolam_vs_ketamine",
    "trial.feder2021.caps5_week2_difference",
    "trial.feder2021.cohens_d",
    "trial.feder2021.response_ketamine",
    "trial.feder2021.response_midazolam",
    "trial.feder2021.durability_median",
    "brain.amygdala.ptsd_d",
    "brain.ssi.direct_24h",
    "brain.pain.crps_week1_ratio",
    NULL};

static const char *const by_construction_ids[] = {
    "pk.ketamine.im.f",
    "pk.ketamine.intranasal.f",
    "pk.ketamine.oral.f",
    "pk.ketamine.rectal.f",
    "receptor.nmda.s_over_r_potency",
    "receptor.midazolam.no_nmda_block",
    "plasticity.knockout.rapamycin",
    "plasticity.knockout.nbqx",
    "plasticity.knockout.bdnf",
    "plasticity.midazolam.glx",
    "plasticity.midazolam.spines",
    "plasticity.midazolam.window",
    "acute.cadss.midazolam",
    "circuit.hrf.stephan2007.peak",
    "circuit.hrf.friston2003.peak",
    "circuit.node.fic_rate",
    "circuit.node.nmda_all_x0.8",
    "circuit.node.nmda_ei_x0.8",
    "circuit.node.nmda_ei_x0.5",
    "circuit.fc.analytic_vs_sim",
    "stats.welch.sleep.t",
    "stats.welch.sleep.df",
    "stats.fisher.tea.p",
    "stats.wilson.81of263.lo",
    "stats.wilson.81of263.hi",
    "stats.newcombe.56of70-48of80.lo",
    "stats.newcombe.56of70-48of80.hi",
    "stats.logrank.aml.chi2",
    "stats.km.aml.maintained.median",
    "stats.power.d0.5.n64",
    "brain.hippocampus.ptsd_d",
    "brain.hippocampus.single_infusion_day1_pct",
    "brain.hippocampus.single_infusion_day10_pct",
    "brain.cognition.acute_ref_occupancy",
    "brain.cognition.ravlt_d",
    "brain.cognition.tmt_a_d",
    "brain.cognition.tmt_b_d",
    "brain.cognition.dsst_d",
    NULL};

static int in_list(const char *const *list, const char *id) {
  if (!id) return 0;
  for (size_t i = 0; list[i]; i++)
    if (!strcmp(list[i], id)) return 1;
  return 0;
}

int ks_target_is_calibration(const char *id) { return in_list(calibration_ids, id); }
int ks_target_is_by_construction(const char *id) { return in_list(by_construction_ids, id); }

const char *ks_target_calibration_id(size_t i) {
  return i < KS_ARRAY_LEN(calibration_ids) ? calibration_ids[i] : NULL;
}

const char *ks_target_by_construction_id(size_t i) {
  return i < KS_ARRAY_LEN(by_construction_ids) ? by_construction_ids[i] : NULL;
}
