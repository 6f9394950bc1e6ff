/* SPDX-License-Identifier: MIT */
/* ketasim sensitivity SCENARIO.yaml --method morris|sobol --params FILE.tsv|default
 *   --endpoint NAME --n N --out DIR [--plot]: global sensitivity of a trial endpoint on the
 * model's parameters, one trial per design row with the scenario's seed; or, with --covariates,
 * how much of the patients' improvement each covariate explains ("who responds"). Writes
 * DIR/indices.csv, indices.json, evaluations.csv (and indices.png/.svg with --plot). */
#include "cli.h"
#include "commands.h"
#include "sweep_cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const usage_text =
    "SCENARIO.yaml --method morris|sobol --params FILE.tsv|default --endpoint NAME --n N --out DIR [--plot] "
    "[--arm NAME] [--patients N] [--threads N] [--boot B] [--resume]\n"
    "       ketasim sensitivity SCENARIO.yaml --covariates --out DIR [--arm NAME] [--patients N] [--plot]";

static const char *const summary_text =
    "Global sensitivity of a trial endpoint on the model's parameters over their documented ranges.\n"
    "Every design row is one virtual trial with the scenario's seed (common random numbers: rows\n"
    "differ only in the parameters), its patients in parallel. Under `mpirun -np K` the trials are\n"
    "dealt out over the K processes (each trial whole in one); any thread or process count gives the\n"
    "same bytes.\n"
    "  --method sobol   Saltelli 2010 design from a Sobol sequence, N (k + 2) trials; first-order\n"
    "                   (Saltelli 2010) and total (Jansen) indices with percentile bootstrap 95% CIs.\n"
    "  --method morris  N trajectories (Morris 1991, spread-optimised per Campolongo 2007), N (k + 1)\n"
    "                   trials; mu* (mean |elementary effect| per unit of the range) with a bootstrap\n"
    "                   95% CI, mu and sigma.\n"
    "  --params         a TSV of name, low, high, unit, source rows, or 'default' (the documented\n"
    "                   ranges, data/sensitivity/params.tsv). Parameters: dose (mg/kg, the first\n"
    "                   arm's drug), caps5_mean, caps5_sd (points), age_mean (y), weight_mean (kg),\n"
    "                   female_fraction, depression_fraction, hypertension_fraction (1).\n"
    "  --endpoint       primary (contrast, points), response, remission (rate of --arm), change\n"
    "                   (mean change, points), durability (restricted mean days to loss of response),\n"
    "                   cadss_mean, cadss_p95 (points), sbp_peak_p95 (mmHg).\n"
    "  --covariates     who responds: one trial; for each covariate the share of the between-patient\n"
    "                   variance of the improvement of the primary scale (percent of baseline at the\n"
    "                   primary visit) it explains alone (given-data first-order index, epsilon^2\n"
    "                   over 10 bins, bootstrap 95% CI).\n"
    "An interrupted run (Ctrl-C, kill) continues with --resume, also under mpirun and with another\n"
    "process count: finished trials are kept in DIR/.evaluations.log and the resumed run gives the\n"
    "same bytes.";

typedef struct {
  const char *method_name, *endpoint_name, *scenario_path;
  int covariates;
} sens_args;

static void json_num(ks_json *j, const char *key, double v) {
  ks_json_key(j, key);
  ks_json_num(j, v);
}

/* indices.csv and indices.json of a parameter analysis. */
static ks_status write_indices(ks_ctx *ctx, const char *dir, const ks_scenario *sc, const sens_args *a,
                               const ks_endpoint *e, const ks_sens_result *R, long patients) {
  char path[4096];
  snprintf(path, sizeof path, "%s/indices.csv", dir);
  ks_afile *f = NULL;
  KS_TRY_ST(ks_afile_open(ctx, path, &f));
  FILE *fp = ks_afile_stream(f);
  int sobol = R->method == KS_SENS_SOBOL;
  const char *hs[] = {"parameter", "unit", "low", "high", "S1", "S1_ci95_lo", "S1_ci95_hi", "ST", "ST_ci95_lo", "ST_ci95_hi"};
  const char *hm[] = {"parameter", "unit", "low", "high", "mu_star", "mu_star_ci95_lo", "mu_star_ci95_hi", "mu", "sigma"};
  size_t nh = sobol ? 10 : 9;
  for (size_t c = 0; c < nh; c++) ks_csv_field_str(fp, c == 0, sobol ? hs[c] : hm[c]);
  ks_csv_end_row(fp);
  for (size_t i = 0; i < R->k; i++) {
    const ks_param_range *p = &R->ranges[i];
    ks_csv_field_str(fp, 1, p->binding->name);
    ks_csv_field_str(fp, 0, p->binding->unit);
    ks_csv_field_num(fp, 0, p->low);
    ks_csv_field_num(fp, 0, p->high);
    const ks_sobol_index *s = &R->sobol[i];
    const ks_morris_index *m = &R->morris[i];
    double v[6] = {s->s1, s->s1_lo, s->s1_hi, s->st, s->st_lo, s->st_hi};
    double w[5] = {m->mu_star, m->mu_star_lo, m->mu_star_hi, m->mu, m->sigma};
    for (size_t c = 0; c < (sobol ? 6u : 5u); c++) ks_csv_field_num(fp, 0, sobol ? v[c] : w[c]);
    ks_csv_end_row(fp);
  }
  KS_TRY_ST(ks_afile_commit(&f));
  snprintf(path, sizeof path, "%s/indices.json", dir);
  KS_TRY_ST(ks_afile_open(ctx, path, &f));
  ks_json j;
  ks_json_init(&j, ks_afile_stream(f), 2);
  ks_json_begin_object(&j);
  ks_json_scenario_header(&j, sc->name, sc->seed);
  ks_json_key(&j, "method");
  ks_json_str(&j, sobol ? "sobol (Saltelli 2010 design; Saltelli 2010 S1, Jansen ST; percentile bootstrap)"
                        : "morris (Campolongo 2007 trajectories; mu*, mu, sigma; bootstrap of mu*)");
  ks_json_key(&j, "endpoint");
  ks_json_str(&j, a->endpoint_name);
  ks_json_key(&j, "endpoint_unit");
  ks_json_str(&j, ks_endpoint_unit(e->kind));
  ks_json_key(&j, "group");
  ks_json_int(&j, e->group);
  ks_json_key(&j, "patients_per_trial");
  ks_json_int(&j, patients);
  ks_json_key(&j, "trials");
  ks_json_int(&j, (long long)R->n_rows);
  json_num(&j, "endpoint_mean", R->mean);
  json_num(&j, "endpoint_variance", R->variance);
  ks_json_key(&j, "parameters");
  ks_json_begin_array(&j);
  for (size_t i = 0; i < R->k; i++) {
    ks_json_begin_object(&j);
    ks_json_key(&j, "name");
    ks_json_str(&j, R->ranges[i].binding->name);
    ks_json_key(&j, "unit");
    ks_json_str(&j, R->ranges[i].binding->unit);
    json_num(&j, "low", R->ranges[i].low);
    json_num(&j, "high", R->ranges[i].high);
    ks_json_key(&j, "source");
    ks_json_str(&j, R->ranges[i].source);
    if (sobol) {
      json_num(&j, "S1", R->sobol[i].s1);
      json_num(&j, "S1_ci95_lo", R->sobol[i].s1_lo);
      json_num(&j, "S1_ci95_hi", R->sobol[i].s1_hi);
      json_num(&j, "ST", R->sobol[i].st);
      json_num(&j, "ST_ci95_lo", R->sobol[i].st_lo);
      json_num(&j, "ST_ci95_hi", R->sobol[i].st_hi);
    } else {
      json_num(&j, "mu_star", R->morris[i].mu_star);
      json_num(&j, "mu_star_ci95_lo", R->morris[i].mu_star_lo);
      json_num(&j, "mu_star_ci95_hi", R->morris[i].mu_star_hi);
      json_num(&j, "mu", R->morris[i].mu);
      json_num(&j, "sigma", R->morris[i].sigma);
    }
    ks_json_end_object(&j);
  }
  ks_json_end_array(&j);
  ks_json_end_object(&j);
  ks_json_finish(&j);
  KS_TRY_ST(ks_afile_commit(&f));
  /* The design and the endpoint of every trial. */
  snprintf(path, sizeof path, "%s/evaluations.csv", dir);
  KS_TRY_ST(ks_afile_open(ctx, path, &f));
  fp = ks_afile_stream(f);
  ks_csv_field_str(fp, 1, "trial");
  for (size_t i = 0; i < R->k; i++) ks_csv_field_str(fp, 0, R->ranges[i].binding->name);
  ks_csv_field_str(fp, 0, a->endpoint_name);
  ks_csv_end_row(fp);
  for (size_t r = 0; r < R->n_rows; r++) {
    ks_csv_field_int(fp, 1, (long long)r + 1);
    for (size_t i = 0; i < R->k; i++) ks_csv_field_num(fp, 0, R->x[r * R->k + i]);
    ks_csv_field_num(fp, 0, R->y[r]);
    ks_csv_end_row(fp);
  }
  return ks_afile_commit(&f);
}

/* Bars with 95% CIs, as PNG and SVG: S1 and ST (Sobol), mu* (Morris) or covariate S1. */
static ks_status write_bars(ks_ctx *ctx, const char *dir, const char *title, const char *y_label,
                            const char *const *labels, const double *v, const double *lo, const double *hi, size_t n) {
  ks_fig_spec spec = {.title = title, .x_label = "", .y_label = y_label, .legend = KS_FIG_LEGEND_AUTO,
                      .width_px = n > 8 ? 1200 : 960};
  char path[4096];
  snprintf(path, sizeof path, "%s/indices.png", dir);
  KS_TRY_ST(ks_fig_bars(ctx, path, &spec, labels, v, lo, hi, n));
  snprintf(path, sizeof path, "%s/indices.svg", dir);
  return ks_fig_bars(ctx, path, &spec, labels, v, lo, hi, n);
}

static ks_status plot_params(ks_ctx *ctx, const char *dir, const ks_scenario *sc, const sens_args *a,
                             const ks_endpoint *e, const ks_sens_result *R) {
  size_t n = R->method == KS_SENS_SOBOL ? 2 * R->k : R->k;
  static char lab[2 * KS_PARAM_MAX][64];
  const char *labels[2 * KS_PARAM_MAX];
  double v[2 * KS_PARAM_MAX], lo[2 * KS_PARAM_MAX], hi[2 * KS_PARAM_MAX];
  for (size_t i = 0; i < R->k; i++) {
    if (R->method == KS_SENS_SOBOL) {
      snprintf(lab[2 * i], sizeof lab[0], "%s S1", R->ranges[i].binding->label);
      snprintf(lab[2 * i + 1], sizeof lab[0], "%s ST", R->ranges[i].binding->label);
      v[2 * i] = R->sobol[i].s1, lo[2 * i] = R->sobol[i].s1_lo, hi[2 * i] = R->sobol[i].s1_hi;
      v[2 * i + 1] = R->sobol[i].st, lo[2 * i + 1] = R->sobol[i].st_lo, hi[2 * i + 1] = R->sobol[i].st_hi;
    } else {
      snprintf(lab[i], sizeof lab[0], "%s", R->ranges[i].binding->label);
      v[i] = R->morris[i].mu_star, lo[i] = R->morris[i].mu_star_lo, hi[i] = R->morris[i].mu_star_hi;
    }
  }
  for (size_t i = 0; i < n; i++) labels[i] = lab[i];
  char title[200], yl[120];
  snprintf(title, sizeof title, "%s: %s, %s (%zu trials)", sc->name,
           R->method == KS_SENS_SOBOL ? "Sobol" : "Morris", a->endpoint_name, R->n_rows);
  if (R->method == KS_SENS_SOBOL) snprintf(yl, sizeof yl, "Sobol index (95%% CI)");
  else snprintf(yl, sizeof yl, "Morris mu*, %s per range (95%% CI)", ks_endpoint_unit(e->kind));
  return write_bars(ctx, dir, title, yl, labels, v, lo, hi, n);
}

static void print_params(const ks_sens_result *R) {
  for (size_t i = 0; i < R->k; i++) {
    const char *nm = R->ranges[i].binding->name;
    if (R->method == KS_SENS_SOBOL)
      printf("%-22s S1 %6.3f (95%% CI %6.3f to %6.3f)  ST %6.3f (95%% CI %6.3f to %6.3f)\n", nm, R->sobol[i].s1,
             R->sobol[i].s1_lo, R->sobol[i].s1_hi, R->sobol[i].st, R->sobol[i].st_lo, R->sobol[i].st_hi);
    else
      printf("%-22s mu* %9.4g (95%% CI %9.4g to %9.4g)  mu %9.4g  sigma %9.4g\n", nm, R->morris[i].mu_star,
             R->morris[i].mu_star_lo, R->morris[i].mu_star_hi, R->morris[i].mu, R->morris[i].sigma);
  }
}

/* --covariates: who responds. */
static ks_status run_covariates(ks_ctx *ctx, const char *dir, const ks_scenario *sc, const ks_endpoint *e,
                                const ks_trial_options *to, size_t n_boot, int plot, int rank) {
  ks_who_responds w;
  KS_TRY_ST(ks_who_responds_run(ctx, sc, e, to, n_boot, &w));
  if (rank != 0) return KS_OK; /* rank 0 alone holds the indices and writes them */
  char path[4096];
  snprintf(path, sizeof path, "%s/indices.csv", dir);
  ks_afile *f = NULL;
  KS_TRY_ST(ks_afile_open(ctx, path, &f));
  FILE *fp = ks_afile_stream(f);
  const char *h[] = {"covariate", "S1", "S1_ci95_lo", "S1_ci95_hi", "bins"};
  for (size_t c = 0; c < 5; c++) ks_csv_field_str(fp, c == 0, h[c]);
  ks_csv_end_row(fp);
  const char *labels[KS_COV_N];
  double v[KS_COV_N], lo[KS_COV_N], hi[KS_COV_N];
  size_t n = 0;
  for (int c = 0; c < KS_COV_N; c++) {
    const ks_given_data_index *ix = &w.index[c];
    ks_csv_field_str(fp, 1, ks_covariate_name((ks_covariate)c));
    ks_csv_field_num(fp, 0, ix->s1);
    ks_csv_field_num(fp, 0, ix->s1_lo);
    ks_csv_field_num(fp, 0, ix->s1_hi);
    ks_csv_field_int(fp, 0, (long long)ix->n_bins);
    ks_csv_end_row(fp);
    printf("%-22s S1 %6.3f (95%% CI %6.3f to %6.3f)\n", ks_covariate_name((ks_covariate)c), ix->s1, ix->s1_lo, ix->s1_hi);
    if (isfinite(ix->s1)) labels[n] = ks_covariate_label((ks_covariate)c), v[n] = ix->s1, lo[n] = ix->s1_lo, hi[n] = ix->s1_hi, n++;
  }
  KS_TRY_ST(ks_afile_commit(&f));
  printf("%zu patients; improvement %.1f%% of baseline (SD %.1f)\n", w.n_patients, w.outcome_mean, w.outcome_sd);
  if (!plot || !n) return KS_OK;
  char title[200];
  snprintf(title, sizeof title, "%s: who responds (%zu patients of arm %d)", sc->name, w.n_patients, e->group);
  return write_bars(ctx, dir, title, "variance share (95% CI)", labels, v, lo, hi, n);
}

static int parse_method(const char *s, ks_sens_method *m) {
  if (s && !strcmp(s, "sobol")) return *m = KS_SENS_SOBOL, 0;
  if (s && !strcmp(s, "morris")) return *m = KS_SENS_MORRIS, 0;
  cli_error("--method: '%s' is not a method (expected morris or sobol)", s ? s : "");
  return 2;
}

static int parse_endpoint(const char *s, ks_endpoint *e) {
  int k = ks_endpoint_parse(s);
  if (k < 0) {
    cli_error("--endpoint: '%s' is not an endpoint (expected primary, response, remission, change, durability, "
              "cadss_mean, cadss_p95 or sbp_peak_p95)", s ? s : "");
    return 2;
  }
  e->kind = (ks_endpoint_kind)k;
  return 0;
}

int ks_cli_sensitivity(int argc, char **argv) {
  cli_opt opts[] = {
      {"method", "M", "morris or sobol", NULL, 0},
      {"params", "FILE", "parameter ranges: a TSV (name, low, high, unit, source) or 'default'", NULL, 0},
      {"endpoint", "NAME", "the endpoint (see below); default response", NULL, 0},
      {"n", "N", "Sobol base sample (N (k + 2) trials) or Morris trajectories (N (k + 1) trials)", NULL, 0},
      {"covariates", NULL, "who responds: covariate indices from one trial instead", NULL, 0},
      {"arm", "NAME", "the arm whose endpoint is read (default: the first)", NULL, 0},
      {"patients", "N", "patients per trial (default: the scenario's)", NULL, 0},
      {"threads", "N", "worker threads (default: all cores)", NULL, 0},
      {"boot", "B", "bootstrap resamples for the intervals (default 1000)", NULL, 0},
      {"resume", NULL, "continue an interrupted run from DIR/.evaluations.log", NULL, 0},
      {"plot", NULL, "also draw indices.png and indices.svg", NULL, 0},
      {"out", "DIR", "directory for indices.csv, indices.json, evaluations.csv", NULL, 0},
      CLI_COMMON_OPTS,
  };
  size_t no = sizeof opts / sizeof opts[0];
  const char *scenario_path = NULL, *out_dir = NULL;
  int rc = sweep_parse("sensitivity", usage_text, summary_text, argc, argv, opts, no, &scenario_path, &out_dir);
  if (rc) return rc < 0 ? 0 : rc;
  sens_args a = {.scenario_path = scenario_path, .covariates = cli_get(opts, no, "covariates")->seen};
  ks_endpoint e = {.kind = KS_EP_RESPONSE};
  ks_sens_options so = {.method = KS_SENS_SOBOL};
  long n = 0, patients = 0, threads = 0, boot = 1000;
  cli_opt *mo = cli_get(opts, no, "method"), *po = cli_get(opts, no, "params"), *no_ = cli_get(opts, no, "n");
  cli_opt *eo = cli_get(opts, no, "endpoint");
  a.endpoint_name = eo->seen ? eo->value : "response";
  if (!a.covariates) {
    if (!mo->seen) return cli_error("--method: missing (expected morris or sobol)"), 2;
    if ((rc = parse_method(mo->value, &so.method))) return rc;
    if (!po->seen) return cli_error("--params: missing (expected a parameter TSV or 'default')"), 2;
    if (!no_->seen) return cli_error("--n: missing (expected e.g. --n 16 for Sobol, --n 10 for Morris)"), 2;
    if ((rc = cli_int(no_, 2, 100000, &n))) return rc;
    if ((rc = parse_endpoint(a.endpoint_name, &e))) return rc;
  } else if (mo->seen || po->seen || no_->seen || eo->seen) {
    cli_error("--covariates: used alone (expected no --method, --params, --n or --endpoint with it)");
    return 2;
  }
  if ((rc = cli_int(cli_get(opts, no, "patients"), 1, 100000000, &patients))) return rc;
  if ((rc = cli_int(cli_get(opts, no, "threads"), 1, 1024, &threads))) return rc;
  if ((rc = cli_int(cli_get(opts, no, "boot"), 1, 1000000, &boot))) return rc;
  int quiet = cli_get(opts, no, "quiet")->seen, plot = cli_get(opts, no, "plot")->seen;

  ks_ctx *ctx = cli_ctx(opts, no, 1);
  if (!ctx) return 1;
  ks_scenario *sc = NULL;
  ks_sens_result R;
  memset(&R, 0, sizeof R);
  ks_param_range ranges[KS_PARAM_MAX];
  size_t k = 0;
  char logpath[4096];
  snprintf(logpath, sizeof logpath, "%s/.evaluations.log", out_dir);
  ks_par_comm comm;
  int rank = 0;
  ks_status st = sweep_mpi_start(ctx, &comm, &rank);
  if (rank != 0) quiet = 1;
  if (st == KS_OK) st = ks_scenario_load(ctx, scenario_path, &sc);
  if (st != KS_OK) goto fail;
  if ((rc = sweep_group(sc, cli_get(opts, no, "arm")->value, &e.group))) goto done_rc;
  if (!a.covariates) {
    if (!strcmp(po->value, "default")) k = ks_param_ranges_default(ranges, KS_PARAM_MAX);
    else if ((st = ks_param_ranges_load(ctx, po->value, ranges, KS_PARAM_MAX, &k)) != KS_OK) goto fail;
  }
  ks_ctx_set_seed(ctx, sc->seed);
  ks_ctx_set_threads(ctx, (int)threads);
  if (rank == 0) st = ks_mkdirs(ctx, out_dir);
  if ((st = ks_sweep_agree(ctx, &comm, st)) != KS_OK) goto fail;
  so.trial = ks_trial_options_default();
  so.trial.n_threads = (int)threads;
  so.trial.n_patients = patients;
  so.trial.cancel = &ks_sweep_cancel;
  so.n = (size_t)n;
  so.n_boot = (size_t)boot;
  sweep_install_handlers();
  if (a.covariates) { /* one trial: its patients over the processes */
    so.trial.comm = &comm;
    st = run_covariates(ctx, out_dir, sc, &e, &so.trial, (size_t)boot, plot, rank);
    if (st != KS_OK) goto fail;
    goto done;
  }
  char key[1024];
  size_t kl = (size_t)snprintf(key, sizeof key, "sensitivity %s %016llx seed %llu %s n %ld endpoint %s group %d patients %ld",
                               sc->name, sweep_scenario_hash(ctx, sc), (unsigned long long)sc->seed, mo->value, n, a.endpoint_name, e.group, patients);
  for (size_t i = 0; i < k && kl < sizeof key; i++)
    kl += (size_t)snprintf(key + kl, sizeof key - kl, " %s:%a:%a", ranges[i].binding->name, ranges[i].low, ranges[i].high);
  if (rank == 0) st = ks_eval_log_open(ctx, logpath, key, k, 1, cli_get(opts, no, "resume")->seen, &so.log);
  if ((st = ks_sweep_agree(ctx, &comm, st)) != KS_OK) goto fail;
  so.comm = &comm; /* the trials over the processes, each whole in one */
  cli_progress prog;
  cli_progress_init(&prog, "trials", quiet);
  so.progress = sweep_progress;
  so.progress_ud = &prog;
  st = ks_sens_run(ctx, sc, ranges, k, &e, &so, &R);
  cli_progress_done(&prog);
  if (st != KS_OK) goto fail;
  if (rank != 0) goto done; /* rank 0 alone writes the outputs */
  if (!quiet && R.n_resumed) fprintf(stderr, "ketasim: resumed: %zu of %zu trials were already done\n", R.n_resumed, R.n_rows);
  if ((st = write_indices(ctx, out_dir, sc, &a, &e, &R, patients ? patients : sc->population.n)) != KS_OK) goto fail;
  if (plot && (st = plot_params(ctx, out_dir, sc, &a, &e, &R)) != KS_OK) goto fail;
  ks_eval_log_close(&so.log, 1);
  print_params(&R);
  if (!quiet) fprintf(stderr, "ketasim: wrote %s/{indices.csv,indices.json,evaluations.csv%s}\n", out_dir,
                      plot ? ",indices.png,indices.svg" : "");
done:
  rc = 0;
done_rc:
  ks_eval_log_close(&so.log, 0);
  ks_sens_result_fini(&R);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
  ks_par_finalize();
  return rc;
fail:
  rc = sweep_fail(ctx, st, rank);
  if (st == KS_EINTERRUPTED && rank == 0) fprintf(stderr, "ketasim: continue with --resume (finished trials are kept in %s)\n", logpath);
  goto done_rc;
}
