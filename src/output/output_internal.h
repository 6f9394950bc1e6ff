/* SPDX-License-Identifier: MIT */
/* What the output module's files share. The module reads a finished ks_trial_result through the
 * trial module's private layout (trial_internal.h): it is the trial module's one friend, above it
 * in KS_MODULE_ORDER, and the trial module never calls back into it (its run loop hands rows to a
 * ks_trial_sink). docs/architecture.md. */
#ifndef KS_OUTPUT_INTERNAL_H
#define KS_OUTPUT_INTERNAL_H

#include "trial/trial_internal.h"

#include <ketasim/output.h>

typedef struct trial_stream trial_stream;

/* Streamed outputs (stream.c, behind ks_trial_stream_sink), rank 0 only. commit: move
 * patients.csv (and write the HDF5 file) into place under DIR. */
ks_status ks__trial_stream_commit(ks_ctx *ctx, const ks_trial_result *r, const char *csv_path);

/* patients.csv: the header row, and the rows of patient i (vals: [n_visits][KS_M_N]). */
void ks__trial_csv_header(FILE *fp);
void ks__trial_csv_patient(FILE *fp, const ks_trial_result *r, size_t i, const double *vals);

/* HDF5 (hdf5.c): write PATH (via a temporary name) from the row log of a streamed run.
 * KS_EUNSUPPORTED when the build has no HDF5. */
ks_status ks__trial_hdf5_write(ks_ctx *ctx, const ks_trial_result *r, const char *path, FILE *rows);

/* Visit index of endpoint visit AT in PERIOD, or -1 (summary.c). */
long ks__trial_find_visit(const ks_trial_result *r, ks_scen_visit at, int period);
/* The baseline visit of measure M in PERIOD: the last visit of the period at or before its first
 * dose at which the measure's scale is assessed; -1 when there is none (summary.c). */
long ks__trial_baseline_visit(const ks_trial_result *r, int period, int m);

/* Pearson r, over the imaging subset (or group ARM_ONLY when >= 0), between the change in
 * vmPFC-amygdala FC and the CAPS-5 improvement from the first to the last scan; NaN when it cannot
 * be computed. */
double ks__trial_imaging_r(ks_ctx *ctx, const ks_trial_result *r, int arm_only);

/* The stream sink's state of a result, or NULL when it was not streamed (stream.c). */
trial_stream *ks__trial_stream_of(const ks_trial_result *r);

#endif
