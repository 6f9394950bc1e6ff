/* SPDX-License-Identifier: MIT */
/* YAML text -> a small tree with exact line:column positions, from libfyaml's event stream.
 *
 * The event API is used rather than fy_document because libfyaml 0.7 gives no public position
 * for mapping and sequence nodes; events carry a mark for every node, so an error can point at
 * the exact node it is about. libfyaml is used only in this file (DESIGN.md: one module per
 * third-party library). */
#include "scenario_internal.h"

#include <libfyaml.h>
#include <stdio.h>
#include <string.h>

/* ---- arena ---------------------------------------------------------------------------------- */

typedef struct ychunk {
  struct ychunk *next;
  size_t used, cap;
  max_align_t data[];
} ychunk;

void *ks__yarena_alloc(yarena *a, size_t n) {
  n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
  if (!a->head || a->head->cap - a->head->used < n) {
    size_t cap = n > 65536 ? n : 65536;
    ychunk *c = ks_malloc(a->ctx, sizeof(ychunk) + cap);
    if (!c) return NULL;
    c->next = a->head;
    c->used = 0;
    c->cap = cap;
    a->head = c;
  }
  void *p = (char *)a->head->data + a->head->used;
  a->head->used += n;
  memset(p, 0, n);
  return p;
}

void ks__yarena_free(yarena *a) {
  while (a->head) {
    ychunk *next = a->head->next;
    ks_free(a->ctx, a->head);
    a->head = next;
  }
}

/* ---- text checks ---------------------------------------------------------------------------- */

/* Refuse what is not UTF-8 text before the YAML parser sees it: a NUL byte, an invalid UTF-8
 * sequence or a control character other than tab, line feed and carriage return. Columns count
 * characters, as libfyaml's do. */
static ks_status check_text(ks_ctx *ctx, const char *file, const char *text, size_t len) {
  const unsigned char *s = (const unsigned char *)text;
  int line = 1, col = 1;
  size_t i = 0;
  if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) i = 3; /* byte-order mark */
  while (i < len) {
    unsigned c = s[i];
    size_t n = 1;
    if (c == 0)
      return ks_ctx_fail_input(ctx, file, line, col,
                               "a NUL byte: this is not a text file (expected a YAML scenario in UTF-8 text)");
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        return ks_ctx_fail_input(ctx, file, line, col,
                                 "control character 0x%02X: this is not a text file (expected a YAML "
                                 "scenario in UTF-8 text)", c);
      if (c == 0x7F)
        return ks_ctx_fail_input(ctx, file, line, col,
                                 "control character 0x7F: this is not a text file (expected a YAML "
                                 "scenario in UTF-8 text)");
    } else {
      unsigned min;
      unsigned cp;
      if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F, min = 0x80;
      else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F, min = 0x800;
      else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07, min = 0x10000;
      else n = 0, cp = 0, min = 0;
      int ok = n > 0 && i + n <= len;
      for (size_t k = 1; ok && k < n; k++) {
        if ((s[i + k] & 0xC0) != 0x80) ok = 0;
        else cp = (cp << 6) | (s[i + k] & 0x3F);
      }
      if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = 0;
      if (!ok)
        return ks_ctx_fail_input(ctx, file, line, col,
                                 "invalid UTF-8 byte 0x%02X: this is not a text file (expected a YAML "
                                 "scenario in UTF-8 text)", c);
    }
    if (c == '\n') line++, col = 1;
    else col++;
    i += n;
  }
  return KS_OK;
}

/* ---- tree building -------------------------------------------------------------------------- */

typedef struct anchor {
  char *name;
  ynode *node;
  struct anchor *next;
} anchor;

typedef struct builder {
  ks_ctx *ctx;
  yarena *a;
  const char *file;
  ynode **stack;
  size_t depth, stack_cap;
  anchor *anchors;
  ynode *root;
  int second_doc;   /* an implicit second document began: libfyaml gives its start no mark */
} builder;

static ks_status oom(ks_ctx *ctx) { return ks_ctx_fail(ctx, KS_ENOMEM, "out of memory while reading a scenario"); }

static char *arena_strndup(yarena *a, const char *s, size_t n) {
  char *p = ks__yarena_alloc(a, n + 1);
  if (!p) return NULL;
  if (n) memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

/* Append CHILD to the open container on top of the stack (or make it the root). */
static ks_status attach(builder *b, ynode *child) {
  if (b->depth == 0) {
    b->root = child;
    return KS_OK;
  }
  ynode *parent = b->stack[b->depth - 1];
  if (parent->n == parent->cap) {
    size_t cap = parent->cap ? parent->cap * 2 : 8;
    ynode **items = ks__yarena_alloc(b->a, cap * sizeof *items);
    if (!items) return oom(b->ctx);
    if (parent->n) memcpy(items, parent->items, parent->n * sizeof *items);
    parent->items = items;
    parent->cap = cap;
  }
  parent->items[parent->n++] = child;
  return KS_OK;
}

static ks_status remember_anchor(builder *b, struct fy_token *tok, ynode *node) {
  if (!tok) return KS_OK;
  size_t n = 0;
  const char *t = fy_token_get_text(tok, &n);
  anchor *an = ks__yarena_alloc(b->a, sizeof *an);
  if (!an || !(an->name = arena_strndup(b->a, t ? t : "", t ? n : 0))) return oom(b->ctx);
  an->node = node;
  an->next = b->anchors;
  b->anchors = an;
  return KS_OK;
}

static ynode *new_node(builder *b, yn_kind kind, struct fy_event *ev) {
  ynode *y = ks__yarena_alloc(b->a, sizeof *y);
  if (!y) return NULL;
  y->kind = kind;
  const struct fy_mark *m = fy_event_start_mark(ev);
  y->line = m ? m->line + 1 : 1;
  y->col = m ? m->column + 1 : 1;
  return y;
}

static ks_status push(builder *b, ynode *y) {
  if (b->depth == b->stack_cap) {
    size_t cap = b->stack_cap ? b->stack_cap * 2 : 16;
    ynode **s = ks_realloc(b->ctx, b->stack, cap * sizeof *s);
    if (!s) return oom(b->ctx);
    b->stack = s;
    b->stack_cap = cap;
  }
  b->stack[b->depth++] = y;
  return KS_OK;
}

static ks_status second_document(builder *b, const struct fy_mark *m) {
  return ks_ctx_fail_input(b->ctx, b->file, m->line + 1, m->column + 1,
                           "a second YAML document (expected one scenario per file)");
}

static ks_status on_event(builder *b, struct fy_event *ev, int *n_docs) {
  ynode *y = NULL;
  /* The error of an implicit second document points at its first event that has a position. */
  if (b->second_doc && fy_event_start_mark(ev)) return second_document(b, fy_event_start_mark(ev));
  switch (ev->type) {
    case FYET_DOCUMENT_START:
      if (++*n_docs > 1) {
        const struct fy_mark *m = fy_event_start_mark(ev);
        if (m) return second_document(b, m);
        b->second_doc = 1;
      }
      return KS_OK;
    case FYET_SCALAR: {
      if (!(y = new_node(b, YN_SCALAR, ev))) return oom(b->ctx);
      size_t n = 0;
      const char *t = fy_token_get_text(ev->scalar.value, &n);
      if (!t) t = "", n = 0;
      enum fy_scalar_style style = fy_token_scalar_style(ev->scalar.value);
      y->quoted = style != FYSS_PLAIN;
      /* libfyaml marks a quoted scalar at its first character inside the quotes; point at the quote. */
      if ((style == FYSS_SINGLE_QUOTED || style == FYSS_DOUBLE_QUOTED) && y->col > 1) y->col--;
      if (memchr(t, '\0', n))
        return ks_ctx_fail_input(b->ctx, b->file, y->line, y->col,
                                 "a NUL character inside a string (expected text)");
      if (!(y->text = arena_strndup(b->a, t, n))) return oom(b->ctx);
      y->len = n;
      KS_TRY(remember_anchor(b, ev->scalar.anchor, y));
      return attach(b, y);
    }
    case FYET_ALIAS: {
      size_t n = 0;
      const char *t = fy_token_get_text(ev->alias.anchor, &n);
      for (anchor *an = b->anchors; an; an = an->next)
        if (t && strlen(an->name) == n && memcmp(an->name, t, n) == 0) return attach(b, an->node);
      const struct fy_mark *m = fy_event_start_mark(ev);
      return ks_ctx_fail_input(b->ctx, b->file, m ? m->line + 1 : 0, m ? m->column + 1 : 0,
                               "alias '*%.*s' names no anchor (expected an anchor '&%.*s' before it)",
                               (int)(n > 60 ? 60 : n), t ? t : "", (int)(n > 60 ? 60 : n), t ? t : "");
    }
    case FYET_SEQUENCE_START:
    case FYET_MAPPING_START: {
      int seq = ev->type == FYET_SEQUENCE_START;
      if (!(y = new_node(b, seq ? YN_SEQ : YN_MAP, ev))) return oom(b->ctx);
      KS_TRY(remember_anchor(b, seq ? ev->sequence_start.anchor : ev->mapping_start.anchor, y));
      KS_TRY(attach(b, y));
      return push(b, y);
    }
    case FYET_SEQUENCE_END:
    case FYET_MAPPING_END:
      if (b->depth) {
        ynode *top = b->stack[--b->depth];
        if (top->kind == YN_MAP) top->n /= 2; /* keys and values were appended in turn */
      }
      return KS_OK;
    default:
      return KS_OK;
  }
}

static void discard_diag(struct fy_diag *diag, void *user, const char *buf, size_t len) {
  (void)diag, (void)user, (void)buf, (void)len;
}

ks_status ks__yaml_parse(ks_ctx *ctx, yarena *a, const char *file, const char *text, size_t len,
                         ynode **root) {
  *root = NULL;
  KS_TRY(check_text(ctx, file, text, len));

  struct fy_diag_cfg dcfg;
  fy_diag_cfg_default(&dcfg);
  dcfg.fp = NULL;
  dcfg.output_fn = discard_diag; /* the library never prints: errors are collected below */
  dcfg.colorize = false;
  struct fy_diag *diag = fy_diag_create(&dcfg);
  if (!diag) return oom(ctx);
  fy_diag_set_collect_errors(diag, true);
  struct fy_parse_cfg cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.flags = (enum fy_parse_cfg_flags)(FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE);
  cfg.diag = diag;
  struct fy_parser *fyp = fy_parser_create(&cfg);
  if (!fyp) {
    fy_diag_destroy(diag);
    return oom(ctx);
  }
  builder b = {.ctx = ctx, .a = a, .file = file};
  ks_status st = KS_OK;
  int n_docs = 0;
  if (fy_parser_set_string(fyp, text, len) != 0) {
    st = ks_ctx_fail(ctx, KS_EIO, "%s: the YAML parser could not take the input", file);
  } else {
    struct fy_event *ev;
    while (st == KS_OK && (ev = fy_parser_parse(fyp)) != NULL) {
      st = on_event(&b, ev, &n_docs);
      fy_parser_event_free(fyp, ev);
    }
    if (st == KS_OK && fy_parser_get_stream_error(fyp)) {
      void *it = NULL;
      struct fy_diag_error *de = fy_diag_errors_iterate(diag, &it);
      if (de)
        st = ks_ctx_fail_input(ctx, file, de->line > 0 ? de->line : 1, de->column > 0 ? de->column : 1,
                               "YAML syntax error: %s (expected well-formed YAML)", de->msg ? de->msg : "?");
      else
        st = ks_ctx_fail_input(ctx, file, 1, 1, "YAML syntax error (expected well-formed YAML)");
    }
  }
  fy_parser_destroy(fyp);
  fy_diag_destroy(diag);
  ks_free(ctx, b.stack);
  if (st == KS_OK) *root = b.root;
  return st;
}
