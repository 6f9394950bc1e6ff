/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the NONMEM / nlmixr2 data-set reader (ks_nm_read_string) and the conversion
 * of each subject into PK doses and observations (ks_fit_input_from_data).
 * Properties checked: no crash, leak or undefined behaviour; a refusal is KS_EINPUT with
 * "data.csv:" and the line (or KS_ENOMEM under an injected allocation failure, which must leave
 * nothing behind); an accepted data set is consistent: subjects are contiguous runs of records
 * covering them all, times ascend within a subject, doses have AMT > 0 and a non-negative
 * infusion, observations counted in n_obs have a finite DV >= 0, and every subject converts
 * (or is refused with a message) without touching memory it does not own. */
#include "fuzz_common.h"

#include <math.h>
#include <string.h>

#include <ketasim/fit.h>
#include <ketasim/nonmem.h>

static const char kName[] = "data.csv";

static void check_accepted(ks_ctx *ctx, const ks_nm_data *d) {
  size_t next = 0, n_obs = 0, n_doses = 0;
  for (size_t s = 0; s < d->n_subj; s++) {
    const ks_nm_subject *sj = &d->subj[s];
    KS_FUZZ_CHECK(sj->first == next && sj->n > 0, "subject %zu starts at %zu, expected %zu", s,
                  sj->first, next);
    next += sj->n;
    for (size_t k = 0; k < sj->n; k++) {
      const ks_nm_record *r = &d->rec[sj->first + k];
      KS_FUZZ_CHECK(isfinite(r->time_h), "non-finite time at line %d", r->line);
      if (k) KS_FUZZ_CHECK(r->time_h >= d->rec[sj->first + k - 1].time_h, "time backwards at line %d", r->line);
      if (r->evid == 1) {
        n_doses++;
        KS_FUZZ_CHECK(r->amt_mg > 0 && r->infusion_h >= 0, "bad dose at line %d", r->line);
      }
      if (r->evid == 0 && !r->mdv) {
        n_obs++;
        KS_FUZZ_CHECK(isfinite(r->dv_ng_per_mL) && r->dv_ng_per_mL >= 0, "bad DV at line %d", r->line);
      }
    }
    ks_fit_input in;
    ks_fit_input_bufs bufs;
    ks_drug drug;
    ks_status st = ks_fit_input_from_data(ctx, d, s, &drug, &in, &bufs);
    if (st == KS_OK) {
      KS_FUZZ_CHECK(in.n_obs <= sj->n && in.n_doses <= sj->n, "subject %zu: counts", s);
      ks_fit_input_free(ctx, &bufs);
    } else {
      KS_FUZZ_CHECK(st == KS_EINPUT || st == KS_ENOMEM, "conversion status %d", (int)st);
    }
  }
  KS_FUZZ_CHECK(next == d->n_rec, "subjects cover %zu of %zu records", next, d->n_rec);
  KS_FUZZ_CHECK(n_obs == d->n_obs && n_doses == d->n_doses, "counts %zu/%zu vs %zu/%zu", n_obs,
                n_doses, d->n_obs, d->n_doses);
}

static ks_status read_once(ks_fuzz_alloc *alloc, const uint8_t *data, size_t size) {
  ks_ctx *ctx = ks_fuzz_ctx(alloc);
  if (!ctx) return KS_ENOMEM;
  ks_nm_data *d = NULL;
  ks_status st = ks_nm_read_string(ctx, kName, (const char *)data, size, NULL, &d);
  if (st == KS_OK) {
    check_accepted(ctx, d);
  } else {
    KS_FUZZ_CHECK(d == NULL, "output written on failure");
    KS_FUZZ_CHECK(st == KS_EINPUT || st == KS_ENOMEM, "status %d: %s", (int)st, ks_ctx_last_error(ctx));
    if (st == KS_EINPUT)
      KS_FUZZ_CHECK(strncmp(ks_ctx_last_error(ctx), kName, sizeof kName - 1) == 0 ||
                        strstr(ks_ctx_last_error(ctx), "unknown") != NULL,
                    "message without the file: %s", ks_ctx_last_error(ctx));
  }
  ks_nm_data_destroy(ctx, &d);
  ks_ctx_destroy(&ctx);
  return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 65536) return 0;
  ks_fuzz_alloc count = {0, 0, 0};
  read_once(&count, data, size);
  /* Again with one allocation failing (chosen by the input's hash): a clean refusal. */
  if (count.n > 1) {
    ks_fuzz_alloc fail = {0, 2 + (long)(ks_fuzz_hash(data, size) % (uint64_t)(count.n - 1)), 0};
    read_once(&fail, data, size);
  }
  return 0;
}
