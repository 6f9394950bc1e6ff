/* SPDX-License-Identifier: MIT */
/* The PLplot session behind every figure: one fresh stream per figure, the cairo device chosen by
 * the file's extension, a white page and the palette, rendering into a temporary file.
 *
 * PLplot keeps process-wide state: the table of streams and the current stream, and the exit and
 * abort handlers. It is not thread-safe, and plexit() (its reaction to a fatal error) calls exit().
 * So this file holds the module's only global mutable state, all of it under one mutex:
 *   - fig_mutex serialises every use of PLplot from this library;
 *   - while a figure is drawn, an exit handler longjmp()s back here instead of letting PLplot end
 *     the process, and an abort handler records PLplot's non-fatal complaints (it would otherwise
 *     print them on stderr); the handlers are removed before the mutex is released.
 * The drawing code also validates every input before it reaches PLplot, so the exit path is a
 * safety net, not the normal way to report errors. */
#include <ctype.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <plplot/plplot.h>

#include "report_internal.h"

static pthread_mutex_t fig_mutex = PTHREAD_MUTEX_INITIALIZER;
static jmp_buf fig_jmp;             /* guarded by fig_mutex */
static int fig_jmp_armed;           /* guarded by fig_mutex */
static char fig_abort_msg[256];     /* guarded by fig_mutex: PLplot's first complaint */
static char fig_errmsg[1024];       /* guarded by fig_mutex: PLplot's own copy (plsError) */
static PLINT fig_errcode;           /* guarded by fig_mutex */

static int fig_exit_handler(const char *msg) {
  if (!fig_abort_msg[0]) snprintf(fig_abort_msg, sizeof fig_abort_msg, "%s", msg ? msg : "");
  if (fig_jmp_armed) {
    fig_jmp_armed = 0;
    longjmp(fig_jmp, 1);
  }
  return 1; /* Not reached while a figure is drawn. */
}

static void fig_abort_handler(const char *msg) {
  if (!fig_abort_msg[0]) snprintf(fig_abort_msg, sizeof fig_abort_msg, "%s", msg ? msg : "");
}

/* Okabe & Ito (2008), "Color universal design": distinguishable under the common colour-vision
 * deficiencies. Yellow is left out (it vanishes on white); grey is added for secondary marks. */
static const unsigned char fig_palette[KS_FIG_N_COLORS][3] = {
  {0, 114, 178},   /* 1 blue */
  {213, 94, 0},    /* 2 vermillion */
  {0, 158, 115},   /* 3 bluish green */
  {204, 121, 167}, /* 4 reddish purple */
  {230, 159, 0},   /* 5 orange */
  {86, 180, 233},  /* 6 sky blue */
  {0, 0, 0},       /* 7 black */
  {128, 128, 128}, /* 8 grey */
};

void ks__fig_palette_rgb(int c, int *r, int *g, int *b) {
  if (c < 1 || c > KS_FIG_N_COLORS) c = 1;
  *r = fig_palette[c - 1][0];
  *g = fig_palette[c - 1][1];
  *b = fig_palette[c - 1][2];
}

const char *ks__fig_text(char *buf, size_t cap, const char *text) {
  size_t j = 0;
  if (cap == 0) return "";
  if (text) {
    for (size_t i = 0; text[i] && j + 2 < cap; i++) {
      if (text[i] == '#') buf[j++] = '#';
      buf[j++] = text[i];
    }
  }
  buf[j] = '\0';
  return buf;
}

ks_status ks__fig_format_of(ks_ctx *ctx, const char *path, ks__fig_format *fmt) {
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  char ext[8] = {0};
  if (dot && (!slash || dot > slash) && strlen(dot) < sizeof ext) {
    for (size_t i = 0; dot[i]; i++) ext[i] = (char)tolower((unsigned char)dot[i]);
  }
  if (strcmp(ext, ".png") == 0) { *fmt = KS__FIG_PNG; return KS_OK; }
  if (strcmp(ext, ".svg") == 0) { *fmt = KS__FIG_SVG; return KS_OK; }
  if (strcmp(ext, ".pdf") == 0) { *fmt = KS__FIG_PDF; return KS_OK; }
  return ks_ctx_fail(ctx, KS_EINVAL, "figure %s: unknown format (expected a .png, .svg or .pdf name)",
                     path);
}

static void fig_set_palette(void) {
  plscmap0n(KS__N_COL0);
  plscol0(KS__COL_BG, 255, 255, 255);
  plscol0(KS__COL_FG, 30, 30, 30);
  plscol0(KS__COL_GRID, 225, 225, 225);
  for (int c = 1; c <= KS_FIG_N_COLORS; c++) {
    int r, g, b;
    ks__fig_palette_rgb(c, &r, &g, &b);
    plscol0(KS__COL_SERIES + c - 1, r, g, b);
  }
  plscol0(KS__COL_BAND, 0, 114, 178);
  plscol0(KS__COL_SCRATCH, 0, 0, 0);
}

/* Everything PLplot-related for one figure, with the mutex held. Split out so that the variables
 * live across setjmp() in one small frame. */
static ks_status fig_draw_locked(ks_ctx *ctx, const char *file, ks__fig_format fmt,
                                 const ks_fig_spec *spec, int width_px, int height_px,
                                 ks__fig_draw_fn draw, const void *args) {
  volatile ks_status st = KS_OK;
  PLINT prev = 0, strm = -1;
  plgstrm(&prev);
  plmkstrm(&strm);
  if (strm < 0) return ks_ctx_fail(ctx, KS_EIO, "PLplot: cannot create a new plot stream");
  fig_abort_msg[0] = '\0';
  fig_errmsg[0] = '\0';
  fig_errcode = 0;
  /* With an error buffer set on the stream, plabort() writes there instead of to stderr. */
  plsError(&fig_errcode, fig_errmsg);
  plsexit(fig_exit_handler);
  plsabort(fig_abort_handler);
  fig_jmp_armed = 1;
  if (setjmp(fig_jmp) == 0) {
    plsdev(fmt == KS__FIG_PNG ? "pngcairo" : fmt == KS__FIG_PDF ? "pdfcairo" : "svgcairo");
    plsfnam(file);
    plspage(0.0, 0.0, width_px, height_px, 0, 0);
    fig_set_palette();
    plinit();
    pladv(0);
    plfont(1);
    st = draw(ctx, spec, args);
    plend1();
    fig_jmp_armed = 0;
  } else {
    /* PLplot wanted to exit: the stream is in an unknown state; try once to release it. */
    st = ks_ctx_fail(ctx, KS_EIO, "PLplot failed: %s", fig_abort_msg);
    fig_jmp_armed = 1;
    if (setjmp(fig_jmp) == 0) plend1();
    fig_jmp_armed = 0;
  }
  plsexit(NULL);
  plsabort(NULL);
  if (st == KS_OK && (fig_abort_msg[0] || fig_errcode != 0))
    st = ks_ctx_fail(ctx, KS_EIO, "PLplot refused the figure: %s",
                     fig_abort_msg[0] ? fig_abort_msg : fig_errmsg);
  plsstrm(prev);
  return st;
}

/* cairo numbers its SVG surfaces ("surface37") with a process-wide counter, so the same figure
 * drawn twice gets different ids. Rewrite them as surface1, surface2, ... in order of first
 * appearance (ids and references alike) into a new buffer, so the bytes depend only on the input. */
static ks_status svg_renumber_surfaces(ks_ctx *ctx, char **buf, size_t *n) {
  enum { MAX_MAP = 256 };
  unsigned long old_id[MAX_MAP];
  size_t n_map = 0, n_hits = 0;
  const char *s = *buf;
  for (const char *p = strstr(s, "surface"); p; p = strstr(p + 7, "surface")) n_hits++;
  size_t cap = *n + 24 * n_hits + 1;
  char *out = ks_malloc(ctx, cap);
  if (!out) return KS_ENOMEM;
  size_t m = 0;
  const char *run = s;
  for (const char *p = strstr(s, "surface"); p; p = strstr(p + 7, "surface")) {
    const char *d = p + 7, *e = d;
    while (*e >= '0' && *e <= '9') e++;
    if (e == d || e - d > 9 || p == s || (p[-1] != '"' && p[-1] != '#')) continue;
    unsigned long v = strtoul(d, NULL, 10);
    size_t k = 0;
    while (k < n_map && old_id[k] != v) k++;
    if (k == n_map) {
      if (n_map == MAX_MAP) continue;
      old_id[n_map++] = v;
    }
    memcpy(out + m, run, (size_t)(d - run));
    m += (size_t)(d - run);
    m += (size_t)snprintf(out + m, cap - m, "%zu", k + 1);
    run = e;
  }
  size_t tail = strlen(run);
  memcpy(out + m, run, tail + 1);
  m += tail;
  ks_free(ctx, *buf);
  *buf = out;
  *n = m;
  return KS_OK;
}

ks_status ks__fig_render(ks_ctx *ctx, const char *path, char **svg_out, size_t *n_svg,
                         const ks_fig_spec *spec, int width_px, int height_px,
                         ks__fig_draw_fn draw, const void *args) {
  if (svg_out && spec && spec->pdf_path) {
    /* The PDF twin of an in-memory SVG: the same drawing, rendered once more to a file. */
    ks_fig_spec once = *spec;
    once.pdf_path = NULL;
    KS_TRY(ks__fig_render(ctx, spec->pdf_path, NULL, NULL, &once, width_px, height_px, draw, args));
    return ks__fig_render(ctx, NULL, svg_out, n_svg, &once, width_px, height_px, draw, args);
  }
  ks__fig_format fmt = KS__FIG_SVG;
  if (!svg_out) KS_TRY(ks__fig_format_of(ctx, path, &fmt));
  if (width_px < 200 || width_px > 8000 || height_px < 150 || height_px > 8000)
    return ks_ctx_fail(ctx, KS_EINVAL, "figure size %d x %d px outside [200, 8000] x [150, 8000]",
                       width_px, height_px);
  ks__tmpfile tmp = {0};
  KS_TRY(ks__tmp_create(ctx, svg_out ? NULL : path, svg_out ? ".svg" : NULL, &tmp));
  /* PLplot treats "%n" in a file name as a family-member number; refuse such a directory. */
  if (strstr(tmp.name, "%n")) {
    ks__tmp_discard(ctx, &tmp);
    return ks_ctx_fail(ctx, KS_EINVAL, "figure %s: the path may not contain \"%%n\"",
                       path ? path : tmp.name);
  }
  pthread_mutex_lock(&fig_mutex);
  ks_status st = fig_draw_locked(ctx, tmp.name, fmt, spec, width_px, height_px, draw, args);
  pthread_mutex_unlock(&fig_mutex);
  if (st != KS_OK) {
    ks__tmp_discard(ctx, &tmp);
    return st;
  }
  if (fmt != KS__FIG_SVG) return ks__tmp_commit(ctx, &tmp, path);
  char *buf = NULL;
  size_t n = 0;
  st = ks__file_read(ctx, tmp.name, &buf, &n);
  if (st == KS_OK && !strstr(buf, "<svg"))
    st = ks_ctx_fail(ctx, KS_EIO, "PLplot's SVG output has no <svg> element");
  if (st == KS_OK) st = svg_renumber_surfaces(ctx, &buf, &n);
  if (st == KS_OK && !svg_out) {
    /* Rewrite the file with the normalised text, then rename it into place. */
    FILE *f = fopen(tmp.name, "wb");
    int bad = !f || fwrite(buf, 1, n, f) != n;
    if (f) bad |= fclose(f) != 0;
    if (bad) st = ks_ctx_fail(ctx, KS_EIO, "cannot write %s", tmp.name);
    ks_free(ctx, buf);
    if (st == KS_OK) return ks__tmp_commit(ctx, &tmp, path);
    ks__tmp_discard(ctx, &tmp);
    return st;
  }
  ks__tmp_discard(ctx, &tmp);
  if (st != KS_OK) {
    ks_free(ctx, buf);
    return st;
  }
  *svg_out = buf;
  if (n_svg) *n_svg = n;
  return KS_OK;
}
