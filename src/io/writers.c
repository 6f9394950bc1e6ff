/* SPDX-License-Identifier: MIT */
/* CSV fields and a streaming JSON writer. Numbers use %.10g everywhere so that output is stable
 * across runs, compilers and thread counts given identical doubles. */
#include "core/core_internal.h"
#include <ketasim/io.h>

#include <math.h>
#include <string.h>

void ks_csv_field_str(FILE *fp, int first, const char *s) {
  if (!first) fputc(',', fp);
  if (!s) return;
  if (!strpbrk(s, ",\"\n\r")) {
    fputs(s, fp);
    return;
  }
  fputc('"', fp);
  for (const char *p = s; *p; p++) {
    if (*p == '"') fputc('"', fp);
    fputc(*p, fp);
  }
  fputc('"', fp);
}

void ks_csv_field_num(FILE *fp, int first, double v) {
  if (!first) fputc(',', fp);
  if (isfinite(v)) fprintf(fp, "%.10g", v == 0.0 ? 0.0 : v); /* no "-0" */
}

void ks_csv_field_int(FILE *fp, int first, long long v) {
  if (!first) fputc(',', fp);
  fprintf(fp, "%lld", v);
}

void ks_csv_end_row(FILE *fp) { fputc('\n', fp); }

void ks_json_init(ks_json *j, FILE *fp, int indent) {
  memset(j, 0, sizeof *j);
  j->fp = fp;
  j->indent = indent;
}

void ks_json_init_in_object(ks_json *j, FILE *fp, int indent, int n_items) {
  ks_json_init(j, fp, indent);
  j->depth = 1;
  j->n_items[0] = n_items;
}

static void newline(ks_json *j) {
  if (!j->indent) return;
  fputc('\n', j->fp);
  for (int i = 0; i < j->depth * j->indent; i++) fputc(' ', j->fp);
}

/* Separator and indentation before a value or a key. */
static void before_item(ks_json *j) {
  if (j->after_key) {
    j->after_key = 0;
    return;
  }
  if (j->depth > 0) {
    if (j->n_items[j->depth - 1]++ > 0) fputc(',', j->fp);
    newline(j);
  }
}

static void open_(ks_json *j, char c) {
  before_item(j);
  fputc(c, j->fp);
  if (j->depth < KS_JSON_MAX_DEPTH) j->n_items[j->depth] = 0;
  j->depth++;
}

static void close_(ks_json *j, char c) {
  j->depth--;
  if (j->depth < KS_JSON_MAX_DEPTH && j->n_items[j->depth] > 0) newline(j);
  fputc(c, j->fp);
}

void ks_json_begin_object(ks_json *j) { open_(j, '{'); }
void ks_json_end_object(ks_json *j) { close_(j, '}'); }
void ks_json_begin_array(ks_json *j) { open_(j, '['); }
void ks_json_end_array(ks_json *j) { close_(j, ']'); }

static void write_string(FILE *fp, const char *s) {
  fputc('"', fp);
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    switch (*p) {
      case '"': fputs("\\\"", fp); break;
      case '\\': fputs("\\\\", fp); break;
      case '\n': fputs("\\n", fp); break;
      case '\r': fputs("\\r", fp); break;
      case '\t': fputs("\\t", fp); break;
      default:
        if (*p < 0x20) fprintf(fp, "\\u%04x", *p);
        else fputc(*p, fp);
    }
  }
  fputc('"', fp);
}

void ks_json_key(ks_json *j, const char *key) {
  before_item(j);
  write_string(j->fp, key);
  fputs(j->indent ? ": " : ":", j->fp);
  j->after_key = 1;
}

void ks_json_str(ks_json *j, const char *s) {
  before_item(j);
  write_string(j->fp, s);
}

void ks_json_num(ks_json *j, double v) {
  before_item(j);
  if (!isfinite(v)) {
    j->n_nonfinite++;
    fputs("null", j->fp);
  } else {
    fprintf(j->fp, "%.10g", v == 0.0 ? 0.0 : v);
  }
}

void ks_json_int(ks_json *j, long long v) {
  before_item(j);
  fprintf(j->fp, "%lld", v);
}

void ks_json_bool(ks_json *j, int v) {
  before_item(j);
  fputs(v ? "true" : "false", j->fp);
}

void ks_json_null(ks_json *j) {
  before_item(j);
  fputs("null", j->fp);
}

void ks_json_finish(ks_json *j) { fputc('\n', j->fp); }

void ks_json_provenance(ks_json *j, const ks_ctx *ctx) {
  ks_json_key(j, "provenance");
  ks_json_begin_object(j);
  ks_json_key(j, "ketasim_version");
  ks_json_str(j, ks_version());
  ks_json_key(j, "git_revision");
  ks_json_str(j, ks_git_revision());
  ks_json_key(j, "dependencies");
  ks_json_str(j, ks_dependency_versions());
  ks_json_key(j, "command_line");
  const char *cmd = ks_ctx_command_line(ctx);
  if (cmd) ks_json_str(j, cmd);
  else ks_json_null(j);
  ks_json_end_object(j);
}

void ks_json_scenario_header(ks_json *j, const char *scenario, uint64_t seed) {
  ks_json_key(j, "ketasim_version");
  ks_json_str(j, ks_version());
  ks_json_key(j, "scenario");
  ks_json_str(j, scenario);
  ks_json_key(j, "seed");
  ks_json_int(j, (long long)seed);
}
