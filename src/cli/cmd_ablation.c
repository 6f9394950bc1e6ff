/* SPDX-License-Identifier: MIT */
/* ketasim ablation SCENARIO.yaml [SCENARIO.yaml ...] [--patients N]: how the chain produces the
 * result. Runs each scenario with every causal route of the link layer switched off in turn
 * (ks_link_params.route_*: honest ablations, the same code with one route removed) and prints, per
 * route, the share of the week-2 and week-8 CAPS-5 effect (and the week-2 MADRS effect) that the
 * route carries: 1 - effect without the route / full effect. Effect = difference between the first
 * two groups' mean change from baseline (arms[0] - arms[1]) at the CAPS-5 visits nearest days 14
 * and 56. docs/model/link.md shows the table for Feder 2021 with and without therapy. */
#include "cli.h"
#include "commands.h"

#include <ketasim/link.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const usage_text = "SCENARIO.yaml [SCENARIO.yaml ...] [--patients N] [--threads N] [--markdown]";

static const char *const summary_text =
    "Runs each scenario with each causal route switched off in turn (window -> learning rate,\n"
    "spine capacity -> vmPFC control, the acute mood state, everyday exposure, expectancy, therapy)\n"
    "and prints the share of the effect (arms[0] - arms[1], mean CAPS-5 change at the visits\n"
    "nearest days 14 and 56, MADRS near day 14) each route carries: 1 - effect without / effect\n"
    "with. Shares need not add to 1: routes interact. Same seed, same patients in every run.";

#define N_ROUTES 6
static const char *const route_names[N_ROUTES] = {"window -> learning rate", "spine capacity -> vmPFC control",
                                                  "acute mood state", "everyday exposure",
                                                  "expectancy", "therapy sessions"};

static int *route_field(ks_link_params *lp, int r) {
  int *f[N_ROUTES] = {&lp->route_window_learning, &lp->route_spine_capacity, &lp->route_acute_mood,
                      &lp->route_everyday_exposure, &lp->route_expectancy, &lp->route_therapy};
  return f[r];
}

/* Visit nearest DAY (study clock) at which measure M was assessed in someone; -1 if none. */
static long nearest_visit(const ks_trial_result *r, double day, ks_measure m) {
  long best = -1;
  double bd = INFINITY;
  for (size_t v = 0; v < ks_trial_n_visits(r); v++) {
    int any = 0;
    for (size_t i = 0; i < ks_trial_n_patients(r) && !any; i++) any = isfinite(ks_trial_value(r, i, v, m));
    double d = fabs(ks_trial_visit_t_h(r, v) / 24.0 - day);
    if (any && d < bd) bd = d, best = (long)v;
  }
  return best;
}

/* arms[0] - arms[1] difference of mean change of M from visit 0 to visit V. */
static double effect(const ks_trial_result *r, long v, ks_measure m) {
  if (v <= 0) return NAN;
  double s[2] = {0, 0};
  size_t n[2] = {0, 0};
  for (size_t i = 0; i < ks_trial_n_patients(r); i++) {
    int a = ks_trial_patient_arm(r, i);
    double b = ks_trial_value(r, i, 0, m), x = ks_trial_value(r, i, (size_t)v, m);
    if (a < 0 || a > 1 || !isfinite(b) || !isfinite(x)) continue;
    s[a] += x - b;
    n[a]++;
  }
  return n[0] && n[1] ? s[0] / (double)n[0] - s[1] / (double)n[1] : NAN;
}

typedef struct {
  double e[3]; /* CAPS-5 week 2, CAPS-5 week 8, MADRS week 2 */
  double day[3];
} effects;

static ks_status run_one(ks_ctx *ctx, const ks_scenario *sc, const ks_link_params *lp, long patients, int threads,
                         effects *out) {
  ks_trial_options o = ks_trial_options_default();
  o.n_patients = patients;
  o.n_threads = threads;
  o.link = lp;
  ks_trial_result *r = NULL;
  ks_status st = ks_trial_run(ctx, sc, &o, &r);
  if (st != KS_OK) return st;
  const ks_measure m[3] = {KS_M_CAPS5, KS_M_CAPS5, KS_M_MADRS};
  const double days[3] = {14.0, 56.0, 14.0};
  for (int k = 0; k < 3; k++) {
    long v = nearest_visit(r, days[k], m[k]);
    out->e[k] = effect(r, v, m[k]);
    out->day[k] = v >= 0 ? ks_trial_visit_t_h(r, (size_t)v) / 24.0 : NAN;
  }
  ks_trial_result_destroy(&r);
  return KS_OK;
}

static void print_share(double full, double abl, int md) {
  double share = 1.0 - abl / full;
  if (!isfinite(share)) printf(md ? " | – " : "  %8s", "-");
  else printf(md ? " | %.0f%% (%+.1f)" : "  %4.0f%% %+6.1f", 100.0 * share, abl);
}

static ks_status ablate(ks_ctx *ctx, const char *path, long patients, int threads, int md, int quiet) {
  ks_scenario *sc = NULL;
  ks_status st = ks_scenario_load(ctx, path, &sc);
  if (st != KS_OK) return st;
  ks_ctx_set_seed(ctx, sc->seed);
  ks_link_params lp = ks_link_params_default();
  effects full, abl;
  st = run_one(ctx, sc, &lp, patients, threads, &full);
  if (st != KS_OK) goto done;
  if (md) {
    printf("\n**%s** (%s): full effect CAPS-5 day %.0f %+.1f, day %.0f %+.1f; MADRS day %.0f %+.1f\n\n", sc->name,
           path, full.day[0], full.e[0], full.day[1], full.e[1], full.day[2], full.e[2]);
    printf("| route switched off | share of CAPS-5 week 2 (effect without) | share of CAPS-5 week 8 | share of MADRS week 2 |\n");
    printf("|---|---|---|---|\n");
  } else {
    printf("%s: full effect (arms[0] - arms[1], mean change): CAPS-5 day %.0f %+.2f, day %.0f %+.2f; MADRS day %.0f %+.2f\n",
           sc->name, full.day[0], full.e[0], full.day[1], full.e[1], full.day[2], full.e[2]);
    printf("%-34s  %14s  %14s  %14s\n", "route switched off", "CAPS-5 wk 2", "CAPS-5 wk 8", "MADRS wk 2");
  }
  for (int rt = 0; rt < N_ROUTES && st == KS_OK; rt++) {
    ks_link_params a = ks_link_params_default();
    *route_field(&a, rt) = 0;
    if (!quiet) fprintf(stderr, "ketasim: %s without %s\n", sc->name, route_names[rt]);
    if ((st = run_one(ctx, sc, &a, patients, threads, &abl)) != KS_OK) break;
    printf(md ? "| %s" : "%-34s", route_names[rt]);
    for (int k = 0; k < 3; k++) print_share(full.e[k], abl.e[k], md);
    printf(md ? " |\n" : "\n");
  }
done:
  ks_scenario_destroy(&sc);
  return st;
}

int ks_cli_ablation(int argc, char **argv) {
  cli_opt opts[] = {
      {"patients", "N", "patients per run (default: the scenario's n)", NULL, 0},
      {"threads", "N", "worker threads (default: all cores)", NULL, 0},
      {"markdown", NULL, "print Markdown tables (as in docs/model/link.md)", NULL, 0},
      CLI_COMMON_OPTS,
  };
  size_t no = sizeof opts / sizeof opts[0];
  const char *pos[8];
  size_t n_pos = 0;
  int rc = cli_parse("ablation", usage_text, argc, argv, opts, no, pos, 8, &n_pos);
  if (rc < 0) {
    printf("\n%s\n", summary_text);
    return 0;
  }
  if (rc) return rc;
  if (n_pos < 1) {
    cli_error("ablation: missing SCENARIO.yaml (usage: ketasim ablation %s)", usage_text);
    return 2;
  }
  long patients = 0, threads = 0;
  if ((rc = cli_int(cli_get(opts, no, "patients"), 4, 10000000, &patients))) return rc;
  if ((rc = cli_int(cli_get(opts, no, "threads"), 1, 1024, &threads))) return rc;
  ks_ctx *ctx = cli_ctx(opts, no, 1);
  if (!ctx) return 1;
  ks_ctx_set_threads(ctx, (int)threads);
  int md = cli_get(opts, no, "markdown")->seen, quiet = cli_get(opts, no, "quiet")->seen;
  ks_status st = KS_OK;
  for (size_t k = 0; k < n_pos && st == KS_OK; k++) st = ablate(ctx, pos[k], patients, (int)threads, md, quiet);
  rc = st == KS_OK ? 0 : cli_fail(ctx, st);
  ks_ctx_destroy(&ctx);
  return rc;
}
