/* SPDX-License-Identifier: MIT */
/* Scenario files: a virtual trial written in YAML (`ketasim: 1`), loaded, validated against the
 * schema of docs/scenario.md and turned into the typed, documented struct below.
 *
 * The struct is public and read-only for the layers above (population, trial, report): every
 * field holds its resolved value (defaults filled in), in the unit its name states. A loaded
 * scenario is immutable, so one scenario may be read from many threads.
 *
 * Time on the study clock: day d begins at t = 24 d hours; day 0 is baseline. Doses and therapy
 * sessions on day d start at 24 d h. A visit given as a day number takes place at the start of
 * that day, before any dose of that day; a visit given as a time ("24 h", "230 min") takes place
 * that long after the start of the first dose (in a crossover, of each period's first dose). */
#ifndef KETASIM_SCENARIO_H
#define KETASIM_SCENARIO_H

#include <stdio.h>
#include <ketasim/core.h>
#include <ketasim/vocab.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits, documented in docs/scenario.md. */
#define KS_SCENARIO_MAX_FILE_BYTES ((size_t)4 * 1024 * 1024) /* 4 MiB */
#define KS_SCENARIO_MAX_PATIENTS 10000000L
#define KS_SCENARIO_MAX_DAY 3650
#define KS_SCENARIO_MAX_REPLICATES 100000L
#define KS_SCENARIO_NAME_MAX 64  /* names of scenarios and arms, including the terminating NUL */
#define KS_SCENARIO_DESCRIPTION_MAX 2048 /* description text, including the terminating NUL */

/* Drugs and routes. Routes are the shared vocabulary of <ketasim/vocab.h>; the drugs with a PK
 * model are vocab.h's ks_drug (same values), and the scenario adds doses without pharmacokinetics:
 * KS_SCEN_SALINE (inert placebo) and KS_SCEN_ACTIVE_PLACEBO (noticeable effects, no NMDA action),
 * doses only for blinding and expectancy. A drug below KS_SCEN_PK_DRUG_N converts to ks_drug by a
 * cast. The KS_SCEN_ route names are aliases of KS_ROUTE_. */
typedef enum {
  KS_SCEN_KETAMINE = KS_DRUG_KETAMINE, KS_SCEN_ESKETAMINE = KS_DRUG_ESKETAMINE, KS_SCEN_MIDAZOLAM = KS_DRUG_MIDAZOLAM,
  KS_SCEN_SALINE = KS_DRUG_N, KS_SCEN_ACTIVE_PLACEBO, KS_SCEN_DRUG_N
} ks_scen_drug;
#define KS_SCEN_PK_DRUG_N KS_DRUG_N /* drugs with a PK model: KS_SCEN_KETAMINE .. KS_SCEN_MIDAZOLAM */
/** 1 when doses of D are simulated by the PK layer (not saline, not an active placebo). */
#define KS_SCEN_DRUG_HAS_PK(d) ((unsigned)(d) < KS_SCEN_PK_DRUG_N)
/* What an active placebo is (drug: active-placebo, agent: ...). */
typedef enum { KS_PLACEBO_AGENT_OTHER = 0, KS_PLACEBO_AGENT_DIPHENHYDRAMINE, KS_PLACEBO_AGENT_N } ks_scen_placebo_agent;
/* A background oral antidepressant (arm key `background`): taken daily alongside the trial's
 * doses, not a dose of the regimen (no PK, no infusion number); it acts on the mood model
 * (docs/model/mood.md). The classes share one effect (Cipriani 2018: small differences). */
typedef enum {
  KS_BACKGROUND_NONE = 0, KS_BACKGROUND_ANTIDEPRESSANT, KS_BACKGROUND_SSRI, KS_BACKGROUND_SNRI, KS_BACKGROUND_N
} ks_scen_background_drug;
typedef enum { KS_BLINDING_DOUBLE = 0, KS_BLINDING_SINGLE, KS_BLINDING_OPEN } ks_scen_blinding;
typedef enum { KS_ARM_CONTROL_NONE = 0, KS_ARM_CONTROL_WAITLIST, KS_ARM_CONTROL_NO_TREATMENT } ks_scen_arm_control;
typedef enum { KS_MULTIPLICITY_NONE = 0, KS_MULTIPLICITY_HOLM, KS_MULTIPLICITY_DUNNETT } ks_scen_multiplicity;
typedef ks_route ks_scen_route;
#define KS_SCEN_IV KS_ROUTE_IV
#define KS_SCEN_IM KS_ROUTE_IM
#define KS_SCEN_INTRANASAL KS_ROUTE_INTRANASAL
#define KS_SCEN_ORAL KS_ROUTE_ORAL
#define KS_SCEN_SUBLINGUAL KS_ROUTE_SUBLINGUAL
#define KS_SCEN_RECTAL KS_ROUTE_RECTAL
#define KS_SCEN_ROUTE_N KS_ROUTE_N

typedef enum { KS_DESIGN_PARALLEL = 0, KS_DESIGN_CROSSOVER, KS_DESIGN_SINGLE_ARM } ks_scen_design;
typedef enum { KS_KNOCKOUT_NONE = 0, KS_KNOCKOUT_MTORC1, KS_KNOCKOUT_AMPA, KS_KNOCKOUT_BDNF } ks_scen_knockout;
typedef enum { KS_FEAR_DEFAULT = 0, KS_FEAR_LATENT_CAUSE } ks_scen_fear_model;
typedef enum { KS_DROPOUT_MCAR = 0, KS_DROPOUT_MAR, KS_DROPOUT_MNAR } ks_scen_dropout_mech;
typedef enum {
  KS_THERAPY_PROLONGED_EXPOSURE = 0, KS_THERAPY_IMAGINAL_EXPOSURE, KS_THERAPY_IN_VIVO_EXPOSURE,
  KS_THERAPY_WRITTEN_EXPOSURE, KS_THERAPY_MINDFULNESS_EXTINCTION_REACTIVATION, KS_THERAPY_TRAUMA_FOCUSED_CBT,
  KS_THERAPY_N
} ks_scen_therapy_kind;

/* Assessments. KS_SCALE_SCAN is the imaging session (not a symptom scale). */
typedef enum {
  KS_SCALE_CAPS5 = 0, KS_SCALE_PCL5, KS_SCALE_IESR, KS_SCALE_MADRS, KS_SCALE_CADSS, KS_SCALE_SCAN,
  /* brain layer (docs/model/brain.md): structural MRI (hippocampal volume, % change), cognitive
   * tests on their own units, chronic pain NRS, Scale for Suicidal Ideation */
  KS_SCALE_MRI, KS_SCALE_RAVLT, KS_SCALE_TMT_A, KS_SCALE_TMT_B, KS_SCALE_DSST, KS_SCALE_NRS, KS_SCALE_SSI,
  KS_SCALE_N
} ks_scen_scale;

/* Preset names of the population layer; the overrides below replace single preset fields. */
/* KS_PRESET_TREATMENT_RESISTANT_DEPRESSION is the veterans preset with every patient depressed. */
typedef enum {
  KS_PRESET_CIVILIAN_CHRONIC_PTSD = 0, KS_PRESET_VETERANS_TREATMENT_RESISTANT, KS_PRESET_TREATMENT_RESISTANT_DEPRESSION,
  KS_PRESET_N
} ks_scen_preset;

/** Names as written in scenario files ("ketamine", "iv", "crossover", "caps5", ...); never NULL.
 *  The parse functions return -1 for an unknown name. */
KS_API const char *ks_scen_drug_name(ks_scen_drug d);
KS_API const char *ks_scen_route_name(ks_scen_route r);
KS_API const char *ks_scen_design_name(ks_scen_design d);
KS_API const char *ks_scen_knockout_name(ks_scen_knockout k);
KS_API const char *ks_scen_fear_model_name(ks_scen_fear_model m);
KS_API const char *ks_scen_dropout_mech_name(ks_scen_dropout_mech m);
KS_API const char *ks_scen_therapy_kind_name(ks_scen_therapy_kind k);
KS_API const char *ks_scen_scale_name(ks_scen_scale s);
KS_API const char *ks_scen_preset_name(ks_scen_preset p);
KS_API const char *ks_scen_blinding_name(ks_scen_blinding b);
KS_API const char *ks_scen_arm_control_name(ks_scen_arm_control c);
KS_API const char *ks_scen_multiplicity_name(ks_scen_multiplicity m);
KS_API const char *ks_scen_placebo_agent_name(ks_scen_placebo_agent a);
KS_API const char *ks_scen_background_drug_name(ks_scen_background_drug b);
KS_API int ks_scen_drug_parse(const char *name);
KS_API int ks_scen_route_parse(const char *name);
KS_API int ks_scen_scale_parse(const char *name);

/** Highest score of a symptom scale (caps5 80, pcl5 80, iesr 88, madrs 60, cadss 92; scan 0). */
KS_API double ks_scen_scale_max(ks_scen_scale s);

/** A visit time: a study day (by_time == 0; value is the day, a whole number) or a time after
 *  the start of the first dose of the (period's) treatment (by_time == 1; value in hours).
 *  A visit written relative to an infusion ("24 h after infusion 4") is resolved by the loader
 *  into that form; after_infusion and after_value keep how it was written (for the resolved file
 *  and labels): after_infusion 0 = not relative, k >= 1 = infusion k, -1 = the last infusion;
 *  after_days 1: after_value is whole days (a day visit), 0: hours. */
typedef struct ks_scen_visit {
  int by_time;
  double value;  /* day, or hours after the first dose */
  int after_infusion;
  int after_days;
  double after_value;
} ks_scen_visit;

/** Hours on the study clock of a visit, for a treatment whose first dose is on FIRST_DOSE_DAY. */
KS_API double ks_scen_visit_t_h(ks_scen_visit v, int first_dose_day);

/** One line of an arm's regimen: the same dose on each of days[0..n_days) (ascending). */
typedef struct ks_scen_dose {
  ks_scen_drug drug;
  ks_scen_route route;
  ks_scen_placebo_agent agent;  /* drug == KS_SCEN_ACTIVE_PLACEBO: what it is */
  double recognisability;       /* [0, 1]: share of patients who recognise the drug by its effects */
  int recognisability_set;      /* 1: written in the scenario; 0: the drug's default */
  double dose;          /* mg/kg when per_kg, else mg; 0 for saline */
  int per_kg;
  double infusion_h;    /* IV infusion duration (0: bolus); 0 for every other route */
  char pk_model[24];    /* PK parameter set (ks_pk_model_name); "": the drug's default set */
  int induction;        /* 1: a copy of the scenario's induction entry (written under induction:) */
  int *days;            /* ascending study days, 1..KS_SCENARIO_MAX_DAY */
  size_t n_days;
} ks_scen_dose;

/** A background oral antidepressant taken every day from from_day to until_day (inclusive;
 *  until_day 0: to the end of the study); drug KS_BACKGROUND_NONE: none. In a crossover the days
 *  are within the period. */
typedef struct ks_scen_background {
  ks_scen_background_drug drug;
  int from_day;
  int until_day;
  int open_label;               /* 1: the patient knows they take it (raises expectancy); 0: blinded */
} ks_scen_background;

/** Therapy sessions on days[0..n_days), each at_h hours into its day. Sessions written relative
 *  to infusions ("24 h after each infusion") are resolved by the loader into days and at_h. */
typedef struct ks_scen_therapy {
  ks_scen_therapy_kind kind;
  int *days;
  size_t n_days;
  double minutes;       /* session length, min */
  double at_h;          /* time of day of the sessions, [0, 24) h; 2 h by default */
} ks_scen_therapy;

typedef struct ks_scen_arm {
  char name[KS_SCENARIO_NAME_MAX];
  double ratio;                 /* allocation ratio (parallel designs), > 0 */
  ks_scen_dose *regimen;
  size_t n_regimen;
  ks_scen_therapy *therapy;
  size_t n_therapy;
  int has_reminder;             /* post-retrieval extinction: a trauma reminder before each dose */
  double reminder_before_dose_min;
  ks_scen_knockout knockout;
  ks_scen_arm_control control;  /* waitlist / no-treatment: no doses, no therapy, visits only */
  ks_scen_background background; /* daily oral antidepressant alongside the regimen (drug NONE: none) */
} ks_scen_arm;

/** Who continues from the induction phase to randomisation: remitters or responders, by the
 *  scenario's remission (response) endpoint's scale and threshold, at day until_day. */
typedef enum { KS_SELECT_REMISSION = 0, KS_SELECT_RESPONSE } ks_scen_select;

/** A shared open-label induction phase before randomisation (randomized-withdrawal designs such
 *  as SUSTAIN-1): every patient gets regimen[0..n_regimen) on days 1..until_day (and the
 *  background, which an arm without its own continues); the loader copies the entries into every
 *  arm (ks_scen_dose.induction = 1), so the dose table, infusion numbers and expectancy see them.
 *  Patients not selected at day until_day leave the trial after that visit (their later visits
 *  are missing, as after dropout). */
typedef struct ks_scen_induction {
  int enabled;
  int until_day;
  ks_scen_dose *regimen;
  size_t n_regimen;
  ks_scen_background background;
  ks_scen_select select;
} ks_scen_induction;

/** A contrast of the primary endpoint: arms[treat] minus arms[ctrl]. */
typedef struct ks_scen_contrast {
  int treat, ctrl;
} ks_scen_contrast;
#define KS_SCENARIO_MAX_CONTRASTS 16

/** Population overrides: a field whose *_set flag is 0 keeps the preset's value. */
typedef struct ks_scen_population {
  long n;                       /* patients randomised (per replicate) */
  ks_scen_preset preset;
  int caps5_mean_set;    double caps5_mean;
  int caps5_sd_set;      double caps5_sd;
  int age_mean_set;      double age_mean_y;
  int age_sd_set;        double age_sd_y;
  int weight_mean_set;   double weight_mean_kg;
  int weight_sd_set;     double weight_sd_kg;
  int female_fraction_set;    double female_fraction;
  int depression_fraction_set; double depression_fraction;  /* comorbid major depression */
  int hypertension_fraction_set; double hypertension_fraction;
  int caps5_min_set;     double caps5_min;                   /* inclusion: CAPS-5 at screening >= */
  int age_min_set;       double age_min_y;
  int age_max_set;       double age_max_y;
  /* Inclusion by scale at screening (caps5, pcl5, madrs): score >= min, score <= max. A
   * `caps5: ">= X"` criterion is stored as caps5_min. */
  int incl_min_set[KS_SCALE_N]; double incl_min[KS_SCALE_N];
  int incl_max_set[KS_SCALE_N]; double incl_max[KS_SCALE_N];
  /* Baseline targets (caps5, madrs): mean and SD of the enrolled patients (trial's table 1). */
  int baseline_set[KS_SCALE_N]; double baseline_mean[KS_SCALE_N], baseline_sd[KS_SCALE_N];
} ks_scen_population;

typedef struct ks_scen_endpoint {
  int enabled;
  ks_scen_scale scale;
  ks_scen_visit at;             /* primary, response, remission: the visit */
  double drop_pct;              /* response: percent drop from baseline, (0, 100] */
  double below;                 /* remission: score strictly below this */
  int responders_only;          /* durability: among responders (else among remitters) */
} ks_scen_endpoint;

typedef struct ks_scenario {
  int version;                  /* the file's `ketasim:` value (1) */
  char name[KS_SCENARIO_NAME_MAX];
  char source[256];             /* the file name as given to the loader */
  char description[KS_SCENARIO_DESCRIPTION_MAX]; /* free text for the report; "" when absent */
  uint64_t seed;
  ks_scen_population population;
  ks_scen_design design;
  ks_scen_blinding blinding;
  int control_arm;              /* index of the arm default contrasts are against (parallel) */
  ks_scen_contrast contrasts[KS_SCENARIO_MAX_CONTRASTS]; /* parallel; [0] is the primary contrast */
  size_t n_contrasts;
  ks_scen_multiplicity multiplicity;
  int period_days;              /* crossover: length of each period */
  int washout_days;             /* crossover: gap between periods */
  ks_scen_arm *arms;
  size_t n_arms;
  ks_scen_knockout knockout;    /* the default of every arm's knockout */
  ks_scen_visit *visits[KS_SCALE_N];   /* assessments per scale, ascending */
  size_t n_visits[KS_SCALE_N];
  int followup_days;            /* follow-up after the end of treatment (0: none) */
  int followup_every[KS_SCALE_N]; /* extra visits every N days during follow-up (0: none) */
  ks_scen_endpoint primary, response, remission, durability;
  double dropout_rate_per_week; /* probability of dropping out per week, [0, 1) */
  ks_scen_dropout_mech dropout_mechanism;
  long imaging_n;               /* imaging subset size (0: none) */
  double imaging_fraction;      /* or a fraction of each arm (0: none); at most one is set */
  ks_scen_fear_model fear_model;
  int allow_unstudied_doses;
  long replicates;
  ks_scen_induction induction;  /* randomized withdrawal: the shared phase before randomisation */
  /* Private: the context whose allocator owns this scenario's memory. */
  ks_ctx *owner_;
} ks_scenario;

/** Load and validate a scenario file. Files above KS_SCENARIO_MAX_FILE_BYTES are refused.
 *  @param[out] out  written only on success; free with ks_scenario_destroy().
 *  @return KS_OK; KS_EINPUT for bad input, the context's message then reads
 *          "FILE:LINE:COL: what is wrong (what was expected)" (FILE as given in PATH);
 *          KS_EIO when the file cannot be read; KS_ENOMEM.
 *  Thread-safety: distinct contexts may load concurrently. */
KS_API ks_status ks_scenario_load(ks_ctx *ctx, const char *path, ks_scenario **out);

/** Load from memory: TEXT[0..len) (need not be NUL-terminated); NAME labels error messages. */
KS_API ks_status ks_scenario_load_string(ks_ctx *ctx, const char *name, const char *text, size_t len,
                                         ks_scenario **out);

/** Free a scenario and set *sc to NULL; does nothing when *sc is NULL. The context that loaded
 *  it must still exist (its allocator frees the memory). */
KS_API void ks_scenario_destroy(ks_scenario **sc);

/** Write the resolved scenario as YAML: every default explicit, plus the ketasim version that
 *  resolved it and the seed. Loading the text again gives an equal scenario.
 *  @return KS_OK, KS_EINVAL (NULL argument), KS_EIO (write error). */
KS_API ks_status ks_scenario_write_resolved(ks_ctx *ctx, const ks_scenario *sc, FILE *fp);

/** 1 when two scenarios have equal contents (source excluded), else 0. */
KS_API int ks_scenario_equal(const ks_scenario *a, const ks_scenario *b);

/** Derived quantities the trial layer needs. */
/** First and last dosing or therapy day over all arms (first is the day of the first dose). */
KS_API int ks_scenario_first_dose_day(const ks_scenario *sc);
KS_API int ks_scenario_treatment_end_day(const ks_scenario *sc);
/** Infusions (doses of any drug) of arm A in time order: their days into days[0..cap); returns
 *  their number (which may exceed cap). In a crossover, days are within the period. */
KS_API size_t ks_scenario_arm_dose_days(const ks_scenario *sc, size_t a, int *days, size_t cap);
/** Total patients over all replicates. */
KS_API long ks_scenario_total_patients(const ks_scenario *sc);
/** Slots of group g in one permuted randomisation block: 2 x the arm's allocation ratio, rounded,
 *  at least 1 (arms of other designs and crossover sequences: 2). A block holds at most
 *  KS_SCEN_MAX_BLOCK_SLOTS slots: the loader refuses a parallel design that needs more. */
KS_API long ks_scenario_block_slots(const ks_scenario *sc, size_t g);
#define KS_SCEN_MAX_BLOCK_SLOTS 64

/** The studied dose range of a drug and route: the highest dose that may be given without
 *  allow_unstudied_doses, in mg/kg (per-kg doses) and in mg (fixed doses). Returns 0 when the
 *  drug has no studied use by that route (then every dose needs allow_unstudied_doses). */
KS_API int ks_scen_studied_max(ks_scen_drug d, ks_scen_route r, double *max_mg_per_kg, double *max_mg);

#ifdef __cplusplus
}
#endif
#endif
