/* SPDX-License-Identifier: MIT */
/* The data tables (data/LAYER/targets.tsv) that repeat figures the C code holds must agree with
 * the code, so a figure changed in one place and not the other fails here. For every target a layer's validate
 * function reports, the row of the same id in the layer's table must give the same published
 * value and acceptance interval, to the digits the table prints. Rows without a
 * target in the code are allowed (parameters, figures checked only by unit tests). data/clinic/items.tsv is checked against the item table by
 * test_clinic. */
#include "harness.h"

#include <ketasim/ketasim.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_ROWS 256
#define MAX_COLS 16

typedef struct table {
  size_t n_rows, n_cols;
  char head[MAX_COLS][32];
  char cell[MAX_ROWS][MAX_COLS][256];
} table;

/* Tab-separated, '#' comment lines, first other line the header. */
static int table_read(const char *rel, table *t) {
  char path[1024];
  const char *src = getenv("KS_SOURCE_DIR");
  snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[4096];
  int have_head = 0;
  t->n_rows = t->n_cols = 0;
  while (fgets(line, sizeof line, f) && t->n_rows < MAX_ROWS) {
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '#' || !line[0]) continue;
    size_t c = 0;
    for (char *p = line, *tab; c < MAX_COLS; p = tab + 1, c++) {
      tab = strchr(p, '\t');
      if (tab) *tab = '\0';
      char *dst = have_head ? t->cell[t->n_rows][c] : t->head[c];
      size_t cap = have_head ? sizeof t->cell[0][0] : sizeof t->head[0];
      size_t len = strlen(p) < cap - 1 ? strlen(p) : cap - 1; /* cells are short; longer is cut */
      memcpy(dst, p, len);
      dst[len] = '\0';
      if (!tab) { c++; break; }
    }
    if (!have_head) { t->n_cols = c; have_head = 1; }
    else t->n_rows++;
  }
  fclose(f);
  return have_head ? 0 : -1;
}

static int col(const table *t, const char *name) {
  for (size_t c = 0; c < t->n_cols; c++)
    if (!strcmp(t->head[c], name)) return (int)c;
  return -1;
}

/* The code's value agrees with the table's when it rounds to the digits the table prints
 * (half a unit of the last printed decimal), or within 1e-9 relative. */
static int same(double code, const char *text) {
  char *end = NULL;
  double v = strtod(text, &end);
  if (end == text || *end) return 1; /* a range or words in the table: nothing to compare */
  if (!isfinite(code)) return 0;
  const char *dot = strchr(text, '.'), *e = strpbrk(text, "eE");
  int decimals = dot ? (int)((e ? e : text + strlen(text)) - dot - 1) : 0;
  double exp10 = e ? pow(10.0, atof(e + 1)) : 1.0;
  double half_ulp = 0.5 * pow(10.0, -decimals) * exp10;
  return fabs(v - code) <= half_ulp * (1.0 + 1e-9) + 1e-9 * fmax(fabs(v), fabs(code));
}

/* Report a disagreement and go on (every one is listed). */
#define REPORT(...)                               \
  do {                                            \
    fprintf(stderr, "test_data_tables: ");        \
    fprintf(stderr, __VA_ARGS__);                 \
    fputc('\n', stderr);                          \
    *ks_failed_ = 1;                              \
  } while (0)

static void check_layer(int *ks_failed_, const char *rel, ks_validate_fn fn, ks_validate_fn fn2, const char *pub_col,
                        const char *lo_col, const char *hi_col) {
  static table t;
  KS_ASSERT_OK(table_read(rel, &t));
  int ci = col(&t, "id"), cp = col(&t, pub_col), cl = lo_col ? col(&t, lo_col) : -1, ch = hi_col ? col(&t, hi_col) : -1;
  KS_ASSERT_TRUE(ci >= 0 && cp >= 0);
  ks_ctx *ctx = ks_test_ctx();
  static ks_target_result r[512];
  size_t n = 0;
  KS_ASSERT_OK(fn(ctx, r, 512, &n));
  if (fn2) KS_ASSERT_OK(fn2(ctx, r, 512, &n));
  for (size_t k = 0; k < n; k++) {
    size_t row = t.n_rows;
    for (size_t i = 0; i < t.n_rows; i++)
      if (!strcmp(t.cell[i][ci], r[k].id)) row = i;
    if (row == t.n_rows) {
      REPORT("%s: no row for target %s (published %g)", rel, r[k].id, r[k].published);
      continue;
    }
    if (!same(r[k].published, t.cell[row][cp]))
      REPORT("%s: %s published %s in the table, %.10g in the code", rel, r[k].id, t.cell[row][cp], r[k].published);
    if (cl >= 0 && !same(r[k].lo, t.cell[row][cl]))
      REPORT("%s: %s lower bound %s in the table, %.10g in the code", rel, r[k].id, t.cell[row][cl], r[k].lo);
    if (ch >= 0 && !same(r[k].hi, t.cell[row][ch]))
      REPORT("%s: %s upper bound %s in the table, %.10g in the code", rel, r[k].id, t.cell[row][ch], r[k].hi);
  }
  ks_ctx_destroy(&ctx);
}

KS_TEST(pk_targets_table_matches_the_code) { check_layer(ks_failed_, "data/pk/targets.tsv", ks_pk_validate, NULL, "published", "lo", "hi"); }

KS_TEST(stats_targets_table_matches_the_code) {
  check_layer(ks_failed_, "data/targets/stats.tsv", ks_stats_validate, NULL, "published", "accept_lo", "accept_hi");
}

KS_TEST(clinic_targets_table_matches_the_code) {
  check_layer(ks_failed_, "data/clinic/targets.tsv", ks_clinic_validate, ks_acute_validate, "published", NULL, NULL);
}

KS_TEST_MAIN()
