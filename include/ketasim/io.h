/* SPDX-License-Identifier: MIT */
/* Output files that are never half-written, and the CSV and JSON writers built on them.
 *
 * Every output goes to a temporary file beside its final name (".NAME.tmp.PID") and is renamed
 * over the final name only by ks_afile_commit(), after a flush and fsync; ks_afile_abort() (or a
 * crash) leaves the final name untouched. */
#ifndef KETASIM_IO_H
#define KETASIM_IO_H

#include <stdio.h>
#include <ketasim/core.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ks_afile ks_afile;

/** Create directory DIR and its missing parents (mkdir -p).
 *  @return KS_OK, KS_EIO (a component cannot be created or is not a directory; the message names it). */
KS_INTERNAL_API ks_status ks_mkdirs(ks_ctx *ctx, const char *dir);

/** Open PATH for atomic writing. @return KS_OK, KS_EIO (message names the path and errno). */
KS_INTERNAL_API ks_status ks_afile_open(ks_ctx *ctx, const char *path, ks_afile **out);
/** The stdio stream to write to (borrowed; valid until commit/abort). */
KS_INTERNAL_API FILE *ks_afile_stream(ks_afile *f);
/** Flush, fsync and rename over the final name; frees F and sets *f to NULL in every case.
 *  @return KS_OK, KS_EIO (a write error at any point; the final name is then untouched). */
KS_INTERNAL_API ks_status ks_afile_commit(ks_afile **f);
/** Remove the temporary file, free F, set *f to NULL. Does nothing for NULL. */
KS_INTERNAL_API void ks_afile_abort(ks_afile **f);

/** Write a whole string atomically to PATH. */
KS_INTERNAL_API ks_status ks_write_file_atomic(ks_ctx *ctx, const char *path, const char *text, size_t len);

/* ---- CSV (RFC 4180: fields with commas, quotes or newlines are quoted) ---- */

/** Write one field to a CSV line; sep is written before every field but the first (first != 0). */
KS_INTERNAL_API void ks_csv_field_str(FILE *fp, int first, const char *s);
/** Numbers use %.10g, which is exact enough for every output and identical across runs;
 *  a non-finite value is written as an empty field (and should never occur). */
KS_INTERNAL_API void ks_csv_field_num(FILE *fp, int first, double v);
KS_INTERNAL_API void ks_csv_field_int(FILE *fp, int first, long long v);
KS_INTERNAL_API void ks_csv_end_row(FILE *fp);

/** Split one CSV line in place at commas, undoing RFC 4180 quotes ("a ""b""" becomes a "b") and
 *  trimming blanks around unquoted fields; stops at the end of the line (\n or \r\n).
 *  fields[i] point into LINE; cols[i] (may be NULL) get each field's 1-based column.
 *  @return the number of fields, or cap + 1 when the line has more than cap. Pure. */
KS_INTERNAL_API size_t ks_csv_split(char *line, char **fields, int *cols, size_t cap);

/* ---- JSON (streaming writer with commas and indentation handled for the caller) ---- */

#define KS_JSON_MAX_DEPTH 32
typedef struct ks_json {
  FILE *fp;
  int depth;
  int n_items[KS_JSON_MAX_DEPTH];  /* items written so far at each depth */
  int after_key;                   /* a key was just written: the value follows on its line */
  int indent;                      /* spaces per level; 0 for one line */
  int n_nonfinite;                 /* non-finite numbers written as null */
} ks_json;

KS_INTERNAL_API void ks_json_init(ks_json *j, FILE *fp, int indent);
/** Continue an object whose opening brace and N_ITEMS members (N_ITEMS >= 1) FP already holds,
 *  written by hand (the next member starts with its comma); close it with ks_json_end_object. */
KS_INTERNAL_API void ks_json_init_in_object(ks_json *j, FILE *fp, int indent, int n_items);
KS_INTERNAL_API void ks_json_begin_object(ks_json *j);
KS_INTERNAL_API void ks_json_end_object(ks_json *j);
KS_INTERNAL_API void ks_json_begin_array(ks_json *j);
KS_INTERNAL_API void ks_json_end_array(ks_json *j);
/** Write a key inside an object; the next call writes its value. */
KS_INTERNAL_API void ks_json_key(ks_json *j, const char *key);
KS_INTERNAL_API void ks_json_str(ks_json *j, const char *s);
/** Numbers are written with %.10g (shortest stable form); NaN/inf become null and are counted. */
KS_INTERNAL_API void ks_json_num(ks_json *j, double v);
KS_INTERNAL_API void ks_json_int(ks_json *j, long long v);
KS_INTERNAL_API void ks_json_bool(ks_json *j, int v);
KS_INTERNAL_API void ks_json_null(ks_json *j);
/** Finish the document with a newline. */
KS_INTERNAL_API void ks_json_finish(ks_json *j);

/** The provenance block of every JSON output, as key "provenance": {ketasim_version,
 *  git_revision, dependencies, command_line (null when the context has none)}. Written inside an
 *  object; the one function that writes it. */
KS_INTERNAL_API void ks_json_provenance(ks_json *j, const ks_ctx *ctx);
/* The opening keys of every scenario-based JSON output: "ketasim_version", "scenario", "seed". */
KS_INTERNAL_API void ks_json_scenario_header(ks_json *j, const char *scenario, uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif
