/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the scenario loader (ks_scenario_load_string).
 * Properties checked on every input:
 *  - no crash, leak or undefined behaviour (ASan/UBSan/LeakSanitizer);
 *  - an accepted scenario has a trial in it (arms, patients) and non-empty names;
 *  - a refusal is KS_EINPUT with a message "fuzz.yaml:LINE:COL: ..." (LINE, COL >= 1), or KS_ENOMEM;
 *  - an accepted scenario written back with ks_scenario_write_resolved() loads again, equal
 *    (the contract of scenario.h);
 *  - the same input with its K-th allocation failing (K chosen from the input's hash) returns
 *    KS_ENOMEM or the same status as before, and frees everything. */
#include "fuzz_common.h"

#include <string.h>

#include <ketasim/scenario.h>

static const char *const kName = "fuzz.yaml";

/* The message of a refusal names the input and a position: "fuzz.yaml:LINE:COL: text". */
static void check_input_message(const char *msg) {
  size_t nl = strlen(kName);
  KS_FUZZ_CHECK(strncmp(msg, kName, nl) == 0 && msg[nl] == ':', "message '%s'", msg);
  char *end = NULL;
  long line = strtol(msg + nl + 1, &end, 10);
  KS_FUZZ_CHECK(line >= 1 && *end == ':', "line in '%s'", msg);
  long col = strtol(end + 1, &end, 10);
  KS_FUZZ_CHECK(col >= 1 && end[0] == ':' && end[1] == ' ' && end[2] != '\0', "column in '%s'", msg);
  KS_FUZZ_CHECK(strchr(msg, '\n') == NULL, "one line: '%s'", msg);
}

static void check_round_trip(ks_ctx *ctx, const ks_scenario *sc) {
  char *text = NULL;
  size_t len = 0;
  FILE *mf = open_memstream(&text, &len);
  KS_FUZZ_CHECK(mf != NULL, "open_memstream");
  ks_status st = ks_scenario_write_resolved(ctx, sc, mf);
  fclose(mf);
  KS_FUZZ_CHECK(st == KS_OK, "write_resolved: %s", ks_ctx_last_error(ctx));
  ks_scenario *again = NULL;
  st = ks_scenario_load_string(ctx, "resolved.yaml", text, len, &again);
  KS_FUZZ_CHECK(st == KS_OK, "the resolved scenario does not load: %s\n--- resolved ---\n%s",
                ks_ctx_last_error(ctx), text);
  KS_FUZZ_CHECK(ks_scenario_equal(sc, again), "reloaded scenario differs\n--- resolved ---\n%s", text);
  ks_scenario_destroy(&again);
  free(text);
}

/* Load DATA; returns the status (the scenario is checked and freed here). */
static ks_status load_once(ks_fuzz_alloc *alloc, const uint8_t *data, size_t size, int full) {
  ks_ctx *ctx = ks_fuzz_ctx(alloc);
  if (!ctx) return KS_ENOMEM;
  ks_scenario *sc = NULL;
  ks_status st = ks_scenario_load_string(ctx, kName, (const char *)data, size, &sc);
  alloc->mark = alloc->n;
  if (st == KS_OK) {
    KS_FUZZ_CHECK(sc != NULL, "KS_OK without a scenario");
    if (full) {
      KS_FUZZ_CHECK(sc->n_arms >= 1 && sc->population.n >= 1, "accepted an empty trial");
      KS_FUZZ_CHECK(sc->name[0] != '\0' && sc->name[0] != ' ', "accepted the name '%s'", sc->name);
      for (size_t a = 0; a < sc->n_arms; a++)
        KS_FUZZ_CHECK(sc->arms[a].name[0] != '\0', "accepted an empty arm name");
      KS_FUZZ_CHECK(ks_scenario_total_patients(sc) >= sc->population.n, "total patients");
      check_round_trip(ctx, sc);
    }
    ks_scenario_destroy(&sc);
  } else {
    KS_FUZZ_CHECK(sc == NULL, "*out written on failure");
    if (full) {
      KS_FUZZ_CHECK(st == KS_EINPUT, "status %s: %s", ks_status_name(st), ks_ctx_last_error(ctx));
      check_input_message(ks_ctx_last_error(ctx));
    }
  }
  ks_ctx_destroy(&ctx);
  return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 65536) return 0; /* the loader's own limit is 4 MiB; keep runs fast */
  ks_fuzz_alloc count = {0, 0, 0};
  ks_status st = load_once(&count, data, size, 1);
  if (count.mark > 1) {
    ks_fuzz_alloc fail = {0, 2 + (long)(ks_fuzz_hash(data, size) % (uint64_t)(count.mark - 1)), 0};
    ks_status st2 = load_once(&fail, data, size, 0);
    KS_FUZZ_CHECK(st2 == KS_ENOMEM || st2 == st, "with allocation %ld failing: %s, before %s",
                  fail.fail_at, ks_status_name(st2), ks_status_name(st));
  }
  return 0;
}
