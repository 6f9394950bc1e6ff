/* SPDX-License-Identifier: MIT */
/* Names of the shared dose vocabulary (include/ketasim/vocab.h). */
#include "core_internal.h"

#include <ketasim/vocab.h>

#include <string.h>
#include <strings.h>

static const char *const drug_names[KS_DRUG_N] = {"ketamine", "esketamine", "midazolam"};
static const char *const route_names[KS_ROUTE_N] = {"iv", "im", "intranasal", "oral", "sublingual", "rectal"};

const char *ks_drug_name(ks_drug d) { return (unsigned)d < KS_DRUG_N ? drug_names[d] : "?"; }
const char *ks_route_name(ks_route r) { return (unsigned)r < KS_ROUTE_N ? route_names[r] : "?"; }

int ks_drug_parse(const char *name) {
  if (!name) return -1;
  for (int i = 0; i < KS_DRUG_N; i++)
    if (strcasecmp(name, drug_names[i]) == 0) return i;
  if (strcasecmp(name, "s-ketamine") == 0) return KS_DRUG_ESKETAMINE;
  return -1;
}

int ks_route_parse(const char *name) {
  if (!name) return -1;
  for (int i = 0; i < KS_ROUTE_N; i++)
    if (strcasecmp(name, route_names[i]) == 0) return i;
  if (strcmp(name, "in") == 0 || strcmp(name, "nasal") == 0) return KS_ROUTE_INTRANASAL;
  if (strcmp(name, "po") == 0) return KS_ROUTE_ORAL;
  if (strcmp(name, "sl") == 0 || strcmp(name, "buccal") == 0) return KS_ROUTE_SUBLINGUAL;
  if (strcmp(name, "pr") == 0) return KS_ROUTE_RECTAL;
  return -1;
}
