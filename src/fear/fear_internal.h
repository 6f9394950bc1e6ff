/* SPDX-License-Identifier: MIT */
/* Private state of the fear-memory layer, shared by fear.c (two-trace model, API) and fear_lcm.c
 * (latent-cause model). */
#ifndef KS_FEAR_INTERNAL_H
#define KS_FEAR_INTERNAL_H

#include <ketasim/fear.h>

#define KS_LCM_D (2 + KS_FEAR_CTX_N) /* features: US, CS, one per context */
#define KS_LCM_M 3                   /* exponential components of the temporal kernel */
#define KS_LCM_US 0
#define KS_LCM_CS 1

/* One particle: a partition of past trials into latent causes, kept as sufficient statistics. */
typedef struct ks__lcm_particle {
  double n[KS_FEAR_LCM_MAX_CAUSES];                 /* trials assigned to each cause */
  double c1[KS_FEAR_LCM_MAX_CAUSES][KS_LCM_D];      /* of those, trials with feature d present */
  double s[KS_FEAR_LCM_MAX_CAUSES][KS_LCM_M];       /* kernel traces: sum of exp(-(t - t')/tau_m) */
  double us1[KS_FEAR_LCM_MAX_CAUSES], usn[KS_FEAR_LCM_MAX_CAUSES]; /* leaky US counts (RW-like) */
  int n_used;                                       /* causes in use */
  int z_prev;                                       /* cause of the previous trial, -1 none */
} ks__lcm_particle;

typedef struct ks__lcm {
  ks__lcm_particle *p, *scratch;   /* n_particles each */
  double *rho;                     /* n_particles x (K + 1): joint posterior weights per particle */
  double *marg;                    /* n_particles: predictive likelihood of the trial */
  double t_last_days;              /* time of the last trial */
  double cr_scale;                 /* fear expression = cr_scale x US expectancy (set at init) */
  ks_rng rng;                      /* KS_STREAM_LATENT_CAUSE, keyed by patient */
} ks__lcm;

struct ks_fear {
  ks_ctx *ctx;
  ks_fear_params p;
  ks_fear_drive drive;            /* last drive used */
  double g_base;                  /* baseline vmPFC gain (top-down normalisation in the LCM) */
  double t_days;
  double A, El, Ec, L, s;
  double n_reminders, n_minutes;
  ks__lcm lcm;
};

/* Latent-cause model (fear_lcm.c). */
ks_status ks__lcm_alloc(ks_fear *f);
void ks__lcm_free(ks_fear *f);
void ks__lcm_reset(ks_fear *f, uint64_t patient_id);
/* One trial: x[KS_LCM_D] binary features (x[US] is the outcome), context precision h in (0, 1]. */
double ks__lcm_trial(ks_fear *f, double t_days, const int *x, double window, double h);
/* US expectancy of the CS in a context without learning. */
double ks__lcm_predict(const ks_fear *f, double t_days, int ctx_id, double h);
double ks__lcm_causes_mean(const ks_fear *f);
double ks__lcm_p_cause0(const ks_fear *f, double t_days, int ctx_id, double h);

#endif
