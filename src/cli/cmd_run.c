/* SPDX-License-Identifier: MIT */
/* ketasim run SCENARIO.yaml --out DIR: the main job. Runs the virtual trial through every layer
 * and writes summary.json, patients.csv, scenario.resolved.yaml and report.html into DIR. */
#include "cli.h"
#include "commands.h"

#include <ketasim/parallel.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const usage_text =
    "SCENARIO.yaml --out DIR [--threads N] [--patients N] [--checkpoint-every N|Ts] [--resume] "
    "[--hdf5 FILE] [--max-memory SIZE] [--population-csv FILE] [--data FILE] [--layout wide|long] [--figures-pdf] [--uncertainty K] [--quiet]";

/* Default checkpoint interval (docs/scaling.md): every 60 s of a run, at the end of a batch. A run
 * shorter than that writes none; the cost of one is an fsync of the partial files. */
#define KS_CHECKPOINT_DEFAULT_S 60.0

/* SIGINT/SIGTERM: ask the library to stop after the batch in flight (it polls this flag), write a
 * checkpoint and return KS_EINTERRUPTED. A second signal kills as usual. */
static volatile sig_atomic_t run_cancel;

static void on_signal(int sig) {
  run_cancel = 1;
  signal(sig, SIG_DFL);
}

static void install_handlers(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

/* --checkpoint-every: "N" patients, "Ts" seconds (also "Tmin", "Th"), or 0 for none. */
static int parse_checkpoint(const cli_opt *o, long *every_patients, double *every_s) {
  if (!o->seen) return 0;
  char *end = NULL;
  errno = 0;
  double v = strtod(o->value, &end);
  double scale = 0;
  if (!strcmp(end, "")) scale = -1;
  else if (!strcmp(end, "s")) scale = 1;
  else if (!strcmp(end, "min")) scale = 60;
  else if (!strcmp(end, "h")) scale = 3600;
  if (end == o->value || errno || !(v >= 0) || scale == 0 || (scale < 0 && (v != floor(v) || v > 1e12))) {
    cli_error("--checkpoint-every: '%s' is not an interval (expected a number of patients such as 500, a time "
              "such as 60s, 10min or 1h, or 0 for none)", o->value);
    return 2;
  }
  *every_patients = scale < 0 ? (long)v : 0;
  *every_s = scale > 0 ? v * scale : 0;
  return 0;
}

/* --max-memory: bytes with an optional unit (k, M, G, T; KiB, MiB, GiB, TiB; kB, MB, GB). */
static int parse_memory(const cli_opt *o, size_t *out) {
  if (!o->seen) return 0;
  static const struct { const char *unit; double f; } units[] = {
      {"", 1}, {"B", 1}, {"k", 1024}, {"K", 1024}, {"KiB", 1024}, {"kB", 1e3}, {"M", 1048576.0},
      {"MiB", 1048576.0}, {"MB", 1e6}, {"G", 1073741824.0}, {"GiB", 1073741824.0}, {"GB", 1e9},
      {"T", 1099511627776.0}, {"TiB", 1099511627776.0}, {"TB", 1e12}};
  char *end = NULL;
  errno = 0;
  double v = strtod(o->value, &end);
  for (size_t i = 0; end != o->value && !errno && v > 0 && i < sizeof units / sizeof units[0]; i++)
    if (!strcmp(end, units[i].unit) && v * units[i].f >= 1 && v * units[i].f < 1.8e19) {
      *out = (size_t)(v * units[i].f);
      return 0;
    }
  cli_error("--max-memory: '%s' is not a size (expected e.g. 2GiB, 512MiB or a number of bytes)", o->value);
  return 2;
}

/* Automatic memory limit: 90% of MemAvailable, shared by the processes of this node. */
static size_t auto_memory(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  if (!f) return 0;
  char line[256];
  unsigned long long kb = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) break;
  fclose(f);
  const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  long per_node = local ? atol(local) : 1;
  if (per_node < 1) per_node = 1;
  return (size_t)((double)kb * 1024.0 * 0.9 / (double)per_node);
}

/* --patients N: a whole number, also written 2e4 or 20000; at most the one limit a scenario's
 * population.n has too (KS_SCENARIO_MAX_PATIENTS), so neither can ask for more than the other. */
static int parse_patients(const cli_opt *o, long *out) {
  if (!o || !o->seen) return 0;
  char *end = NULL;
  errno = 0;
  double v = strtod(o->value, &end);
  if (!*o->value || *end || errno || !(v >= 1.0) || v != floor(v)) {
    cli_error("--patients: '%s' is not a number of patients (expected a whole number from 1 to %ld, e.g. 200 or 2e4)",
              o->value, KS_SCENARIO_MAX_PATIENTS);
    return 2;
  }
  if (v > (double)KS_SCENARIO_MAX_PATIENTS) {
    cli_error("--patients: %.0f patients is more than one run holds (expected at most %ld; run a larger study as "
              "several runs or replicates)", v, KS_SCENARIO_MAX_PATIENTS);
    return 2;
  }
  *out = (long)v;
  return 0;
}

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
    if (isfinite(s.baseline_mean[KS_SCALE_CAPS5]) && isfinite(s.baseline_sd[KS_SCALE_CAPS5]))
      snprintf(base, sizeof base, "%.1f (%.1f)", s.baseline_mean[KS_SCALE_CAPS5], s.baseline_sd[KS_SCALE_CAPS5]);
    else if (isfinite(s.baseline_mean[KS_SCALE_CAPS5])) /* one patient: no SD */
      snprintf(base, sizeof base, "%.1f", s.baseline_mean[KS_SCALE_CAPS5]);
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

/* --uncertainty K: K more runs over the calibrated parameter ensemble (ks_trial_uncertainty), the
 * prediction intervals added to DIR/summary.json and printed next to the sampling CIs. */
static ks_status run_uncertainty(ks_ctx *ctx, const ks_scenario *sc, const ks_trial_result *res,
                                 const ks_trial_options *main_opts, size_t k, const char *dir) {
  ks_trial_options o = ks_trial_options_default();
  o.n_threads = main_opts->n_threads;
  o.n_patients = main_opts->n_patients;
  static ks_uncertainty u;
  KS_CLI_TRY(ks_trial_uncertainty(ctx, sc, &o, res, k, &u));
  char path[4096];
  snprintf(path, sizeof path, "%s/summary.json", dir);
  KS_CLI_TRY(ks_uncertainty_write_json(ctx, path, &u));
  printf("parameter uncertainty (%zu ensemble draws): estimate [sampling 95%% CI] [95%% prediction interval]\n", u.k);
  for (size_t i = 0; i < u.n; i++)
    printf("  %-40s %8.4g [%.4g, %.4g] [%.4g, %.4g]\n", u.e[i].name, u.e[i].estimate, u.e[i].ci_lo, u.e[i].ci_hi,
           u.e[i].pi_lo, u.e[i].pi_hi);
  return KS_OK;
}

int ks_cli_run(int argc, char **argv) {
  cli_opt opts[] = {
      {"out", "DIR", "directory for summary.json, patients.csv, doses.csv, scenario.resolved.yaml, report.html", NULL, 0},
      {"threads", "N", "worker threads (default: all cores)", NULL, 0},
      {"patients", "N", "override the scenario's number of patients", NULL, 0},
      {"checkpoint-every", "N|Ts", "checkpoint after N patients or T seconds (default 60s; 0: never)", NULL, 0},
      {"resume", NULL, "continue from DIR/.checkpoint of an interrupted run", NULL, 0},
      {"hdf5", "FILE", "also write per-patient data to an HDF5 file", NULL, 0},
      {"uncertainty", "K", "also run K draws of the calibrated parameter ensemble: 95% prediction intervals in summary.json", NULL, 0},
      {"max-memory", "SIZE", "memory limit per process (default: 90% of available)", NULL, 0},
      {"population-csv", "FILE", "enrol these patients: one row of covariates each (age_y, female, weight_kg, caps5, ...)", NULL, 0},
      {"data", "FILE", "give these patients these doses: patient k gets the doses of the k-th ID of a NONMEM-layout data set", NULL, 0},
      {"figures-pdf", NULL, "also write every report figure as DIR/figures/figure-NN.pdf", NULL, 0},
      {"layout", "wide|long", "long: also patients_long.csv, one row per patient x visit x measure", NULL, 0},
      CLI_COMMON_OPTS,
  };
  size_t no = sizeof opts / sizeof opts[0];
  const char *pos[1];
  size_t n_pos = 0;
  int rc = cli_parse("run", usage_text, argc, argv, opts, no, pos, 1, &n_pos);
  if (rc) return rc < 0 ? 0 : rc;
  int rank = 0;
  if (n_pos != 1) {
    cli_error("run: missing SCENARIO.yaml (usage: ketasim run %s)", usage_text);
    return 2;
  }
  cli_opt *out = cli_get(opts, no, "out");
  if (!out->seen || !*out->value) {
    cli_error("--out: missing (expected an output directory, e.g. --out out/run1)");
    return 2;
  }
  long threads = 0, patients = 0, uncertainty = 0;
  if ((rc = cli_int(cli_get(opts, no, "threads"), 1, 1024, &threads))) return rc;
  if ((rc = cli_int(cli_get(opts, no, "uncertainty"), 2, 10000, &uncertainty))) return rc;
  if ((rc = parse_patients(cli_get(opts, no, "patients"), &patients))) return rc;
  long every_patients = 0;
  double every_s = KS_CHECKPOINT_DEFAULT_S;
  size_t max_memory = 0;
  if ((rc = parse_checkpoint(cli_get(opts, no, "checkpoint-every"), &every_patients, &every_s))) return rc;
  if ((rc = parse_memory(cli_get(opts, no, "max-memory"), &max_memory))) return rc;
  cli_opt *hdf5 = cli_get(opts, no, "hdf5");
  if (hdf5->seen && !*hdf5->value) {
    cli_error("--hdf5: missing file name (expected e.g. --hdf5 out/run1/patients.h5)");
    return 2;
  }
  if (hdf5->seen && !ks_trial_hdf5_available()) {
    cli_error("--hdf5: this ketasim was built without HDF5 (install libhdf5-dev and rebuild)");
    return 2;
  }
  cli_opt *layout = cli_get(opts, no, "layout");
  int long_layout = layout->seen && !strcmp(layout->value, "long");
  if (layout->seen && !long_layout && strcmp(layout->value, "wide")) {
    cli_error("--layout: unknown layout '%s' (expected wide or long)", layout->value);
    return 2;
  }
  int quiet = cli_get(opts, no, "quiet")->seen;

  ks_ctx *ctx = cli_ctx(opts, no, 1);
  if (!ctx) return 1;
  ks_scenario *sc = NULL;
  ks_trial_result *res = NULL;
  ks_population_table *pop_table = NULL;
  cli_given_doses given = {0};
  cli_opt *data_opt = cli_get(opts, no, "data");
  cli_opt *pop_csv = cli_get(opts, no, "population-csv");
  if (pop_csv->seen && cli_get(opts, no, "resume")->seen) {
    cli_error("--resume: not with --population-csv (the checkpoint does not record the table)");
    ks_ctx_destroy(&ctx);
    return 2;
  }
  ks_status st = ks_par_init(ctx);
  rank = ks_par_rank();
  int n_proc = ks_par_size();
  if (rank != 0) quiet = 1;
  if (st == KS_OK) st = ks_scenario_load(ctx, pos[0], &sc);
  if (st == KS_OK && pop_csv->seen) st = ks_population_table_read(ctx, pop_csv->value, &pop_table);
  if (st == KS_OK && data_opt->seen) st = cli_doses_load(ctx, data_opt->value, &given);
  if (st != KS_OK) goto fail;
  ks_ctx_set_seed(ctx, sc->seed);
  ks_ctx_set_threads(ctx, (int)threads);
  cli_progress prog;
  cli_progress_init(&prog, "patients", quiet);
  ks_trial_comm comm;
  ks_par_trial_comm(&comm);
  ks_trial_options o = ks_trial_options_default();
  o.n_threads = (int)threads;
  o.n_patients = patients;
  o.population_table = pop_table;
  if (pop_table && patients == 0) o.n_patients = (long)ks_population_table_n(pop_table);
  if (data_opt->seen) {
    size_t n_run = (size_t)(o.n_patients > 0 ? o.n_patients : sc->population.n);
    if (given.n_subj < n_run) {
      st = ks_ctx_fail_input(ctx, data_opt->value, 0, 0, "%zu IDs, fewer than the %zu patients "
                             "(expected an ID per patient)", given.n_subj, n_run);
      goto fail;
    }
    o.doses_of = cli_doses_of;
    o.doses_ud = &given;
  }
  o.progress = progress_cb;
  o.progress_ud = &prog;
  o.comm = &comm;
  o.sink = &ks_trial_stream_sink;
  o.stream_dir = out->value;
  o.hdf5_path = hdf5->seen ? hdf5->value : NULL;
  o.checkpoint_every_patients = every_patients;
  o.checkpoint_every_s = every_patients > 0 ? 0 : every_s;
  o.resume = cli_get(opts, no, "resume")->seen;
  o.max_memory_bytes = max_memory ? max_memory : auto_memory();
  o.cancel = &run_cancel;
  install_handlers();
  double t0 = now_s();
  st = ks_trial_run(ctx, sc, &o, &res);
  cli_progress_done(&prog);
  if (st != KS_OK) goto fail;
  double wall = now_s() - t0;
  if (rank != 0) goto done; /* rank 0 alone writes the outputs */
  if (!quiet && ks_trial_n_resumed(res))
    fprintf(stderr, "ketasim: resumed from %s/.checkpoint: %zu patients were already done\n", out->value,
            ks_trial_n_resumed(res));
  ks_trial_primary pr;
  if ((st = ks_trial_summarise(ctx, res, &pr)) != KS_OK) goto fail;
  int used_threads = (int)threads;
  if (used_threads <= 0) used_threads = ks_trial_default_threads();
  if ((st = ks_trial_write(ctx, res, out->value, wall, used_threads, n_proc)) != KS_OK) goto fail;
  if (cli_get(opts, no, "figures-pdf")->seen) {
    char fig_dir[4200];
    snprintf(fig_dir, sizeof fig_dir, "%s/figures", out->value);
    if ((st = ks_mkdirs(ctx, fig_dir)) != KS_OK) goto fail;
    if ((st = ks_report_trial_html_pdf(ctx, res, out->value, ks_ctx_command_line(ctx), fig_dir)) != KS_OK) goto fail;
  } else if ((st = ks_report_trial_html_cmd(ctx, res, out->value, ks_ctx_command_line(ctx))) != KS_OK) {
    goto fail;
  }
  {
    char doses_path[4200];
    snprintf(doses_path, sizeof doses_path, "%s/doses.csv", out->value);
    if ((st = ks_trial_write_doses(ctx, res, doses_path)) != KS_OK) goto fail;
  }
  if (long_layout && (st = ks_trial_write_long(ctx, res, out->value)) != KS_OK) goto fail;
  if ((st = ks_trial_finish(ctx, res)) != KS_OK) goto fail;
  print_table(ctx, sc, res, &pr);
  if (uncertainty > 0 && (st = run_uncertainty(ctx, sc, res, &o, (size_t)uncertainty, out->value)) != KS_OK) goto fail;
  if (!quiet) fprintf(stderr, "ketasim: wrote %s/{summary.json,patients.csv,doses.csv,scenario.resolved.yaml,report.html%s} in %.1f s\n", out->value, long_layout ? ",patients_long.csv" : "", wall);
  if (!quiet && hdf5->seen) fprintf(stderr, "ketasim: wrote %s\n", hdf5->value);
done:
  ks_trial_result_destroy(&res);
  ks_population_table_destroy(ctx, &pop_table);
  cli_doses_free(ctx, &given);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
  ks_par_finalize();
  return 0;
fail:
  /* Under MPI every rank stops at the same point; rank 0 reports, other ranks only their own
   * failures (not the "on another process" echo of one). */
  if (rank == 0 || !strstr(ks_ctx_last_error(ctx), "process")) rc = cli_fail(ctx, st);
  else rc = st == KS_EINPUT || st == KS_ERANGE ? 2 : 1;
  if (st == KS_EINTERRUPTED) rc = 130;
  ks_trial_result_destroy(&res);
  ks_population_table_destroy(ctx, &pop_table);
  cli_doses_free(ctx, &given);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
  ks_par_finalize();
  return rc;
}
