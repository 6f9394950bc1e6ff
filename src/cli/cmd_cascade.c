/* SPDX-License-Identifier: MIT */
/* `ketasim cascade`: every receptor and plasticity state over time as CSV, for one dose (or a
 * repeated dose) of one drug by one route. Uses the public API only (PK -> exposure -> cascade). */
#include <ketasim/core.h>
#include <ketasim/pk.h>
#include <ketasim/plasticity.h>
#include <ketasim/report.h>
#include <ketasim/units.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int ks_cli_cascade(int argc, char **argv);

static int bad_flag(const char *flag, const char *msg) {
  fprintf(stderr, "ketasim: --%s: %s\n", flag, msg);
  return 2;
}

static void usage(FILE *f) {
  fputs("usage: ketasim cascade --drug D --route R --dose X [--infusion T] [--weight W]\n"
        "                       [--days N] [--step T] [--knockout K[,K...]] [--repeat N]\n"
        "                       [--every T] [--deficit F] [--plot FILE]\n"
        "  D: ketamine | esketamine | midazolam;  R: iv | im | intranasal | oral | sublingual | rectal\n"
        "  X: an amount (\"35 mg\") or per body weight (\"0.5 mg/kg\");  T: a time (\"40 min\")\n"
        "  K: mtorc1 (rapamycin) | ampa (nbqx) | bdnf;  F: PFC spine deficit, 0-0.6 (default 0.15)\n"
        "  FILE: a .png, .svg or .pdf figure of the time courses, normalised to baseline, doses marked\n"
        "  defaults: --days 14 --step 10min --weight 70kg --repeat 1 --every 48h\n"
        "Writes one CSV row per step with every state and observable of the cascade.\n",
        f);
}

static int parse_time(const char *flag, const char *text, double *h) {
  char err[160];
  if (ks_units_parse(text, KS_DIM_TIME, h, err, sizeof err) != KS_OK) return bad_flag(flag, err);
  return 0;
}

/* Is FILE a .png, .svg or .pdf name? */
static int plot_name_ok(const char *file) {
  const char *dot = strrchr(file, '.'), *slash = strrchr(file, '/');
  return dot && !(slash && dot < slash) && (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".svg") || !strcasecmp(dot, ".pdf"));
}

/* The figure of --plot: the cascade's time courses, each state divided by its value at time 0
 * (block and W, which start at 0, as fractions), with the dose starts marked. Time in hours for
 * runs up to 2 days, in days beyond. */
static ks_status plot_cascade(ks_ctx *ctx, const char *path, const ks_cascade_point *pt, size_t n_t,
                              const ks_pk_dose *doses, size_t n_doses, const char *drug) {
  static const struct {
    const char *field, *label;
    int relative, dashed, color; /* colour: report.h palette */
  } def[] = {{"block_interneuron", "NMDA block, interneurons", 0, 1, 1},
             {"block_pyramidal", "NMDA block, pyramidal cells", 0, 1, 6},
             {"glx_pct", "Glx (MRS-like)", 1, 0, 3},
             {"bdnf", "BDNF", 1, 0, 4},
             {"mtorc1", "mTORC1", 1, 0, 5},
             {"proteins", "synaptic proteins", 1, 0, 8},
             {"spine_pfc", "spines, PFC", 1, 0, 7},
             {"gain_vmpfc_amygdala", "gain vmPFC->amygdala", 1, 0, 1},
             {"window", "window of plasticity W", 0, 1, 2}};
  enum { N_DEF = sizeof def / sizeof def[0] };
  size_t nf = ks_cascade_point_n_fields();
  double x_scale = pt[n_t - 1].t_h > 48.0 ? 1.0 / 24.0 : 1.0;
  double *buf = ks_calloc(ctx, (N_DEF + 1) * n_t, sizeof *buf);
  ks_fig_marker *marks = ks_calloc(ctx, n_doses, sizeof *marks);
  if (!buf || !marks) {
    ks_free(ctx, buf);
    ks_free(ctx, marks);
    return KS_ENOMEM;
  }
  double *x = buf;
  for (size_t i = 0; i < n_t; i++) x[i] = pt[i].t_h * x_scale;
  ks_fig_series s[N_DEF];
  size_t ns = 0;
  for (size_t k = 0; k < N_DEF; k++) {
    size_t f = 0;
    while (f < nf && strcmp(ks_cascade_point_field_name(f), def[k].field)) f++;
    if (f == nf) continue;
    double *y = buf + (k + 1) * n_t;
    double base = ks_cascade_point_field(&pt[0], f);
    for (size_t i = 0; i < n_t; i++) {
      double v = ks_cascade_point_field(&pt[i], f);
      /* Glx is a % change from baseline: 1 + pct/100 is its level relative to baseline. */
      y[i] = !strcmp(def[k].field, "glx_pct") ? 1.0 + v / 100.0 : def[k].relative && base != 0.0 ? v / base : v;
    }
    s[ns++] = (ks_fig_series){.label = def[k].label, .x = x, .y = y, .n = n_t, .dashed = def[k].dashed,
                              .color = def[k].color};
  }
  for (size_t i = 0; i < n_doses; i++)
    marks[i] = (ks_fig_marker){.x = doses[i].t_start_h * x_scale, .label = drug, .style = KS_FIG_MARK_DOTTED};
  ks_fig_spec spec = {.title = "Receptor and plasticity cascade",
                      .x_label = x_scale < 1.0 ? "time (d)" : "time (h)",
                      .y_label = "relative to baseline; block, W: fraction"};
  ks_status st = ks_fig_lines(ctx, path, &spec, s, ns, marks, n_doses);
  ks_free(ctx, buf);
  ks_free(ctx, marks);
  return st;
}

int ks_cli_cascade(int argc, char **argv) {
  static const struct option longopts[] = {
      {"drug", required_argument, 0, 'd'},    {"route", required_argument, 0, 'r'},
      {"dose", required_argument, 0, 'x'},    {"infusion", required_argument, 0, 'i'},
      {"weight", required_argument, 0, 'w'},  {"days", required_argument, 0, 'D'},
      {"step", required_argument, 0, 's'},    {"knockout", required_argument, 0, 'k'},
      {"repeat", required_argument, 0, 'n'},  {"every", required_argument, 0, 'e'},
      {"deficit", required_argument, 0, 'f'}, {"plot", required_argument, 0, 'p'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  const char *drug_s = NULL, *route_s = NULL, *dose_s = NULL, *plot = NULL;
  double infusion_h = 0.0, weight_kg = 70.0, days = 14.0, step_h = 10.0 / 60.0, every_h = 48.0;
  double deficit = -1.0;
  long repeat = 1;
  unsigned ko = 0;
  char err[160];
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
    switch (c) {
    case 'd': drug_s = optarg; break;
    case 'r': route_s = optarg; break;
    case 'x': dose_s = optarg; break;
    case 'i':
      if (parse_time("infusion", optarg, &infusion_h)) return 2;
      break;
    case 'w':
      if (ks_units_parse(optarg, KS_DIM_BODY_MASS, &weight_kg, err, sizeof err) != KS_OK)
        return bad_flag("weight", err);
      break;
    case 'D': {
      char *end = NULL;
      days = strtod(optarg, &end);
      if (!end || *end || !(days > 0.0 && days <= 365.0))
        return bad_flag("days", "not a number of days in (0, 365] (expected e.g. 14)");
      break;
    }
    case 's':
      if (parse_time("step", optarg, &step_h)) return 2;
      break;
    case 'k': {
      char buf[128];
      snprintf(buf, sizeof buf, "%s", optarg);
      for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        int k = ks_knockout_parse(tok);
        if (k < 0) return bad_flag("knockout", "unknown knockout (expected mtorc1, ampa or bdnf)");
        ko |= (unsigned)k;
      }
      break;
    }
    case 'n': {
      char *end = NULL;
      repeat = strtol(optarg, &end, 10);
      if (!end || *end || repeat < 1 || repeat > 200)
        return bad_flag("repeat", "not a whole number in 1-200 (expected e.g. 6)");
      break;
    }
    case 'e':
      if (parse_time("every", optarg, &every_h)) return 2;
      break;
    case 'f': {
      char *end = NULL;
      deficit = strtod(optarg, &end);
      if (!end || *end || !(deficit >= 0.0 && deficit <= 0.6))
        return bad_flag("deficit", "not a fraction in [0, 0.6] (expected e.g. 0.15)");
      break;
    }
    case 'p':
      if (!plot_name_ok(optarg))
        return bad_flag("plot", "not a .png, .svg or .pdf file name (expected e.g. --plot cascade.png)");
      plot = optarg;
      break;
    case 'h': usage(stdout); return 0;
    case ':':
      fprintf(stderr, "ketasim: %s: missing value (expected a value after the option)\n",
              argv[optind - 1]);
      return 2;
    default:
      fprintf(stderr, "ketasim: %s: unknown option (see ketasim cascade --help)\n",
              argv[optind - 1]);
      return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "ketasim: cascade: unexpected argument '%s' (expected options only)\n",
            argv[optind]);
    return 2;
  }
  if (!drug_s) return bad_flag("drug", "missing (expected ketamine, esketamine or midazolam)");
  if (!route_s) return bad_flag("route", "missing (expected iv, im, intranasal, oral, sublingual or rectal)");
  if (!dose_s) return bad_flag("dose", "missing (expected an amount such as 35mg or 0.5mg/kg)");
  int drug = ks_drug_parse(drug_s);
  if (drug < 0) return bad_flag("drug", "unknown drug (expected ketamine, esketamine or midazolam)");
  int route = ks_route_parse(route_s);
  if (route < 0)
    return bad_flag("route", "unknown route (expected iv, im, intranasal, oral, sublingual or rectal)");
  if (!(weight_kg >= 30.0 && weight_kg <= 250.0))
    return bad_flag("weight", "outside the supported range (expected 30-250 kg)");
  double dose_v = 0.0, dose_mg;
  ks_dim dim = KS_DIM_NONE;
  if (ks_units_parse_any(dose_s, &dim, &dose_v, err, sizeof err) != KS_OK) return bad_flag("dose", err);
  if (dim == KS_DIM_MASS) dose_mg = dose_v;
  else if (dim == KS_DIM_MASS_PER_BODY_MASS) dose_mg = dose_v * weight_kg;
  else return bad_flag("dose", "not an amount (expected mg or mg/kg, e.g. 35mg or 0.5mg/kg)");
  if (!(isfinite(dose_mg) && dose_mg > 0.0))
    return bad_flag("dose", "must be positive (expected an amount such as 35mg)");
  if (!(infusion_h >= 0.0)) return bad_flag("infusion", "must not be negative (expected e.g. 40min)");
  if (infusion_h > 0.0 && route != KS_ROUTE_IV)
    return bad_flag("infusion", "applies to the iv route only (expected no --infusion)");
  double t_end_h = days * 24.0;
  if (!(step_h > 0.0 && t_end_h / step_h <= 1e6))
    return bad_flag("step", "must be positive and give at most 1e6 rows (expected e.g. 10min)");
  if (!(every_h > infusion_h) && repeat > 1)
    return bad_flag("every", "must be longer than the infusion (expected e.g. 48h)");
  if ((double)(repeat - 1) * every_h + infusion_h > t_end_h)
    return bad_flag("days", "too short for the doses (expected the last dose to end within it)");

  ks_ctx_opts copts = ks_ctx_opts_default();
  ks_ctx *ctx = NULL;
  if (ks_ctx_create(&copts, &ctx) != KS_OK) {
    fprintf(stderr, "ketasim: cascade: cannot create a context\n");
    return 1;
  }
  int ret = 0;
  ks_pk_dose *doses = calloc((size_t)repeat, sizeof *doses);
  size_t n_t = (size_t)floor(t_end_h / step_h + 1e-9) + 1;
  double *t = malloc(n_t * sizeof *t);
  ks_cascade_point *pt = malloc(n_t * sizeof *pt);
  ks_pk_sim *sim = NULL;
  if (!doses || !t || !pt) {
    fprintf(stderr, "ketasim: cascade: out of memory\n");
    ret = 1;
    goto done;
  }
  for (long i = 0; i < repeat; i++)
    doses[i] = (ks_pk_dose){(ks_drug)drug, (ks_route)route, dose_mg, (double)i * every_h, infusion_h};
  for (size_t i = 0; i < n_t; i++) t[i] = fmin((double)i * step_h, t_end_h);
  ks_pk_patient patient = ks_pk_patient_typical(weight_kg, 40.0, 0);
  ks_pk_options o = ks_pk_options_default();
  o.t_end_h = t_end_h;
  ks_status st = ks_pk_sim_create(ctx, &patient, doses, (size_t)repeat, &o, &sim);
  if (st != KS_OK) {
    fprintf(stderr, "ketasim: --dose: %s\n", ks_ctx_last_error(ctx));
    ret = (st == KS_EINPUT || st == KS_ERANGE) ? 2 : 1;
    goto done;
  }
  ks_exposure ex;
  ks_pk_sim_exposure(sim, &ex);
  ks_cascade_params p = ks_cascade_params_default();
  p.knockouts = ko;
  if (deficit >= 0.0) p.spine_deficit_pfc = deficit;
  ks_receptor_params rp = ks_receptor_params_default();
  st = ks_cascade_solve(ctx, &p, &rp, &ex, t, n_t, pt);
  if (st != KS_OK) {
    fprintf(stderr, "ketasim: cascade: %s\n", ks_ctx_last_error(ctx));
    ret = 1;
    goto done;
  }
  size_t nf = ks_cascade_point_n_fields();
  for (size_t f = 0; f < nf; f++) printf("%s%s", f ? "," : "", ks_cascade_point_field_name(f));
  putchar('\n');
  for (size_t i = 0; i < n_t; i++) {
    for (size_t f = 0; f < nf; f++) printf("%s%.8g", f ? "," : "", ks_cascade_point_field(&pt[i], f));
    putchar('\n');
  }
  if (fflush(stdout) != 0) {
    fprintf(stderr, "ketasim: cascade: cannot write the output\n");
    ret = 1;
  }
  if (ret == 0 && plot &&
      (st = plot_cascade(ctx, plot, pt, n_t, doses, (size_t)repeat, ks_drug_name((ks_drug)drug))) != KS_OK) {
    fprintf(stderr, "ketasim: --plot: %s\n", ks_ctx_last_error(ctx));
    ret = 1;
  }
done:
  ks_pk_sim_destroy(&sim);
  free(doses);
  free(t);
  free(pt);
  ks_ctx_destroy(&ctx);
  return ret;
}
