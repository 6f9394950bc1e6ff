/* SPDX-License-Identifier: MIT */
/* ketasim power SCENARIO.yaml --n 10:200:10 --replicates 1000 --out DIR: power of the scenario's
 * primary endpoint per sample size, from replicate trials drawn from one simulated pool
 * (ks_trial_power). Writes DIR/power.csv, power.json, power.png and power.svg; one line per
 * sample size on stdout. */
#include "cli.h"
#include "commands.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SIZES 500

static const char *const usage_text =
    "SCENARIO.yaml --n START:STOP:STEP|N,N,... --out DIR [--replicates R] [--alpha A] [--pool N] [--fresh] "
    "[--threads N]";

static const char *const summary_text =
    "Power of the scenario's primary endpoint (its analysis: ANCOVA on change with the baseline as\n"
    "covariate, of the primary contrast, the scenario's first contrast, unadjusted p; for a\n"
    "crossover the paired differences adjusted for period) at each sample size n, patients per group (per\n"
    "sequence for a crossover; groups with a larger allocation ratio get proportionally more).\n"
    "Method: one virtual pool is simulated once, max(2000, 10 x the largest n) patients per group\n"
    "(or --pool N), the patients of 'ketasim run --patients <pool size>'; each replicate trial\n"
    "draws n patients per group from the pools without replacement (a keyed random stream per\n"
    "replicate and n, so any thread count gives the same answer) and repeats only the analysis.\n"
    "Dropouts drawn stay missing. Power is the share of replicates with p < alpha, with its Wilson\n"
    "95% interval. With --fresh every replicate is a newly simulated trial instead (slow; exact).\n"
    "Writes DIR/power.csv (n, power, interval, mean difference), power.json, power.png, power.svg.";

/* Parse "START:STOP:STEP", "START:STOP" (step 1), or "N,N,..." into sizes; 2 and a message on error. */
static int parse_sizes(const char *spec, long *sizes, size_t *n_sizes) {
  const char *expect = "expected START:STOP:STEP such as 10:200:10, or a list such as 20,40,80, each >= 2";
  char buf[512];
  snprintf(buf, sizeof buf, "%s", spec);
  *n_sizes = 0;
  if (strchr(buf, ':')) {
    long v[3] = {0, 0, 1};
    int k = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
      char *end = NULL;
      errno = 0;
      long x = strtol(tok, &end, 10);
      if (k >= 3 || !*tok || *end || errno) goto bad;
      v[k++] = x;
    }
    if (k < 2 || v[0] < 2 || v[1] < v[0] || v[2] < 1 || (v[1] - v[0]) / v[2] >= MAX_SIZES) goto bad;
    for (long x = v[0]; x <= v[1]; x += v[2]) sizes[(*n_sizes)++] = x;
    return 0;
  }
  char *save = NULL;
  for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    char *end = NULL;
    errno = 0;
    long x = strtol(tok, &end, 10);
    if (!*tok || *end || errno || x < 2 || x > 10000000 || *n_sizes >= MAX_SIZES) goto bad;
    sizes[(*n_sizes)++] = x;
  }
  if (*n_sizes) return 0;
bad:
  cli_error("--n: '%s' is not a list of sample sizes (%s)", spec, expect);
  return 2;
}

static int parse_alpha(const cli_opt *o, double *alpha) {
  if (!o->seen) return 0;
  char *end = NULL;
  errno = 0;
  double a = strtod(o->value, &end);
  if (!*o->value || *end || errno || !(a > 0.0 && a < 1.0)) {
    cli_error("--alpha: '%s' is not a significance level (expected a number between 0 and 1, e.g. 0.05)", o->value);
    return 2;
  }
  *alpha = a;
  return 0;
}

typedef struct {
  cli_progress bar;
  const char *stage;
  int quiet;
} power_progress;

static void progress_cb(void *ud, const char *stage, size_t done, size_t total) {
  power_progress *p = ud;
  if (p->stage != stage) {
    if (p->stage) cli_progress_done(&p->bar);
    cli_progress_init(&p->bar, stage, p->quiet);
    p->stage = stage;
  }
  cli_progress_update(&p->bar, done, total);
}

static ks_status write_csv(ks_ctx *ctx, const char *path, const ks_power_point *pt, size_t n) {
  ks_afile *f = NULL;
  ks_status st = ks_afile_open(ctx, path, &f);
  if (st != KS_OK) return st;
  FILE *fp = ks_afile_stream(f);
  const char *head[] = {"n_per_group", "replicates", "rejected", "invalid", "power", "power_ci95_lo", "power_ci95_hi",
                        "mean_difference"};
  for (size_t c = 0; c < sizeof head / sizeof head[0]; c++) ks_csv_field_str(fp, c == 0, head[c]);
  ks_csv_end_row(fp);
  for (size_t k = 0; k < n; k++) {
    ks_csv_field_int(fp, 1, pt[k].n_per_group);
    ks_csv_field_int(fp, 0, (long long)pt[k].n_replicates);
    ks_csv_field_int(fp, 0, (long long)pt[k].n_rejected);
    ks_csv_field_int(fp, 0, (long long)pt[k].n_invalid);
    ks_csv_field_num(fp, 0, pt[k].power);
    ks_csv_field_num(fp, 0, pt[k].power_lo);
    ks_csv_field_num(fp, 0, pt[k].power_hi);
    if (isfinite(pt[k].mean_difference)) ks_csv_field_num(fp, 0, pt[k].mean_difference);
    else ks_csv_field_str(fp, 0, "");
    ks_csv_end_row(fp);
  }
  return ks_afile_commit(&f);
}

static void json_num(ks_json *j, const char *key, double v) {
  ks_json_key(j, key);
  if (isfinite(v)) ks_json_num(j, v);
  else ks_json_null(j);
}

static ks_status write_json(ks_ctx *ctx, const char *path, const ks_scenario *sc, const ks_power_options *o,
                            const ks_power_info *info, const ks_power_point *pt) {
  ks_afile *f = NULL;
  ks_status st = ks_afile_open(ctx, path, &f);
  if (st != KS_OK) return st;
  ks_json j;
  ks_json_init(&j, ks_afile_stream(f), 2);
  ks_json_begin_object(&j);
  ks_json_scenario_header(&j, sc->name, sc->seed);
  ks_json_key(&j, "method");
  ks_json_str(&j, info->fresh ? "fresh trials" : "resampling from a simulated pool");
  ks_json_key(&j, "analysis");
  ks_json_str(&j, info->paired ? "paired differences adjusted for period (crossover mixed model, complete pairs)" : "ANCOVA on change, baseline covariate");
  json_num(&j, "alpha", info->alpha);
  ks_json_key(&j, "replicates");
  ks_json_int(&j, (long long)o->n_replicates);
  if (!info->fresh) {
    ks_json_key(&j, "pool");
    ks_json_begin_object(&j);
    ks_json_key(&j, "n_total");
    ks_json_int(&j, (long long)info->pool_total);
    ks_json_key(&j, "n_per_group");
    ks_json_begin_array(&j);
    for (size_t g = 0; g < info->n_groups; g++) ks_json_int(&j, (long long)info->pool_n[g]);
    ks_json_end_array(&j);
    ks_json_key(&j, "contrast");
    ks_json_str(&j, info->pool_primary.contrast);
    json_num(&j, "difference", info->pool_test.difference);
    json_num(&j, "se", info->pool_test.se);
    json_num(&j, "p", info->pool_test.p);
    json_num(&j, "summary_difference", info->pool_primary.difference);
    json_num(&j, "summary_p", info->pool_primary.p);
    json_num(&j, "summary_ci95_lo", info->pool_primary.ci_lo);
    json_num(&j, "summary_ci95_hi", info->pool_primary.ci_hi);
    json_num(&j, "cohens_d", info->pool_primary.cohens_d);
    ks_json_end_object(&j);
  }
  ks_json_key(&j, "points");
  ks_json_begin_array(&j);
  for (size_t k = 0; k < o->n_sizes; k++) {
    ks_json_begin_object(&j);
    ks_json_key(&j, "n_per_group");
    ks_json_int(&j, pt[k].n_per_group);
    json_num(&j, "power", pt[k].power);
    json_num(&j, "power_ci95_lo", pt[k].power_lo);
    json_num(&j, "power_ci95_hi", pt[k].power_hi);
    json_num(&j, "mean_difference", pt[k].mean_difference);
    ks_json_key(&j, "invalid");
    ks_json_int(&j, (long long)pt[k].n_invalid);
    ks_json_end_object(&j);
  }
  ks_json_end_array(&j);
  ks_json_provenance(&j, ctx);
  ks_json_end_object(&j);
  ks_json_finish(&j);
  return ks_afile_commit(&f);
}

/* The power curve with its Wilson band, the 80% line and the alpha line, as PNG and SVG. */
static ks_status write_figures(ks_ctx *ctx, const char *dir, const ks_scenario *sc, const ks_power_info *info,
                               const ks_power_point *pt, size_t n) {
  double *buf = calloc(4 * n + 4, sizeof *buf);
  if (!buf) return ks_ctx_fail(ctx, KS_ENOMEM, "power: out of memory for the figure");
  double *x = buf, *y = x + n, *lo = y + n, *hi = lo + n;
  for (size_t k = 0; k < n; k++) {
    x[k] = (double)pt[k].n_per_group;
    y[k] = pt[k].power;
    lo[k] = pt[k].power_lo;
    hi[k] = pt[k].power_hi;
  }
  double hx[2] = {x[0], x[n - 1]}, h80[2] = {0.8, 0.8}, ha[2] = {info->alpha, info->alpha};
  if (hx[0] == hx[1]) hx[0] -= 1, hx[1] += 1;
  char alpha_lab[48], title[160];
  snprintf(alpha_lab, sizeof alpha_lab, "alpha = %g", info->alpha);
  snprintf(title, sizeof title, "Power of the primary endpoint: %s", sc->name);
  ks_fig_series s[3] = {
      {.label = info->fresh ? "simulated power (fresh trials), Wilson 95% band" : "simulated power, Wilson 95% band",
       .x = x, .y = y, .n = n, .lo = lo, .hi = hi, .color = 1, .points = 1},
      {.label = "80% power", .x = hx, .y = h80, .n = 2, .color = 7, .dashed = 1},
      {.label = alpha_lab, .x = hx, .y = ha, .n = 2, .color = 8, .dashed = 1},
  };
  ks_fig_spec spec = {.title = title,
                      .x_label = info->paired ? "patients per sequence (n)" : "patients per group (n)",
                      .y_label = "power (share of trials with p < alpha)",
                      .y_min = 0.0,
                      .y_max = 1.0,
                      .legend = KS_FIG_LEGEND_AUTO};
  char path[4096];
  snprintf(path, sizeof path, "%s/power.png", dir);
  ks_status st = ks_fig_lines(ctx, path, &spec, s, 3, NULL, 0);
  if (st == KS_OK) {
    snprintf(path, sizeof path, "%s/power.svg", dir);
    st = ks_fig_lines(ctx, path, &spec, s, 3, NULL, 0);
  }
  free(buf);
  return st;
}

static ks_status write_outputs(ks_ctx *ctx, const char *dir, const ks_scenario *sc, const ks_power_options *o,
                               const ks_power_info *info, const ks_power_point *pt) {
  ks_status mk = ks_mkdirs(ctx, dir);
  if (mk != KS_OK) return mk;
  char path[4096];
  snprintf(path, sizeof path, "%s/power.csv", dir);
  ks_status st = write_csv(ctx, path, pt, o->n_sizes);
  if (st == KS_OK) {
    snprintf(path, sizeof path, "%s/power.json", dir);
    st = write_json(ctx, path, sc, o, info, pt);
  }
  if (st == KS_OK) st = write_figures(ctx, dir, sc, info, pt, o->n_sizes);
  return st;
}

static void print_points(const ks_power_info *info, const ks_power_point *pt, size_t n) {
  for (size_t k = 0; k < n; k++) {
    printf("n = %ld per %s: power %.3f (95%% CI %.3f to %.3f), mean difference %+.2f", pt[k].n_per_group,
           info->paired ? "sequence" : "group", pt[k].power, pt[k].power_lo, pt[k].power_hi, pt[k].mean_difference);
    if (pt[k].n_invalid) printf(", %zu of %zu replicates not analysable", pt[k].n_invalid, pt[k].n_replicates);
    printf("\n");
  }
}

static void print_pool(const ks_power_info *info) {
  if (info->fresh) return;
  fprintf(stderr, "ketasim: pool of %zu patients (", info->pool_total);
  for (size_t g = 0; g < info->n_groups; g++) fprintf(stderr, "%s%zu", g ? " + " : "", info->pool_n[g]);
  fprintf(stderr, "): %s = %+.2f (95%% CI %.2f to %.2f), the effect the replicates resample\n",
          info->pool_primary.contrast, info->pool_primary.difference, info->pool_primary.ci_lo,
          info->pool_primary.ci_hi);
}

int ks_cli_power(int argc, char **argv) {
  cli_opt opts[] = {
      {"n", "SIZES", "sample sizes per group: START:STOP:STEP (e.g. 10:200:10) or N,N,...", NULL, 0},
      {"replicates", "R", "replicate trials per sample size (default 1000)", NULL, 0},
      {"alpha", "A", "two-sided significance level (default 0.05)", NULL, 0},
      {"pool", "N", "patients per group in the resampling pool (default max(2000, 10 x largest n))", NULL, 0},
      {"fresh", NULL, "simulate fresh patients for every replicate (slow, exact)", NULL, 0},
      {"threads", "N", "worker threads (default: all cores)", NULL, 0},
      {"out", "DIR", "directory for power.csv, power.json, power.png, power.svg", NULL, 0},
      CLI_COMMON_OPTS,
  };
  size_t no = sizeof opts / sizeof opts[0];
  const char *pos[1];
  size_t n_pos = 0;
  int rc = cli_parse("power", usage_text, argc, argv, opts, no, pos, 1, &n_pos);
  if (rc < 0) {
    printf("\n%s\n", summary_text); /* after the options: how the power is computed */
    return 0;
  }
  if (rc) return rc;
  if (n_pos != 1) {
    cli_error("power: missing SCENARIO.yaml (usage: ketasim power %s)", usage_text);
    return 2;
  }
  cli_opt *out = cli_get(opts, no, "out"), *nopt = cli_get(opts, no, "n");
  if (!nopt->seen) {
    cli_error("--n: missing (expected sample sizes per group, e.g. --n 10:200:10)");
    return 2;
  }
  if (!out->seen || !*out->value) {
    cli_error("--out: missing (expected an output directory, e.g. --out out/power)");
    return 2;
  }
  static long sizes[MAX_SIZES];
  size_t n_sizes = 0;
  long reps = 1000, pool = 0, threads = 0;
  double alpha = 0.05;
  if ((rc = parse_sizes(nopt->value, sizes, &n_sizes))) return rc;
  if ((rc = cli_int(cli_get(opts, no, "replicates"), 1, 1000000, &reps))) return rc;
  if ((rc = cli_int(cli_get(opts, no, "pool"), 2, 10000000, &pool))) return rc;
  if ((rc = cli_int(cli_get(opts, no, "threads"), 1, 1024, &threads))) return rc;
  if ((rc = parse_alpha(cli_get(opts, no, "alpha"), &alpha))) return rc;
  int quiet = cli_get(opts, no, "quiet")->seen, fresh = cli_get(opts, no, "fresh")->seen;
  if (fresh && pool > 0) {
    cli_error("--pool: not used with --fresh (expected one of them)");
    return 2;
  }

  ks_ctx *ctx = cli_ctx(opts, no, 1);
  if (!ctx) return 1;
  ks_scenario *sc = NULL;
  ks_power_point *pt = NULL;
  ks_status st = ks_scenario_load(ctx, pos[0], &sc);
  if (st != KS_OK) goto fail;
  ks_ctx_set_seed(ctx, sc->seed);
  ks_ctx_set_threads(ctx, (int)threads);
  pt = calloc(n_sizes, sizeof *pt);
  if (!pt) {
    st = ks_ctx_fail(ctx, KS_ENOMEM, "power: out of memory");
    goto fail;
  }
  power_progress prog = {.quiet = quiet};
  ks_power_options o = {.n_per_group = sizes,
                        .n_sizes = n_sizes,
                        .n_replicates = (size_t)reps,
                        .alpha = alpha,
                        .pool_per_group = pool,
                        .fresh = fresh,
                        .n_threads = (int)threads,
                        .progress = progress_cb,
                        .progress_ud = &prog};
  ks_power_info info;
  st = ks_trial_power(ctx, sc, &o, pt, &info);
  if (prog.stage) cli_progress_done(&prog.bar);
  if (st != KS_OK) goto fail;
  if ((st = write_outputs(ctx, out->value, sc, &o, &info, pt)) != KS_OK) goto fail;
  if (!quiet) print_pool(&info);
  print_points(&info, pt, n_sizes);
  if (!quiet) fprintf(stderr, "ketasim: wrote %s/{power.csv,power.json,power.png,power.svg}\n", out->value);
  free(pt);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
  return 0;
fail:
  rc = cli_fail(ctx, st);
  free(pt);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
  return rc;
}
