/* SPDX-License-Identifier: MIT */
/* `ketasim pk`: concentration-time table (CSV), summary (JSON) or population percentile bands
 * for one dose of one drug by one route. Uses the public API only. */
#include <ketasim/io.h>
#include <ketasim/pk.h>
#include <ketasim/report.h>
#include <ketasim/rng.h>
#include <ketasim/units.h>

#include "cli.h"
#include "commands.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ks_cli_pk(int argc, char **argv);

static int bad_flag(const char *flag, const char *msg) {
  fprintf(stderr, "ketasim: --%s: %s\n", flag, msg);
  return 2;
}

static void usage(FILE *f) {
  fputs("usage: ketasim pk --drug D --route R --dose X [--infusion T] [--weight W]\n"
        "                  [--age Y] [--duration T] [--step T] [--model NAME] [--summary]\n"
        "                  [--population N] [--seed S] [--allow-unstudied-doses]\n"
        "                  [--plot FILE]\n"
        "       ketasim pk --data FILE [--units U] [--drug D] [--route R] [--cmt MAP]\n"
        "                  [--model NAME] [--duration T] [--step T]\n"
        "  D: ketamine | esketamine | midazolam\n"
        "  R: iv | im | intranasal | oral | sublingual | rectal\n"
        "  X: an amount (\"35 mg\") or per body weight (\"0.5 mg/kg\")\n"
        "  T: a time (\"40 min\", \"24 h\"); defaults: --duration 24h --step 1min\n"
        "  NAME: fanta2015 | domino1982 | perezruixo2021 | albrecht1999 (default per drug)\n"
        "  FILE: a figure, .png, .svg or .pdf: plasma and effect-site curves per species, or with\n"
        "        --population the median and 5-95th percentile band\n"
        "  --data FILE: a NONMEM-layout data set (ID,TIME,AMT,RATE|DUR,EVID,CMT,DV,WT,AGE,SEX;\n"
        "        '# units:', '# drug:', '# route:' lines or --units/--drug/--route): each ID\n"
        "        given its own doses as a typical patient with its covariates; CSV rows\n"
        "        ID,TIME_h,parent and norketamine plasma (ng/mL) up to --duration (default:\n"
        "        the ID's last record + 24 h)\n"
        "  U: column units, e.g. \"TIME=h AMT=mg DV=ng/mL WT=kg\"; MAP: compartment numbers,\n"
        "        default \"depot=1 central=2 metabolite=3\"\n",
        f);
}

static int parse_time(const char *flag, const char *text, double *h) {
  char err[160];
  if (ks_units_parse(text, KS_DIM_TIME, h, err, sizeof err) != KS_OK) return bad_flag(flag, err);
  return 0;
}

static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* Quantile q of sorted v[0..n) by linear interpolation (type 7). */
static double quantile(const float *v, size_t n, double q) {
  if (n == 0) return 0.0;
  double pos = q * (double)(n - 1);
  size_t i = (size_t)pos;
  double fr = pos - (double)i;
  return i + 1 < n ? (1.0 - fr) * v[i] + fr * v[i + 1] : v[n - 1];
}

/* Summary of one profile on the grid: cmax, tmax (min), trapezoidal AUC (ng h/mL). */
/* The end of a one-line --summary object printed by hand: its provenance block, the brace. */
static void summary_end(const ks_ctx *ctx) {
  ks_json j;
  ks_json_init_in_object(&j, stdout, 0, 1);
  ks_json_provenance(&j, ctx);
  ks_json_end_object(&j);
  ks_json_finish(&j);
}

static void profile_summary(const double *c, size_t n, double dt_h, double *cmax, double *tmax_min,
                            double *auc) {
  size_t im = 0;
  double a = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (c[i] > c[im]) im = i;
    if (i > 0) a += 0.5 * (c[i] + c[i - 1]) * dt_h;
  }
  *cmax = n ? c[im] : 0.0;
  *tmax_min = (double)im * dt_h * 60.0;
  *auc = a;
}

/* Map a library refusal onto the flag a user has to change. */
static int report_create_error(ks_ctx *ctx, ks_status st) {
  const char *msg = ks_ctx_last_error(ctx);
  if (st != KS_EINPUT && st != KS_ERANGE) {
    fprintf(stderr, "ketasim: pk: %s\n", msg);
    return 1;
  }
  const char *flag = "dose";
  if (strstr(msg, "route")) flag = "route";
  else if (strstr(msg, "weight")) flag = "weight";
  else if (strstr(msg, "infusion ends")) flag = "infusion";
  else if (strstr(msg, "model")) flag = "model";
  else if (strstr(msg, "age")) flag = "age";
  const char *p = strstr(msg, ": ");
  if (strncmp(msg, "dose ", 5) == 0 && p) msg = p + 2;  /* drop "dose 1: " */
  fprintf(stderr, "ketasim: --%s: %s\n", flag, msg);
  return 2;
}

/* 1 if path ends in .png, .svg or .pdf (any case). */
static int plot_ext_ok(const char *path) {
  size_t n = strlen(path);
  if (n < 5) return 0;
  const char *e = path + n - 4;
  char lo[5];
  for (int i = 0; i < 4; i++) lo[i] = (char)((e[i] >= 'A' && e[i] <= 'Z') ? e[i] + 32 : e[i]);
  lo[4] = '\0';
  return strcmp(lo, ".png") == 0 || strcmp(lo, ".svg") == 0 || strcmp(lo, ".pdf") == 0;
}

/* Write the figure or say why not (exit code 1: a failure while running). */
static int plot_write(ks_ctx *ctx, const char *path, const char *title,
                      const ks_fig_series *series, size_t n_series) {
  ks_fig_spec spec = {.title = title, .x_label = "time (h)",
                      .y_label = "concentration (ng/mL)"};
  if (ks_fig_lines(ctx, path, &spec, series, n_series, NULL, 0) != KS_OK) {
    fprintf(stderr, "ketasim: --plot: cannot write %s: %s\n", path, ks_ctx_last_error(ctx));
    return 1;
  }
  return 0;
}

/* Plasma (solid) and effect-site (dashed) curves of every species of the drug, at most about
 * 2000 points (every stride-th grid time). */
static int plot_single(ks_ctx *ctx, const ks_pk_sim *sim, const int *use, size_t n_t,
                       double step_h, const char *path, const char *title) {
  size_t stride = n_t > 2000 ? (n_t + 1999) / 2000 : 1, n = (n_t - 1) / stride + 1;
  double *buf = malloc(sizeof(double) * n * (1 + 2 * KS_SPECIES_N));
  if (!buf) {
    fprintf(stderr, "ketasim: pk: out of memory\n");
    return 1;
  }
  double *x = buf;
  for (size_t i = 0; i < n; i++) {
    ks_pk_conc c;
    x[i] = (double)(i * stride) * step_h;
    ks_pk_sim_eval(sim, x[i], &c);
    for (int s = 0; s < KS_SPECIES_N; s++) {
      buf[n * (size_t)(1 + 2 * s) + i] = c.plasma_ng_per_mL[s];
      buf[n * (size_t)(2 + 2 * s) + i] = c.effect_ng_per_mL[s];
    }
  }
  ks_fig_series ser[2 * KS_SPECIES_N];
  char labels[2 * KS_SPECIES_N][64];
  size_t m = 0;
  for (int s = 0, col = 1; s < KS_SPECIES_N; s++) {
    if (!use[s]) continue;
    for (int e = 0; e < 2; e++, m++) {
      snprintf(labels[m], sizeof labels[m], "%s, %s", ks_species_name((ks_species)s),
               e ? "effect site" : "plasma");
      ser[m] = (ks_fig_series){.label = labels[m], .x = x, .y = buf + n * (size_t)(1 + 2 * s + e),
                               .n = n, .color = col, .dashed = e};
    }
    col++;
  }
  int rc = plot_write(ctx, path, title, ser, m);
  free(buf);
  return rc;
}

/* Median and 5-95th percentile band per time of the parent (and metabolite) plasma totals;
 * q[m][k][i]: output m (0 parent, 1 metabolite), percentile k (5, 50, 95), time i. */
static int plot_population(ks_ctx *ctx, double *const q[2][3], int has_met, const char *parent,
                           size_t n_t, double step_h, const char *path, const char *title) {
  double *x = malloc(sizeof(double) * n_t);
  if (!x) {
    fprintf(stderr, "ketasim: pk: out of memory\n");
    return 1;
  }
  for (size_t i = 0; i < n_t; i++) x[i] = (double)i * step_h;
  char l0[96], l1[96];
  snprintf(l0, sizeof l0, "%s plasma, median and 5-95th percentile", parent);
  snprintf(l1, sizeof l1, "norketamine plasma, median and 5-95th percentile");
  ks_fig_series ser[2] = {
    {.label = l0, .x = x, .y = q[0][1], .n = n_t, .lo = q[0][0], .hi = q[0][2], .color = 1},
    {.label = l1, .x = x, .y = q[1][1], .n = n_t, .lo = q[1][0], .hi = q[1][2], .color = 2}};
  int rc = plot_write(ctx, path, title, ser, has_met ? 2 : 1);
  free(x);
  return rc;
}

int ks_cli_pk(int argc, char **argv) {
  static const struct option longopts[] = {
    {"drug", required_argument, 0, 'd'},      {"route", required_argument, 0, 'r'},
    {"dose", required_argument, 0, 'x'},      {"infusion", required_argument, 0, 'i'},
    {"weight", required_argument, 0, 'w'},    {"age", required_argument, 0, 'a'},
    {"duration", required_argument, 0, 'T'},  {"step", required_argument, 0, 's'},
    {"model", required_argument, 0, 'm'},     {"summary", no_argument, 0, 'S'},
    {"population", required_argument, 0, 'P'}, {"seed", required_argument, 0, 'z'},
    {"allow-unstudied-doses", no_argument, 0, 'U'}, {"help", no_argument, 0, 'h'},
    {"plot", required_argument, 0, 'G'},
    {"data", required_argument, 0, 'D'},     {"units", required_argument, 0, 'u'},
    {"cmt", required_argument, 0, 'C'},
    {0, 0, 0, 0}};
  const char *data_s = NULL, *units_s = NULL, *cmt_s = NULL;
  int duration_set = 0;
  const char *drug_s = NULL, *route_s = NULL, *dose_s = NULL, *model = NULL, *plot = NULL;
  double infusion_h = 0.0, weight_kg = 70.0, age_y = 40.0, duration_h = 24.0, step_h = 1.0 / 60.0;
  int summary = 0, allow = 0;
  long n_pop = 0;
  unsigned long long seed = 1;
  char err[160];
  opterr = 0;
  optind = 0;
  int c, rc;
  while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
    switch (c) {
      case 'd': drug_s = optarg; break;
      case 'r': route_s = optarg; break;
      case 'x': dose_s = optarg; break;
      case 'i': if ((rc = parse_time("infusion", optarg, &infusion_h))) return rc; break;
      case 'T':
        if ((rc = parse_time("duration", optarg, &duration_h))) return rc;
        duration_set = 1;
        break;
      case 'D': data_s = optarg; break;
      case 'u': units_s = optarg; break;
      case 'C': cmt_s = optarg; break;
      case 's': if ((rc = parse_time("step", optarg, &step_h))) return rc; break;
      case 'w':
        if (ks_units_parse(optarg, KS_DIM_BODY_MASS, &weight_kg, err, sizeof err) != KS_OK)
          return bad_flag("weight", err);
        break;
      case 'a': {
        char *end = NULL;
        age_y = strtod(optarg, &end);
        if (!end || *end || !isfinite(age_y))
          return bad_flag("age", "not a number (expected an age in years, e.g. 40)");
        break;
      }
      case 'm': model = optarg; break;
      case 'G':
        if (!plot_ext_ok(optarg))
          return bad_flag("plot", "unknown figure type (expected a file name ending in .png, "
                                  ".svg or .pdf)");
        plot = optarg;
        break;
      case 'S': summary = 1; break;
      case 'U': allow = 1; break;
      case 'P': {
        char *end = NULL;
        n_pop = strtol(optarg, &end, 10);
        if (!end || *end || n_pop < 1 || n_pop > 1000000)
          return bad_flag("population", "not a valid count (expected an integer 1-1000000)");
        break;
      }
      case 'z': {
        char *end = NULL;
        seed = strtoull(optarg, &end, 10);
        if (!end || *end) return bad_flag("seed", "not a number (expected an integer >= 0)");
        break;
      }
      case 'h': usage(stdout); return 0;
      default: {
        const char *o = (optind > 0 && optind - 1 < argc) ? argv[optind - 1] : "?";
        while (*o == '-') o++;
        fprintf(stderr, "ketasim: --%s: unknown option or missing value (see ketasim pk --help)\n",
                o);
        return 2;
      }
    }
  }
  if (optind < argc) {
    fprintf(stderr, "ketasim: pk: unexpected argument '%s' (expected options only)\n",
            argv[optind]);
    return 2;
  }
  if (data_s) {
    if (dose_s || n_pop || plot || summary)
      return bad_flag("data", "cannot be combined with --dose, --population, --plot or --summary "
                              "(expected the doses from the data set only)");
    if (!(step_h > 0.0))
      return bad_flag("step", "must be positive (expected e.g. 1min)");
    ks_cli_pk_data_opts o = {.units = units_s, .drug = drug_s, .route = route_s, .cmt = cmt_s,
                             .model = model, .duration_h = duration_set ? duration_h : NAN,
                             .step_h = step_h, .allow_unstudied_doses = allow};
    return ks_cli_pk_data(data_s, &o);
  }
  if (units_s || cmt_s) return bad_flag(units_s ? "units" : "cmt", "applies to --data only");
  if (!drug_s) return bad_flag("drug", "missing (expected ketamine, esketamine or midazolam)");
  if (!route_s)
    return bad_flag("route", "missing (expected iv, im, intranasal, oral, sublingual or rectal)");
  if (!dose_s) return bad_flag("dose", "missing (expected an amount such as 35mg or 0.5mg/kg)");
  int drug = ks_drug_parse(drug_s);
  if (drug < 0) return bad_flag("drug", "unknown drug (expected ketamine, esketamine or midazolam)");
  int route = ks_route_parse(route_s);
  if (route < 0)
    return bad_flag("route",
                    "unknown route (expected iv, im, intranasal, oral, sublingual or rectal)");
  if (!(weight_kg >= 30.0 && weight_kg <= 250.0))
    return bad_flag("weight", "outside the supported range (expected 30-250 kg)");
  double dose_v = 0.0, dose_mg;
  ks_dim dim = KS_DIM_NONE;
  if (ks_units_parse_any(dose_s, &dim, &dose_v, err, sizeof err) != KS_OK)
    return bad_flag("dose", err);
  if (dim == KS_DIM_MASS) dose_mg = dose_v;
  else if (dim == KS_DIM_MASS_PER_BODY_MASS) dose_mg = dose_v * weight_kg;
  else return bad_flag("dose", "not an amount (expected mg or mg/kg, e.g. 35mg or 0.5mg/kg)");
  if (!(isfinite(dose_mg) && dose_mg > 0.0))
    return bad_flag("dose", "must be positive (expected an amount such as 35mg)");
  if (!(duration_h > 0.0 && duration_h <= 24.0 * 365.0))
    return bad_flag("duration", "must be positive and at most a year (expected e.g. 24h)");
  if (!(step_h > 0.0 && duration_h / step_h <= 1e7))
    return bad_flag("step", "must be positive and give at most 1e7 points (expected e.g. 1min)");
  if (infusion_h > 0.0 && route != KS_ROUTE_IV)
    return bad_flag("infusion", "applies to the iv route only (expected no --infusion)");
  if (!(infusion_h >= 0.0))
    return bad_flag("infusion", "must not be negative (expected e.g. 40min)");
  if (infusion_h > duration_h)
    return bad_flag("infusion", "longer than the simulated time (expected at most --duration)");
  if (model && !ks_pk_model_citation(model))
    return bad_flag("model", "unknown model (expected fanta2015, domino1982, perezruixo2021 or "
                             "albrecht1999)");
  if (model && !ks_pk_model_supports(model, (ks_drug)drug, (ks_route)route))
    return bad_flag("model", "this model cannot simulate that drug by that route (expected the "
                             "default model or another set)");

  /* The studied range as `ketasim check` applies it: a dose per kg against the per-kg limit, a
   * fixed dose against the mg limit (one table: ks_pk_studied_dose_max). */
  if (!allow && !ks_pk_dose_studied((ks_drug)drug, (ks_route)route, dose_v,
                                    dim == KS_DIM_MASS_PER_BODY_MASS)) {
    double max_kg = 0.0, max_mg = 0.0;
    char msg[240];
    if (!ks_pk_studied_dose_max((ks_drug)drug, (ks_route)route, &max_kg, &max_mg))
      snprintf(msg, sizeof msg, "%s by the %s route has no studied psychiatric dose (expected "
               "another route, or --allow-unstudied-doses)", ks_drug_name((ks_drug)drug),
               ks_route_name((ks_route)route));
    else
      snprintf(msg, sizeof msg, "%s is above the studied range of %s %s (expected at most %g %s, "
               "or --allow-unstudied-doses)", dose_s, ks_route_name((ks_route)route),
               ks_drug_name((ks_drug)drug), dim == KS_DIM_MASS ? max_mg : max_kg,
               dim == KS_DIM_MASS ? "mg" : "mg/kg");
    return bad_flag("dose", msg);
  }

  ks_ctx_opts copts = ks_ctx_opts_default();
  copts.seed = seed;
  copts.command_line = cli_recorded_command_line(); /* for the summary's provenance */
  ks_ctx *ctx = NULL;
  if (ks_ctx_create(&copts, &ctx) != KS_OK) {
    fprintf(stderr, "ketasim: pk: cannot create a context\n");
    return 1;
  }
  ks_pk_options o = ks_pk_options_default();
  o.model[drug] = model;
  o.allow_unstudied_doses = allow;
  o.t_end_h = duration_h;
  ks_pk_dose dose = {(ks_drug)drug, (ks_route)route, dose_mg, 0.0, infusion_h};
  size_t n_t = (size_t)floor(duration_h / step_h + 1e-9) + 1;
  int has_met = drug != KS_DRUG_MIDAZOLAM;
  const char *model_used = model ? model : ks_pk_model_default((ks_drug)drug);
  int ret = 0;
  char title[160];
  if (infusion_h > 0.0)
    snprintf(title, sizeof title, "%s %.4g mg %s over %.4g min (%s)", ks_drug_name((ks_drug)drug),
             dose_mg, ks_route_name((ks_route)route), infusion_h * 60.0, model_used);
  else
    snprintf(title, sizeof title, "%s %.4g mg %s (%s)", ks_drug_name((ks_drug)drug), dose_mg,
             ks_route_name((ks_route)route), model_used);
  int use[KS_SPECIES_N] = {0};
  if (drug == KS_DRUG_KETAMINE) use[0] = use[1] = use[2] = use[3] = 1;
  else if (drug == KS_DRUG_ESKETAMINE) use[0] = use[2] = 1;
  else use[4] = 1;
  double *cp = malloc(sizeof(double) * n_t), *cm = malloc(sizeof(double) * n_t);
  if (!cp || !cm) {
    fprintf(stderr, "ketasim: pk: out of memory\n");
    ret = 1;
    goto done;
  }
  if (n_pop == 0) {
    ks_pk_patient p = ks_pk_patient_typical(weight_kg, age_y, 0);
    ks_pk_sim *sim = NULL;
    ks_status st = ks_pk_sim_create(ctx, &p, &dose, 1, &o, &sim);
    if (st != KS_OK) {
      ret = report_create_error(ctx, st);
      goto done;
    }
    ks_pk_sim_eval_grid_plasma(sim, 0.0, step_h, n_t, cp, cm);
    if (summary) {
      double cmax, tmax, auc, nmax, ntmax, nauc;
      profile_summary(cp, n_t, step_h, &cmax, &tmax, &auc);
      profile_summary(cm, n_t, step_h, &nmax, &ntmax, &nauc);
      printf("{\"drug\": \"%s\", \"route\": \"%s\", \"model\": \"%s\", \"dose_mg\": %.6g, "
             "\"weight_kg\": %.6g, \"infusion_min\": %.6g, \"duration_h\": %.6g, "
             "\"cmax_ng_ml\": %.6g, \"tmax_min\": %.6g, \"auc_ng_h_ml\": %.6g",
             ks_drug_name((ks_drug)drug), ks_route_name((ks_route)route), model_used, dose_mg,
             weight_kg, infusion_h * 60.0, duration_h, cmax, tmax, auc);
      if (has_met) printf(", \"norketamine_cmax_ng_ml\": %.6g", nmax);
      summary_end(ctx);
    } else {
      static const ks_species sp_all[KS_SPECIES_N] = {KS_SP_S_KETAMINE, KS_SP_R_KETAMINE,
                                                      KS_SP_S_NORKETAMINE, KS_SP_R_NORKETAMINE,
                                                      KS_SP_MIDAZOLAM};
      printf("t_h,parent_plasma_ng_per_mL%s", has_met ? ",norketamine_plasma_ng_per_mL" : "");
      for (int s = 0; s < KS_SPECIES_N; s++) {
        if (!use[s]) continue;
        const char *nm = ks_species_name(sp_all[s]);
        printf(",%s_plasma_ng_per_mL,%s_effect_ng_per_mL,%s_brain_unbound_uM", nm, nm, nm);
      }
      printf("\n");
      for (size_t i = 0; i < n_t; i++) {
        ks_pk_conc cc;
        double t = (double)i * step_h;
        ks_pk_sim_eval(sim, t, &cc);
        printf("%.6g,%.6g", t, cp[i]);
        if (has_met) printf(",%.6g", cm[i]);
        for (int s = 0; s < KS_SPECIES_N; s++)
          if (use[s])
            printf(",%.6g,%.6g,%.6g", cc.plasma_ng_per_mL[s], cc.effect_ng_per_mL[s],
                   cc.brain_unbound_uM[s]);
        printf("\n");
      }
    }
    if (plot) ret = plot_single(ctx, sim, use, n_t, step_h, plot, title);
    ks_pk_sim_destroy(&sim);
  } else {
    /* Population: each virtual patient draws IIV from (seed, KS_STREAM_PK_IIV, patient id). */
    if ((double)n_pop * (double)n_t > 2e8) {
      ret = bad_flag("population", "too many patients x time points (expected N x points <= 2e8)");
      goto done;
    }
    float *bp = malloc(sizeof(float) * (size_t)n_pop * n_t);
    float *bm = malloc(sizeof(float) * (size_t)n_pop * n_t);
    float *col = malloc(sizeof(float) * (size_t)n_pop);
    if (!bp || !bm || !col) {
      free(bp); free(bm); free(col);
      fprintf(stderr, "ketasim: pk: out of memory\n");
      ret = 1;
      goto done;
    }
    for (long k = 0; k < n_pop && ret == 0; k++) {
      ks_pk_patient p = ks_pk_patient_typical(weight_kg, age_y, 0);
      ks_rng r;
      ks_rng_init(&r, seed, KS_STREAM_PK_IIV, (uint64_t)k, 0);
      ks_pk_patient_sample_iiv(&p, &r);
      ks_pk_sim *sim = NULL;
      ks_status st = ks_pk_sim_create(ctx, &p, &dose, 1, &o, &sim);
      if (st != KS_OK) {
        ret = report_create_error(ctx, st);
        break;
      }
      ks_pk_sim_eval_grid_plasma(sim, 0.0, step_h, n_t, cp, cm);
      ks_pk_sim_destroy(&sim);
      for (size_t i = 0; i < n_t; i++) {
        bp[i * (size_t)n_pop + (size_t)k] = (float)cp[i];
        bm[i * (size_t)n_pop + (size_t)k] = (float)cm[i];
      }
    }
    /* Percentile curves for the figure: qa[m][k] is output m, percentile k, over time. */
    double *qbuf = plot && ret == 0 ? malloc(sizeof(double) * 6 * n_t) : NULL;
    double *qa[2][3];
    for (int m = 0; m < 6; m++) qa[m / 3][m % 3] = qbuf ? qbuf + (size_t)m * n_t : NULL;
    if (plot && ret == 0 && !qbuf) {
      fprintf(stderr, "ketasim: pk: out of memory\n");
      ret = 1;
    }
    if (ret == 0) {
      if (!summary)
        printf("t_h,parent_p05_ng_per_mL,parent_p50_ng_per_mL,parent_p95_ng_per_mL%s\n",
               has_met ? ",norketamine_p05_ng_per_mL,norketamine_p50_ng_per_mL,"
                         "norketamine_p95_ng_per_mL" : "");
      for (size_t i = 0; i < n_t && (!summary || qbuf); i++) {
        double q[2][3] = {{0}};
        for (int m = 0; m < 1 + has_met; m++) {
          memcpy(col, (m ? bm : bp) + i * (size_t)n_pop, sizeof(float) * (size_t)n_pop);
          qsort(col, (size_t)n_pop, sizeof(float), cmp_float);
          q[m][0] = quantile(col, (size_t)n_pop, 0.05);
          q[m][1] = quantile(col, (size_t)n_pop, 0.50);
          q[m][2] = quantile(col, (size_t)n_pop, 0.95);
        }
        if (qbuf)
          for (int m = 0; m < 6; m++) qa[m / 3][m % 3][i] = q[m / 3][m % 3];
        if (!summary) {
          printf("%.6g,%.6g,%.6g,%.6g", (double)i * step_h, q[0][0], q[0][1], q[0][2]);
          if (has_met) printf(",%.6g,%.6g,%.6g", q[1][0], q[1][1], q[1][2]);
          printf("\n");
        }
      }
      if (summary) {
        /* Percentiles of the individual Cmax. */
        for (long k = 0; k < n_pop; k++) {
          double m = 0.0;
          for (size_t i = 0; i < n_t; i++) m = fmax(m, bp[i * (size_t)n_pop + (size_t)k]);
          col[k] = (float)m;
        }
        qsort(col, (size_t)n_pop, sizeof(float), cmp_float);
        printf("{\"drug\": \"%s\", \"route\": \"%s\", \"model\": \"%s\", \"dose_mg\": %.6g, "
               "\"population\": %ld, \"seed\": %llu, \"cmax_ng_ml\": {\"p05\": %.6g, \"p50\": "
               "%.6g, \"p95\": %.6g}",
               ks_drug_name((ks_drug)drug), ks_route_name((ks_route)route), model_used, dose_mg,
               n_pop, seed, quantile(col, (size_t)n_pop, 0.05),
               quantile(col, (size_t)n_pop, 0.5), quantile(col, (size_t)n_pop, 0.95));
        summary_end(ctx);
      }
      if (qbuf)
        ret = plot_population(ctx, qa, has_met, drug == KS_DRUG_MIDAZOLAM ? "midazolam"
                                                                          : "ketamine (S+R)",
                              n_t, step_h, plot, title);
    }
    free(qbuf);
    free(bp); free(bm); free(col);
  }
done:
  free(cp);
  free(cm);
  ks_ctx_destroy(&ctx);
  return ret;
}
