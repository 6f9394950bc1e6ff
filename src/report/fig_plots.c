/* SPDX-License-Identifier: MIT */
/* The five figure kinds (lines, heatmap, bars, steps, forest) drawn with PLplot on plain arrays.
 * Each public function checks its arguments, then hands a draw callback to ks__fig_render(), which
 * owns the PLplot stream, the mutex and the temporary file (fig.c). Inputs are validated here so
 * that PLplot never sees a non-finite number or a degenerate axis (it would otherwise abort). */
#include <math.h>
#include <string.h>

#include <plplot/plplot.h>

#include "report_internal.h"

enum { DEFAULT_W = 960, DEFAULT_H = 600, MAX_LEGEND = 24, TEXT_CAP = 256 };

/* Character heights (PLplot scale factors on the default height). */
static const double CHR_BASE = 1.15;
static const double CHR_TITLE = 1.45;
static const double CHR_SMALL = 0.95;

/* ---------------------------------------------------------------------------------------------- */
/* Shared helpers                                                                                  */

typedef struct {
  double x0, x1, y0, y1;
} range2;

static range2 range_empty(void) { return (range2){INFINITY, -INFINITY, INFINITY, -INFINITY}; }
static void range_add_x(range2 *r, double x) {
  if (isfinite(x)) { r->x0 = fmin(r->x0, x); r->x1 = fmax(r->x1, x); }
}
static void range_add_y(range2 *r, double y) {
  if (isfinite(y)) { r->y0 = fmin(r->y0, y); r->y1 = fmax(r->y1, y); }
}

/* Widen a degenerate interval and pad a data interval by `pad` of its span. */
static void interval_finish(double *lo, double *hi, double pad, int keep_nonneg) {
  if (*lo == *hi) {
    double d = fabs(*lo) > 0 ? 0.1 * fabs(*lo) : 1.0;
    *lo -= d;
    *hi += d;
    return;
  }
  double span = *hi - *lo;
  int nonneg = *lo >= 0.0;
  *lo -= pad * span;
  *hi += pad * span;
  if (keep_nonneg && nonneg && *lo < 0.0) *lo = 0.0;
}

static int spec_fixed_x(const ks_fig_spec *s) {
  return isfinite(s->x_min) && isfinite(s->x_max) && s->x_min < s->x_max;
}
static int spec_fixed_y(const ks_fig_spec *s) {
  return isfinite(s->y_min) && isfinite(s->y_max) && s->y_min < s->y_max;
}

static int color_index(int color, size_t auto_pos) {
  int c = color >= 1 && color <= KS_FIG_N_COLORS ? color : (int)(auto_pos % 7) + 1;
  return KS__COL_SERIES + c - 1;
}

static ks_status check_color(ks_ctx *ctx, int color, const char *what, size_t i) {
  if (color < 0 || color > KS_FIG_N_COLORS)
    return ks_ctx_fail(ctx, KS_EINVAL, "%s %zu: colour %d outside 0..%d", what, i, color,
                       KS_FIG_N_COLORS);
  return KS_OK;
}

static void set_line_style(int style) { pllsty(style >= 1 && style <= 8 ? style : 1); }

/* Draw the runs of consecutive finite points of a polyline. */
static void polyline_gaps(size_t n, const double *x, const double *y) {
  size_t i = 0;
  while (i < n) {
    while (i < n && !(isfinite(x[i]) && isfinite(y[i]))) i++;
    size_t j = i;
    while (j < n && isfinite(x[j]) && isfinite(y[j])) j++;
    if (j - i >= 2) plline((PLINT)(j - i), x + i, y + i);
    else if (j - i == 1) plstring(1, x + i, y + i, "•");
    i = j;
  }
}

/* Fill the band between lo and hi over runs of finite points. px, py hold 2n scratch doubles. */
static void band_gaps(size_t n, const double *x, const double *lo, const double *hi, double *px,
                      double *py) {
  size_t i = 0;
  while (i < n) {
    while (i < n && !(isfinite(x[i]) && isfinite(lo[i]) && isfinite(hi[i]))) i++;
    size_t j = i;
    while (j < n && isfinite(x[j]) && isfinite(lo[j]) && isfinite(hi[j])) j++;
    if (j - i >= 2) {
      size_t m = 0;
      for (size_t k = i; k < j; k++) { px[m] = x[k]; py[m++] = hi[k]; }
      for (size_t k = j; k-- > i;) { px[m] = x[k]; py[m++] = lo[k]; }
      plfill((PLINT)m, px, py);
    }
    i = j;
  }
}

static void set_band_color(int col0) {
  PLINT r, g, b;
  plgcol0(col0, &r, &g, &b);
  plscol0a(KS__COL_BAND, r, g, b, 0.20);
  plcol0(KS__COL_BAND);
}

/* The title above the viewport, in a larger font. */
static void draw_title(const ks_fig_spec *spec) {
  if (!spec->title || !spec->title[0]) return;
  char buf[TEXT_CAP];
  plschr(0.0, CHR_TITLE);
  plcol0(KS__COL_FG);
  plmtex("t", 1.3, 0.5, 0.5, ks__fig_text(buf, sizeof buf, spec->title));
  plschr(0.0, CHR_BASE);
}

/* Grid, frame, ticks, numbers and axis labels for the current viewport and window. categorical:
 * an x axis of categories (bars), drawn without ticks, numbers or vertical grid lines. */
static void draw_axes(const ks_fig_spec *spec, int log_y, int categorical) {
  char yo[16], buf[TEXT_CAP];
  plcol0(KS__COL_GRID);
  plwidth(1.0);
  pllsty(1);
  plbox(categorical ? "" : "g", 0.0, 0, log_y ? "gl" : "g", 0.0, 0);
  plcol0(KS__COL_FG);
  plwidth(1.2);
  snprintf(yo, sizeof yo, "bcnstv%s", log_y ? "l" : "");
  plbox(categorical ? "bc" : "bcnst", 0.0, 0, yo, 0.0, 0);
  if (spec->x_label && spec->x_label[0])
    plmtex("b", categorical ? 3.4 : 3.0, 0.5, 0.5, ks__fig_text(buf, sizeof buf, spec->x_label));
  if (spec->y_label && spec->y_label[0])
    plmtex("l", 4.6, 0.5, 0.5, ks__fig_text(buf, sizeof buf, spec->y_label));
}

/* Legend entries collected by a figure, drawn with pllegend. */
typedef struct {
  size_t n;
  PLINT opt[MAX_LEGEND], text_col[MAX_LEGEND], line_col[MAX_LEGEND], line_sty[MAX_LEGEND];
  PLINT box_col[MAX_LEGEND], box_pat[MAX_LEGEND], sym_col[MAX_LEGEND], sym_num[MAX_LEGEND];
  PLFLT line_w[MAX_LEGEND], box_scale[MAX_LEGEND], box_lw[MAX_LEGEND], sym_scale[MAX_LEGEND];
  char text[MAX_LEGEND][128];
  const char *text_p[MAX_LEGEND];
  const char *sym_p[MAX_LEGEND];
} legend;

static void legend_add(legend *lg, const char *text, int col0, int style, int symbol, int box) {
  if (!text || !text[0] || lg->n >= MAX_LEGEND) return;
  for (size_t i = 0; i < lg->n; i++) /* one entry per distinct label */
    if (strcmp(lg->text_p[i], text) == 0) return;
  size_t i = lg->n++;
  lg->opt[i] = box ? PL_LEGEND_COLOR_BOX : PL_LEGEND_LINE;
  if (symbol) lg->opt[i] = (style > 0 ? PL_LEGEND_LINE : 0) | PL_LEGEND_SYMBOL;
  lg->text_col[i] = KS__COL_FG;
  lg->line_col[i] = col0;
  lg->line_sty[i] = style > 0 ? style : 1;
  lg->line_w[i] = 3.0;
  lg->box_col[i] = col0;
  lg->box_pat[i] = 0;
  lg->box_scale[i] = 0.8;
  lg->box_lw[i] = 1.0;
  lg->sym_col[i] = col0;
  lg->sym_scale[i] = 1.0;
  lg->sym_num[i] = 1;
  lg->sym_p[i] = symbol == 2 ? "◇" : "●";
  ks__fig_text(lg->text[i], sizeof lg->text[i], text);
  lg->text_p[i] = lg->text[i];
}

static void legend_draw(const legend *lg, ks_fig_legend where) {
  if (lg->n == 0 || where == KS_FIG_LEGEND_NONE) return;
  PLINT pos = PL_POSITION_INSIDE;
  switch (where) {
    case KS_FIG_LEGEND_TOP_LEFT: pos |= PL_POSITION_TOP | PL_POSITION_LEFT; break;
    case KS_FIG_LEGEND_BOTTOM_RIGHT: pos |= PL_POSITION_BOTTOM | PL_POSITION_RIGHT; break;
    case KS_FIG_LEGEND_BOTTOM_LEFT: pos |= PL_POSITION_BOTTOM | PL_POSITION_LEFT; break;
    default: pos |= PL_POSITION_TOP | PL_POSITION_RIGHT; break;
  }
  PLFLT w = 0, h = 0;
  pllsty(1);
  plschr(0.0, CHR_SMALL);
  pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, pos, 0.015, 0.02, 0.07,
           KS__COL_BG, KS__COL_GRID, 1, 0, 0, (PLINT)lg->n, lg->opt, 0.8, 1.0, 2.0, 0.0,
           lg->text_col, lg->text_p, lg->box_col, lg->box_pat, lg->box_scale, lg->box_lw,
           lg->line_col, lg->line_sty, lg->line_w, lg->sym_col, lg->sym_scale, lg->sym_num,
           lg->sym_p);
  plschr(0.0, CHR_BASE);
}

/* The inside corner whose quarter of the window (40% wide, 35% high) covers the fewest points. */
static ks_fig_legend legend_corner(const range2 *w, size_t n_xy, const double *const *xs,
                                   const double *const *ys, const size_t *ns) {
  size_t count[4] = {0, 0, 0, 0}; /* TR, TL, BR, BL */
  double xl = w->x0 + 0.40 * (w->x1 - w->x0), xr = w->x1 - 0.40 * (w->x1 - w->x0);
  double yb = w->y0 + 0.35 * (w->y1 - w->y0), yt = w->y1 - 0.35 * (w->y1 - w->y0);
  for (size_t s = 0; s < n_xy; s++) {
    for (size_t i = 0; i < ns[s]; i++) {
      double x = xs[s][i], y = ys[s][i];
      if (!isfinite(x) || !isfinite(y)) continue;
      int right = x >= xr, left = x <= xl, top = y >= yt, bottom = y <= yb;
      count[0] += (size_t)(right && top);
      count[1] += (size_t)(left && top);
      count[2] += (size_t)(right && bottom);
      count[3] += (size_t)(left && bottom);
    }
  }
  static const ks_fig_legend corner[4] = {KS_FIG_LEGEND_TOP_RIGHT, KS_FIG_LEGEND_TOP_LEFT,
                                          KS_FIG_LEGEND_BOTTOM_RIGHT, KS_FIG_LEGEND_BOTTOM_LEFT};
  size_t best = 0;
  for (size_t k = 1; k < 4; k++)
    if (count[k] < count[best]) best = k;
  return corner[best];
}

/* Approximate printed width of UTF-8 text at character scale chr: DejaVu Sans through the cairo
 * driver runs at about 12.5 px per character per unit of scale (measured on our PNGs). */
static double text_width_px(const char *s, double chr) {
  size_t n = 0;
  for (; s && *s; s++) n += (size_t)(((unsigned char)*s & 0xC0) != 0x80);
  return (double)n * 12.5 * chr;
}

static double log10_or_nan(double v) { return v > 0.0 && isfinite(v) ? log10(v) : NAN; }

/* ---------------------------------------------------------------------------------------------- */
/* Lines                                                                                           */

typedef struct {
  const ks_fig_series *series;
  size_t n_series;
  const ks_fig_marker *markers;
  size_t n_markers;
  double *scratch;   /* 7 * max_n doubles: log-y copies (3 max_n) and the band polygon (4 max_n) */
  size_t max_n;
} lines_args;

static ks_status draw_lines(ks_ctx *ctx, const ks_fig_spec *spec, const void *vargs) {
  (void)ctx;
  const lines_args *a = vargs;
  size_t max_n = a->max_n;
  double *ly = a->scratch, *llo = ly + max_n, *lhi = llo + max_n, *px = lhi + max_n,
         *py = px + 2 * max_n;
  /* Window from the data (markers widen x only), unless fixed by the spec. */
  range2 r = range_empty();
  for (size_t s = 0; s < a->n_series; s++) {
    const ks_fig_series *se = &a->series[s];
    for (size_t i = 0; i < se->n; i++) {
      double y = spec->log_y ? log10_or_nan(se->y[i]) : se->y[i];
      if (!isfinite(se->x[i]) || !isfinite(y)) continue;
      range_add_x(&r, se->x[i]);
      range_add_y(&r, y);
      if (se->lo && isfinite(se->lo[i]) && isfinite(se->hi[i])) {
        range_add_y(&r, spec->log_y ? log10_or_nan(se->lo[i]) : se->lo[i]);
        range_add_y(&r, spec->log_y ? log10_or_nan(se->hi[i]) : se->hi[i]);
      }
    }
  }
  for (size_t m = 0; m < a->n_markers; m++) range_add_x(&r, a->markers[m].x);
  int marks = 0; /* point markers and error bars need room at the ends of the x axis */
  for (size_t s = 0; s < a->n_series; s++) marks |= a->series[s].points | a->series[s].error_bars;
  if (spec_fixed_x(spec)) { r.x0 = spec->x_min; r.x1 = spec->x_max; }
  else interval_finish(&r.x0, &r.x1, marks ? 0.025 : 0.0, 0);
  if (spec_fixed_y(spec)) {
    r.y0 = spec->log_y ? log10_or_nan(spec->y_min) : spec->y_min;
    r.y1 = spec->log_y ? log10_or_nan(spec->y_max) : spec->y_max;
    if (!(isfinite(r.y0) && isfinite(r.y1)))
      return ks_ctx_fail(ctx, KS_EINVAL, "log y axis needs y_min > 0");
  } else {
    interval_finish(&r.y0, &r.y1, 0.06, !spec->log_y);
  }

  plschr(0.0, CHR_BASE);
  plvpor(0.115, 0.965, 0.12, 0.90);
  plwind(r.x0, r.x1, r.y0, r.y1);
  draw_axes(spec, spec->log_y, 0);
  draw_title(spec);

  legend lg = {0};
  /* Bands first, so every line is drawn over every band. */
  for (size_t s = 0; s < a->n_series; s++) {
    const ks_fig_series *se = &a->series[s];
    if (!se->lo || se->error_bars) continue;
    const double *lo = se->lo, *hi = se->hi;
    if (spec->log_y) {
      for (size_t i = 0; i < se->n; i++) { llo[i] = log10_or_nan(lo[i]); lhi[i] = log10_or_nan(hi[i]); }
      lo = llo;
      hi = lhi;
    }
    set_band_color(color_index(se->color, s));
    band_gaps(se->n, se->x, lo, hi, px, py);
  }
  /* Vertical markers, under the lines. */
  for (size_t m = 0; m < a->n_markers; m++) {
    const ks_fig_marker *mk = &a->markers[m];
    if (!isfinite(mk->x) || mk->x < r.x0 || mk->x > r.x1) continue;
    int col0 = mk->color ? color_index(mk->color, 0) : KS__COL_SERIES + 7;
    int sty = mk->style == KS_FIG_MARK_DASHED ? 3 : mk->style == KS_FIG_MARK_DOTTED ? 2 : 1;
    plcol0(col0);
    plwidth(1.5);
    set_line_style(sty);
    pljoin(mk->x, r.y0, mk->x, r.y1);
    legend_add(&lg, mk->label, col0, sty, 0, 0);
  }
  pllsty(1);
  for (size_t s = 0; s < a->n_series; s++) {
    const ks_fig_series *se = &a->series[s];
    int col0 = color_index(se->color, s);
    const double *y = se->y, *lo = se->lo, *hi = se->hi;
    if (spec->log_y) {
      for (size_t i = 0; i < se->n; i++) ly[i] = log10_or_nan(se->y[i]);
      y = ly;
      if (lo) {
        for (size_t i = 0; i < se->n; i++) { llo[i] = log10_or_nan(lo[i]); lhi[i] = log10_or_nan(hi[i]); }
        lo = llo;
        hi = lhi;
      }
    }
    plcol0(col0);
    if (lo && se->error_bars) {
      plwidth(1.5);
      for (size_t i = 0; i < se->n; i++)
        if (isfinite(se->x[i]) && isfinite(lo[i]) && isfinite(hi[i]))
          plerry(1, &se->x[i], &lo[i], &hi[i]);
    }
    plwidth(3.0);
    set_line_style(se->dashed ? 3 : 1);
    if (!se->no_line) polyline_gaps(se->n, se->x, y);
    pllsty(1);
    if (se->points) {
      plschr(0.0, 0.9);
      for (size_t i = 0; i < se->n; i++)
        if (isfinite(se->x[i]) && isfinite(y[i])) plstring(1, &se->x[i], &y[i], "●");
      plschr(0.0, CHR_BASE);
    }
    legend_add(&lg, se->label, col0, se->no_line ? 0 : (se->dashed ? 3 : 1), se->points, 0);
  }
  plwidth(1.0);
  ks_fig_legend where = spec->legend;
  if (where == KS_FIG_LEGEND_AUTO) {
    const double *xs[MAX_LEGEND], *ys[MAX_LEGEND];
    size_t ns[MAX_LEGEND], k = 0;
    for (size_t s = 0; s < a->n_series && k < MAX_LEGEND; s++, k++) {
      xs[k] = a->series[s].x;
      ys[k] = a->series[s].y;
      ns[k] = spec->log_y ? 0 : a->series[s].n; /* log axes: any corner (values are transformed) */
    }
    where = legend_corner(&r, k, xs, ys, ns);
  }
  legend_draw(&lg, where);
  return KS_OK;
}

static ks_status lines_prepare(ks_ctx *ctx, const ks_fig_spec *spec, const ks_fig_series *series,
                               size_t n_series, const ks_fig_marker *markers, size_t n_markers,
                               lines_args *a) {
  KS_CHECK_ARG(ctx, spec && series && n_series > 0);
  KS_CHECK_ARG(ctx, markers || n_markers == 0);
  size_t max_n = 1, n_finite = 0;
  for (size_t s = 0; s < n_series; s++) {
    const ks_fig_series *se = &series[s];
    if (!se->x || !se->y)
      return ks_ctx_fail(ctx, KS_EINVAL, "series %zu: x and y are required", s);
    if ((se->lo == NULL) != (se->hi == NULL))
      return ks_ctx_fail(ctx, KS_EINVAL, "series %zu: lo and hi go together", s);
    KS_TRY(check_color(ctx, se->color, "series", s));
    if (se->n > max_n) max_n = se->n;
    for (size_t i = 0; i < se->n; i++)
      n_finite += (size_t)(isfinite(se->x[i]) && isfinite(se->y[i]) &&
                           (!spec->log_y || se->y[i] > 0.0));
  }
  for (size_t m = 0; m < n_markers; m++) KS_TRY(check_color(ctx, markers[m].color, "marker", m));
  if (n_finite == 0)
    return ks_ctx_fail(ctx, KS_EINVAL, "line figure \"%s\": no finite data point",
                       spec->title ? spec->title : "");
  *a = (lines_args){series, n_series, markers, n_markers, NULL, max_n};
  a->scratch = ks_malloc(ctx, 7 * max_n * sizeof(double));
  return a->scratch ? KS_OK : KS_ENOMEM;
}

static int spec_w(const ks_fig_spec *s) { return s->width_px > 0 ? s->width_px : DEFAULT_W; }
static int spec_h(const ks_fig_spec *s) { return s->height_px > 0 ? s->height_px : DEFAULT_H; }

static ks_status lines_any(ks_ctx *ctx, const char *path, char **svg, size_t *n_svg,
                           const ks_fig_spec *spec, const ks_fig_series *series, size_t n_series,
                           const ks_fig_marker *markers, size_t n_markers) {
  lines_args a;
  KS_TRY(lines_prepare(ctx, spec, series, n_series, markers, n_markers, &a));
  ks_status st = ks__fig_render(ctx, path, svg, n_svg, spec, spec_w(spec), spec_h(spec),
                                draw_lines, &a);
  ks_free(ctx, a.scratch);
  return st;
}

ks_status ks_fig_lines(ks_ctx *ctx, const char *path, const ks_fig_spec *spec,
                       const ks_fig_series *series, size_t n_series,
                       const ks_fig_marker *markers, size_t n_markers) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, path);
  return lines_any(ctx, path, NULL, NULL, spec, series, n_series, markers, n_markers);
}

ks_status ks_fig_lines_svg(ks_ctx *ctx, char **svg, size_t *n_svg, const ks_fig_spec *spec,
                           const ks_fig_series *series, size_t n_series,
                           const ks_fig_marker *markers, size_t n_markers) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, svg);
  return lines_any(ctx, NULL, svg, n_svg, spec, series, n_series, markers, n_markers);
}

/* ---------------------------------------------------------------------------------------------- */
/* Heatmap                                                                                         */

typedef struct {
  const char *const *labels;
  size_t n;
  const double *m;
  double vmin, vmax;
  int diverging;
} heat_args;

typedef struct {
  double t, r, g, b;
} color_stop;

/* Sequential: viridis (van der Walt & Smith 2015), 5 stops. Diverging: ColorBrewer RdBu
 * (Harrower & Brewer 2003), blue for negative, red for positive, near-white at 0. */
static const color_stop seq_stops[] = {{0.00, 68, 1, 84},    {0.25, 59, 82, 139},
                                       {0.50, 33, 145, 140}, {0.75, 94, 201, 98},
                                       {1.00, 253, 231, 37}};
static const color_stop div_stops[] = {{0.00, 33, 102, 172},  {0.25, 146, 197, 222},
                                       {0.50, 247, 247, 247}, {0.75, 244, 165, 130},
                                       {1.00, 178, 24, 43}};

static void colormap(int diverging, double t, int *r, int *g, int *b) {
  const color_stop *s = diverging ? div_stops : seq_stops;
  t = fmin(1.0, fmax(0.0, t));
  size_t k = 0;
  while (k < 3 && t > s[k + 1].t) k++;
  double f = (t - s[k].t) / (s[k + 1].t - s[k].t);
  *r = (int)lround(s[k].r + f * (s[k + 1].r - s[k].r));
  *g = (int)lround(s[k].g + f * (s[k + 1].g - s[k].g));
  *b = (int)lround(s[k].b + f * (s[k + 1].b - s[k].b));
}

static void fill_rect(double x0, double y0, double x1, double y1) {
  double x[4] = {x0, x1, x1, x0}, y[4] = {y0, y0, y1, y1};
  plfill(4, x, y);
}

static ks_status draw_heatmap(ks_ctx *ctx, const ks_fig_spec *spec, const void *vargs) {
  (void)ctx;
  const heat_args *a = vargs;
  size_t n = a->n;
  double dn = (double)n;
  char buf[TEXT_CAP];
  plschr(0.0, CHR_BASE);
  double w = (double)spec->width_px, h = (double)spec->height_px;
  double lab_px = 0.0;
  for (size_t i = 0; i < n; i++) lab_px = fmax(lab_px, text_width_px(a->labels[i], CHR_BASE));
  lab_px = fmin(lab_px, 0.3 * fmin(w, h));
  int has_x = spec->x_label && spec->x_label[0], has_y = spec->y_label && spec->y_label[0];
  plvpas((lab_px + 24.0 + (has_y ? 30.0 : 0.0)) / w, 0.80, (lab_px + 24.0 + (has_x ? 30.0 : 0.0)) / h,
         0.90, 1.0);
  PLFLT vx0, vx1, vy0, vy1;
  plgvpd(&vx0, &vx1, &vy0, &vy1);
  plwind(0.0, dn, 0.0, dn);
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < n; j++) {
      double v = a->m[i * n + j];
      int r = 190, g = 190, b = 190;
      if (isfinite(v)) colormap(a->diverging, (v - a->vmin) / (a->vmax - a->vmin), &r, &g, &b);
      plscol0(KS__COL_SCRATCH, r, g, b);
      plcol0(KS__COL_SCRATCH);
      double y0 = dn - (double)i - 1.0;
      fill_rect((double)j, y0, (double)j + 1.0, y0 + 1.0);
      if (n <= 12 && isfinite(v)) {
        double lum = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255.0;
        if (lum < 0.5) plcol0(KS__COL_BG);
        else plcol0(KS__COL_FG);
        char val[32];
        snprintf(val, sizeof val, "%.2f", v);
        plschr(0.0, n <= 8 ? CHR_SMALL : 0.75);
        plptex((double)j + 0.5, y0 + 0.5, 1.0, 0.0, 0.5, val);
        plschr(0.0, CHR_BASE);
      }
    }
  }
  plcol0(KS__COL_FG);
  plwidth(1.2);
  plbox("bc", 0.0, 0, "bc", 0.0, 0);
  for (size_t i = 0; i < n; i++) {
    const char *lab = a->labels[i] ? a->labels[i] : "";
    double pos = ((double)i + 0.5) / dn;
    plmtex("lv", 0.7, 1.0 - pos, 1.0, ks__fig_text(buf, sizeof buf, lab));
    plmtex("bv", 0.7, pos, 1.0, ks__fig_text(buf, sizeof buf, lab));
  }
  /* Axis titles beyond the region names (one unit of mtex offset is about 18 px). */
  if (has_x) plmtex("b", (lab_px + 12.0) / 18.0 + 1.6, 0.5, 0.5, ks__fig_text(buf, sizeof buf, spec->x_label));
  if (has_y) plmtex("l", (lab_px + 12.0) / 18.0 + 1.2, 0.5, 0.5, ks__fig_text(buf, sizeof buf, spec->y_label));
  draw_title(spec);
  /* Colour bar to the right, as tall as the matrix. */
  plvpor(vx1 + 0.035, vx1 + 0.065, vy0, vy1);
  plwind(0.0, 1.0, a->vmin, a->vmax);
  enum { N_BAR = 96 };
  for (int k = 0; k < N_BAR; k++) {
    double t0 = (double)k / N_BAR, t1 = (double)(k + 1) / N_BAR;
    int r, g, b;
    colormap(a->diverging, 0.5 * (t0 + t1), &r, &g, &b);
    plscol0(KS__COL_SCRATCH, r, g, b);
    plcol0(KS__COL_SCRATCH);
    fill_rect(0.0, a->vmin + t0 * (a->vmax - a->vmin), 1.0, a->vmin + t1 * (a->vmax - a->vmin));
  }
  plcol0(KS__COL_FG);
  plbox("bc", 0.0, 0, "bcmstv", 0.0, 0);
  if (spec->z_label && spec->z_label[0])
    plmtex("r", 5.0, 0.5, 0.5, ks__fig_text(buf, sizeof buf, spec->z_label));
  return KS_OK;
}

static ks_status heatmap_any(ks_ctx *ctx, const char *path, char **svg, size_t *n_svg,
                             const ks_fig_spec *spec, const char *const *labels, size_t n,
                             const double *matrix, double vmin, double vmax, int diverging) {
  KS_CHECK_ARG(ctx, spec && labels && matrix && n > 0);
  if (n > 200) return ks_ctx_fail(ctx, KS_EINVAL, "heatmap: %zu rows (at most 200)", n);
  if (!(isfinite(vmin) && isfinite(vmax) && vmin < vmax)) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < n * n; k++)
      if (isfinite(matrix[k])) { lo = fmin(lo, matrix[k]); hi = fmax(hi, matrix[k]); }
    if (!isfinite(lo)) return ks_ctx_fail(ctx, KS_EINVAL, "heatmap: no finite value");
    if (diverging) {
      hi = fmax(fabs(lo), fabs(hi));
      lo = -hi;
    }
    if (!(lo < hi)) { lo -= 1.0; hi += 1.0; }
    vmin = lo;
    vmax = hi;
  }
  heat_args a = {labels, n, matrix, vmin, vmax, diverging};
  ks_fig_spec sp = *spec;
  if (sp.width_px <= 0) sp.width_px = 820;
  if (sp.height_px <= 0) sp.height_px = 760;
  return ks__fig_render(ctx, path, svg, n_svg, &sp, sp.width_px, sp.height_px, draw_heatmap, &a);
}

ks_status ks_fig_heatmap(ks_ctx *ctx, const char *path, const ks_fig_spec *spec,
                         const char *const *labels, size_t n, const double *matrix, double vmin,
                         double vmax, int diverging) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, path);
  return heatmap_any(ctx, path, NULL, NULL, spec, labels, n, matrix, vmin, vmax, diverging);
}

ks_status ks_fig_heatmap_svg(ks_ctx *ctx, char **svg, size_t *n_svg, const ks_fig_spec *spec,
                             const char *const *labels, size_t n, const double *matrix,
                             double vmin, double vmax, int diverging) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, svg);
  return heatmap_any(ctx, NULL, svg, n_svg, spec, labels, n, matrix, vmin, vmax, diverging);
}

/* ---------------------------------------------------------------------------------------------- */
/* Bars                                                                                            */

typedef struct {
  const char *const *labels;
  const double *v, *lo, *hi;
  size_t n;
} bars_args;

static ks_status draw_bars(ks_ctx *ctx, const ks_fig_spec *spec, const void *vargs) {
  (void)ctx;
  const bars_args *a = vargs;
  char buf[TEXT_CAP];
  double y0 = 0.0, y1 = 0.0;
  for (size_t i = 0; i < a->n; i++) {
    double vals[3] = {a->v[i], a->lo ? a->lo[i] : NAN, a->hi ? a->hi[i] : NAN};
    for (int k = 0; k < 3; k++)
      if (isfinite(vals[k])) { y0 = fmin(y0, vals[k]); y1 = fmax(y1, vals[k]); }
  }
  if (spec_fixed_y(spec)) { y0 = spec->y_min; y1 = spec->y_max; }
  else {
    double span = y1 - y0 > 0 ? y1 - y0 : 1.0;
    if (y1 > 0) y1 += 0.12 * span;
    if (y0 < 0) y0 -= 0.12 * span;
    if (y1 == y0) y1 = y0 + 1.0;
  }
  double dn = (double)a->n;
  plschr(0.0, CHR_BASE);
  plvpor(0.115, 0.965, 0.14, 0.90);
  plwind(0.0, dn, y0, y1);
  draw_axes(spec, 0, 1);
  draw_title(spec);
  for (size_t i = 0; i < a->n; i++) {
    double x = (double)i, v = a->v[i];
    int col0 = color_index(KS_FIG_COLOR_AUTO, i);
    if (isfinite(v)) {
      plcol0(col0);
      fill_rect(x + 0.2, 0.0, x + 0.8, v);
    }
    /* The value goes beyond the end of the bar (and of its interval), above or below. */
    int down = isfinite(v) && v < 0.0;
    double top = isfinite(v) ? v : 0.0;
    if (a->lo && isfinite(a->lo[i]) && isfinite(a->hi[i])) {
      double xm = x + 0.5;
      plcol0(KS__COL_FG);
      plwidth(1.8);
      plerry(1, &xm, &a->lo[i], &a->hi[i]);
      top = down ? fmin(top, a->lo[i]) : fmax(top, a->hi[i]);
      plwidth(1.0);
    }
    plcol0(KS__COL_FG);
    char val[32];
    if (isfinite(v)) snprintf(val, sizeof val, "%.3g", v);
    else snprintf(val, sizeof val, "n/a");
    plptex(x + 0.5, top + (down ? -0.05 : 0.05) * (y1 - y0), 1.0, 0.0, 0.5, val);
    plmtex("b", 1.5, (x + 0.5) / dn, 0.5, ks__fig_text(buf, sizeof buf, a->labels[i] ? a->labels[i] : ""));
  }
  if (y0 < 0.0) {
    plcol0(KS__COL_FG);
    pljoin(0.0, 0.0, dn, 0.0);
  }
  return KS_OK;
}

static ks_status bars_any(ks_ctx *ctx, const char *path, char **svg, size_t *n_svg,
                          const ks_fig_spec *spec, const char *const *labels,
                          const double *values, const double *lo, const double *hi, size_t n) {
  KS_CHECK_ARG(ctx, spec && labels && values && n > 0);
  if ((lo == NULL) != (hi == NULL))
    return ks_ctx_fail(ctx, KS_EINVAL, "bars: lo and hi go together");
  size_t n_finite = 0;
  for (size_t i = 0; i < n; i++) n_finite += (size_t)isfinite(values[i]);
  if (n_finite == 0) return ks_ctx_fail(ctx, KS_EINVAL, "bars: no finite value");
  bars_args a = {labels, values, lo, hi, n};
  return ks__fig_render(ctx, path, svg, n_svg, spec, spec_w(spec), spec_h(spec), draw_bars, &a);
}

ks_status ks_fig_bars(ks_ctx *ctx, const char *path, const ks_fig_spec *spec,
                      const char *const *labels, const double *values, const double *lo,
                      const double *hi, size_t n) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, path);
  return bars_any(ctx, path, NULL, NULL, spec, labels, values, lo, hi, n);
}

ks_status ks_fig_bars_svg(ks_ctx *ctx, char **svg, size_t *n_svg, const ks_fig_spec *spec,
                          const char *const *labels, const double *values, const double *lo,
                          const double *hi, size_t n) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, svg);
  return bars_any(ctx, NULL, svg, n_svg, spec, labels, values, lo, hi, n);
}

/* ---------------------------------------------------------------------------------------------- */
/* Steps (Kaplan-Meier)                                                                            */

typedef struct {
  const ks_fig_step_series *series;
  size_t n_series;
  double *scratch; /* 16 * max_n: expanded x, y, lo, hi (2 max_n each), band polygon (4 + 4) */
  size_t max_n;
} steps_args;

/* Expand (t, v) into the corner points of a right-continuous step function, the last value
 * carried on to t_end (the end of follow-up: the last censoring time, as Kaplan-Meier curves are
 * drawn). Writes at most 2n points. */
static size_t step_expand(size_t n, const double *t, const double *v, double t_end, double *sx,
                          double *sy) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (i > 0) { sx[m] = t[i]; sy[m++] = v[i - 1]; }
    sx[m] = t[i];
    sy[m++] = v[i];
  }
  if (n > 0 && t_end > t[n - 1]) { sx[m] = t_end; sy[m++] = v[n - 1]; }
  return m;
}

static double step_end(const ks_fig_step_series *se) {
  double t_end = se->n ? se->t[se->n - 1] : 0.0;
  for (size_t c = 0; c < se->n_censor; c++)
    if (isfinite(se->censor_t[c])) t_end = fmax(t_end, se->censor_t[c]);
  return t_end;
}

static ks_status draw_steps(ks_ctx *ctx, const ks_fig_spec *spec, const void *vargs) {
  (void)ctx;
  const steps_args *a = vargs;
  size_t mx = a->max_n;
  double *sx = a->scratch, *sy = sx + 2 * mx, *elo = sy + 2 * mx, *ehi = elo + 2 * mx;
  double *px = ehi + 2 * mx, *py = px + 4 * mx;
  range2 r = range_empty();
  for (size_t s = 0; s < a->n_series; s++) {
    const ks_fig_step_series *se = &a->series[s];
    for (size_t i = 0; i < se->n; i++) {
      range_add_x(&r, se->t[i]);
      range_add_y(&r, se->s[i]);
      if (se->lo) { range_add_y(&r, se->lo[i]); range_add_y(&r, se->hi[i]); }
    }
    for (size_t c = 0; c < se->n_censor; c++) range_add_x(&r, se->censor_t[c]);
  }
  if (spec_fixed_x(spec)) { r.x0 = spec->x_min; r.x1 = spec->x_max; }
  else { r.x0 = fmin(r.x0, 0.0); interval_finish(&r.x0, &r.x1, 0.02, 1); }
  if (spec_fixed_y(spec)) { r.y0 = spec->y_min; r.y1 = spec->y_max; }
  else if (r.y0 >= 0.0 && r.y1 <= 1.0) { r.y0 = 0.0; r.y1 = 1.04; } /* survival probabilities */
  else interval_finish(&r.y0, &r.y1, 0.06, 1);

  plschr(0.0, CHR_BASE);
  plvpor(0.115, 0.965, 0.12, 0.90);
  plwind(r.x0, r.x1, r.y0, r.y1);
  draw_axes(spec, 0, 0);
  draw_title(spec);
  legend lg = {0};
  for (size_t s = 0; s < a->n_series; s++) {
    const ks_fig_step_series *se = &a->series[s];
    int col0 = color_index(se->color, s);
    if (se->lo) {
      /* Step-shaped band: expand lo and hi, then fill between them. */
      size_t m = step_expand(se->n, se->t, se->lo, step_end(se), sx, elo);
      step_expand(se->n, se->t, se->hi, step_end(se), sx, ehi);
      set_band_color(col0);
      band_gaps(m, sx, elo, ehi, px, py);
    }
    size_t m = step_expand(se->n, se->t, se->s, step_end(se), sx, sy);
    plcol0(col0);
    plwidth(3.0);
    set_line_style(se->dashed ? 3 : 1);
    polyline_gaps(m, sx, sy);
    pllsty(1);
    /* Censor ticks: a short vertical stroke on the curve at each censoring time. */
    double h = 0.025 * (r.y1 - r.y0);
    plwidth(1.8);
    for (size_t c = 0; c < se->n_censor; c++) {
      double tc = se->censor_t[c];
      if (!isfinite(tc) || se->n == 0 || tc < se->t[0]) continue;
      size_t i = 0;
      while (i + 1 < se->n && se->t[i + 1] <= tc) i++;
      if (isfinite(se->s[i])) pljoin(tc, se->s[i] - h, tc, se->s[i] + h);
    }
    legend_add(&lg, se->label, col0, se->dashed ? 3 : 1, 0, 0);
  }
  plwidth(1.0);
  ks_fig_legend where = spec->legend == KS_FIG_LEGEND_AUTO ? KS_FIG_LEGEND_TOP_RIGHT : spec->legend;
  if (spec->legend == KS_FIG_LEGEND_AUTO) {
    const double *xs[MAX_LEGEND], *ys[MAX_LEGEND];
    size_t ns[MAX_LEGEND], k = 0;
    for (size_t s = 0; s < a->n_series && k < MAX_LEGEND; s++, k++) {
      xs[k] = a->series[s].t;
      ys[k] = a->series[s].s;
      ns[k] = a->series[s].n;
    }
    where = legend_corner(&r, k, xs, ys, ns);
  }
  legend_draw(&lg, where);
  return KS_OK;
}

static ks_status steps_any(ks_ctx *ctx, const char *path, char **svg, size_t *n_svg,
                           const ks_fig_spec *spec, const ks_fig_step_series *series,
                           size_t n_series) {
  KS_CHECK_ARG(ctx, spec && series && n_series > 0);
  size_t max_n = 1, n_finite = 0;
  for (size_t s = 0; s < n_series; s++) {
    const ks_fig_step_series *se = &series[s];
    if (!se->t || !se->s) return ks_ctx_fail(ctx, KS_EINVAL, "step series %zu: t and s are required", s);
    if ((se->lo == NULL) != (se->hi == NULL))
      return ks_ctx_fail(ctx, KS_EINVAL, "step series %zu: lo and hi go together", s);
    if (se->n_censor > 0 && !se->censor_t)
      return ks_ctx_fail(ctx, KS_EINVAL, "step series %zu: censor_t is NULL", s);
    KS_TRY(check_color(ctx, se->color, "step series", s));
    for (size_t i = 0; i < se->n; i++) {
      if (!isfinite(se->t[i]) || (i > 0 && se->t[i] < se->t[i - 1]))
        return ks_ctx_fail(ctx, KS_EINVAL, "step series %zu: t[%zu] is not finite and ascending",
                           s, i);
      n_finite += (size_t)isfinite(se->s[i]);
    }
    if (se->n > max_n) max_n = se->n;
  }
  if (n_finite == 0) return ks_ctx_fail(ctx, KS_EINVAL, "step figure: no finite data point");
  steps_args a = {series, n_series, NULL, max_n};
  a.scratch = ks_malloc(ctx, 16 * max_n * sizeof(double));
  if (!a.scratch) return KS_ENOMEM;
  ks_status st = ks__fig_render(ctx, path, svg, n_svg, spec, spec_w(spec), spec_h(spec),
                                draw_steps, &a);
  ks_free(ctx, a.scratch);
  return st;
}

ks_status ks_fig_steps(ks_ctx *ctx, const char *path, const ks_fig_spec *spec,
                       const ks_fig_step_series *series, size_t n_series) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, path);
  return steps_any(ctx, path, NULL, NULL, spec, series, n_series);
}

ks_status ks_fig_steps_svg(ks_ctx *ctx, char **svg, size_t *n_svg, const ks_fig_spec *spec,
                           const ks_fig_step_series *series, size_t n_series) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, svg);
  return steps_any(ctx, NULL, svg, n_svg, spec, series, n_series);
}

/* ---------------------------------------------------------------------------------------------- */
/* Forest                                                                                          */

typedef struct {
  const ks_fig_forest_row *rows;
  size_t n;
  ks_fig_forest_scale scale;
  double left_px, right_px;  /* widths of the label and number columns */
} forest_args;

static double forest_ref(const ks_fig_forest_row *r) {
  return isfinite(r->published) ? r->published : 0.5 * (r->lo + r->hi);
}

/* Tolerance units: the acceptance interval maps to [-1, 1], the reference value to 0. */
static double forest_d(const ks_fig_forest_row *r, double v) {
  double ref = forest_ref(r);
  if (!isfinite(v)) return NAN;
  if (v >= ref) return r->hi > ref ? (v - ref) / (r->hi - ref) : (v > ref ? INFINITY : 0.0);
  return ref > r->lo ? (v - ref) / (ref - r->lo) : -INFINITY;
}

static int forest_pass(const ks_fig_forest_row *r) {
  return isfinite(r->simulated) && r->lo <= r->simulated && r->simulated <= r->hi;
}

/* The number column of a row: "✓ 201 vs 185 [140, 230]". */
static void forest_numbers(const ks_fig_forest_row *r, char *buf, size_t cap) {
  const char *mark = forest_pass(r) ? "✓" : "✗";
  if (isfinite(r->published))
    snprintf(buf, cap, "%s %.3g vs %.3g [%.3g, %.3g]", mark, r->simulated, r->published, r->lo,
             r->hi);
  else
    snprintf(buf, cap, "%s %.3g vs range [%.3g, %.3g]", mark, r->simulated, r->lo, r->hi);
}

static ks_status draw_forest(ks_ctx *ctx, const ks_fig_spec *spec, const void *vargs) {
  (void)ctx;
  const forest_args *a = vargs;
  char buf[TEXT_CAP];
  int tol = a->scale == KS_FIG_FOREST_TOLERANCE;
  double x0 = INFINITY, x1 = -INFINITY;
  if (tol) {
    double m = 1.5;
    for (size_t i = 0; i < a->n; i++) {
      double d = forest_d(&a->rows[i], a->rows[i].simulated);
      if (isfinite(d)) m = fmax(m, 1.1 * fabs(d));
      else if (!isnan(d)) m = 6.0;
    }
    m = fmin(m, 6.0); /* far misses are drawn at the edge with an arrow */
    x0 = -m;
    x1 = m;
  } else {
    for (size_t i = 0; i < a->n; i++) {
      const ks_fig_forest_row *r = &a->rows[i];
      double v[4] = {r->lo, r->hi, r->published, r->simulated};
      for (int k = 0; k < 4; k++)
        if (isfinite(v[k])) { x0 = fmin(x0, v[k]); x1 = fmax(x1, v[k]); }
    }
    interval_finish(&x0, &x1, 0.08, 0);
  }
  if (spec_fixed_x(spec)) { x0 = spec->x_min; x1 = spec->x_max; }
  double w = (double)spec->width_px, h = (double)spec->height_px, dn = (double)a->n;
  /* PLplot's cairo drivers scale characters with the page height: keep the text at the size it has
   * on a 600-px page however many rows make the page taller. */
  double chr = h > 600.0 ? 600.0 / h : 1.0;
  plschr(0.0, chr * (CHR_SMALL));
  plvpor(a->left_px / w, 1.0 - a->right_px / w, 70.0 / h, 1.0 - 95.0 / h);
  plwind(x0, x1, 0.4, dn + 0.6);
  if (tol) {
    /* The acceptance band. */
    plscol0a(KS__COL_BAND, 0, 158, 115, 0.12);
    plcol0(KS__COL_BAND);
    fill_rect(-1.0, 0.4, 1.0, dn + 0.6);
  }
  plcol0(KS__COL_GRID);
  plbox("g", 0.0, 0, "", 0.0, 0);
  plcol0(KS__COL_FG);
  plbox("bcnst", 0.0, 0, "bc", 0.0, 0);
  if (tol) {
    plcol0(KS__COL_SERIES + 7);
    pllsty(3);
    pljoin(0.0, 0.4, 0.0, dn + 0.6);
    pllsty(1);
  }
  for (size_t i = 0; i < a->n; i++) {
    const ks_fig_forest_row *r = &a->rows[i];
    double y = dn - (double)i;
    double lo = tol ? -1.0 : r->lo, hi = tol ? 1.0 : r->hi;
    double pub = tol ? (isfinite(r->published) ? 0.0 : NAN) : r->published;
    double sim = tol ? forest_d(r, r->simulated) : r->simulated;
    int pass = forest_pass(r);
    plcol0(KS__COL_FG);
    plwidth(2.0);
    pljoin(fmax(lo, x0), y, fmin(hi, x1), y);
    double cap = 0.18;
    if (lo >= x0) pljoin(lo, y - cap, lo, y + cap);
    if (hi <= x1) pljoin(hi, y - cap, hi, y + cap);
    plwidth(1.0);
    plschr(0.0, chr * (1.3));
    if (isfinite(pub) && pub >= x0 && pub <= x1) plstring(1, &pub, &y, "◇");
    plcol0(KS__COL_SERIES + (pass ? 0 : 1));
    if (!isnan(sim)) {
      double xs = fmin(fmax(sim, x0), x1);
      plstring(1, &xs, &y, sim > x1 ? "▶" : sim < x0 ? "◀" : "●");
    }
    plschr(0.0, chr * (CHR_SMALL));
    plcol0(KS__COL_FG);
    double pos = (y - 0.4) / (dn + 0.2);
    plmtex("lv", 0.8, pos, 1.0, ks__fig_text(buf, sizeof buf, r->label ? r->label : ""));
    char num[160];
    forest_numbers(r, num, sizeof num);
    if (!pass) plcol0(KS__COL_SERIES + 1);
    plmtex("rv", 0.8, pos, 0.0, num);
  }
  plcol0(KS__COL_FG);
  plmtex("rv", 0.8, 1.0 + 25.0 / (h - 165.0), 0.0, "simulated vs published [accepted]");
  const char *xl = spec->x_label && spec->x_label[0]
                       ? spec->x_label
                       : (tol ? "deviation from the published value (accepted interval = [-1, 1])"
                              : "value");
  plmtex("b", 2.8, 0.5, 0.5, ks__fig_text(buf, sizeof buf, xl));
  if (spec->title && spec->title[0]) {
    plschr(0.0, chr * (CHR_TITLE));
    plmtex("t", 2.6, 0.5, 0.5, ks__fig_text(buf, sizeof buf, spec->title));
  }
  /* Key, in the colours it describes. */
  plschr(0.0, chr * (CHR_SMALL));
  static const char *const key[3] = {"◇ published", "● simulated, accepted",
                                     "● simulated, outside"};
  static const int key_col[3] = {KS__COL_FG, KS__COL_SERIES, KS__COL_SERIES + 1};
  double vp_w = w - a->left_px - a->right_px, x_px = 30.0;
  for (int k = 0; k < 3; k++) {
    plcol0(key_col[k]);
    plmtex("t", 1.0, (x_px - a->left_px) / vp_w, 0.0, key[k]);
    x_px += 1.25 * text_width_px(key[k], CHR_SMALL) + 30.0; /* the estimate runs short for ● and ◇ */
  }
  return KS_OK;
}

static ks_status forest_any(ks_ctx *ctx, const char *path, char **svg, size_t *n_svg,
                            const ks_fig_spec *spec, const ks_fig_forest_row *rows, size_t n,
                            ks_fig_forest_scale scale) {
  KS_CHECK_ARG(ctx, spec && rows && n > 0);
  KS_CHECK_ARG(ctx, scale == KS_FIG_FOREST_TOLERANCE || scale == KS_FIG_FOREST_RAW);
  if (n > 200) return ks_ctx_fail(ctx, KS_EINVAL, "forest plot: %zu rows (at most 200)", n);
  double left = 0.0, right = text_width_px("simulated vs published [accepted]", CHR_SMALL);
  for (size_t i = 0; i < n; i++) {
    if (!(isfinite(rows[i].lo) && isfinite(rows[i].hi) && rows[i].lo <= rows[i].hi))
      return ks_ctx_fail(ctx, KS_EINVAL, "forest row %zu (%s): the interval [%g, %g] is not finite "
                         "and ordered", i, rows[i].label ? rows[i].label : "", rows[i].lo, rows[i].hi);
    char num[160];
    forest_numbers(&rows[i], num, sizeof num);
    left = fmax(left, text_width_px(rows[i].label, CHR_SMALL));
    right = fmax(right, text_width_px(num, CHR_SMALL));
  }
  /* text_width_px underestimates DejaVu Sans by up to ~15%: leave that much room on each side. */
  forest_args a = {rows, n, scale, fmin(1.15 * left, 900.0) + 30.0, fmin(1.15 * right, 600.0) + 30.0};
  ks_fig_spec sp = *spec;
  if (sp.width_px <= 0) sp.width_px = (int)(a.left_px + a.right_px + 460.0);
  if (sp.height_px <= 0) sp.height_px = (int)(170 + 34 * (n < 4 ? 4 : n));
  if (sp.height_px > 8000) sp.height_px = 8000;
  if (a.left_px + a.right_px > 0.7 * sp.width_px) {
    double f = 0.7 * sp.width_px / (a.left_px + a.right_px);
    a.left_px *= f;
    a.right_px *= f;
  }
  return ks__fig_render(ctx, path, svg, n_svg, &sp, sp.width_px, sp.height_px, draw_forest, &a);
}

ks_status ks_fig_forest(ks_ctx *ctx, const char *path, const ks_fig_spec *spec,
                        const ks_fig_forest_row *rows, size_t n_rows, ks_fig_forest_scale scale) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, path);
  return forest_any(ctx, path, NULL, NULL, spec, rows, n_rows, scale);
}

ks_status ks_fig_forest_svg(ks_ctx *ctx, char **svg, size_t *n_svg, const ks_fig_spec *spec,
                            const ks_fig_forest_row *rows, size_t n_rows,
                            ks_fig_forest_scale scale) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, svg);
  return forest_any(ctx, NULL, svg, n_svg, spec, rows, n_rows, scale);
}
