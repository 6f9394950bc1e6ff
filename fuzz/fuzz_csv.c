/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the project's reader of CSV-like text, i.e. the numeric-matrix reader of the
 * connectome files (fields separated by spaces, tabs or commas; '#' comment lines; CRLF).
 * ketasim reads no other CSV: patients.csv and the data/ tables are written, never parsed.
 * Input: a matrix as weights.txt; the same text is also given as tract_lengths.txt, and a
 * centres.txt with as many regions as the first data row has fields (at most 64) is generated,
 * so that well-formed square matrices are accepted and the fuzzer explores the field syntax.
 * Properties checked: no crash, leak or undefined behaviour; a refusal is KS_EINPUT with
 * "FILE:LINE:COL: "; an accepted matrix is n x n of finite non-negative numbers, and weights
 * equal tract lengths (the same text read twice). */
#include "fuzz_connectome_io.h"

#include <math.h>
#include <string.h>

#include <ketasim/circuit.h>

/* Fields of the first line that is neither blank nor a comment (as the reader sees lines). */
static size_t first_row_fields(const char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    size_t e = i;
    while (e < len && s[e] != '\n' && s[e] != '\0') e++;
    size_t k = i;
    while (k < e && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r')) k++;
    if (k < e && s[k] != '#') {
      size_t n = 0;
      int in = 0;
      for (; k < e; k++) {
        int sep = s[k] == ' ' || s[k] == '\t' || s[k] == '\r' || s[k] == ',';
        if (!sep && !in) n++;
        in = !sep;
      }
      return n;
    }
    if (e < len && s[e] == '\0') return 0;
    i = e + 1;
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 16384) return 0;
  size_t n = first_row_fields((const char *)data, size);
  if (n == 0) n = 1;
  if (n > 64) n = 64;
  char centres[64 * 16];
  size_t cl = 0;
  for (size_t i = 0; i < n; i++)
    cl += (size_t)snprintf(centres + cl, sizeof centres - cl, "R%zu %zu 0 0\n", i, i);
  ks_fuzz_conn_parts parts = {{centres, (const char *)data, (const char *)data}, {cl, size, size}, 3};
  const char *dir = ks_fuzz_conn_write(&parts);
  KS_FUZZ_CHECK(dir != NULL, "cannot write the temporary connectome");
  ks_ctx *ctx = ks_fuzz_ctx(NULL);
  if (!ctx) return 0;
  ks_connectome *c = NULL;
  ks_status st = ks_connectome_load(ctx, dir, &c);
  if (st == KS_OK) {
    KS_FUZZ_CHECK(ks_connectome_n_regions(c) == n, "%zu regions, expected %zu",
                  ks_connectome_n_regions(c), n);
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < n; j++) {
        double w = ks_connectome_weight(c, i, j), l = ks_connectome_length_mm(c, i, j);
        KS_FUZZ_CHECK(isfinite(w) && w >= 0.0, "value %zu,%zu = %g", i, j, w);
        KS_FUZZ_CHECK(w == l, "the same text read twice gave %g and %g", w, l);
      }
    ks_connectome_destroy(&c);
  } else {
    KS_FUZZ_CHECK(c == NULL, "*out written on failure");
    KS_FUZZ_CHECK(st == KS_EINPUT, "status %s: %s", ks_status_name(st), ks_ctx_last_error(ctx));
    ks_fuzz_conn_check_message(dir, ks_ctx_last_error(ctx));
  }
  ks_ctx_destroy(&ctx);
  return 0;
}
