/* SPDX-License-Identifier: MIT */
/* The HTML report: one self-contained file (inline CSS, figures inline as SVG, no scripts, no
 * network) built from blocks the caller adds, and written atomically. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

#include <ketasim/io.h>

/* ---------------------------------------------------------------------------------------------- */
/* A growing string that remembers an allocation failure (checked once at the end).                */

typedef struct {
  ks_ctx *ctx;
  char *p;
  size_t n, cap;
  int oom;
} sbuf;

static void sb_reserve(sbuf *b, size_t extra) {
  if (b->oom) return;
  if (b->n + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->n + extra + 1) cap *= 2;
  char *np = ks_realloc(b->ctx, b->p, cap);
  if (!np) { b->oom = 1; return; }
  b->p = np;
  b->cap = cap;
}

static void sb_putn(sbuf *b, const char *s, size_t n) {
  sb_reserve(b, n);
  if (b->oom) return;
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

static void sb_printf(sbuf *b, const char *fmt, ...) KS_PRINTF(2, 3);
static void sb_printf(sbuf *b, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (k < 0) return;
  if ((size_t)k < sizeof tmp) { sb_putn(b, tmp, (size_t)k); return; }
  sb_reserve(b, (size_t)k);
  if (b->oom) return;
  va_start(ap, fmt);
  vsnprintf(b->p + b->n, (size_t)k + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)k;
}

/* HTML-escape text (element content and attribute values alike). */
static void sb_esc(sbuf *b, const char *s) {
  if (!s) return;
  const char *run = s;
  for (; *s; s++) {
    const char *rep = NULL;
    switch (*s) {
      case '&': rep = "&amp;"; break;
      case '<': rep = "&lt;"; break;
      case '>': rep = "&gt;"; break;
      case '"': rep = "&quot;"; break;
      case '\'': rep = "&#39;"; break;
      default: break;
    }
    if (rep) {
      sb_putn(b, run, (size_t)(s - run));
      sb_puts(b, rep);
      run = s + 1;
    }
  }
  sb_putn(b, run, (size_t)(s - run));
}

/* Paragraphs: blank lines separate <p> elements. */
static void sb_paragraphs(sbuf *b, const char *text) {
  const char *s = text;
  while (*s) {
    while (*s == '\n' || *s == '\r') s++;
    if (!*s) break;
    const char *e = strstr(s, "\n\n");
    size_t len = e ? (size_t)(e - s) : strlen(s);
    char *chunk = ks_malloc(b->ctx, len + 1);
    if (!chunk) { b->oom = 1; return; }
    memcpy(chunk, s, len);
    chunk[len] = '\0';
    sb_puts(b, "<p>");
    sb_esc(b, chunk);
    sb_puts(b, "</p>\n");
    ks_free(b->ctx, chunk);
    s += len;
  }
}

/* ---------------------------------------------------------------------------------------------- */
/* The report object                                                                               */

typedef enum { BLK_SECTION, BLK_PARAGRAPH, BLK_TABLE, BLK_FIGURE } blk_kind;

typedef struct {
  blk_kind kind;
  char *text;   /* heading, paragraph, caption (may be NULL for tables) */
  char *body;   /* tables: the rendered <table>; figures: the processed <svg> */
  size_t number; /* section, table or figure number (1-based) */
} block;

struct ks_report {
  ks_ctx *ctx;
  char *title;
  char *scenario;
  char **caveats;
  size_t n_caveats, cap_caveats;
  block *blocks;
  size_t n_blocks, cap_blocks;
  size_t n_sections, n_tables, n_figures;
  char *version;
  uint64_t seed;
  int has_provenance;
  char *prov_key[8], *prov_value[8]; /* further provenance lines (ks_report_add_provenance) */
  size_t n_prov;
  char *resolved;
  char pdf_dir[4096];             /* "": no PDF twins of the figures */
};

ks_status ks_report_create(ks_ctx *ctx, const char *title, ks_report **out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, title && out);
  ks_report *r = ks_calloc(ctx, 1, sizeof *r);
  if (!r) return KS_ENOMEM;
  r->ctx = ctx;
  r->title = ks_strdup(ctx, title);
  if (!r->title) { ks_free(ctx, r); return KS_ENOMEM; }
  *out = r;
  return KS_OK;
}

void ks_report_destroy(ks_report **rep) {
  if (!rep || !*rep) return;
  ks_report *r = *rep;
  ks_ctx *ctx = r->ctx;
  for (size_t i = 0; i < r->n_blocks; i++) {
    ks_free(ctx, r->blocks[i].text);
    ks_free(ctx, r->blocks[i].body);
  }
  for (size_t i = 0; i < r->n_caveats; i++) ks_free(ctx, r->caveats[i]);
  ks_free(ctx, r->caveats);
  ks_free(ctx, r->blocks);
  ks_free(ctx, r->title);
  ks_free(ctx, r->scenario);
  ks_free(ctx, r->version);
  for (size_t i = 0; i < r->n_prov; i++) {
    ks_free(ctx, r->prov_key[i]);
    ks_free(ctx, r->prov_value[i]);
  }
  ks_free(ctx, r->resolved);
  ks_free(ctx, r);
  *rep = NULL;
}

static ks_status replace_str(ks_ctx *ctx, char **dst, const char *src) {
  char *c = NULL;
  if (src && !(c = ks_strdup(ctx, src))) return KS_ENOMEM;
  ks_free(ctx, *dst);
  *dst = c;
  return KS_OK;
}

ks_status ks_report_set_scenario_text(ks_report *rep, const char *text) {
  if (!rep) return KS_EINVAL;
  KS_CHECK_ARG(rep->ctx, text);
  return replace_str(rep->ctx, &rep->scenario, text);
}

ks_status ks_report_add_caveat(ks_report *rep, const char *text) {
  if (!rep) return KS_EINVAL;
  KS_CHECK_ARG(rep->ctx, text && text[0]);
  if (rep->n_caveats == rep->cap_caveats) {
    size_t cap = rep->cap_caveats ? 2 * rep->cap_caveats : 4;
    char **np = ks_realloc(rep->ctx, rep->caveats, cap * sizeof *np);
    if (!np) return KS_ENOMEM;
    rep->caveats = np;
    rep->cap_caveats = cap;
  }
  char *c = ks_strdup(rep->ctx, text);
  if (!c) return KS_ENOMEM;
  rep->caveats[rep->n_caveats++] = c;
  return KS_OK;
}

/* Append a block, taking ownership of text and body (freed here on failure). */
static ks_status add_block(ks_report *rep, blk_kind kind, char *text, char *body, size_t number) {
  if (rep->n_blocks == rep->cap_blocks) {
    size_t cap = rep->cap_blocks ? 2 * rep->cap_blocks : 16;
    block *nb = ks_realloc(rep->ctx, rep->blocks, cap * sizeof *nb);
    if (!nb) {
      ks_free(rep->ctx, text);
      ks_free(rep->ctx, body);
      return KS_ENOMEM;
    }
    rep->blocks = nb;
    rep->cap_blocks = cap;
  }
  rep->blocks[rep->n_blocks++] = (block){kind, text, body, number};
  return KS_OK;
}

static ks_status dup_opt(ks_ctx *ctx, const char *s, char **out) {
  *out = NULL;
  if (s && !(*out = ks_strdup(ctx, s))) return KS_ENOMEM;
  return KS_OK;
}

ks_status ks_report_add_section(ks_report *rep, const char *heading) {
  if (!rep) return KS_EINVAL;
  KS_CHECK_ARG(rep->ctx, heading && heading[0]);
  char *t;
  KS_TRY(dup_opt(rep->ctx, heading, &t));
  KS_TRY(add_block(rep, BLK_SECTION, t, NULL, rep->n_sections + 1));
  rep->n_sections++;
  return KS_OK;
}

ks_status ks_report_add_paragraph(ks_report *rep, const char *text) {
  if (!rep) return KS_EINVAL;
  KS_CHECK_ARG(rep->ctx, text);
  char *t;
  KS_TRY(dup_opt(rep->ctx, text, &t));
  return add_block(rep, BLK_PARAGRAPH, t, NULL, 0);
}

/* A cell "reads as a number" when it starts with one and the rest is punctuation of intervals and
 * units of proportion: "12.5", "-3.1 [-5.0, -1.2]", "42%", "0.031". */
static int looks_numeric(const char *s) {
  if (!s) return 0;
  while (*s == ' ') s++;
  char *end = NULL;
  (void)strtod(s, &end);
  if (end == s) return 0;
  for (const char *p = end; *p; p++)
    if (!strchr(" %[](),;+-.0123456789eE", *p)) return 0;
  return 1;
}

ks_status ks_report_add_table(ks_report *rep, const char *caption, const char *const *header,
                              size_t n_cols, const char *const *cells, size_t n_rows) {
  if (!rep) return KS_EINVAL;
  KS_CHECK_ARG(rep->ctx, header && n_cols > 0);
  KS_CHECK_ARG(rep->ctx, cells || n_rows == 0);
  size_t number = rep->n_tables + 1;
  sbuf b = {rep->ctx, NULL, 0, 0, 0};
  sb_printf(&b, "<table id=\"table-%zu\">\n", number);
  sb_printf(&b, "<caption><span class=\"num\">Table %zu.</span> ", number);
  sb_esc(&b, caption ? caption : "");
  sb_puts(&b, "</caption>\n<thead><tr>");
  for (size_t c = 0; c < n_cols; c++) {
    sb_puts(&b, "<th scope=\"col\">");
    sb_esc(&b, header[c] ? header[c] : "");
    sb_puts(&b, "</th>");
  }
  sb_puts(&b, "</tr></thead>\n<tbody>\n");
  for (size_t r = 0; r < n_rows; r++) {
    sb_puts(&b, "<tr>");
    for (size_t c = 0; c < n_cols; c++) {
      const char *cell = cells[r * n_cols + c];
      sb_puts(&b, looks_numeric(cell) ? "<td class=\"n\">" : "<td>");
      sb_esc(&b, cell ? cell : "");
      sb_puts(&b, "</td>");
    }
    sb_puts(&b, "</tr>\n");
  }
  sb_puts(&b, "</tbody>\n</table>\n");
  char *cap = NULL;
  if (b.oom || dup_opt(rep->ctx, caption, &cap) != KS_OK) {
    ks_free(rep->ctx, b.p);
    return ks_ctx_fail(rep->ctx, KS_ENOMEM, "report: out of memory adding a table");
  }
  KS_TRY(add_block(rep, BLK_TABLE, cap, b.p, number));
  rep->n_tables++;
  return KS_OK;
}

/* Make an SVG document inlinable: drop everything before "<svg" (XML prolog, DOCTYPE), tag the
 * root element, and prefix every id and every reference to one (href="#x", url(#x)) with
 * "f<number>-", because cairo names its glyphs and clip paths glyph0-1, clip1, ... in every file
 * and one HTML document must not hold two elements with the same id. */
static ks_status svg_inline(ks_report *rep, const char *svg, size_t n, size_t number,
                            const char *caption, char **out) {
  const char *end = svg + n;
  const char *s = NULL;
  for (const char *p = svg; p + 4 <= end; p++)
    if (memcmp(p, "<svg", 4) == 0 && (p + 4 == end || p[4] == ' ' || p[4] == '\n' || p[4] == '>')) {
      s = p;
      break;
    }
  if (!s) return ks_ctx_fail(rep->ctx, KS_EINVAL, "report figure %zu: not an SVG document", number);
  const char *close = NULL;
  for (const char *p = end; p - 6 >= s; p--)
    if (memcmp(p - 6, "</svg>", 6) == 0) { close = p; break; }
  if (!close) return ks_ctx_fail(rep->ctx, KS_EINVAL, "report figure %zu: SVG has no </svg>", number);
  char prefix[32];
  int plen = snprintf(prefix, sizeof prefix, "f%zu-", number);
  sbuf b = {rep->ctx, NULL, 0, 0, 0};
  sb_reserve(&b, (size_t)(close - s) + 256);
  /* Root tag: keep its attributes, add ours. */
  sb_puts(&b, "<svg class=\"ks-fig\" role=\"img\" aria-label=\"");
  sb_esc(&b, caption ? caption : "figure");
  sb_puts(&b, "\"");
  const char *p = s + 4;
  static const struct { const char *pat; size_t len; } refs[] = {
      {"id=\"", 4}, {"href=\"#", 7}, {"url(#", 5}};
  const char *run = p;
  while (p < close) {
    int hit = -1;
    for (int k = 0; k < 3; k++)
      if ((size_t)(close - p) >= refs[k].len && memcmp(p, refs[k].pat, refs[k].len) == 0 &&
          (k != 0 || p == s + 4 || p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\t')) {
        hit = k;
        break;
      }
    if (hit < 0) { p++; continue; }
    p += refs[hit].len;
    sb_putn(&b, run, (size_t)(p - run));
    sb_putn(&b, prefix, (size_t)plen);
    run = p;
  }
  sb_putn(&b, run, (size_t)(close - run));
  sb_puts(&b, "\n");
  if (b.oom) {
    ks_free(rep->ctx, b.p);
    return ks_ctx_fail(rep->ctx, KS_ENOMEM, "report: out of memory adding a figure");
  }
  *out = b.p;
  return KS_OK;
}

ks_status ks_report_add_svg(ks_report *rep, const char *caption, const char *svg, size_t n_svg) {
  if (!rep) return KS_EINVAL;
  KS_CHECK_ARG(rep->ctx, svg);
  size_t number = rep->n_figures + 1;
  char *body = NULL, *cap = NULL;
  KS_TRY(svg_inline(rep, svg, n_svg, number, caption, &body));
  if (dup_opt(rep->ctx, caption, &cap) != KS_OK) {
    ks_free(rep->ctx, body);
    return KS_ENOMEM;
  }
  KS_TRY(add_block(rep, BLK_FIGURE, cap, body, number));
  rep->n_figures++;
  return KS_OK;
}

ks_status ks_report_set_provenance(ks_report *rep, const char *version, uint64_t seed,
                                   const char *resolved_scenario) {
  if (!rep) return KS_EINVAL;
  KS_TRY(replace_str(rep->ctx, &rep->version, version ? version : ks_version()));
  KS_TRY(replace_str(rep->ctx, &rep->resolved, resolved_scenario));
  rep->seed = seed;
  rep->has_provenance = 1;
  return KS_OK;
}

ks_status ks_report_add_provenance(ks_report *rep, const char *key, const char *value) {
  if (!rep || !key || !value) return KS_EINVAL;
  if (rep->n_prov >= sizeof rep->prov_key / sizeof *rep->prov_key)
    return ks_ctx_fail(rep->ctx, KS_ERANGE, "report: at most 8 further provenance lines");
  char *k = ks_strdup(rep->ctx, key), *v = ks_strdup(rep->ctx, value);
  if (!k || !v) {
    ks_free(rep->ctx, k);
    ks_free(rep->ctx, v);
    return KS_ENOMEM;
  }
  rep->prov_key[rep->n_prov] = k;
  rep->prov_value[rep->n_prov++] = v;
  return KS_OK;
}

size_t ks_report_n_figures(const ks_report *rep) { return rep ? rep->n_figures : 0; }

void ks_report_set_pdf_dir(ks_report *rep, const char *pdf_dir) {
  if (rep) snprintf(rep->pdf_dir, sizeof rep->pdf_dir, "%s", pdf_dir ? pdf_dir : "");
}

const char *ks_report_next_pdf_path(const ks_report *rep, char *buf, size_t n) {
  if (!rep || !rep->pdf_dir[0] || !buf || n == 0) return NULL;
  snprintf(buf, n, "%s/figure-%02zu.pdf", rep->pdf_dir, rep->n_figures + 1);
  return buf;
}
size_t ks_report_n_tables(const ks_report *rep) { return rep ? rep->n_tables : 0; }

/* ---------------------------------------------------------------------------------------------- */
/* Rendering                                                                                       */

static const char *const report_css =
    ":root{--fg:#1e1e1e;--muted:#5a5a5a;--line:#d9d9d9;--accent:#0072b2;--warn:#d55e00;}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#fff;color:var(--fg);font:16px/1.55 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'DejaVu Sans',Arial,sans-serif}\n"
    "main{max-width:1040px;margin:0 auto;padding:28px 28px 60px}\n"
    "header{border-bottom:3px solid var(--accent);margin-bottom:18px}\n"
    "header h1{margin:0 0 4px;font-size:1.9em;line-height:1.2}\n"
    "header p{margin:0 0 12px;color:var(--muted)}\n"
    "h2{margin:36px 0 10px;font-size:1.35em;border-bottom:1px solid var(--line);padding-bottom:4px}\n"
    "section.isnot{background:#fff6ef;border-left:5px solid var(--warn);padding:4px 18px 8px;"
    "margin:18px 0}\n"
    "section.isnot h2{border:0;margin-top:12px}\n"
    "nav.toc{background:#f5f7fa;border:1px solid var(--line);padding:6px 18px;margin:18px 0}\n"
    "nav.toc h2{border:0;margin:8px 0 4px;font-size:1.05em}\n"
    "nav.toc ol{margin:4px 0 8px;padding-left:22px}\n"
    "a{color:var(--accent)}\n"
    "table{border-collapse:collapse;margin:14px 0 22px;font-size:.95em;min-width:50%}\n"
    "caption{caption-side:top;text-align:left;font-weight:600;padding-bottom:6px}\n"
    "th,td{border-bottom:1px solid var(--line);padding:5px 12px;text-align:left;"
    "vertical-align:top}\n"
    "thead th{border-bottom:2px solid var(--fg);background:#fafafa}\n"
    "tbody tr:nth-child(even){background:#f8f9fb}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "figure{margin:18px 0 28px;padding:10px;border:1px solid var(--line);border-radius:4px}\n"
    "figure svg.ks-fig{display:block;width:100%;height:auto;max-width:960px;margin:0 auto}\n"
    "figcaption{color:var(--muted);font-size:.95em;margin-top:6px}\n"
    ".num{font-weight:700;color:var(--fg)}\n"
    "pre{background:#f5f7fa;border:1px solid var(--line);padding:12px;overflow:auto;"
    "font-size:.85em;line-height:1.4}\n"
    "dl.prov{display:grid;grid-template-columns:max-content auto;gap:4px 16px}\n"
    "dl.prov dt{font-weight:600}\n"
    "dl.prov dd{margin:0}\n"
    "footer{margin-top:40px;color:var(--muted);font-size:.85em;border-top:1px solid var(--line);"
    "padding-top:8px}\n"
    "@media print{figure{break-inside:avoid}nav.toc{display:none}}\n";

static const char *const standard_caveats[] = {
    "A research simulator. ketasim is a mechanistic model that follows one causal chain, from a "
    "ketamine dose through plasma concentrations, NMDA-receptor block, synaptic plasticity, "
    "circuit activity and fear-memory extinction to symptom scales, and runs virtual trials of "
    "that chain. Its results show what the model's assumptions imply.",
    "Not medical advice. Nothing here is a recommendation for any person, dose, drug or "
    "treatment, and the simulator is not a clinical decision tool.",
    "Not evidence of efficacy or safety. Virtual patients are not patients: the model is "
    "calibrated on some published studies and checked against others, and it is not a "
    "substitute for a clinical trial.",
    "What the model leaves out: abuse liability, long-term cognitive, urological and "
    "cardiovascular effects beyond the acute blood-pressure rise, interactions with drugs other "
    "than those modelled, comorbid substance use, the therapeutic relationship, and the brain "
    "regions and cell types outside its reduced network.",
    "Intervals in the figures and tables reflect between-patient variability and sampling in "
    "the virtual trial, not uncertainty in the structure of the model.",
};

ks_status ks_report_render(ks_report *rep, char **html, size_t *n_html) {
  if (!rep) return KS_EINVAL;
  KS_CHECK_ARG(rep->ctx, html);
  sbuf b = {rep->ctx, NULL, 0, 0, 0};
  sb_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
              "<meta name=\"generator\" content=\"ketasim ");
  sb_esc(&b, ks_version());
  sb_puts(&b, "\">\n<title>");
  sb_esc(&b, rep->title);
  sb_puts(&b, "</title>\n<style>\n");
  sb_puts(&b, report_css);
  sb_puts(&b, "</style>\n</head>\n<body>\n<main>\n<header>\n<h1>");
  sb_esc(&b, rep->title);
  sb_puts(&b, "</h1>\n<p>Report of a ketasim simulation: a research model, not medical "
              "advice.</p>\n</header>\n");

  /* What this is and what it is not. */
  sb_puts(&b, "<section class=\"isnot\" id=\"what-this-is\">\n"
              "<h2>What this is and what it is not</h2>\n<ul>\n");
  for (size_t i = 0; i < KS_ARRAY_LEN(standard_caveats); i++) {
    sb_puts(&b, "<li>");
    sb_esc(&b, standard_caveats[i]);
    sb_puts(&b, "</li>\n");
  }
  for (size_t i = 0; i < rep->n_caveats; i++) {
    sb_puts(&b, "<li>");
    sb_esc(&b, rep->caveats[i]);
    sb_puts(&b, "</li>\n");
  }
  sb_puts(&b, "</ul>\n</section>\n");

  /* Scenario in words. */
  sb_puts(&b, "<section id=\"scenario\">\n<h2>Scenario</h2>\n");
  if (rep->scenario && rep->scenario[0]) sb_paragraphs(&b, rep->scenario);
  else sb_puts(&b, "<p>(No description of the scenario was given.)</p>\n");
  sb_puts(&b, "</section>\n");

  /* Contents: the caller's sections, then every figure and table. */
  sb_puts(&b, "<nav class=\"toc\" aria-label=\"contents\">\n<h2>Contents</h2>\n<ol>\n");
  for (size_t i = 0; i < rep->n_blocks; i++) {
    const block *k = &rep->blocks[i];
    if (k->kind == BLK_SECTION) {
      sb_printf(&b, "<li><a href=\"#sec-%zu\">", k->number);
      sb_esc(&b, k->text);
      sb_puts(&b, "</a></li>\n");
    }
  }
  if (rep->has_provenance) sb_puts(&b, "<li><a href=\"#provenance\">Provenance</a></li>\n");
  sb_puts(&b, "</ol>\n");
  if (rep->n_figures) {
    sb_puts(&b, "<h2>Figures</h2>\n<ol>\n");
    for (size_t i = 0; i < rep->n_blocks; i++) {
      const block *k = &rep->blocks[i];
      if (k->kind != BLK_FIGURE) continue;
      sb_printf(&b, "<li><a href=\"#fig-%zu\">", k->number);
      sb_esc(&b, k->text && k->text[0] ? k->text : "figure");
      sb_puts(&b, "</a></li>\n");
    }
    sb_puts(&b, "</ol>\n");
  }
  sb_puts(&b, "</nav>\n");

  /* The caller's blocks. */
  int open = 0;
  for (size_t i = 0; i < rep->n_blocks; i++) {
    const block *k = &rep->blocks[i];
    switch (k->kind) {
      case BLK_SECTION:
        if (open) sb_puts(&b, "</section>\n");
        sb_printf(&b, "<section id=\"sec-%zu\">\n<h2>", k->number);
        sb_esc(&b, k->text);
        sb_puts(&b, "</h2>\n");
        open = 1;
        break;
      case BLK_PARAGRAPH: sb_paragraphs(&b, k->text); break;
      case BLK_TABLE: sb_puts(&b, k->body); break;
      case BLK_FIGURE:
        sb_printf(&b, "<figure id=\"fig-%zu\">\n", k->number);
        sb_puts(&b, k->body);
        sb_printf(&b, "<figcaption><span class=\"num\">Figure %zu.</span> ", k->number);
        sb_esc(&b, k->text ? k->text : "");
        sb_puts(&b, "</figcaption>\n</figure>\n");
        break;
    }
  }
  if (open) sb_puts(&b, "</section>\n");

  /* Provenance. */
  if (rep->has_provenance) {
    sb_puts(&b, "<section id=\"provenance\">\n<h2>Provenance</h2>\n<dl class=\"prov\">\n"
                "<dt>ketasim version</dt><dd>");
    sb_esc(&b, rep->version);
    sb_printf(&b, "</dd>\n<dt>seed</dt><dd>%llu</dd>\n", (unsigned long long)rep->seed);
    for (size_t i = 0; i < rep->n_prov; i++) {
      sb_puts(&b, "<dt>");
      sb_esc(&b, rep->prov_key[i]);
      sb_puts(&b, "</dt><dd>");
      sb_esc(&b, rep->prov_value[i]);
      sb_puts(&b, "</dd>\n");
    }
    sb_puts(&b, "</dl>\n");
    sb_puts(&b, "<p>The same version, scenario and seed give the same results, whatever the "
                "number of threads or processes.</p>\n");
    if (rep->resolved) {
      sb_puts(&b, "<h3>Resolved scenario</h3>\n<pre class=\"scenario\">");
      sb_esc(&b, rep->resolved);
      sb_puts(&b, "</pre>\n");
    }
    sb_puts(&b, "</section>\n");
  }
  sb_puts(&b, "<footer>Generated by ketasim ");
  sb_esc(&b, ks_version());
  sb_puts(&b, ". A research simulator; not medical advice.</footer>\n</main>\n</body>\n</html>\n");
  if (b.oom) {
    ks_free(rep->ctx, b.p);
    return ks_ctx_fail(rep->ctx, KS_ENOMEM, "report: out of memory rendering the HTML");
  }
  *html = b.p;
  if (n_html) *n_html = b.n;
  return KS_OK;
}

ks_status ks_report_write(ks_report *rep, const char *path) {
  if (!rep) return KS_EINVAL;
  KS_CHECK_ARG(rep->ctx, path && path[0]);
  char *html = NULL;
  size_t n = 0;
  KS_TRY(ks_report_render(rep, &html, &n));
  ks_status st = ks_write_file_atomic(rep->ctx, path, html, n);
  ks_free(rep->ctx, html);
  return st;
}
