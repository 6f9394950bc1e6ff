/* SPDX-License-Identifier: MIT */
/* Streamed, batched runs (issue 8): the same bytes as the in-memory run for any batch size; the
 * measures kept in memory are those the summary reads; a memory limit that cannot fit is refused
 * with a message naming the limit. Reads examples/feder2021.yaml from KS_SOURCE_DIR. */
#include "harness.h"

#include <ketasim/scenario.h>
#include <ketasim/output.h>
#include <ketasim/trial.h>

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
    free(s);
    s = NULL;
  }
  fclose(f);
  if (s) s[n] = '\0';
  *len = (size_t)n;
  return s;
}

/* summary.json up to its "run" key (timing and processes differ between runs). */
static size_t before_run_key(const char *s) {
  const char *p = strstr(s, "\"run\"");
  return p ? (size_t)(p - s) : strlen(s);
}

static ks_scenario *load_example(ks_ctx *ctx) {
  const char *src = getenv("KS_SOURCE_DIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/examples/feder2021.yaml", src ? src : ".");
  ks_scenario *sc = NULL;
  return ks_scenario_load(ctx, path, &sc) == KS_OK ? sc : NULL;
}

static int files_equal(const char *a, const char *b, int summary) {
  size_t na = 0, nb = 0;
  char *x = slurp(a, &na), *y = slurp(b, &nb);
  int eq = x && y;
  if (eq && summary) {
    na = before_run_key(x);
    nb = before_run_key(y);
  }
  eq = eq && na == nb && memcmp(x, y, na) == 0;
  free(x);
  free(y);
  return eq;
}

KS_TEST(streamed_batches_match_the_in_memory_run) {
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = load_example(ctx);
  KS_ASSERT_TRUE(sc != NULL);
  if (!sc) return;
  ks_trial_options o = ks_trial_options_default();
  o.n_patients = 23;
  o.n_threads = 2;
  ks_trial_result *mem = NULL, *str = NULL;
  KS_ASSERT_OK(ks_trial_run(ctx, sc, &o, &mem));
  KS_ASSERT_OK(ks_trial_write(ctx, mem, "test_trial_stream_mem", 0.0, 2, 1));
  o.sink = &ks_trial_stream_sink;
  o.stream_dir = "test_trial_stream_str";
  o.batch_patients = 4; /* 6 batches, the last one short */
  o.checkpoint_every_patients = 8;
  KS_ASSERT_OK(ks_trial_run(ctx, sc, &o, &str));
  KS_ASSERT_OK(ks_trial_write(ctx, str, "test_trial_stream_str", 1.0, 2, 1));
  KS_ASSERT_OK(ks_trial_finish(ctx, str));
  KS_ASSERT_TRUE(files_equal("test_trial_stream_mem/patients.csv", "test_trial_stream_str/patients.csv", 0));
  KS_ASSERT_TRUE(files_equal("test_trial_stream_mem/summary.json", "test_trial_stream_str/summary.json", 1));
  /* Kept measures read the same; the others are NaN in the streamed result (they are in the CSV). */
  KS_ASSERT_EQ_INT(ks_trial_value(mem, 5, 0, KS_M_CAPS5) == ks_trial_value(str, 5, 0, KS_M_CAPS5), 1);
  KS_ASSERT_TRUE(!isnan(ks_trial_value(mem, 5, 0, KS_M_CAPS5_B)));
  KS_ASSERT_TRUE(isnan(ks_trial_value(str, 5, 0, KS_M_CAPS5_B)));
  FILE *ck = fopen("test_trial_stream_str/.checkpoint", "r");
  KS_ASSERT_TRUE(ck == NULL); /* finish removed it */
  if (ck) fclose(ck);
  ks_trial_result_destroy(&mem);
  ks_trial_result_destroy(&str);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST(a_memory_limit_that_cannot_fit_is_refused) {
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = load_example(ctx);
  KS_ASSERT_TRUE(sc != NULL);
  if (!sc) return;
  ks_trial_options o = ks_trial_options_default();
  o.n_patients = 1000;
  o.n_threads = 1;
  o.sink = &ks_trial_stream_sink;
  o.stream_dir = "test_trial_stream_mem_limit";
  o.max_memory_bytes = 1u << 20; /* 1 MiB: less than one thread's workspace */
  ks_trial_result *r = NULL;
  KS_ASSERT_EQ_INT(ks_trial_run(ctx, sc, &o, &r), KS_ERANGE);
  KS_ASSERT_TRUE(r == NULL);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "--max-memory") != NULL);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST(cancel_stops_at_a_batch_end_with_a_checkpoint) {
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = load_example(ctx);
  KS_ASSERT_TRUE(sc != NULL);
  if (!sc) return;
  static volatile sig_atomic_t stop = 1; /* set before the run: stops after the first batch */
  ks_trial_options o = ks_trial_options_default();
  o.n_patients = 12;
  o.n_threads = 1;
  o.batch_patients = 3;
  o.sink = &ks_trial_stream_sink;
  o.stream_dir = "test_trial_stream_cancel";
  /* A checkpoint left by an earlier run of this test (another build's run) would be refused. */
  remove("test_trial_stream_cancel/.checkpoint");
  o.cancel = &stop;
  ks_trial_result *r = NULL;
  KS_ASSERT_EQ_INT(ks_trial_run(ctx, sc, &o, &r), KS_EINTERRUPTED);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "after 3 of 12") != NULL);
  FILE *ck = fopen("test_trial_stream_cancel/.checkpoint", "r");
  KS_ASSERT_TRUE(ck != NULL);
  if (ck) fclose(ck);
  stop = 0;
  o.resume = 1;
  KS_ASSERT_OK(ks_trial_run(ctx, sc, &o, &r));
  KS_ASSERT_EQ_INT(ks_trial_n_resumed(r), 3);
  ks_trial_result_destroy(&r);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
