/* SPDX-License-Identifier: MIT */
/* ketasim optimize SCENARIO.yaml --out DIR: search the regimen space of the scenario's optimize
 * block for the best value of its objective under its constraints (ks_opt_run). Writes
 * DIR/regimens.csv (every regimen evaluated, best first), best.yaml (and best_2.yaml ...: ready to
 * run), optimize.json, objective.png/.svg, and with two objectives pareto.csv and pareto.png/.svg. */
#include "cli.h"
#include "commands.h"
#include "sweep_cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const usage_text =
    "SCENARIO.yaml --out DIR [--patients N] [--threads N] [--top K] [--resume]";

static const char *const summary_text =
    "Search the regimen space declared in the scenario's optimize block (docs/user-guide.md) for the\n"
    "best value of its objective subject to its constraints. Every regimen is one virtual trial with\n"
    "the scenario's seed and patients (common random numbers), so two regimens differ only by the\n"
    "regimen, without trial-to-trial noise. Whole-number variables (infusions, spacing,\n"
    "therapy delay, maintenance interval) are searched exhaustively; the dose by NLopt within each\n"
    "(algorithm: cobyla, constraints handled directly; bobyqa, constraints as a penalty; global,\n"
    "ISRES). A second objective gives a Pareto front (epsilon-constraint sweep plus the\n"
    "non-dominated regimens evaluated). best.yaml re-runs with `ketasim run` to the same value.\n"
    "Under `mpirun -np K` each regimen's patients are split over the K processes (the optimiser's\n"
    "evaluations follow one another); any thread or process count gives the same bytes.\n"
    "An interrupted run continues with --resume (DIR/.evaluations.log) to the same answer.";

typedef struct {
  const ks_optimize_spec *spec;
  const ks_opt_result *R;
} table_ctx;

static table_ctx g_sort; /* qsort has no user pointer: set just before sorting */

static double sense_of(const ks_optimize_objective *o, double v) { return o->maximize ? -v : v; }

static int cmp_rank(const void *pa, const void *pb) {
  const ks_opt_eval *a = &g_sort.R->evals[*(const size_t *)pa], *b = &g_sort.R->evals[*(const size_t *)pb];
  if (a->feasible != b->feasible) return b->feasible - a->feasible;
  double fa = sense_of(&g_sort.spec->objective, a->objective), fb = sense_of(&g_sort.spec->objective, b->objective);
  if (!isfinite(fa)) fa = INFINITY;
  if (!isfinite(fb)) fb = INFINITY;
  if (fa != fb) return fa < fb ? -1 : 1;
  return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

static const char *var_label(ks_optimize_var v, const ks_scenario *sc, const ks_optimize_spec *s, char *buf, size_t n) {
  if (v == KS_OPT_DOSE) {
    const ks_scen_arm *arm = &sc->arms[s->arm];
    snprintf(buf, n, "dose_%s", arm->n_regimen && arm->regimen[0].per_kg ? "mg_per_kg" : "mg");
    return buf;
  }
  return ks_optimize_var_name(v);
}

static int is_pareto(const ks_opt_result *R, size_t i) {
  for (size_t k = 0; k < R->n_pareto; k++)
    if ((size_t)R->pareto[k] == i) return 1;
  return 0;
}

static ks_status write_table(ks_ctx *ctx, const char *path, const ks_scenario *sc, const ks_optimize_spec *s,
                             const ks_opt_result *R, const size_t *order) {
  ks_afile *f = NULL;
  KS_TRY_ST(ks_afile_open(ctx, path, &f));
  FILE *fp = ks_afile_stream(f);
  char buf[64], h[96];
  ks_csv_field_str(fp, 1, "rank");
  for (size_t v = 0; v < R->n_vars; v++) ks_csv_field_str(fp, 0, var_label(R->vars[v], sc, s, buf, sizeof buf));
  snprintf(h, sizeof h, "objective_%s", s->objective.endpoint);
  ks_csv_field_str(fp, 0, h);
  if (s->objective2.present) {
    snprintf(h, sizeof h, "objective2_%s", s->objective2.endpoint);
    ks_csv_field_str(fp, 0, h);
  }
  for (int c = 0; c < KS_OPT_CON_N; c++) ks_csv_field_str(fp, 0, ks_optimize_constraint_name((ks_optimize_constraint)c));
  ks_csv_field_str(fp, 0, "feasible");
  if (s->objective2.present) ks_csv_field_str(fp, 0, "pareto");
  ks_csv_end_row(fp);
  for (size_t r = 0; r < R->n_evals; r++) {
    const ks_opt_eval *e = &R->evals[order[r]];
    ks_csv_field_int(fp, 1, (long long)r + 1);
    for (size_t v = 0; v < R->n_vars; v++) ks_csv_field_num(fp, 0, e->x[R->vars[v]]);
    ks_csv_field_num(fp, 0, e->objective);
    if (s->objective2.present) ks_csv_field_num(fp, 0, e->objective2);
    for (int c = 0; c < KS_OPT_CON_N; c++) {
      if (isfinite(e->constraint[c])) ks_csv_field_num(fp, 0, e->constraint[c]);
      else ks_csv_field_str(fp, 0, "");
    }
    ks_csv_field_int(fp, 0, e->feasible);
    if (s->objective2.present) ks_csv_field_int(fp, 0, is_pareto(R, order[r]));
    ks_csv_end_row(fp);
  }
  return ks_afile_commit(&f);
}

static ks_status write_json(ks_ctx *ctx, const char *path, const ks_scenario *sc, const ks_optimize_spec *s,
                            const ks_opt_result *R, long patients) {
  ks_afile *f = NULL;
  KS_TRY_ST(ks_afile_open(ctx, path, &f));
  ks_json j;
  ks_json_init(&j, ks_afile_stream(f), 2);
  ks_json_begin_object(&j);
  ks_json_scenario_header(&j, sc->name, sc->seed);
  ks_json_key(&j, "arm");
  ks_json_str(&j, sc->arms[s->arm].name);
  ks_json_key(&j, "patients_per_trial");
  ks_json_int(&j, patients);
  ks_json_key(&j, "algorithm");
  ks_json_str(&j, s->algorithm);
  ks_json_key(&j, "objective");
  ks_json_str(&j, s->objective.endpoint);
  ks_json_key(&j, "goal");
  ks_json_str(&j, s->objective.maximize ? "maximize" : "minimize");
  ks_json_key(&j, "regimens_evaluated");
  ks_json_int(&j, (long long)R->n_evals);
  ks_json_key(&j, "best");
  if (R->best < 0) {
    ks_json_null(&j);
  } else {
    const ks_opt_eval *e = &R->evals[R->best];
    char buf[64];
    ks_json_begin_object(&j);
    for (size_t v = 0; v < R->n_vars; v++) {
      ks_json_key(&j, var_label(R->vars[v], sc, s, buf, sizeof buf));
      ks_json_num(&j, e->x[R->vars[v]]);
    }
    ks_json_key(&j, "objective");
    ks_json_num(&j, e->objective);
    for (int c = 0; c < KS_OPT_CON_N; c++) {
      if (!isfinite(e->constraint[c])) continue;
      ks_json_key(&j, ks_optimize_constraint_name((ks_optimize_constraint)c));
      ks_json_num(&j, e->constraint[c]);
    }
    ks_json_key(&j, "scenario_file");
    ks_json_str(&j, "best.yaml");
    ks_json_end_object(&j);
  }
  ks_json_end_object(&j);
  ks_json_finish(&j);
  return ks_afile_commit(&f);
}

/* The objective against the first variable, one curve per value of the second (at most 8). */
static ks_status write_figure(ks_ctx *ctx, const char *dir, const ks_scenario *sc, const ks_optimize_spec *s,
                              const ks_opt_result *R) {
  size_t n = R->n_evals;
  double *buf = calloc(2 * n + 2, sizeof *buf);
  if (!buf) return ks_ctx_fail(ctx, KS_ENOMEM, "optimize: out of memory for the figure");
  ks_optimize_var vx = R->vars[0];
  int has_g = R->n_vars > 1;
  ks_optimize_var vg = has_g ? R->vars[1] : vx;
  double groups[8];
  size_t n_groups = 0;
  for (size_t i = 0; i < n && n_groups < 8; i++) {
    double g = has_g ? R->evals[i].x[vg] : 0;
    size_t k = 0;
    while (k < n_groups && groups[k] != g) k++;
    if (k == n_groups) groups[n_groups++] = g;
  }
  ks_fig_series ser[8];
  char labels[8][160], lbuf[64];
  double *xs = buf, *ys = buf + n;
  size_t used = 0, n_ser = 0;
  for (size_t k = 0; k < n_groups; k++) {
    size_t first = used;
    /* feasible points of this group, sorted by x */
    for (size_t i = 0; i < n; i++) {
      const ks_opt_eval *e = &R->evals[i];
      if ((has_g && e->x[vg] != groups[k]) || !isfinite(e->objective)) continue;
      size_t p = used++;
      while (p > first && xs[p - 1] > e->x[vx]) xs[p] = xs[p - 1], ys[p] = ys[p - 1], p--;
      xs[p] = e->x[vx], ys[p] = e->objective;
    }
    if (used == first) continue;
    if (has_g) snprintf(labels[n_ser], sizeof labels[0], "%s = %g", var_label(vg, sc, s, lbuf, sizeof lbuf), groups[k]);
    else snprintf(labels[n_ser], sizeof labels[0], "regimens evaluated");
    ser[n_ser] = (ks_fig_series){.label = labels[n_ser], .x = xs + first, .y = ys + first, .n = used - first,
                                 .color = (int)n_ser + 1, .points = 1};
    n_ser++;
  }
  ks_status st = KS_OK;
  if (n_ser) {
    char title[200], yl[96];
    snprintf(title, sizeof title, "%s of arm %s over the regimen space", s->objective.endpoint, sc->arms[s->arm].name);
    snprintf(yl, sizeof yl, "%s, %s (%s)", s->objective.endpoint, ks_endpoint_unit((ks_endpoint_kind)ks_endpoint_parse(s->objective.endpoint)),
             s->objective.maximize ? "higher is better" : "lower is better");
    ks_fig_spec spec = {.title = title, .x_label = var_label(vx, sc, s, lbuf, sizeof lbuf), .y_label = yl,
                        .legend = KS_FIG_LEGEND_AUTO};
    char path[4096];
    snprintf(path, sizeof path, "%s/objective.png", dir);
    st = ks_fig_lines(ctx, path, &spec, ser, n_ser, NULL, 0);
    snprintf(path, sizeof path, "%s/objective.svg", dir);
    if (st == KS_OK) st = ks_fig_lines(ctx, path, &spec, ser, n_ser, NULL, 0);
  }
  free(buf);
  return st;
}

/* Pareto front: objective 2 against objective 1, the front as a line over every feasible point. */
static ks_status write_pareto(ks_ctx *ctx, const char *dir, const ks_optimize_spec *s, const ks_opt_result *R) {
  size_t n = R->n_evals;
  double *buf = calloc(6 * n + 4, sizeof *buf);
  if (!buf) return ks_ctx_fail(ctx, KS_ENOMEM, "optimize: out of memory for the Pareto figure");
  double *ax = buf, *ay = ax + 2 * n, *px = ay + 2 * n, *py = px + n;
  size_t na = 0, np = 0;
  /* A scatter: a NaN between points breaks the polyline, so each point is drawn alone. */
  for (size_t i = 0; i < n; i++) {
    if (!R->evals[i].feasible) continue;
    if (na) ax[na] = ay[na] = NAN, na++;
    ax[na] = R->evals[i].objective, ay[na++] = R->evals[i].objective2;
  }
  for (size_t k = 0; k < R->n_pareto; k++) {
    const ks_opt_eval *e = &R->evals[R->pareto[k]];
    size_t p = np++;
    while (p > 0 && px[p - 1] > e->objective) px[p] = px[p - 1], py[p] = py[p - 1], p--;
    px[p] = e->objective, py[p] = e->objective2;
  }
  ks_status st = KS_OK;
  if (na) {
    ks_fig_series ser[2] = {{.label = "feasible regimens", .x = ax, .y = ay, .n = na, .color = 8, .points = 1},
                            {.label = "Pareto front", .x = px, .y = py, .n = np, .color = 1, .points = 1}};
    ks_fig_spec spec = {.title = "Pareto front of the regimens evaluated", .x_label = s->objective.endpoint,
                        .y_label = s->objective2.endpoint, .legend = KS_FIG_LEGEND_AUTO};
    char path[4096];
    snprintf(path, sizeof path, "%s/pareto.png", dir);
    st = ks_fig_lines(ctx, path, &spec, ser, 2, NULL, 0);
    snprintf(path, sizeof path, "%s/pareto.svg", dir);
    if (st == KS_OK) st = ks_fig_lines(ctx, path, &spec, ser, 2, NULL, 0);
  }
  free(buf);
  return st;
}

/* best.yaml, best_2.yaml, ...: the top feasible regimens as ready-to-run scenarios. */
static ks_status write_best(ks_ctx *ctx, const char *dir, const ks_scenario *sc, const ks_optimize_spec *s,
                            const ks_opt_result *R, const size_t *order, long top) {
  for (long r = 0; r < top && (size_t)r < R->n_evals; r++) {
    const ks_opt_eval *e = &R->evals[order[r]];
    if (!e->feasible) break;
    ks_scenario *b = NULL;
    KS_TRY_ST(ks_regimen_apply(ctx, sc, s, e->x, &b));
    char name[32], path[4096], comment[512];
    if (r == 0) snprintf(name, sizeof name, "best.yaml");
    else snprintf(name, sizeof name, "best_%ld.yaml", r + 1);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(comment, sizeof comment, "ketasim optimize: rank %ld of %zu regimens of arm %s; %s = %.10g\n"
             "Run it: ketasim run %s --out DIR", r + 1, R->n_evals, sc->arms[s->arm].name, s->objective.endpoint,
             e->objective, name);
    ks_status st = sweep_write_scenario(ctx, path, b, comment);
    ks_scenario_destroy(&b);
    if (st != KS_OK) return st;
  }
  return KS_OK;
}

static void print_best(const ks_scenario *sc, const ks_optimize_spec *s, const ks_opt_result *R, const size_t *order,
                       long top) {
  char buf[64];
  for (long r = 0; r < top && (size_t)r < R->n_evals; r++) {
    const ks_opt_eval *e = &R->evals[order[r]];
    if (!e->feasible) break;
    printf("%ld.", r + 1);
    for (size_t v = 0; v < R->n_vars; v++) printf(" %s %g", var_label(R->vars[v], sc, s, buf, sizeof buf), e->x[R->vars[v]]);
    printf(": %s %.4g", s->objective.endpoint, e->objective);
    if (s->objective2.present) printf(", %s %.4g", s->objective2.endpoint, e->objective2);
    printf("\n");
  }
  if (R->best < 0) printf("no regimen met the constraints (see regimens.csv)\n");
}

static void opt_progress(void *ud, size_t done, const ks_opt_eval *last) {
  (void)last;
  cli_progress_update(ud, done, 0);
}

static ks_status write_outputs(ks_ctx *ctx, const char *dir, const ks_scenario *sc, const ks_optimize_spec *spec,
                               const ks_opt_result *R, long top, long patients) {
  size_t *order = calloc(R->n_evals + 1, sizeof *order);
  if (!order) return ks_ctx_fail(ctx, KS_ENOMEM, "optimize: out of memory");
  for (size_t i = 0; i < R->n_evals; i++) order[i] = i;
  g_sort = (table_ctx){spec, R};
  qsort(order, R->n_evals, sizeof *order, cmp_rank);
  char path[4096];
  snprintf(path, sizeof path, "%s/regimens.csv", dir);
  ks_status st = write_table(ctx, path, sc, spec, R, order);
  snprintf(path, sizeof path, "%s/optimize.json", dir);
  if (st == KS_OK) st = write_json(ctx, path, sc, spec, R, patients);
  if (st == KS_OK) st = write_best(ctx, dir, sc, spec, R, order, top);
  if (st == KS_OK) st = write_figure(ctx, dir, sc, spec, R);
  if (st == KS_OK && spec->objective2.present) st = write_pareto(ctx, dir, spec, R);
  if (st == KS_OK) print_best(sc, spec, R, order, top);
  free(order);
  return st;
}

int ks_cli_optimize(int argc, char **argv) {
  cli_opt opts[] = {
      {"patients", "N", "patients per trial (default: the scenario's); written into best.yaml", NULL, 0},
      {"threads", "N", "worker threads (default: all cores)", NULL, 0},
      {"top", "K", "write the K best regimens as scenarios (default 3)", NULL, 0},
      {"resume", NULL, "continue an interrupted run from DIR/.evaluations.log", NULL, 0},
      {"out", "DIR", "directory for regimens.csv, best.yaml, optimize.json, objective.png/.svg", NULL, 0},
      CLI_COMMON_OPTS,
  };
  size_t no = sizeof opts / sizeof opts[0];
  const char *scenario_path = NULL, *out_dir = NULL;
  int rc = sweep_parse("optimize", usage_text, summary_text, argc, argv, opts, no, &scenario_path, &out_dir);
  if (rc) return rc < 0 ? 0 : rc;
  long patients = 0, threads = 0, top = 3;
  if ((rc = cli_int(cli_get(opts, no, "patients"), 1, 100000000, &patients))) return rc;
  if ((rc = cli_int(cli_get(opts, no, "threads"), 1, 1024, &threads))) return rc;
  if ((rc = cli_int(cli_get(opts, no, "top"), 1, 1000, &top))) return rc;
  int quiet = cli_get(opts, no, "quiet")->seen;
  ks_ctx *ctx = cli_ctx(opts, no, 1);
  if (!ctx) return 1;
  ks_scenario *loaded = NULL, *sc = NULL;
  ks_optimize_spec spec;
  ks_opt_result R;
  memset(&R, 0, sizeof R);
  ks_opt_options oo = {.trial = ks_trial_options_default()};
  char logpath[4096];
  snprintf(logpath, sizeof logpath, "%s/.evaluations.log", out_dir);
  ks_par_comm comm;
  int rank = 0;
  ks_status st = sweep_mpi_start(ctx, &comm, &rank);
  if (rank != 0) quiet = 1;
  if (st == KS_OK) st = ks_scenario_load(ctx, scenario_path, &loaded);
  if (st == KS_OK) st = ks_scenario_optimize_load(ctx, scenario_path, loaded, &spec);
  if (st != KS_OK) goto fail;
  if (!spec.present) {
    st = ks_ctx_fail_input(ctx, scenario_path, 1, 1, "the scenario has no optimize block (expected optimize: with an "
                           "objective and variables; see docs/user-guide.md)");
    goto fail;
  }
  /* The patients of every trial are the scenario's: --patients is written into it (and best.yaml). */
  if (patients) loaded->population.n = patients;
  if ((st = ks_scenario_copy(ctx, loaded, &sc)) != KS_OK) goto fail;
  ks_ctx_set_seed(ctx, sc->seed);
  ks_ctx_set_threads(ctx, (int)threads);
  if (rank == 0) st = ks_mkdirs(ctx, out_dir);
  if ((st = ks_sweep_agree(ctx, &comm, st)) != KS_OK) goto fail;
  char key[512];
  /* The key names the scenario and the optimize block (its struct is zeroed before parsing, so its
   * bytes are a stable fingerprint): a log is reused only for the same search. */
  unsigned long long hs = 1469598103934665603ull;
  for (size_t i = 0; i < sizeof spec; i++) hs = (hs ^ ((const unsigned char *)&spec)[i]) * 1099511628211ull;
  snprintf(key, sizeof key, "optimize %s %016llx %016llx seed %llu patients %ld", sc->name,
           sweep_scenario_hash(ctx, sc), hs, (unsigned long long)sc->seed, sc->population.n);
  if (rank == 0)
    st = ks_eval_log_open(ctx, logpath, key, KS_OPT_VAR_N, 2 + KS_OPT_CON_N, cli_get(opts, no, "resume")->seen, &oo.log);
  if ((st = ks_sweep_agree(ctx, &comm, st)) != KS_OK) goto fail;
  oo.trial.comm = &comm; /* each regimen's patients over the processes */
  oo.trial.n_threads = (int)threads;
  oo.trial.cancel = &ks_sweep_cancel;
  cli_progress prog;
  cli_progress_init(&prog, "regimens", quiet);
  oo.progress = opt_progress;
  oo.progress_ud = &prog;
  sweep_install_handlers();
  st = ks_opt_run(ctx, sc, &spec, &oo, &R);
  cli_progress_done(&prog);
  if (st != KS_OK) goto fail;
  rc = 0;
  if (rank != 0) goto done; /* rank 0 alone writes the outputs */
  if (!quiet && R.n_resumed) fprintf(stderr, "ketasim: resumed: %zu regimens were already evaluated\n", R.n_resumed);
  if ((st = write_outputs(ctx, out_dir, sc, &spec, &R, top, sc->population.n)) != KS_OK) goto fail;
  ks_eval_log_close(&oo.log, 1);
  if (!quiet) fprintf(stderr, "ketasim: wrote %s/{regimens.csv,optimize.json,best.yaml,objective.png,objective.svg%s}\n",
                      out_dir, spec.objective2.present ? ",pareto.png,pareto.svg" : "");
  rc = 0;
  goto done;
fail:
  rc = sweep_fail(ctx, st, rank);
  if (st == KS_EINTERRUPTED && rank == 0) {
    fprintf(stderr, "ketasim: continue with --resume (finished regimens are kept in %s)\n", logpath);
  }
done:
  ks_eval_log_close(&oo.log, 0);
  ks_opt_result_fini(&R);
  ks_scenario_destroy(&sc);
  ks_scenario_destroy(&loaded);
  ks_ctx_destroy(&ctx);
  ks_par_finalize();
  return rc;
}
