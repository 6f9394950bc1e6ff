/* SPDX-License-Identifier: MIT */
/* Reading CSV lines: one splitter for every reader (data sets, covariate tables, our own
 * patients.csv), with RFC 4180 quotes as ks_csv_field_str writes them. */
#include "core/core_internal.h"
#include <ketasim/io.h>

size_t ks_csv_split(char *line, char **fields, int *cols, size_t cap) {
  size_t n = 0;
  char *p = line;
  while (n < cap) {
    while (*p == ' ' || *p == '\t') p++;
    char *out = p;
    if (cols) cols[n] = (int)(p - line) + 1;
    fields[n++] = p;
    if (*p == '"') {
      p++;
      for (;;) {
        if (*p == '"' && p[1] == '"') { *out++ = '"'; p += 2; }
        else if (*p == '"') { p++; break; }
        else if (!*p) break;
        else *out++ = *p++;
      }
    }
    while (*p && *p != ',' && *p != '\n' && *p != '\r') *out++ = *p++;
    int more = *p == ',';
    /* Trailing blanks are not part of an unquoted field. */
    while (out > fields[n - 1] && (out[-1] == ' ' || out[-1] == '\t')) out--;
    *out = '\0';
    if (!more) return n;
    p++;
  }
  return cap + 1;  /* more fields than room */
}
