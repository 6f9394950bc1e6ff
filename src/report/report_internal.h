/* SPDX-License-Identifier: MIT */
/* What the files of the report module share: temporary files, atomic rename, the PLplot session. */
#ifndef KS_REPORT_INTERNAL_H
#define KS_REPORT_INTERNAL_H

#include <stdio.h>
#include <ketasim/report.h>
#include "core/core_internal.h"

/* A temporary file created next to `path` (same directory, so rename() is atomic).
 * The name is "<dir>/.<base>.tmp-XXXXXX"; the file exists, empty, with mode 0644. */
typedef struct ks__tmpfile {
  char *name;   /* allocated through the context */
} ks__tmpfile;

/* Create the temporary file beside `path`, or in $TMPDIR (or /tmp) when path is NULL. */
ks_status ks__tmp_create(ks_ctx *ctx, const char *path, const char *suffix, ks__tmpfile *tmp);
/* Rename the temporary file onto path (fsync first); the temporary name is freed either way. */
ks_status ks__tmp_commit(ks_ctx *ctx, ks__tmpfile *tmp, const char *path);
/* Remove the temporary file (if any) and free its name. */
void ks__tmp_discard(ks_ctx *ctx, ks__tmpfile *tmp);
/* Read a whole file into a NUL-terminated buffer allocated through the context. */
ks_status ks__file_read(ks_ctx *ctx, const char *name, char **buf, size_t *n);

/* Output formats of the cairo driver. */
typedef enum { KS__FIG_PNG = 0, KS__FIG_SVG = 1, KS__FIG_PDF = 2 } ks__fig_format;
/* Format from the extension of path (".png" or ".svg", case-insensitive). */
ks_status ks__fig_format_of(ks_ctx *ctx, const char *path, ks__fig_format *fmt);

/* A drawing callback: called with a fresh PLplot stream already initialised (device, page size,
 * white background, palette) and the module's mutex held. Returns KS_OK or a failure recorded in
 * the context. */
typedef ks_status (*ks__fig_draw_fn)(ks_ctx *ctx, const ks_fig_spec *spec, const void *args);

/* Render a figure: to `path` (atomically) when svg_out is NULL; otherwise to an in-memory SVG. */
ks_status ks__fig_render(ks_ctx *ctx, const char *path, char **svg_out, size_t *n_svg,
                         const ks_fig_spec *spec, int width_px, int height_px,
                         ks__fig_draw_fn draw, const void *args);

/* Palette: cmap0 indices used by the drawing code. */
enum {
  KS__COL_BG = 0,      /* white */
  KS__COL_FG = 1,      /* near-black text and axes */
  KS__COL_GRID = 2,    /* light grey grid */
  KS__COL_SERIES = 3,  /* 3 .. 3 + KS_FIG_N_COLORS - 1: the Okabe-Ito colours */
  KS__COL_BAND = 3 + KS_FIG_N_COLORS, /* scratch index for translucent band fills */
  KS__COL_SCRATCH = 4 + KS_FIG_N_COLORS,
  KS__N_COL0 = 5 + KS_FIG_N_COLORS
};
/* RGB of palette colour c (1..KS_FIG_N_COLORS). */
void ks__fig_palette_rgb(int c, int *r, int *g, int *b);

/* Copy text into buf (size cap) with PLplot's escape character '#' doubled, so it prints as is. */
const char *ks__fig_text(char *buf, size_t cap, const char *text);

/* Trial-report figures beyond visit means (trial_figs.c). */
struct ks_trial_result;
/* Kaplan-Meier curves of time to loss of response (or relapse) per group, when the scenario has a
 * durability endpoint; nothing otherwise. */
ks_status ks__report_trial_km(ks_ctx *ctx, ks_report *rep, const struct ks_trial_result *r);
/* For a typical patient of each group (re-simulated with ks_trial_patient_trace): W(t) with
 * dosing and therapy days marked, and FC heatmaps at the first and last scan with the difference. */
ks_status ks__report_trial_typical(ks_ctx *ctx, ks_report *rep, const struct ks_trial_result *r);

/* Participant flow (trial_chain.c): randomised, allocated, completed, dropped out, per group. */
ks_status ks__report_trial_flow(ks_ctx *ctx, ks_report *rep, const struct ks_trial_result *r);
/* Secondary analyses, exposure, safety and per-patient trajectories (trial_chain.c). MEANS draws
 * per-group visit means of a measure (trial_report.c's figure helper). */
typedef ks_status (*ks__report_means_fn)(ks_ctx *ctx, ks_report *rep, const struct ks_trial_result *r, int measure,
                                         int change, const char *title, const char *ylab, const char *caption);
ks_status ks__report_trial_chain(ks_ctx *ctx, ks_report *rep, const struct ks_trial_result *r, ks__report_means_fn means);

#endif
