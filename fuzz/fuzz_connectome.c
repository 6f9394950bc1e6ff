/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the connectome reader (ks_connectome_load, TVB text format).
 * Input: centres.txt, a form feed (0x0C), weights.txt, and optionally another form feed and
 * tract_lengths.txt; the parts are written to a private temporary directory and loaded.
 * Properties checked:
 *  - no crash, leak or undefined behaviour;
 *  - a refusal is KS_EINPUT whose message names the file and a LINE:COL, or KS_EIO/KS_ENOMEM;
 *  - an accepted connectome has n >= 1 regions with non-empty labels, finite non-negative
 *    weights and tract lengths (Euclidean, symmetric, zero diagonal when tract_lengths.txt is
 *    absent), and every label maps to -1 or a built-in region;
 *  - small accepted connectomes (one in four, by hash) build a whole-brain circuit (ks_circuit_create_brain) or are
 *    refused with a status, never a crash. */
#include "fuzz_connectome_io.h"

#include <math.h>
#include <string.h>

#include <ketasim/circuit.h>

#define KS_FUZZ_LABEL_MAX 48 /* KS_LABEL_MAX of src/circuit/circuit_internal.h */

static void check_connectome(const ks_connectome *c, int have_lengths) {
  size_t n = ks_connectome_n_regions(c);
  KS_FUZZ_CHECK(n >= 1, "accepted a connectome of %zu regions", n);
  for (size_t i = 0; i < n; i++) {
    const char *lab = ks_connectome_label(c, i);
    KS_FUZZ_CHECK(lab && lab[0] && strlen(lab) < KS_FUZZ_LABEL_MAX, "label %zu", i);
    int r = ks_connectome_map_label(lab);
    KS_FUZZ_CHECK(r >= -1 && r < KS_REGION_N, "label '%s' maps to %d", lab, r);
    for (size_t j = 0; j < n; j++) {
      double w = ks_connectome_weight(c, i, j), l = ks_connectome_length_mm(c, i, j);
      KS_FUZZ_CHECK(isfinite(w) && w >= 0.0, "weight %zu,%zu = %g", i, j, w);
      KS_FUZZ_CHECK(isfinite(l) && l >= 0.0, "tract length %zu,%zu = %g", i, j, l);
      if (!have_lengths) {
        KS_FUZZ_CHECK(l == ks_connectome_length_mm(c, j, i), "Euclidean lengths not symmetric");
        if (i == j) KS_FUZZ_CHECK(l == 0.0, "distance of region %zu to itself %g", i, l);
      }
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 16384) return 0;
  ks_fuzz_conn_parts parts;
  ks_fuzz_conn_split(data, size, &parts);
  const char *dir = ks_fuzz_conn_write(&parts);
  KS_FUZZ_CHECK(dir != NULL, "cannot write the temporary connectome");
  ks_ctx *ctx = ks_fuzz_ctx(NULL);
  if (!ctx) return 0;
  ks_connectome *c = NULL;
  ks_status st = ks_connectome_load(ctx, dir, &c);
  if (st == KS_OK) {
    check_connectome(c, parts.n >= 3);
    /* Building the circuit costs ~4 ms (feedback-inhibition tuning): one input in four. */
    if (ks_connectome_n_regions(c) <= 16 && ks_fuzz_hash(data, size) % 4 == 0) {
      ks_circuit *circ = NULL;
      ks_status cs = ks_circuit_create_brain(ctx, c, NULL, NULL, &circ);
      KS_FUZZ_CHECK(cs == KS_OK || cs == KS_EINVAL || cs == KS_ENUMERIC || cs == KS_ENOMEM,
                    "create_brain: %s", ks_status_name(cs));
      if (cs == KS_OK)
        KS_FUZZ_CHECK(ks_circuit_n_regions(circ) == ks_connectome_n_regions(c), "region count");
      ks_circuit_destroy(&circ);
    }
    ks_connectome_destroy(&c);
  } else {
    KS_FUZZ_CHECK(c == NULL, "*out written on failure");
    KS_FUZZ_CHECK(st == KS_EINPUT || st == KS_ENOMEM, "status %s: %s", ks_status_name(st),
                  ks_ctx_last_error(ctx));
    if (st == KS_EINPUT) ks_fuzz_conn_check_message(dir, ks_ctx_last_error(ctx));
  }
  ks_ctx_destroy(&ctx);
  return 0;
}
