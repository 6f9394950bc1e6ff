/* SPDX-License-Identifier: MIT */
/* The loader's hook for the optimize block (src/io/scenario_optimize.c). */
#ifndef KS_SCENARIO_OPTIMIZE_INTERNAL_H
#define KS_SCENARIO_OPTIMIZE_INTERNAL_H

#include <ketasim/scenario_optimize.h>

#include "scenario_internal.h"

/* Check the optimize block Y of scenario SC (its arms already loaded) and fill *out (may be NULL:
 * check only). KS_EINPUT with "FILE:LINE:COL: ..." on bad input. */
ks_status ks__scenario_optimize_parse(ks_ctx *ctx, const char *file, const ynode *y, const ks_scenario *sc,
                                      ks_optimize_spec *out);

#endif
