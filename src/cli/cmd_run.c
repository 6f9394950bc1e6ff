/* SPDX-License-Identifier: MIT */
/* ketasim run SCENARIO.yaml --out DIR: the main job. Runs the virtual trial through every layer
 * and writes summary.json, patients.csv, scenario.resolved.yaml and report.html into DIR. */
#include "cli.h"
#include "commands.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const usage_text = "SCENARIO.yaml --out DIR [--threads N] [--patients N] [--quiet]";

static void progress_cb(void *ud, size_t done, size_t total) { cli_progress_update(ud, done, total); }

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A short table of the results on stdout. */
static void print_table(ks_ctx *ctx, const ks_scenario *sc, const ks_trial_result *r, const ks_trial_primary *pr) {
  printf("%s: %zu patients, %zu visits each\n\n", sc->name, ks_trial_n_patients(r), ks_trial_n_visits(r));
  printf("%-28s %5s %9s %16s %14s %16s\n", "group", "n", "completed", "baseline CAPS-5", "response rate",
         "days to loss");
  for (size_t g = 0; g < ks_trial_n_groups(r); g++) {
    ks_trial_arm_summary s;
    char label[160];
    if (ks_trial_arm_summarise(ctx, r, g, &s) != KS_OK) continue;
    char base[32] = "n/a", resp[32] = "n/a", dur[32] = "n/a";
    if (isfinite(s.baseline_mean[KS_SCALE_CAPS5]))
      snprintf(base, sizeof base, "%.1f (%.1f)", s.baseline_mean[KS_SCALE_CAPS5], s.baseline_sd[KS_SCALE_CAPS5]);
    if (isfinite(s.response_rate)) snprintf(resp, sizeof resp, "%.0f%%", 100 * s.response_rate);
    if (isfinite(s.median_days_to_loss_of_response)) snprintf(dur, sizeof dur, "%.1f", s.median_days_to_loss_of_response);
    printf("%-28s %5zu %9zu %16s %14s %16s\n", ks_trial_group_label(r, g, label, sizeof label), s.n, s.n_completed,
           base, resp, dur);
  }
  if (pr->valid)
    printf("\nprimary: %s at day %g, %s = %+.2f (95%% CI %.2f to %.2f), p = %.3g, Cohen's d = %.2f [%s]\n",
           ks_scen_scale_name(pr->scale), pr->day, pr->contrast, pr->difference, pr->ci_lo, pr->ci_hi, pr->p,
           pr->cohens_d, pr->method);
  printf("\nA research simulation, not medical advice.\n");
}

int ks_cli_run(int argc, char **argv) {
  cli_opt opts[] = {
      {"out", "DIR", "directory for summary.json, patients.csv, scenario.resolved.yaml, report.html", NULL, 0},
      {"threads", "N", "worker threads (default: all cores)", NULL, 0},
      {"patients", "N", "override the scenario's number of patients", NULL, 0},
      CLI_COMMON_OPTS,
  };
  size_t no = sizeof opts / sizeof opts[0];
  const char *pos[1];
  size_t n_pos = 0;
  int rc = cli_parse("run", usage_text, argc, argv, opts, no, pos, 1, &n_pos);
  if (rc) return rc < 0 ? 0 : rc;
  if (n_pos != 1) {
    cli_error("run: missing SCENARIO.yaml (usage: ketasim run %s)", usage_text);
    return 2;
  }
  cli_opt *out = cli_get(opts, no, "out");
  if (!out->seen || !*out->value) {
    cli_error("--out: missing (expected an output directory, e.g. --out out/run1)");
    return 2;
  }
  long threads = 0, patients = 0;
  if ((rc = cli_int(cli_get(opts, no, "threads"), 1, 1024, &threads))) return rc;
  if ((rc = cli_int(cli_get(opts, no, "patients"), 1, 10000000, &patients))) return rc;
  int quiet = cli_get(opts, no, "quiet")->seen;

  ks_ctx *ctx = cli_ctx(opts, no, 1);
  if (!ctx) return 1;
  ks_scenario *sc = NULL;
  ks_trial_result *res = NULL;
  ks_status st = ks_scenario_load(ctx, pos[0], &sc);
  if (st != KS_OK) goto fail;
  ks_ctx_set_seed(ctx, sc->seed);
  ks_ctx_set_threads(ctx, (int)threads);
  cli_progress prog;
  cli_progress_init(&prog, "patients", quiet);
  ks_trial_options o = ks_trial_options_default();
  o.n_threads = (int)threads;
  o.n_patients = patients;
  o.progress = progress_cb;
  o.progress_ud = &prog;
  double t0 = now_s();
  st = ks_trial_run(ctx, sc, &o, &res);
  cli_progress_done(&prog);
  if (st != KS_OK) goto fail;
  double wall = now_s() - t0;
  ks_trial_primary pr;
  if ((st = ks_trial_summarise(ctx, res, &pr)) != KS_OK) goto fail;
  int used_threads = (int)threads;
  if (used_threads <= 0) used_threads = ks_trial_default_threads();
  if ((st = ks_trial_write(ctx, res, out->value, wall, used_threads, 1)) != KS_OK) goto fail;
  if ((st = ks_report_trial_html(ctx, res, out->value)) != KS_OK) goto fail;
  print_table(ctx, sc, res, &pr);
  if (!quiet) fprintf(stderr, "ketasim: wrote %s/{summary.json,patients.csv,scenario.resolved.yaml,report.html} in %.1f s\n", out->value, wall);
  ks_trial_result_destroy(&res);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
  return 0;
fail:
  rc = cli_fail(ctx, st);
  ks_trial_result_destroy(&res);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
  return rc;
}
