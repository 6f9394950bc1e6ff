/* SPDX-License-Identifier: MIT */
/* Private to the scenario loader: a small YAML tree with exact positions, built from libfyaml's
 * event stream, and the helpers the schema walk shares. */
#ifndef KS_SCENARIO_INTERNAL_H
#define KS_SCENARIO_INTERNAL_H

#include <ketasim/scenario.h>

#include "core/core_internal.h"

typedef enum { YN_SCALAR = 0, YN_SEQ, YN_MAP } yn_kind;

/* One YAML node. Mappings keep keys and values interleaved in items[0..2n); sequences keep
 * items[0..n). An alias is the anchored node itself (a shared pointer), so nothing is copied and
 * nested aliases cannot blow up memory. */
typedef struct ynode {
  yn_kind kind;
  int line, col;          /* 1-based position of the node's first character */
  int quoted;             /* scalar written quoted or as a block scalar: always a string */
  char *text;             /* scalar text, NUL-terminated (len excludes the NUL) */
  size_t len;
  struct ynode **items;
  size_t n;               /* items (sequence) or pairs (mapping) */
  size_t cap;
} ynode;

/* A bump allocator for the tree: one chunk list freed at once. */
typedef struct yarena {
  ks_ctx *ctx;
  struct ychunk *head;
} yarena;

void *ks__yarena_alloc(yarena *a, size_t n);
void ks__yarena_free(yarena *a);

/* Parse TEXT[0..len) into a tree. On a syntax error, records KS_EINPUT with FILE:LINE:COL in the
 * context. An empty document (no content) gives *root == NULL and KS_OK. */
ks_status ks__yaml_parse(ks_ctx *ctx, yarena *a, const char *file, const char *text, size_t len,
                         ynode **root);

/* Damerau-Levenshtein (optimal string alignment) distance, capped for long strings. */


#endif
