/* SPDX-License-Identifier: MIT */
/* Tests of the report module: every figure kind writes a valid PNG and SVG, inputs that PLplot
 * would choke on are refused before they reach it, files appear atomically, and the HTML report
 * holds every figure and table, escaped, self-contained and deterministic. */
#include <ketasim/io.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ketasim/report.h>
#include <plplot/plplot.h>

#include "harness.h"
#include "report/report_internal.h"

/* ---------------------------------------------------------------------------------------------- */
/* Fixtures                                                                                        */

static const char *out_dir(void) {
  static char dir[1024];
  if (!dir[0]) {
    const char *b = getenv("KS_BINARY_DIR");
    snprintf(dir, sizeof dir, "%s/test_report_out", b && b[0] ? b : ".");
    mkdir(dir, 0755);
  }
  return dir;
}

static const char *out_path(char *buf, size_t cap, const char *name) {
  snprintf(buf, cap, "%s/%s", out_dir(), name);
  return buf;
}


static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int is_png(const char *path) {
  static const unsigned char magic[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
  unsigned char head[8] = {0};
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  size_t got = fread(head, 1, 8, f);
  fclose(f);
  return got == 8 && memcmp(head, magic, 8) == 0;
}

static char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)len + 1);
  if (!b) { fclose(f); return NULL; }
  size_t got = fread(b, 1, (size_t)len, f);
  fclose(f);
  b[got] = '\0';
  if (n) *n = got;
  return b;
}

/* A file is an SVG document: it parses as far as an <svg ...> root with a viewBox and ends with
 * </svg>. */
static int is_svg_text(const char *s) {
  const char *root = strstr(s, "<svg");
  const char *end = strstr(s, "</svg>");
  return root && end && end > root && strstr(root, "viewBox") != NULL;
}

static int is_svg(const char *path) {
  char *s = slurp(path, NULL);
  int ok = s && is_svg_text(s);
  free(s);
  return ok;
}

static size_t count_substr(const char *s, const char *pat) {
  size_t k = 0, n = strlen(pat);
  for (const char *p = strstr(s, pat); p; p = strstr(p + n, pat)) k++;
  return k;
}

/* No temporary files ('.<name>.tmp-XXXXXX') left in the output directory. */
static int no_temp_files(void) {
  DIR *d = opendir(out_dir());
  if (!d) return 0;
  int clean = 1;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strstr(e->d_name, ".tmp-") || strstr(e->d_name, ".tmp.")) clean = 0; /* figures; io atomic files */
  closedir(d);
  return clean;
}

/* A one-compartment PK-like curve with a 90% band and a second, dashed series. */
enum { NPK = 97 };
typedef struct {
  double t[NPK], c[NPK], lo[NPK], hi[NPK], c2[NPK];
} pk_data;

static void pk_fill(pk_data *d) {
  for (int i = 0; i < NPK; i++) {
    double t = 0.25 * i;
    d->t[i] = t;
    d->c[i] = t < 0.67 ? 180.0 * t / 0.67 : 180.0 * exp(-0.35 * (t - 0.67));
    d->lo[i] = 0.7 * d->c[i];
    d->hi[i] = 1.35 * d->c[i];
    d->c2[i] = 0.6 * d->c[i] + 5.0 * (1.0 - exp(-0.2 * t));
  }
}

static ks_status draw_pk(ks_ctx *ctx, const char *path, const pk_data *d) {
  ks_fig_series s[2] = {
      {.label = "esketamine IN 84 mg (median, 5-95%)", .x = d->t, .y = d->c, .n = NPK,
       .lo = d->lo, .hi = d->hi},
      {.label = "norketamine", .x = d->t, .y = d->c2, .n = NPK, .dashed = 1},
  };
  ks_fig_marker m[2] = {{.x = 0.0, .label = "dose", .style = KS_FIG_MARK_SOLID},
                        {.x = 12.0, .label = "therapy session", .style = KS_FIG_MARK_DASHED,
                         .color = 3}};
  ks_fig_spec spec = {.title = "Plasma concentration", .x_label = "time after dose (h)",
                      .y_label = "concentration (ng/mL)"};
  return ks_fig_lines(ctx, path, &spec, s, 2, m, 2);
}

/* ---------------------------------------------------------------------------------------------- */
/* Figures                                                                                         */

KS_TEST(lines_png_and_svg_are_valid) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  pk_data d;
  pk_fill(&d);
  char p[1200];
  KS_ASSERT_OK(draw_pk(ctx, out_path(p, sizeof p, "lines.png"), &d));
  KS_ASSERT_TRUE(is_png(p));
  KS_ASSERT_TRUE(file_size(p) > 20 * 1024);
  KS_ASSERT_OK(draw_pk(ctx, out_path(p, sizeof p, "lines.svg"), &d));
  KS_ASSERT_TRUE(is_svg(p));
  KS_ASSERT_TRUE(file_size(p) > 10 * 1024);
  /* Upper-case extensions pick the same devices. */
  KS_ASSERT_OK(draw_pk(ctx, out_path(p, sizeof p, "lines_upper.PNG"), &d));
  KS_ASSERT_TRUE(is_png(p));
  KS_ASSERT_TRUE(no_temp_files());
  ks_ctx_destroy(&ctx);
}

KS_TEST(lines_with_error_bars_points_gaps_and_log_axis) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  /* CAPS-5 trajectories per arm with 95% CIs as error bars, one missing visit. */
  double day[6] = {0, 1, 7, 14, 21, 28};
  double ket[6] = {42, 31, 29, 27, NAN, 30}, ket_lo[6] = {39, 27, 25, 23, NAN, 26},
         ket_hi[6] = {45, 35, 33, 31, NAN, 34};
  double mid[6] = {41, 38, 36, 35, 35, 36}, mid_lo[6] = {38, 34, 32, 31, 31, 32},
         mid_hi[6] = {44, 42, 40, 39, 39, 40};
  ks_fig_series s[2] = {
      {.label = "ketamine", .x = day, .y = ket, .n = 6, .lo = ket_lo, .hi = ket_hi, .points = 1,
       .error_bars = 1},
      {.label = "midazolam", .x = day, .y = mid, .n = 6, .lo = mid_lo, .hi = mid_hi, .points = 1,
       .error_bars = 1, .color = 2},
  };
  ks_fig_marker inf[6];
  for (int i = 0; i < 6; i++)
    inf[i] = (ks_fig_marker){.x = (double[]){1, 3, 5, 8, 10, 12}[i], .label = "infusion",
                             .style = KS_FIG_MARK_DOTTED};
  ks_fig_spec spec = {.title = "CAPS-5 total by arm (mean, 95% CI)", .x_label = "day",
                      .y_label = "CAPS-5 total (points)", .y_min = 0, .y_max = 50};
  char p[1200];
  KS_ASSERT_OK(ks_fig_lines(ctx, out_path(p, sizeof p, "caps5.png"), &spec, s, 2, inf, 6));
  KS_ASSERT_TRUE(is_png(p) && file_size(p) > 10 * 1024);
  pk_data d;
  pk_fill(&d);
  d.c[0] = 0.0; /* a zero on a log axis is a gap, not an error */
  ks_fig_series pk = {.label = "ketamine", .x = d.t, .y = d.c, .n = NPK, .lo = d.lo, .hi = d.hi};
  ks_fig_spec lspec = {.title = "Plasma ketamine, log scale", .x_label = "time (h)",
                       .y_label = "concentration (ng/mL)", .log_y = 1};
  KS_ASSERT_OK(ks_fig_lines(ctx, out_path(p, sizeof p, "pk_log.png"), &lspec, &pk, 1, NULL, 0));
  KS_ASSERT_TRUE(is_png(p) && file_size(p) > 10 * 1024);
  ks_ctx_destroy(&ctx);
}

KS_TEST(heatmaps_png_and_svg) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  const char *regions[6] = {"vmPFC", "dACC", "amygdala", "hippocampus", "insula", "dlPFC"};
  double fc[36], diff[36];
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 6; j++) {
      fc[i * 6 + j] = i == j ? 1.0 : 0.6 * cos(0.9 * (i - j)) - 0.1;
      diff[i * 6 + j] = i == j ? 0.0 : 0.15 * sin(1.3 * i + 0.7 * j);
    }
  diff[1] = NAN; /* drawn grey */
  ks_fig_spec spec = {.title = "Resting FC, baseline", .z_label = "FC (Pearson r)"};
  char p[1200];
  KS_ASSERT_OK(ks_fig_heatmap(ctx, out_path(p, sizeof p, "fc.png"), &spec, regions, 6, fc, -1, 1, 0));
  KS_ASSERT_TRUE(is_png(p) && file_size(p) > 10 * 1024);
  spec.title = "FC change, day 14 minus baseline";
  spec.z_label = "change in r";
  KS_ASSERT_OK(ks_fig_heatmap(ctx, out_path(p, sizeof p, "fc_diff.svg"), &spec, regions, 6, diff,
                              0, 0, 1));
  KS_ASSERT_TRUE(is_svg(p));
  /* 20 regions: no cell values, still valid. */
  const char *many[20];
  double big[400];
  char names[20][8];
  for (int i = 0; i < 20; i++) {
    snprintf(names[i], sizeof names[i], "R%02d", i);
    many[i] = names[i];
    for (int j = 0; j < 20; j++) big[i * 20 + j] = exp(-fabs((double)(i - j)) / 4.0);
  }
  KS_ASSERT_OK(ks_fig_heatmap(ctx, out_path(p, sizeof p, "fc20.png"), &spec, many, 20, big, 0, 1, 0));
  KS_ASSERT_TRUE(is_png(p));
  ks_ctx_destroy(&ctx);
}

KS_TEST(bars_png_and_svg) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  const char *arms[3] = {"ketamine", "midazolam", "placebo"};
  double rate[3] = {0.67, 0.20, 0.15}, lo[3] = {0.45, 0.07, 0.04}, hi[3] = {0.84, 0.45, 0.38};
  ks_fig_spec spec = {.title = "Response at day 14 (CAPS-5 drop >= 30%)", .x_label = "arm",
                      .y_label = "responders (fraction)"};
  char p[1200];
  KS_ASSERT_OK(ks_fig_bars(ctx, out_path(p, sizeof p, "bars.png"), &spec, arms, rate, lo, hi, 3));
  KS_ASSERT_TRUE(is_png(p) && file_size(p) > 8 * 1024);
  KS_ASSERT_OK(ks_fig_bars(ctx, out_path(p, sizeof p, "bars.svg"), &spec, arms, rate, NULL, NULL, 3));
  KS_ASSERT_TRUE(is_svg(p));
  /* Negative values (mean change) draw a zero line and still succeed. */
  double change[3] = {-14.0, -6.0, -4.5};
  spec.y_label = "CAPS-5 change (points)";
  KS_ASSERT_OK(ks_fig_bars(ctx, out_path(p, sizeof p, "bars_neg.png"), &spec, arms, change, NULL, NULL, 3));
  KS_ASSERT_TRUE(is_png(p));
  ks_ctx_destroy(&ctx);
}

KS_TEST(kaplan_meier_steps_png_and_svg) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  double t1[6] = {0, 10, 17, 24, 33, 41}, s1[6] = {1, 0.9, 0.78, 0.62, 0.5, 0.43};
  double l1[6] = {1, 0.78, 0.63, 0.45, 0.33, 0.26}, h1[6] = {1, 0.97, 0.9, 0.78, 0.67, 0.6};
  double t2[4] = {0, 7, 14, 21}, s2[4] = {1, 0.6, 0.35, 0.2};
  double c1[3] = {20, 30, 50}, c2[2] = {25, 56};
  ks_fig_step_series s[2] = {
      {.label = "ketamine responders", .t = t1, .s = s1, .n = 6, .lo = l1, .hi = h1,
       .censor_t = c1, .n_censor = 3},
      {.label = "midazolam responders", .t = t2, .s = s2, .n = 4, .censor_t = c2, .n_censor = 2,
       .dashed = 1},
  };
  ks_fig_spec spec = {.title = "Time to loss of response", .x_label = "days after last infusion",
                      .y_label = "still responding (fraction)"};
  char p[1200];
  KS_ASSERT_OK(ks_fig_steps(ctx, out_path(p, sizeof p, "km.png"), &spec, s, 2));
  KS_ASSERT_TRUE(is_png(p) && file_size(p) > 10 * 1024);
  KS_ASSERT_OK(ks_fig_steps(ctx, out_path(p, sizeof p, "km.svg"), &spec, s, 2));
  KS_ASSERT_TRUE(is_svg(p));
  /* Times out of order are refused. */
  double bad_t[3] = {0, 5, 3}, bad_s[3] = {1, 0.5, 0.4};
  ks_fig_step_series bad = {.label = "x", .t = bad_t, .s = bad_s, .n = 3};
  KS_ASSERT_EQ_INT(ks_fig_steps(ctx, out_path(p, sizeof p, "km_bad.png"), &spec, &bad, 1), KS_EINVAL);
  KS_ASSERT_TRUE(file_size(p) < 0);
  ks_ctx_destroy(&ctx);
}

static const ks_fig_forest_row forest_rows[] = {
    {"pk.ketamine.iv40.cmax (ng/mL)", 185.0, 140.0, 230.0, 201.0},
    {"pk.esketamine.in84.tmax (min)", 30.0, 20.0, 40.0, 27.0},
    {"receptor.nmda.ic50 (uM)", 0.53, 0.4, 0.7, 0.76},
    {"clinic.caps5.day14.diff (points)", -8.8, -14.0, -3.6, -7.9},
    {"clinic.response.ketamine (fraction)", NAN, 0.5, 0.8, 0.66},
    {"imaging.fc.change (r)", 0.1, 0.05, 0.15, 0.9},
};

KS_TEST(forest_png_and_svg) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  ks_fig_spec spec = {.title = "Validation targets: simulated against published"};
  char p[1200];
  size_t n = sizeof forest_rows / sizeof forest_rows[0];
  KS_ASSERT_OK(ks_fig_forest(ctx, out_path(p, sizeof p, "forest.png"), &spec, forest_rows, n,
                             KS_FIG_FOREST_TOLERANCE));
  KS_ASSERT_TRUE(is_png(p) && file_size(p) > 10 * 1024);
  KS_ASSERT_OK(ks_fig_forest(ctx, out_path(p, sizeof p, "forest.svg"), &spec, forest_rows, n,
                             KS_FIG_FOREST_TOLERANCE));
  KS_ASSERT_TRUE(is_svg(p));
  /* Raw scale for rows that share a unit. */
  ks_fig_forest_row same[2] = {{"trial A, d", 0.8, 0.5, 1.1, 0.7}, {"trial B, d", 0.4, 0.1, 0.7, 0.9}};
  spec.x_label = "Cohen's d";
  KS_ASSERT_OK(ks_fig_forest(ctx, out_path(p, sizeof p, "forest_raw.png"), &spec, same, 2,
                             KS_FIG_FOREST_RAW));
  KS_ASSERT_TRUE(is_png(p));
  /* An unordered interval is refused. */
  ks_fig_forest_row bad = {"bad", 1.0, 2.0, 1.0, 1.5};
  KS_ASSERT_EQ_INT(ks_fig_forest(ctx, out_path(p, sizeof p, "forest_bad.png"), &spec, &bad, 1,
                                 KS_FIG_FOREST_TOLERANCE), KS_EINVAL);
  ks_ctx_destroy(&ctx);
}

KS_TEST(svg_buffers_for_every_kind) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  pk_data d;
  pk_fill(&d);
  ks_fig_series s = {.label = "c", .x = d.t, .y = d.c, .n = NPK};
  ks_fig_spec spec = {.title = "t", .x_label = "x (h)", .y_label = "y (ng/mL)"};
  char *svg = NULL;
  size_t n = 0;
  KS_ASSERT_OK(ks_fig_lines_svg(ctx, &svg, &n, &spec, &s, 1, NULL, 0));
  KS_ASSERT_TRUE(svg && n == strlen(svg) && is_svg_text(svg));
  ks_free(ctx, svg);
  const char *lab[2] = {"a", "b"};
  double m[4] = {1, 0.5, 0.5, 1};
  svg = NULL;
  KS_ASSERT_OK(ks_fig_heatmap_svg(ctx, &svg, &n, &spec, lab, 2, m, 0, 1, 0));
  KS_ASSERT_TRUE(svg && is_svg_text(svg));
  ks_free(ctx, svg);
  double v[2] = {1, 2};
  svg = NULL;
  KS_ASSERT_OK(ks_fig_bars_svg(ctx, &svg, NULL, &spec, lab, v, NULL, NULL, 2));
  KS_ASSERT_TRUE(svg && is_svg_text(svg));
  ks_free(ctx, svg);
  double t[3] = {0, 1, 2}, sv[3] = {1, 0.5, 0.25};
  ks_fig_step_series st = {.label = "s", .t = t, .s = sv, .n = 3};
  svg = NULL;
  KS_ASSERT_OK(ks_fig_steps_svg(ctx, &svg, NULL, &spec, &st, 1));
  KS_ASSERT_TRUE(svg && is_svg_text(svg));
  ks_free(ctx, svg);
  svg = NULL;
  KS_ASSERT_OK(ks_fig_forest_svg(ctx, &svg, NULL, &spec, forest_rows, 2, KS_FIG_FOREST_TOLERANCE));
  KS_ASSERT_TRUE(svg && is_svg_text(svg));
  ks_free(ctx, svg);
  ks_ctx_destroy(&ctx);
}

KS_TEST(same_input_same_svg_bytes) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  pk_data d;
  pk_fill(&d);
  ks_fig_series s = {.label = "c", .x = d.t, .y = d.c, .n = NPK, .lo = d.lo, .hi = d.hi};
  ks_fig_spec spec = {.title = "t", .x_label = "x (h)", .y_label = "y (ng/mL)"};
  char *a = NULL, *b = NULL;
  size_t na = 0, nb = 0;
  KS_ASSERT_OK(ks_fig_lines_svg(ctx, &a, &na, &spec, &s, 1, NULL, 0));
  KS_ASSERT_OK(ks_fig_lines_svg(ctx, &b, &nb, &spec, &s, 1, NULL, 0));
  KS_ASSERT_EQ_INT(na, nb);
  KS_ASSERT_TRUE(memcmp(a, b, na) == 0);
  ks_free(ctx, a);
  ks_free(ctx, b);
  ks_ctx_destroy(&ctx);
}

KS_TEST(bad_figure_inputs_are_refused_and_leave_no_file) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  double x[3] = {0, 1, 2}, y[3] = {NAN, NAN, INFINITY}, ok[3] = {1, 2, 3};
  ks_fig_series nan_only = {.label = "n", .x = x, .y = y, .n = 3};
  ks_fig_series good = {.label = "g", .x = x, .y = ok, .n = 3};
  ks_fig_series half_band = {.label = "h", .x = x, .y = ok, .n = 3, .lo = ok};
  ks_fig_series bad_color = {.label = "c", .x = x, .y = ok, .n = 3, .color = 99};
  ks_fig_spec spec = {.title = "t"};
  char p[1200];
  out_path(p, sizeof p, "refused.png");
  unlink(p);
  KS_ASSERT_EQ_INT(ks_fig_lines(ctx, p, &spec, &nan_only, 1, NULL, 0), KS_EINVAL);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "no finite") != NULL);
  KS_ASSERT_EQ_INT(ks_fig_lines(ctx, p, &spec, &half_band, 1, NULL, 0), KS_EINVAL);
  KS_ASSERT_EQ_INT(ks_fig_lines(ctx, p, &spec, &bad_color, 1, NULL, 0), KS_EINVAL);
  KS_ASSERT_EQ_INT(ks_fig_lines(ctx, p, NULL, &good, 1, NULL, 0), KS_EINVAL);
  KS_ASSERT_EQ_INT(ks_fig_lines(ctx, p, &spec, NULL, 1, NULL, 0), KS_EINVAL);
  KS_ASSERT_TRUE(file_size(p) < 0);
  /* Unknown extension. */
  KS_ASSERT_EQ_INT(ks_fig_lines(ctx, out_path(p, sizeof p, "refused.jpg"), &spec, &good, 1, NULL, 0),
                   KS_EINVAL);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), ".png, .svg or .pdf") != NULL);
  KS_ASSERT_TRUE(file_size(p) < 0);
  /* PDF through PLplot's pdfcairo driver: a file that starts with the PDF signature. */
  KS_ASSERT_OK(ks_fig_lines(ctx, out_path(p, sizeof p, "figure.pdf"), &spec, &good, 1, NULL, 0));
  {
    FILE *pf = fopen(p, "rb");
    char sig[5] = {0};
    KS_ASSERT_TRUE(pf && fread(sig, 1, 4, pf) == 4);
    fclose(pf);
    KS_ASSERT_EQ_STR(sig, "%PDF");
    unlink(p);
  }
  /* Missing directory: an I/O failure with the path in the message, not a crash or an exit. */
  KS_ASSERT_EQ_INT(ks_fig_lines(ctx, "/nonexistent-ketasim-dir/x.png", &spec, &good, 1, NULL, 0),
                   KS_EIO);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "/nonexistent-ketasim-dir/x.png") != NULL);
  /* Absurd sizes. */
  ks_fig_spec tiny = {.width_px = 10, .height_px = 10};
  KS_ASSERT_EQ_INT(ks_fig_lines(ctx, out_path(p, sizeof p, "tiny.png"), &tiny, &good, 1, NULL, 0),
                   KS_EINVAL);
  /* A failed figure leaves an existing destination untouched. */
  out_path(p, sizeof p, "keep.png");
  KS_ASSERT_OK(ks_fig_lines(ctx, p, &spec, &good, 1, NULL, 0));
  long before = file_size(p);
  KS_ASSERT_EQ_INT(ks_fig_lines(ctx, p, &spec, &nan_only, 1, NULL, 0), KS_EINVAL);
  KS_ASSERT_EQ_INT(file_size(p), before);
  KS_ASSERT_TRUE(is_png(p));
  /* Degenerate data (a single point, a constant line) still gives a figure. */
  double one_x = 3.0, one_y = 7.0;
  ks_fig_series single = {.label = "one", .x = &one_x, .y = &one_y, .n = 1};
  KS_ASSERT_OK(ks_fig_lines(ctx, out_path(p, sizeof p, "single.png"), &spec, &single, 1, NULL, 0));
  double flat[3] = {5, 5, 5};
  ks_fig_series fl = {.label = "flat", .x = x, .y = flat, .n = 3};
  KS_ASSERT_OK(ks_fig_lines(ctx, out_path(p, sizeof p, "flat.png"), &spec, &fl, 1, NULL, 0));
  KS_ASSERT_TRUE(no_temp_files());
  ks_ctx_destroy(&ctx);
}

/* PLplot's fatal errors call exit(); the module's exit handler must turn them into KS_EIO and its
 * abort handler must turn PLplot's complaints into failures instead of lines on stderr. These
 * callbacks provoke both through the module's private renderer. */
/* PLplot's internal fatal-error routine, declared in its private plplotP.h. */
extern void plexit(const char *errormsg);

static ks_status draw_plexit(ks_ctx *ctx, const ks_fig_spec *spec, const void *args) {
  (void)ctx; (void)spec; (void)args;
  plvpor(0.1, 0.9, 0.1, 0.9);
  plwind(0.0, 1.0, 0.0, 1.0);
  plexit("provoked by test_report");
  return KS_OK; /* not reached */
}

static ks_status draw_plabort(ks_ctx *ctx, const ks_fig_spec *spec, const void *args) {
  (void)ctx; (void)spec; (void)args;
  double x[2] = {0, 1}, y[2] = {0, 1};
  plline(2, x, y); /* no window yet: PLplot aborts the call with "plline: Please set up ..." */
  return KS_OK;
}

KS_TEST(plplot_fatal_errors_become_statuses) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  ks_fig_spec spec = {.title = "t"};
  char p[1200];
  out_path(p, sizeof p, "plexit.png");
  unlink(p);
  KS_ASSERT_EQ_INT(ks__fig_render(ctx, p, NULL, NULL, &spec, 400, 300, draw_plexit, NULL), KS_EIO);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "provoked by test_report") != NULL);
  KS_ASSERT_TRUE(file_size(p) < 0);
  KS_ASSERT_EQ_INT(ks__fig_render(ctx, p, NULL, NULL, &spec, 400, 300, draw_plabort, NULL), KS_EIO);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "plline") != NULL);
  KS_ASSERT_TRUE(file_size(p) < 0);
  /* PLplot still works afterwards. */
  double x[2] = {0, 1}, y[2] = {0, 1};
  ks_fig_series s = {.label = "after", .x = x, .y = y, .n = 2};
  KS_ASSERT_OK(ks_fig_lines(ctx, p, &spec, &s, 1, NULL, 0));
  KS_ASSERT_TRUE(is_png(p));
  KS_ASSERT_TRUE(no_temp_files());
  ks_ctx_destroy(&ctx);
}

/* PLplot is not thread-safe; the module's mutex must make concurrent calls safe. */
typedef struct {
  int id;
  ks_status st;
} thread_job;

static void *thread_main(void *vp) {
  thread_job *job = vp;
  ks_ctx *ctx = ks_test_ctx();
  if (!ctx) { job->st = KS_ENOMEM; return NULL; }
  pk_data d;
  pk_fill(&d);
  char p[1200], name[64];
  job->st = KS_OK;
  for (int k = 0; k < 3 && job->st == KS_OK; k++) {
    snprintf(name, sizeof name, "thread%d_%d.%s", job->id, k, k % 2 ? "svg" : "png");
    job->st = draw_pk(ctx, out_path(p, sizeof p, name), &d);
    if (job->st == KS_OK && !(k % 2 ? is_svg(p) : is_png(p))) job->st = KS_EIO;
  }
  ks_ctx_destroy(&ctx);
  return NULL;
}

KS_TEST(figures_from_several_threads) {
  enum { NT = 4 };
  pthread_t th[NT];
  thread_job jobs[NT];
  for (int i = 0; i < NT; i++) {
    jobs[i] = (thread_job){i, KS_EINVAL};
    KS_ASSERT_EQ_INT(pthread_create(&th[i], NULL, thread_main, &jobs[i]), 0);
  }
  for (int i = 0; i < NT; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < NT; i++) KS_ASSERT_EQ_INT(jobs[i].st, KS_OK);
}

/* ---------------------------------------------------------------------------------------------- */
/* HTML report                                                                                     */

static ks_report *sample_report(ks_ctx *ctx, size_t *n_fig, size_t *n_tab) {
  ks_report *rep = NULL;
  if (ks_report_create(ctx, "Repeated infusions <trial> & \"friends\"", &rep) != KS_OK) return NULL;
  pk_data d;
  pk_fill(&d);
  ks_fig_series s = {.label = "ketamine", .x = d.t, .y = d.c, .n = NPK, .lo = d.lo, .hi = d.hi};
  ks_fig_spec spec = {.title = "Plasma ketamine", .x_label = "time (h)",
                      .y_label = "concentration (ng/mL)"};
  char *svg = NULL;
  size_t n = 0;
  int ok = 1;
  ok &= ks_report_set_scenario_text(rep, "Thirty adults with chronic PTSD.\n\nSix infusions "
                                         "over two weeks; x < y & z.") == KS_OK;
  ok &= ks_report_add_caveat(rep, "Doses above 0.5 mg/kg were not studied.") == KS_OK;
  ok &= ks_report_add_section(rep, "Pharmacokinetics") == KS_OK;
  ok &= ks_report_add_paragraph(rep, "Concentrations by route.") == KS_OK;
  ok &= ks_fig_lines_svg(ctx, &svg, &n, &spec, &s, 1, NULL, 0) == KS_OK;
  if (ok) ok &= ks_report_add_svg(rep, "Plasma ketamine, median and 5-95%", svg, n) == KS_OK;
  ks_free(ctx, svg);
  svg = NULL;
  const char *arms[2] = {"ketamine", "midazolam"};
  double rate[2] = {0.67, 0.2};
  ok &= ks_report_add_section(rep, "Outcomes") == KS_OK;
  ok &= ks_fig_bars_svg(ctx, &svg, &n, &spec, arms, rate, NULL, NULL, 2) == KS_OK;
  if (ok) ok &= ks_report_add_svg(rep, "Response rates", svg, n) == KS_OK;
  ks_free(ctx, svg);
  const char *hdr[3] = {"arm", "n", "CAPS-5 change (95% CI)"};
  const char *cells[6] = {"ketamine", "15", "-14.2 [-18.0, -10.4]",
                          "midazolam <ctl>", "15", "-5.1 [-8.9, -1.3]"};
  ok &= ks_report_add_table(rep, "Primary endpoint", hdr, 3, cells, 2) == KS_OK;
  const char *h2[2] = {"target", "pass"};
  const char *c2[2] = {"pk.cmax", "yes"};
  ok &= ks_report_add_table(rep, NULL, h2, 2, c2, 1) == KS_OK;
  ok &= ks_report_set_provenance(rep, NULL, 2021u,
                                 "ketasim: 1\nname: repeated-infusions\nseed: 2021\n") == KS_OK;
  if (!ok) ks_report_destroy(&rep);
  *n_fig = 2;
  *n_tab = 2;
  return rep;
}

KS_TEST(report_contains_every_figure_and_table) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  size_t nf = 0, nt = 0;
  ks_report *rep = sample_report(ctx, &nf, &nt);
  KS_ASSERT_TRUE(rep);
  KS_ASSERT_EQ_INT(ks_report_n_figures(rep), nf);
  KS_ASSERT_EQ_INT(ks_report_n_tables(rep), nt);
  char p[1200];
  KS_ASSERT_OK(ks_report_write(rep, out_path(p, sizeof p, "report.html")));
  size_t n = 0;
  char *html = slurp(p, &n);
  KS_ASSERT_TRUE(html && n > 10000);
  KS_ASSERT_TRUE(strncmp(html, "<!DOCTYPE html>", 15) == 0);
  KS_ASSERT_EQ_INT(count_substr(html, "<figure id=\"fig-"), nf);
  KS_ASSERT_EQ_INT(count_substr(html, "<svg class=\"ks-fig\""), nf);
  KS_ASSERT_EQ_INT(count_substr(html, "</svg>"), nf);
  KS_ASSERT_EQ_INT(count_substr(html, "<table id=\"table-"), nt);
  KS_ASSERT_TRUE(strstr(html, "id=\"fig-1\"") && strstr(html, "id=\"fig-2\""));
  /* Self-contained: no scripts, no external resources, no XML prolog in the body. */
  KS_ASSERT_EQ_INT(count_substr(html, "<script"), 0);
  KS_ASSERT_EQ_INT(count_substr(html, "<link"), 0);
  KS_ASSERT_EQ_INT(count_substr(html, " src="), 0);
  KS_ASSERT_EQ_INT(count_substr(html, "<?xml"), 0);
  /* Fixed parts. */
  KS_ASSERT_TRUE(strstr(html, "What this is and what it is not") != NULL);
  KS_ASSERT_TRUE(strstr(html, "Not medical advice") != NULL);
  KS_ASSERT_TRUE(strstr(html, "Doses above 0.5 mg/kg were not studied.") != NULL);
  KS_ASSERT_TRUE(strstr(html, "<dt>seed</dt><dd>2021</dd>") != NULL);
  KS_ASSERT_TRUE(strstr(html, "name: repeated-infusions") != NULL);
  KS_ASSERT_TRUE(strstr(html, ks_version()) != NULL);
  /* Escaping of caller text. */
  KS_ASSERT_TRUE(strstr(html, "Repeated infusions &lt;trial&gt; &amp; &quot;friends&quot;") != NULL);
  KS_ASSERT_TRUE(strstr(html, "x &lt; y &amp; z.") != NULL);
  KS_ASSERT_TRUE(strstr(html, "midazolam &lt;ctl&gt;") != NULL);
  KS_ASSERT_TRUE(strstr(html, "<ctl>") == NULL);
  /* Two paragraphs of scenario text; numeric cells right-aligned. */
  KS_ASSERT_TRUE(strstr(html, "<p>Thirty adults with chronic PTSD.</p>") != NULL);
  KS_ASSERT_TRUE(strstr(html, "<td class=\"n\">-14.2 [-18.0, -10.4]</td>") != NULL);
  KS_ASSERT_TRUE(strstr(html, "<td>ketamine</td>") != NULL);
  /* Every id in the document is unique (cairo reuses glyph ids in every SVG). */
  size_t n_ids = 0, dup = 0;
  const char *ids[4096];
  for (const char *q = strstr(html, " id=\""); q && n_ids < 4096; q = strstr(q + 5, " id=\"")) {
    ids[n_ids++] = q + 5;
  }
  for (size_t i = 0; i < n_ids; i++)
    for (size_t j = i + 1; j < n_ids; j++) {
      size_t li = strcspn(ids[i], "\""), lj = strcspn(ids[j], "\"");
      if (li == lj && memcmp(ids[i], ids[j], li) == 0) dup++;
    }
  KS_ASSERT_TRUE(n_ids > 10);
  KS_ASSERT_EQ_INT(dup, 0);
  /* Every internal reference points at an id that exists. */
  for (const char *q = strstr(html, "href=\"#"); q; q = strstr(q + 7, "href=\"#")) {
    size_t len = strcspn(q + 7, "\"");
    char want[128];
    KS_ASSERT_TRUE(len + 6 < sizeof want);
    snprintf(want, sizeof want, "id=\"%.*s\"", (int)len, q + 7);
    KS_ASSERT_TRUE(strstr(html, want) != NULL);
  }
  free(html);
  ks_report_destroy(&rep);
  KS_ASSERT_TRUE(rep == NULL);
  ks_report_destroy(&rep); /* NULL is fine */
  KS_ASSERT_TRUE(no_temp_files());
  ks_ctx_destroy(&ctx);
}

KS_TEST(report_is_deterministic_and_rejects_non_svg) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  size_t nf, nt;
  ks_report *a = sample_report(ctx, &nf, &nt), *b = sample_report(ctx, &nf, &nt);
  KS_ASSERT_TRUE(a && b);
  char *ha = NULL, *hb = NULL;
  size_t na = 0, nb = 0;
  KS_ASSERT_OK(ks_report_render(a, &ha, &na));
  KS_ASSERT_OK(ks_report_render(b, &hb, &nb));
  KS_ASSERT_EQ_INT(na, nb);
  KS_ASSERT_TRUE(memcmp(ha, hb, na) == 0);
  ks_free(ctx, ha);
  ks_free(ctx, hb);
  KS_ASSERT_EQ_INT(ks_report_add_svg(a, "x", "<html>nope</html>", 17), KS_EINVAL);
  KS_ASSERT_EQ_INT(ks_report_n_figures(a), nf);
  KS_ASSERT_EQ_INT(ks_report_add_table(a, "x", NULL, 0, NULL, 0), KS_EINVAL);
  ks_report_destroy(&a);
  ks_report_destroy(&b);
  ks_ctx_destroy(&ctx);
}

KS_TEST(report_write_is_atomic) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  ks_report *rep = NULL;
  KS_ASSERT_OK(ks_report_create(ctx, "atomic", &rep));
  /* Missing directory: KS_EIO, nothing created. */
  KS_ASSERT_EQ_INT(ks_report_write(rep, "/nonexistent-ketasim-dir/report.html"), KS_EIO);
  /* Overwrite: the old content is replaced whole. */
  char p[1200];
  out_path(p, sizeof p, "atomic.html");
  FILE *f = fopen(p, "w");
  KS_ASSERT_TRUE(f);
  fputs("old", f);
  fclose(f);
  KS_ASSERT_OK(ks_report_write(rep, p));
  char *s = slurp(p, NULL);
  KS_ASSERT_TRUE(s && strstr(s, "<title>atomic</title>") && !strstr(s, "old<"));
  free(s);
  struct stat stt;
  KS_ASSERT_TRUE(stat(p, &stt) == 0 && (stt.st_mode & 0444) == 0444);
  KS_ASSERT_OK(ks_write_file_atomic(ctx, p, "abc", 3));
  KS_ASSERT_EQ_INT(file_size(p), 3);
  KS_ASSERT_TRUE(no_temp_files());
  ks_report_destroy(&rep);
  ks_ctx_destroy(&ctx);
}

/* Every allocation failure in the report path returns KS_ENOMEM cleanly (ASan checks leaks). */
KS_TEST(report_survives_allocation_failures) {
  int saw_enomem = 0, saw_ok = 0;
  for (long k = 1; k < 400; k++) {
    ks_ctx_opts o = ks_ctx_opts_default();
    o.log_level = KS_LOG_ERROR;
    ks_ctx *ctx = NULL;
    o.fail_alloc_at = k; /* counts allocations made through the context after it exists */
    KS_ASSERT_OK(ks_ctx_create(&o, &ctx));
    ks_report *rep = NULL;
    ks_status st = ks_report_create(ctx, "oom", &rep);
    const char *hdr[2] = {"a", "b"}, *cells[2] = {"1", "x"};
    static const char svg[] = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
                              "viewBox=\"0 0 10 10\"><defs><g id=\"glyph0-1\"/></defs>"
                              "<use xlink:href=\"#glyph0-1\"/></svg>\n";
    if (st == KS_OK) st = ks_report_set_scenario_text(rep, "text");
    if (st == KS_OK) st = ks_report_add_section(rep, "s");
    if (st == KS_OK) st = ks_report_add_table(rep, "t", hdr, 2, cells, 1);
    if (st == KS_OK) st = ks_report_add_svg(rep, "f", svg, sizeof svg - 1);
    if (st == KS_OK) st = ks_report_set_provenance(rep, "0", 1, "x: 1");
    char *html = NULL;
    if (st == KS_OK) st = ks_report_render(rep, &html, NULL);
    if (st == KS_OK) {
      saw_ok = 1;
      KS_ASSERT_TRUE(strstr(html, "id=\"f1-glyph0-1\"") && strstr(html, "href=\"#f1-glyph0-1\""));
      ks_free(ctx, html);
    } else {
      KS_ASSERT_EQ_INT(st, KS_ENOMEM);
      saw_enomem = 1;
    }
    ks_report_destroy(&rep);
    ks_ctx_destroy(&ctx);
    if (saw_ok) break;
  }
  KS_ASSERT_TRUE(saw_enomem && saw_ok);
}

KS_TEST_MAIN()
