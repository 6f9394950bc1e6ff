/* SPDX-License-Identifier: MIT */
/* Target roles, written once: the calibration set (data/targets/calibration.tsv) and the checks
 * that pass by construction (data/targets/by_construction.tsv), compiled in from those files at
 * configure time (src/core/CMakeLists.txt). Every other target is a validation target. */
#include "core_internal.h"
#include <ketasim/validate.h>

#include <string.h>

static const char *const calibration_ids[] = {
#include "targets_calibration.inc"
    NULL};

static const char *const by_construction_ids[] = {
#include "targets_by_construction.inc"
    NULL};

static int in_list(const char *const *list, const char *id) {
  if (!id) return 0;
  for (size_t i = 0; list[i]; i++)
    if (!strcmp(list[i], id)) return 1;
  return 0;
}

int ks_target_is_calibration(const char *id) { return in_list(calibration_ids, id); }
int ks_target_is_by_construction(const char *id) { return in_list(by_construction_ids, id); }

const char *ks_target_calibration_id(size_t i) {
  return i < KS_ARRAY_LEN(calibration_ids) ? calibration_ids[i] : NULL;
}

const char *ks_target_by_construction_id(size_t i) {
  return i < KS_ARRAY_LEN(by_construction_ids) ? by_construction_ids[i] : NULL;
}
