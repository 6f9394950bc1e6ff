/* SPDX-License-Identifier: MIT */
/* Figures (PLplot, cairo driver) on plain arrays and a self-contained HTML report.
 *
 * The figure functions know nothing about the simulation: they take titles, labels and arrays of
 * doubles and write one PNG or SVG file (chosen by the extension of `path`: ".png" or ".svg"),
 * white background, labelled axes, legend. Each has an "_svg" twin that returns the SVG text in a
 * buffer instead, for inlining in the HTML report.
 *
 * Files are written completely or not at all: every figure and the report are rendered into a
 * temporary file next to the destination and renamed onto it when complete.
 *
 * Thread-safety: PLplot keeps its state in process-wide globals (the current stream, the exit and
 * abort handlers), so figure rendering is serialised by one process-wide mutex inside this module;
 * the figure functions may be called from several threads, but only one figure is drawn at a time.
 * A ks_report object is used by one thread at a time. Neither writes anything to stdout/stderr.
 *
 * Non-finite values in figure data are gaps (a line or band is broken there); they never reach a
 * file. A figure with no finite point at all fails with KS_EINVAL. */
#ifndef KETASIM_REPORT_H
#define KETASIM_REPORT_H

#include <ketasim/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------- */
/* Figures                                                                                         */

/** Where the legend goes. KS_FIG_LEGEND_AUTO picks the inside corner that covers the fewest data
 *  points; KS_FIG_LEGEND_NONE draws none. */
typedef enum {
  KS_FIG_LEGEND_AUTO = 0,
  KS_FIG_LEGEND_TOP_RIGHT,
  KS_FIG_LEGEND_TOP_LEFT,
  KS_FIG_LEGEND_BOTTOM_RIGHT,
  KS_FIG_LEGEND_BOTTOM_LEFT,
  KS_FIG_LEGEND_NONE
} ks_fig_legend;

/** What every figure shares. Zero-initialise and fill what you need:
 *  `ks_fig_spec spec = {.title = "Plasma ketamine", .x_label = "time (h)",
 *                       .y_label = "concentration (ng/mL)"};`
 *  Labels should carry units in parentheses. Text is UTF-8 and literal (PLplot's '#' escapes are
 *  neutralised). */
typedef struct ks_fig_spec {
  const char *title;     /* NULL or "": no title */
  const char *x_label;
  const char *y_label;
  const char *z_label;   /* heatmap colour bar label, e.g. "FC (Pearson r)" */
  int width_px;          /* 0: 960 (PNG pixels; SVG points) */
  int height_px;         /* 0: 600 (forest plots: grows with the number of rows) */
  double x_min, x_max;   /* fixed x range when x_min < x_max, otherwise from the data */
  double y_min, y_max;   /* fixed y range when y_min < y_max, otherwise from the data */
  int log_y;             /* non-zero: log10 y axis (values <= 0 become gaps) */
  ks_fig_legend legend;
  const char *pdf_path;  /* the *_svg functions: also write the figure as PDF to this path */
} ks_fig_spec;

/** Colour index into the built-in colour-blind-safe palette (Okabe & Ito 2008):
 *  0 automatic (the series' position), 1 blue, 2 vermillion, 3 bluish green, 4 reddish purple,
 *  5 orange, 6 sky blue, 7 black, 8 grey. */
enum { KS_FIG_COLOR_AUTO = 0, KS_FIG_N_COLORS = 8 };

/** One curve for ks_fig_lines. x, y hold n points (x need not be sorted; it is drawn in order).
 *  lo and hi (both or neither) give an interval per point: a shaded band, or error bars when
 *  `error_bars` is set (e.g. CAPS-5 visits with 95% CIs). Arrays are borrowed. */
typedef struct ks_fig_series {
  const char *label;     /* legend text; NULL or "": not in the legend */
  const double *x, *y;
  size_t n;
  const double *lo, *hi; /* optional interval, same length n */
  int color;             /* KS_FIG_COLOR_AUTO or 1..KS_FIG_N_COLORS */
  int dashed;            /* non-zero: dashed line */
  int points;            /* non-zero: a marker at every point */
  int error_bars;        /* non-zero: draw lo/hi as error bars instead of a band */
  int no_line;           /* non-zero (with points): markers only, a scatter plot */
} ks_fig_series;

/** Vertical marker lines for ks_fig_lines (infusion days, therapy sessions, visits). Markers with
 *  the same label share one legend entry. */
typedef enum { KS_FIG_MARK_SOLID = 0, KS_FIG_MARK_DASHED = 1, KS_FIG_MARK_DOTTED = 2 } ks_fig_mark_style;
typedef struct ks_fig_marker {
  double x;
  const char *label;     /* legend text, e.g. "ketamine infusion" */
  ks_fig_mark_style style;
  int color;             /* KS_FIG_COLOR_AUTO: grey */
} ks_fig_marker;

/** Line plot: PK curves with percentile bands, cascade time courses, W(t) with infusion and
 *  therapy days marked, CAPS-5 trajectories with intervals, power curves.
 *  @param path     destination, ".png", ".svg" or ".pdf" (case-insensitive)
 *  @param series   n_series curves (at least one with a finite point)
 *  @param markers  n_markers vertical lines, may be NULL when n_markers == 0
 *  @return KS_OK; KS_EINVAL (NULL arguments, unknown extension, no finite data, lo without hi,
 *          bad colour); KS_EIO (cannot create or rename the file, or PLplot refused);
 *          KS_ENOMEM. The destination is untouched on failure. */
KS_INTERNAL_API ks_status ks_fig_lines(ks_ctx *ctx, const char *path, const ks_fig_spec *spec,
                              const ks_fig_series *series, size_t n_series,
                              const ks_fig_marker *markers, size_t n_markers);

/** Heatmap of a square n x n matrix (row-major; row i, column j is matrix[i * n + j]); labels[i]
 *  names row and column i (e.g. regions). Colours span [vmin, vmax] (values outside are clamped);
 *  when !(vmin < vmax) the range comes from the data (symmetric about 0 when diverging).
 *  diverging != 0: blue-white-red map centred on 0 (differences, signed FC); otherwise a
 *  sequential map. Cells show their value when n <= 12. Non-finite cells are drawn grey.
 *  @return as ks_fig_lines. */
KS_INTERNAL_API ks_status ks_fig_heatmap(ks_ctx *ctx, const char *path, const ks_fig_spec *spec,
                                const char *const *labels, size_t n, const double *matrix,
                                double vmin, double vmax, int diverging);

/** Bar chart: one bar per label (e.g. response rate per arm) with optional intervals lo/hi
 *  (both or neither). Values are written above the bars.
 *  @return as ks_fig_lines. */
KS_INTERNAL_API ks_status ks_fig_bars(ks_ctx *ctx, const char *path, const ks_fig_spec *spec,
                             const char *const *labels, const double *values, const double *lo,
                             const double *hi, size_t n);

/** One step curve for ks_fig_steps (Kaplan-Meier). s[i] holds on [t[i], t[i+1]) and the last
 *  value is drawn to t[n-1]; t ascending. Censoring times get a vertical tick on the curve. */
typedef struct ks_fig_step_series {
  const char *label;
  const double *t, *s;
  size_t n;
  const double *lo, *hi;    /* optional pointwise interval, drawn as a step-shaped band */
  const double *censor_t;   /* optional censoring times */
  size_t n_censor;
  int color;
  int dashed;
} ks_fig_step_series;

/** Step plot (Kaplan-Meier curves of time to loss of response, with censor ticks).
 *  @return as ks_fig_lines, plus KS_EINVAL when some t is not ascending. */
KS_INTERNAL_API ks_status ks_fig_steps(ks_ctx *ctx, const char *path, const ks_fig_spec *spec,
                              const ks_fig_step_series *series, size_t n_series);

/** One row of a forest plot: a published value with its acceptance interval and the simulated
 *  value. published may be NAN when only an interval is published. */
typedef struct ks_fig_forest_row {
  const char *label;
  double published;
  double lo, hi;
  double simulated;
} ks_fig_forest_row;

/** How rows with different units share one axis. TOLERANCE (the default): each row is rescaled so
 *  that its acceptance interval spans [-1, 1] with the published value (or the interval's middle)
 *  at 0: d = (v - ref) / (hi - ref) above ref, (v - ref) / (ref - lo) below. RAW: the values as
 *  given, for rows that share a unit. */
typedef enum { KS_FIG_FOREST_TOLERANCE = 0, KS_FIG_FOREST_RAW = 1 } ks_fig_forest_scale;

/** Forest plot of validation targets: per row the interval as a bar, the published value as an
 *  open diamond and the simulated value as a dot (blue inside the interval, vermillion outside),
 *  with the numbers written on the right.
 *  @return as ks_fig_lines, plus KS_EINVAL when some row has !(lo <= hi) or a non-finite
 *          interval. */
KS_INTERNAL_API ks_status ks_fig_forest(ks_ctx *ctx, const char *path, const ks_fig_spec *spec,
                               const ks_fig_forest_row *rows, size_t n_rows,
                               ks_fig_forest_scale scale);

/** In-memory SVG twins of the figure functions: the figure is rendered to a temporary file (in
 *  $TMPDIR or /tmp), read back, and the file removed. On success *svg is a NUL-terminated buffer
 *  allocated through the context (free it with ks_free(ctx, *svg)) and *n_svg its length in bytes
 *  (without the NUL; n_svg may be NULL). *svg is written only on success. */
KS_INTERNAL_API ks_status ks_fig_lines_svg(ks_ctx *ctx, char **svg, size_t *n_svg, const ks_fig_spec *spec,
                                  const ks_fig_series *series, size_t n_series,
                                  const ks_fig_marker *markers, size_t n_markers);
KS_INTERNAL_API ks_status ks_fig_heatmap_svg(ks_ctx *ctx, char **svg, size_t *n_svg,
                                    const ks_fig_spec *spec, const char *const *labels, size_t n,
                                    const double *matrix, double vmin, double vmax, int diverging);
KS_INTERNAL_API ks_status ks_fig_bars_svg(ks_ctx *ctx, char **svg, size_t *n_svg, const ks_fig_spec *spec,
                                 const char *const *labels, const double *values,
                                 const double *lo, const double *hi, size_t n);
KS_INTERNAL_API ks_status ks_fig_steps_svg(ks_ctx *ctx, char **svg, size_t *n_svg, const ks_fig_spec *spec,
                                  const ks_fig_step_series *series, size_t n_series);
KS_INTERNAL_API ks_status ks_fig_forest_svg(ks_ctx *ctx, char **svg, size_t *n_svg,
                                   const ks_fig_spec *spec, const ks_fig_forest_row *rows,
                                   size_t n_rows, ks_fig_forest_scale scale);

/* ---------------------------------------------------------------------------------------------- */
/* HTML report                                                                                     */

/** A self-contained HTML report under construction (one file, inline CSS and SVG, no scripts, no
 *  network). Its fixed parts, in order: title; "What this is and what it is not"; "Scenario" (the
 *  caller's paragraph in words); a contents list; the caller's sections, paragraphs, tables and
 *  figures in the order added; "Provenance" (version, seed, resolved scenario in a <pre>).
 *  All caller text is HTML-escaped. Output is deterministic: the same calls give the same bytes
 *  (no timestamps). */
typedef struct ks_report ks_report;

/** Create an empty report. The context is borrowed and must outlive the report.
 *  @return KS_OK, KS_EINVAL (NULL ctx, title or out), KS_ENOMEM. */
KS_INTERNAL_API ks_status ks_report_create(ks_ctx *ctx, const char *title, ks_report **out);
/** Free the report and set *rep to NULL; does nothing when *rep is NULL. */
KS_INTERNAL_API void ks_report_destroy(ks_report **rep);

/** The scenario in words: one paragraph (blank lines start a new paragraph). Replaces any earlier
 *  text. @return KS_OK, KS_EINVAL, KS_ENOMEM. */
KS_INTERNAL_API ks_status ks_report_set_scenario_text(ks_report *rep, const char *text);
/** An extra item for the "what this is and what it is not" list (the standard items are always
 *  there: research simulator, not medical advice, not a substitute for a trial, what the model
 *  leaves out). */
KS_INTERNAL_API ks_status ks_report_add_caveat(ks_report *rep, const char *text);
/** Start a new section with a heading (it appears in the contents list). */
KS_INTERNAL_API ks_status ks_report_add_section(ks_report *rep, const char *heading);
/** A paragraph of text in the current section. */
KS_INTERNAL_API ks_status ks_report_add_paragraph(ks_report *rep, const char *text);
/** A table: header[0..n_cols) and cells row-major, cells[r * n_cols + c] for r < n_rows (NULL
 *  cells print empty). Cells that read as numbers are right-aligned. caption may be NULL.
 *  @return KS_OK, KS_EINVAL (n_cols == 0, NULL header), KS_ENOMEM. */
KS_INTERNAL_API ks_status ks_report_add_table(ks_report *rep, const char *caption,
                                     const char *const *header, size_t n_cols,
                                     const char *const *cells, size_t n_rows);
/** A figure inlined as SVG (copied; e.g. from ks_fig_lines_svg), with a caption under it. The
 *  XML prolog is dropped and the SVG's internal ids are made unique within the report, so several
 *  cairo SVGs can share one page. @return KS_OK, KS_EINVAL (not an SVG document), KS_ENOMEM. */
KS_INTERNAL_API ks_status ks_report_add_svg(ks_report *rep, const char *caption, const char *svg,
                                   size_t n_svg);
/** Provenance: ketasim version (NULL: ks_version()), seed, and the resolved scenario text shown
 *  verbatim in a <pre> (may be NULL). */
KS_INTERNAL_API ks_status ks_report_set_provenance(ks_report *rep, const char *version, uint64_t seed,
                                          const char *resolved_scenario);
/** A further provenance line (key: value), after version and seed: revision, date, command line.
 *  At most 8. @return KS_OK, KS_EINVAL, KS_ERANGE, KS_ENOMEM. */
KS_INTERNAL_API ks_status ks_report_add_provenance(ks_report *rep, const char *key, const char *value);
/** Number of figures and tables added so far (for tests and summaries). */
KS_INTERNAL_API size_t ks_report_n_figures(const ks_report *rep);
KS_INTERNAL_API size_t ks_report_n_tables(const ks_report *rep);

/** Render the report to a NUL-terminated buffer allocated through the context (free with
 *  ks_free). @return KS_OK, KS_EINVAL, KS_ENOMEM. */
KS_INTERNAL_API ks_status ks_report_render(ks_report *rep, char **html, size_t *n_html);
/** Write the report to path: rendered into a temporary file in the same directory, flushed, and
 *  renamed onto path when complete, so a reader never sees a partial file.
 *  @return KS_OK, KS_EINVAL, KS_ENOMEM, KS_EIO (directory missing or not writable, disk full). */
KS_INTERNAL_API ks_status ks_report_write(ks_report *rep, const char *path);


/* ---------------------------------------------------------------------------------------------- */
/* The report of a trial run (src/report/trial_report.c). */
struct ks_trial_result;
/** Write DIR/report.html for a trial result: scenario in words, primary result, per-arm table,
 *  response rates, symptom and mechanism trajectories, provenance. Atomic like every output.
 *  @return KS_OK, KS_EIO, KS_ENOMEM. */
KS_INTERNAL_API ks_status ks_report_trial_html(ks_ctx *ctx, const struct ks_trial_result *r, const char *dir);
/** The same, with the command line that ran the trial in the provenance (NULL: none). */
KS_INTERNAL_API ks_status ks_report_trial_html_cmd(ks_ctx *ctx, const struct ks_trial_result *r, const char *dir,
                                          const char *command_line);
/** The same, and every figure of the report also as PDF_DIR/figure-NN.pdf (NN: its number in the
 *  report; PLplot's pdfcairo driver). PDF_DIR must exist; NULL: no PDFs. */
KS_INTERNAL_API ks_status ks_report_trial_html_pdf(ks_ctx *ctx, const struct ks_trial_result *r,
                                          const char *dir, const char *command_line,
                                          const char *pdf_dir);
/** Figures of REP also as PDF files in PDF_DIR (NULL or "": none). The report's own figures are
 *  inline SVG; a caller rendering figure N sets ks_fig_spec.pdf_path from
 *  ks_report_next_pdf_path(), which writes "PDF_DIR/figure-NN.pdf" (NN = the number the next
 *  added figure gets) into buf and returns it, or returns NULL when no PDF directory is set. */
KS_INTERNAL_API void ks_report_set_pdf_dir(ks_report *rep, const char *pdf_dir);
KS_INTERNAL_API const char *ks_report_next_pdf_path(const ks_report *rep, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
