/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the unit parser (ks_units_parse_as).
 * Input: the first byte chooses the expected dimension (modulo KS_DIM_N + 1; KS_DIM_N accepts
 * any), the rest is the text. Properties checked:
 *  - no crash or undefined behaviour; the error text is a NUL-terminated line within its buffer;
 *  - an accepted value is finite and of the expected dimension;
 *  - ks_units_parse and ks_units_parse_any agree with ks_units_parse_as;
 *  - formatting the value with ks_units_format() and parsing it back gives it again (1e-9). */
#include "fuzz_common.h"

#include <math.h>
#include <string.h>

#include <ketasim/units.h>

static void check_format_round_trip(double v, ks_dim dim) {
  double a = fabs(v);
  if (a != 0.0 && (a < 1e-290 || a > 1e290)) return; /* %.10g cannot carry the extremes back */
  char buf[64];
  int n = ks_units_format(buf, sizeof buf, v, dim);
  KS_FUZZ_CHECK(n > 0 && (size_t)n < sizeof buf, "format of %.17g", v);
  double back = 0.0;
  char err[256];
  ks_status st = ks_units_parse(buf, dim, &back, err, sizeof err);
  KS_FUZZ_CHECK(st == KS_OK, "'%s' does not parse back as %s: %s", buf, ks_dim_name(dim), err);
  KS_FUZZ_CHECK(fabs(back - v) <= 1e-9 * a, "'%s' parses to %.17g, not %.17g", buf, back, v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 4096) return 0;
  ks_dim expected = (ks_dim)(data[0] % (KS_DIM_N + 1));
  char *text = malloc(size);
  if (!text) return 0;
  memcpy(text, data + 1, size - 1);
  text[size - 1] = '\0'; /* the parser takes C strings: an embedded NUL ends the text */

  /* A short error buffer as well as a long one: truncation must stay inside it. */
  char err[24], err_long[512];
  memset(err, 'x', sizeof err);
  double v = NAN, v2 = NAN;
  ks_dim dim = KS_DIM_N;
  ks_status st = ks_units_parse_as(text, expected, &v, &dim, err, sizeof err);
  if (st != KS_OK) KS_FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL, "error text not terminated");
  ks_status st2 = ks_units_parse_as(text, expected, &v2, NULL, err_long, sizeof err_long);
  KS_FUZZ_CHECK(st == st2, "same call, different status");
  if (st == KS_OK) {
    KS_FUZZ_CHECK(isfinite(v), "'%s' gave %g", text, v);
    KS_FUZZ_CHECK(v == v2, "'%s' gave %.17g then %.17g", text, v, v2);
    KS_FUZZ_CHECK(expected == KS_DIM_N || dim == expected, "'%s' has dimension %s, expected %s",
                  text, ks_dim_name(dim), ks_dim_name(expected));
    KS_FUZZ_CHECK((unsigned)dim < KS_DIM_N, "dimension %d", (int)dim);
    double v3 = NAN;
    if (expected == KS_DIM_N) {
      ks_dim d3 = KS_DIM_N;
      KS_FUZZ_CHECK(ks_units_parse_any(text, &d3, &v3, NULL, 0) == KS_OK && d3 == dim && v3 == v,
                    "parse_any disagrees on '%s'", text);
    } else {
      KS_FUZZ_CHECK(ks_units_parse(text, expected, &v3, NULL, 0) == KS_OK && v3 == v,
                    "parse disagrees on '%s'", text);
    }
    check_format_round_trip(v, dim);
  } else {
    KS_FUZZ_CHECK(st == KS_EINPUT, "status %s", ks_status_name(st));
    KS_FUZZ_CHECK(err_long[0] != '\0' && strchr(err_long, '\0') < err_long + sizeof err_long,
                  "empty error text");
  }
  free(text);
  return 0;
}
