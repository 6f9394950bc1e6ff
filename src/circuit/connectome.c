/* SPDX-License-Identifier: MIT */
/* Structural connectomes in the TVB text format (weights.txt, tract_lengths.txt, centres.txt),
 * synthetic sparse connectomes for benchmarks, and region-label mapping to the circuit's roles. */
#include "circuit_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct ks_connectome {
  ks_ctx *ctx;
  size_t n;
  char (*label)[KS_LABEL_MAX];
  double *w;       /* n x n, row = target, column = source */
  double *len_mm;  /* n x n */
  double *xyz_mm;  /* n x 3 */
};

void ks_connectome_destroy(ks_connectome **cp) {
  if (!cp || !*cp) return;
  ks_connectome *c = *cp;
  ks_free(c->ctx, c->label);
  ks_free(c->ctx, c->w);
  ks_free(c->ctx, c->len_mm);
  ks_free(c->ctx, c->xyz_mm);
  ks_free(c->ctx, c);
  *cp = NULL;
}

static ks_status conn_alloc(ks_ctx *ctx, size_t n, ks_connectome **out) {
  ks_connectome *c = ks_calloc(ctx, 1, sizeof *c);
  if (!c) return ks_ctx_fail(ctx, KS_ENOMEM, "connectome: out of memory");
  c->ctx = ctx;
  c->n = n;
  c->label = ks_calloc(ctx, n, sizeof *c->label);
  c->w = ks_calloc(ctx, n * n, sizeof *c->w);
  c->len_mm = ks_calloc(ctx, n * n, sizeof *c->len_mm);
  c->xyz_mm = ks_calloc(ctx, 3 * n, sizeof *c->xyz_mm);
  if (!c->label || !c->w || !c->len_mm || !c->xyz_mm) {
    ks_connectome_destroy(&c);
    return ks_ctx_fail(ctx, KS_ENOMEM, "connectome: out of memory for %zu regions", n);
  }
  *out = c;
  return KS_OK;
}

size_t ks_connectome_n_regions(const ks_connectome *c) { return c ? c->n : 0; }
const char *ks_connectome_label(const ks_connectome *c, size_t i) {
  return (c && i < c->n) ? c->label[i] : NULL;
}
double ks_connectome_weight(const ks_connectome *c, size_t t, size_t s) {
  return (c && t < c->n && s < c->n) ? c->w[t * c->n + s] : 0.0;
}
double ks_connectome_length_mm(const ks_connectome *c, size_t t, size_t s) {
  return (c && t < c->n && s < c->n) ? c->len_mm[t * c->n + s] : 0.0;
}

/* ---- Reading ------------------------------------------------------------------------------ */

/* Whole file into memory, NUL-terminated. KS_EIO when it cannot be opened (missing_ok: returns
 * KS_OK with *out NULL when the file does not exist). */
static ks_status slurp(ks_ctx *ctx, const char *path, int missing_ok, char **out) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) {
    if (missing_ok && errno == ENOENT) return KS_OK;
    return ks_ctx_fail(ctx, KS_EIO, "%s: cannot open (%s)", path, strerror(errno));
  }
  size_t cap = 4096, len = 0;
  char *buf = ks_malloc(ctx, cap);
  if (!buf) {
    fclose(f);
    return ks_ctx_fail(ctx, KS_ENOMEM, "%s: out of memory", path);
  }
  for (;;) {
    if (len + 1 >= cap) {
      char *nb = ks_realloc(ctx, buf, cap * 2);
      if (!nb) {
        ks_free(ctx, buf);
        fclose(f);
        return ks_ctx_fail(ctx, KS_ENOMEM, "%s: out of memory", path);
      }
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + len, 1, cap - 1 - len, f);
    len += got;
    if (got == 0) break;
  }
  int err = ferror(f);
  fclose(f);
  if (err) {
    ks_free(ctx, buf);
    return ks_ctx_fail(ctx, KS_EIO, "%s: read error", path);
  }
  buf[len] = '\0';
  *out = buf;
  return KS_OK;
}

/* A line cursor: the text of one line (without '\n'), its 1-based number; blank lines and lines
 * starting with '#' are skipped. */
typedef struct cursor {
  const char *p;
  int line;
  const char *ls;  /* start of the current line */
  size_t llen;
} cursor;

static int next_line(cursor *c) {
  while (*c->p) {
    const char *s = c->p;
    const char *e = strchr(s, '\n');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    c->p = e ? e + 1 : s + len;
    c->line++;
    size_t k = 0;
    while (k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r')) k++;
    if (k == len || s[k] == '#') continue;
    c->ls = s;
    c->llen = len;
    return 1;
  }
  return 0;
}

/* Next whitespace-separated token of the current line from *pos; returns its length (0 at end)
 * and its start in *tok. */
static size_t next_tok(const cursor *c, size_t *pos, const char **tok) {
  size_t k = *pos;
  while (k < c->llen && (c->ls[k] == ' ' || c->ls[k] == '\t' || c->ls[k] == '\r' || c->ls[k] == ','))
    k++;
  size_t s = k;
  while (k < c->llen && !(c->ls[k] == ' ' || c->ls[k] == '\t' || c->ls[k] == '\r' || c->ls[k] == ','))
    k++;
  *pos = k;
  *tok = c->ls + s;
  return k - s;
}

static int parse_num(const char *tok, size_t len, double *v) {
  char tmp[64];
  if (len == 0 || len >= sizeof tmp) return 0;
  memcpy(tmp, tok, len);
  tmp[len] = '\0';
  char *end = NULL;
  errno = 0;
  double x = strtod(tmp, &end);
  if (end != tmp + len || errno == ERANGE || !isfinite(x)) return 0;
  *v = x;
  return 1;
}

static int col_of(const cursor *c, const char *tok) { return (int)(tok - c->ls) + 1; }

static ks_status read_centres(ks_ctx *ctx, const char *path, const char *text, size_t *n_out,
                              char (**lab)[KS_LABEL_MAX], double **xyz) {
  cursor c = {text, 0, NULL, 0};
  size_t n = 0, cap = 0;
  char (*L)[KS_LABEL_MAX] = NULL;
  double *X = NULL;
  ks_status st = KS_OK;
  while (next_line(&c)) {
    if (n == cap) {
      size_t nc = cap ? 2 * cap : 64;
      void *nl = ks_realloc(ctx, L, nc * sizeof *L);
      if (!nl) { st = ks_ctx_fail(ctx, KS_ENOMEM, "%s: out of memory", path); break; }
      L = nl;
      void *nx = ks_realloc(ctx, X, 3 * nc * sizeof *X);
      if (!nx) { st = ks_ctx_fail(ctx, KS_ENOMEM, "%s: out of memory", path); break; }
      X = nx;
      cap = nc;
    }
    size_t pos = 0;
    const char *tok;
    size_t tl = next_tok(&c, &pos, &tok);
    if (tl >= KS_LABEL_MAX) {
      st = ks_ctx_fail_input(ctx, path, c.line, col_of(&c, tok), "region label of %zu characters "
                             "(expected at most %d)", tl, KS_LABEL_MAX - 1);
      break;
    }
    memcpy(L[n], tok, tl);
    L[n][tl] = '\0';
    for (int d = 0; d < 3 && st == KS_OK; d++) {
      tl = next_tok(&c, &pos, &tok);
      if (tl == 0)
        st = ks_ctx_fail_input(ctx, path, c.line, (int)c.llen + 1, "missing coordinate %c "
                               "(expected \"label x y z\")", "xyz"[d]);
      else if (!parse_num(tok, tl, &X[3 * n + (size_t)d]))
        st = ks_ctx_fail_input(ctx, path, c.line, col_of(&c, tok), "'%.*s' is not a number "
                               "(expected a coordinate in mm)", (int)KS_MIN(tl, 32), tok);
      else if (fabs(X[3 * n + (size_t)d]) > 1e6) /* else distances can overflow to infinity */
        st = ks_ctx_fail_input(ctx, path, c.line, col_of(&c, tok), "coordinate %g mm is beyond "
                               "1 km (expected a coordinate in mm, |x| <= 1e6)", X[3 * n + (size_t)d]);
    }
    if (st != KS_OK) break;
    if (next_tok(&c, &pos, &tok) != 0) {
      st = ks_ctx_fail_input(ctx, path, c.line, col_of(&c, tok), "extra field after the "
                             "coordinates (expected \"label x y z\")");
      break;
    }
    n++;
  }
  if (st == KS_OK && n == 0)
    st = ks_ctx_fail_input(ctx, path, 1, 1, "no regions (expected one line \"label x y z\" per "
                           "region)");
  if (st != KS_OK) {
    ks_free(ctx, L);
    ks_free(ctx, X);
    return st;
  }
  *n_out = n;
  *lab = L;
  *xyz = X;
  return KS_OK;
}

/* An n x n matrix of finite non-negative numbers. */
static ks_status read_matrix(ks_ctx *ctx, const char *path, const char *text, size_t n,
                             const char *what, double *m) {
  cursor c = {text, 0, NULL, 0};
  size_t r = 0;
  while (next_line(&c)) {
    if (r == n)
      return ks_ctx_fail_input(ctx, path, c.line, 1, "extra row %zu (expected %zu rows, one per "
                               "region in centres.txt)", r + 1, n);
    size_t pos = 0;
    for (size_t j = 0; j < n; j++) {
      const char *tok;
      size_t tl = next_tok(&c, &pos, &tok);
      if (tl == 0)
        return ks_ctx_fail_input(ctx, path, c.line, (int)c.llen + 1, "row %zu has %zu values "
                                 "(expected %zu)", r + 1, j, n);
      double v;
      if (!parse_num(tok, tl, &v))
        return ks_ctx_fail_input(ctx, path, c.line, col_of(&c, tok), "'%.*s' is not a number "
                                 "(expected a %s)", (int)KS_MIN(tl, 32), tok, what);
      if (v < 0.0)
        return ks_ctx_fail_input(ctx, path, c.line, col_of(&c, tok), "negative value %g "
                                 "(expected a %s >= 0)", v, what);
      m[r * n + j] = v;
    }
    const char *tok;
    if (next_tok(&c, &pos, &tok) != 0)
      return ks_ctx_fail_input(ctx, path, c.line, col_of(&c, tok), "row %zu has more than %zu "
                               "values (expected %zu)", r + 1, n, n);
    r++;
  }
  if (r < n)
    return ks_ctx_fail_input(ctx, path, c.line + 1, 1, "%zu rows (expected %zu, one per region in "
                             "centres.txt)", r, n);
  return KS_OK;
}

ks_status ks_connectome_load(ks_ctx *ctx, const char *dir, ks_connectome **out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, dir != NULL && out != NULL);
  char path[3][4096];
  static const char *const files[3] = {"centres.txt", "weights.txt", "tract_lengths.txt"};
  for (int k = 0; k < 3; k++)
    if ((size_t)snprintf(path[k], sizeof path[k], "%s/%s", dir, files[k]) >= sizeof path[k])
      return ks_ctx_fail(ctx, KS_EINVAL, "connectome: directory name too long");
  char *text[3] = {NULL, NULL, NULL};
  char (*lab)[KS_LABEL_MAX] = NULL;
  double *xyz = NULL;
  ks_connectome *c = NULL;
  size_t n = 0;
  ks_status st = slurp(ctx, path[0], 0, &text[0]);
  if (st == KS_OK) st = slurp(ctx, path[1], 0, &text[1]);
  if (st == KS_OK) st = slurp(ctx, path[2], 1, &text[2]);
  if (st == KS_OK) st = read_centres(ctx, path[0], text[0], &n, &lab, &xyz);
  if (st == KS_OK) st = conn_alloc(ctx, n, &c);
  if (st == KS_OK) {
    memcpy(c->label, lab, n * sizeof *lab);
    memcpy(c->xyz_mm, xyz, 3 * n * sizeof *xyz);
    st = read_matrix(ctx, path[1], text[1], n, "connection weight", c->w);
  }
  if (st == KS_OK) {
    if (text[2]) {
      st = read_matrix(ctx, path[2], text[2], n, "tract length in mm", c->len_mm);
    } else {
      /* TVB's rule when tract lengths are missing: Euclidean distance between centres. */
      for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
          double d2 = 0.0;
          for (int k = 0; k < 3; k++) {
            double d = xyz[3 * i + (size_t)k] - xyz[3 * j + (size_t)k];
            d2 += d * d;
          }
          c->len_mm[i * n + j] = sqrt(d2);
        }
    }
  }
  for (int k = 0; k < 3; k++) ks_free(ctx, text[k]);
  ks_free(ctx, lab);
  ks_free(ctx, xyz);
  if (st != KS_OK) {
    ks_connectome_destroy(&c);
    return st;
  }
  *out = c;
  return KS_OK;
}

ks_status ks_connectome_create_synthetic(ks_ctx *ctx, size_t n, double density, uint64_t seed,
                                         ks_connectome **out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, out != NULL && n >= 2 && n <= 100000 && density > 0.0 && density <= 1.0);
  ks_connectome *c = NULL;
  KS_TRY(conn_alloc(ctx, n, &c));
  ks_rng r;
  ks_rng_init(&r, seed, KS_STREAM_TEST, 379, 0);
  for (size_t i = 0; i < n; i++) {
    if (i < KS_REGION_N) snprintf(c->label[i], KS_LABEL_MAX, "%s", ks_region_name((ks_region)i));
    else snprintf(c->label[i], KS_LABEL_MAX, "R%04zu", i);
    double x = ks_rng_normal(&r), y = ks_rng_normal(&r), z = ks_rng_normal(&r);
    double nr = sqrt(x * x + y * y + z * z) + 1e-12;
    c->xyz_mm[3 * i] = 70.0 * x / nr;
    c->xyz_mm[3 * i + 1] = 70.0 * y / nr;
    c->xyz_mm[3 * i + 2] = 70.0 * z / nr;
  }
  /* Symmetric: each region draws k partners; an edge keeps the larger of two draws. */
  size_t k = (size_t)ceil(0.5 * density * (double)(n - 1));
  for (size_t i = 0; i < n; i++)
    for (size_t m = 0; m < k; m++) {
      size_t j = (size_t)ks_rng_below(&r, n);
      if (j == i) continue;
      double w = ks_rng_lognormal(&r, 0.0, 1.0);
      if (w > c->w[i * n + j]) c->w[i * n + j] = c->w[j * n + i] = w;
    }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      double d2 = 0.0;
      for (int q = 0; q < 3; q++) {
        double d = c->xyz_mm[3 * i + (size_t)q] - c->xyz_mm[3 * j + (size_t)q];
        d2 += d * d;
      }
      c->len_mm[i * n + j] = 1.2 * sqrt(d2); /* tracts curve: ~20% longer than the chord */
    }
  *out = c;
  return KS_OK;
}

/* ---- Labels -------------------------------------------------------------------------------- */

static const char *const aliases[KS_REGION_N][10] = {
    {"vmpfc", "mofc", "medialorbitofrontal", "pfcm", "pfcorb", "10v", "10r", NULL},
    {"racc", "pgacc", "rostralanteriorcingulate", "ccs", "a24", "s32", "p32", NULL},
    {"dacc", "caudalanteriorcingulate", "cca", "a32pr", "p32pr", "p24pr", NULL},
    {"dlpfc", "rostralmiddlefrontal", "pfcdl", "46", "9-46d", "p9-46v", "a9-46v", NULL},
    {"amygdala", "amyg", "amy", "blA", NULL},
    {"ahipp", "hippocampus", "hc", "hipp", "h", NULL},
    {"ainsula", "ains", "insula", "ia", "aaic", "avi", NULL},
    {"pcc", "posteriorcingulate", "isthmuscingulate", "ccp", "v23ab", "d23ab", "31pv", NULL},
};

static int ieq_n(const char *a, const char *b, size_t n) {
  for (size_t k = 0; k < n; k++)
    if (tolower((unsigned char)a[k]) != tolower((unsigned char)b[k])) return 0;
  return b[n] == '\0';
}

static int match_alias(const char *s, size_t len) {
  for (int r = 0; r < KS_REGION_N; r++)
    for (int k = 0; aliases[r][k]; k++)
      if (ieq_n(s, aliases[r][k], len)) return r;
  return -1;
}

int ks_connectome_map_label(const char *label) {
  if (!label) return -1;
  size_t len = strlen(label);
  const char *s = label;
  /* Strip hemisphere and atlas decorations: prefixes ctx-lh-, lh_, Left-, L_, ..., suffixes
   * _ROI, _L, -rh, ... */
  static const char *const pre[] = {"ctx-lh-", "ctx-rh-", "ctx_lh_", "ctx_rh_", "left-", "right-",
                                    "left_", "right_", "lh_", "rh_", "lh-", "rh-", "lh.", "rh.",
                                    "l_", "r_", "l-", "r-", "l.", "r.", NULL};
  static const char *const suf[] = {"_roi", "_l", "_r", "-lh", "-rh", "_lh", "_rh", ".l", ".r",
                                    "_left", "_right", NULL};
  for (int k = 0; pre[k]; k++) {
    size_t pl = strlen(pre[k]);
    if (len > pl) {
      int ok = 1;
      for (size_t q = 0; q < pl; q++)
        if (tolower((unsigned char)s[q]) != pre[k][q]) ok = 0;
      if (ok) {
        s += pl;
        len -= pl;
        break;
      }
    }
  }
  for (int pass = 0; pass < 2; pass++)
    for (int k = 0; suf[k]; k++) {
      size_t sl = strlen(suf[k]);
      if (len > sl) {
        int ok = 1;
        for (size_t q = 0; q < sl; q++)
          if (tolower((unsigned char)s[len - sl + q]) != suf[k][q]) ok = 0;
        if (ok) {
          len -= sl;
          break;
        }
      }
    }
  int r = match_alias(s, len);
  if (r >= 0) return r;
  /* TVB style: a lower-case hemisphere letter glued to an upper-case name ("rAMYG"). */
  if (len > 1 && (s[0] == 'l' || s[0] == 'r') && isupper((unsigned char)s[1]))
    return match_alias(s + 1, len - 1);
  return -1;
}

ks_status ks_circuit_write_default_connectome(ks_ctx *ctx, const char *dir) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, dir != NULL);
  ks_circuit *c = NULL;
  KS_TRY(ks_circuit_create_default(ctx, NULL, &c));
  /* Approximate MNI centres (mm) of the built-in regions, left hemisphere where lateral. */
  static const double xyz[KS_REGION_N][3] = {{-4, 46, -10}, {-4, 38, 8},  {-4, 20, 32},
                                             {-40, 36, 30}, {-22, -4, -18}, {-26, -14, -20},
                                             {-34, 18, 2},  {-4, -50, 28}};
  static const char *const files[3] = {"weights.txt", "tract_lengths.txt", "centres.txt"};
  ks_status st = KS_OK;
  for (int f = 0; f < 3 && st == KS_OK; f++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, files[f]);
    FILE *fp = fopen(path, "w");
    if (!fp) {
      st = ks_ctx_fail(ctx, KS_EIO, "%s: cannot write (%s)", path, strerror(errno));
      break;
    }
    for (size_t i = 0; i < KS_REGION_N; i++) {
      if (f == 2) {
        fprintf(fp, "%s %g %g %g\n", c->label[i], xyz[i][0], xyz[i][1], xyz[i][2]);
        continue;
      }
      for (size_t j = 0; j < KS_REGION_N; j++) {
        double v = 0.0;
        if (f == 0) {
          for (size_t k = c->row[i]; k < c->row[i + 1]; k++)
            if (c->col[k] == j) v = (c->w_E[k] + c->w_I[k]);
        } else {
          double d2 = 0.0;
          for (int q = 0; q < 3; q++) d2 += (xyz[i][q] - xyz[j][q]) * (xyz[i][q] - xyz[j][q]);
          v = 1.2 * sqrt(d2);
        }
        fprintf(fp, "%s%.6g", j ? " " : "", v);
      }
      fputc('\n', fp);
    }
    if (fclose(fp) != 0) st = ks_ctx_fail(ctx, KS_EIO, "%s: write error", path);
  }
  ks_circuit_destroy(&c);
  return st;
}
