/* SPDX-License-Identifier: MIT */
/* The shared vocabulary of a dose: drugs and routes, one enum each, with their names. The scenario
 * (io), the pk layer and everything between use these; no layer keeps its own copy. A drug or
 * route is added here (and its name in src/core/vocab.c), at the end, before the _N count. */
#ifndef KETASIM_VOCAB_H
#define KETASIM_VOCAB_H

#include <ketasim/core.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { KS_DRUG_KETAMINE = 0, KS_DRUG_ESKETAMINE, KS_DRUG_MIDAZOLAM, KS_DRUG_N } ks_drug;

/* KS_ROUTE_IV with infusion_h == 0 is a bolus. */
typedef enum {
  KS_ROUTE_IV = 0, KS_ROUTE_IM, KS_ROUTE_INTRANASAL, KS_ROUTE_ORAL, KS_ROUTE_SUBLINGUAL,
  KS_ROUTE_RECTAL, KS_ROUTE_N
} ks_route;

/** Names as written in scenario files and on the command line ("ketamine", "iv"); "?" when out of
 *  range. parse accepts the names (any case) and common aliases ("s-ketamine"; "in", "nasal", "po", "sl",
 *  "buccal", "pr") and returns -1 for anything else. Pure; thread-safe. */
KS_API const char *ks_drug_name(ks_drug d);
KS_API const char *ks_route_name(ks_route r);
KS_API int ks_drug_parse(const char *name);
KS_API int ks_route_parse(const char *name);

#ifdef __cplusplus
}
#endif
#endif
