/* SPDX-License-Identifier: MIT */
/* Atomic files, CSV quoting and the JSON writer. */
#include "harness.h"
#include <ketasim/io.h>
#include <unistd.h>

static char *slurp(const char *path) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  static char buf[4096];
  size_t n = fread(buf, 1, sizeof buf - 1, fp);
  buf[n] = '\0';
  fclose(fp);
  return buf;
}

KS_TEST(afile_appears_only_on_commit) {
  ks_ctx_opts o = ks_ctx_opts_default();
  ks_ctx *ctx = NULL;
  KS_ASSERT_OK(ks_ctx_create(&o, &ctx));
  char path[] = "test_io_afile.txt";
  remove(path);
  ks_afile *f = NULL;
  KS_ASSERT_OK(ks_afile_open(ctx, path, &f));
  fputs("hello\n", ks_afile_stream(f));
  KS_ASSERT_TRUE(access(path, F_OK) != 0); /* not there before commit */
  KS_ASSERT_OK(ks_afile_commit(&f));
  KS_ASSERT_TRUE(f == NULL);
  KS_ASSERT_EQ_STR(slurp(path), "hello\n");
  /* An aborted rewrite leaves the old content. */
  KS_ASSERT_OK(ks_afile_open(ctx, path, &f));
  fputs("partial", ks_afile_stream(f));
  ks_afile_abort(&f);
  KS_ASSERT_EQ_STR(slurp(path), "hello\n");
  remove(path);
  /* A directory that does not exist is an I/O error with the path in the message. */
  KS_ASSERT_EQ_INT(ks_afile_open(ctx, "no/such/dir/x.csv", &f), KS_EIO);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "no/such/dir/x.csv") != NULL);
  ks_ctx_destroy(&ctx);
}

KS_TEST(csv_quoting) {
  char buf[256] = {0};
  FILE *fp = fmemopen(buf, sizeof buf, "w");
  ks_csv_field_str(fp, 1, "plain");
  ks_csv_field_str(fp, 0, "a,b");
  ks_csv_field_str(fp, 0, "say \"hi\"");
  ks_csv_field_num(fp, 0, 0.1);
  ks_csv_field_num(fp, 0, -0.0);
  ks_csv_field_int(fp, 0, 42);
  ks_csv_end_row(fp);
  fclose(fp);
  KS_ASSERT_EQ_STR(buf, "plain,\"a,b\",\"say \"\"hi\"\"\",0.1,0,42\n");
}

KS_TEST(json_shape) {
  char buf[512] = {0};
  FILE *fp = fmemopen(buf, sizeof buf, "w");
  ks_json j;
  ks_json_init(&j, fp, 0);
  ks_json_begin_object(&j);
  ks_json_key(&j, "name");
  ks_json_str(&j, "a\"b\n");
  ks_json_key(&j, "xs");
  ks_json_begin_array(&j);
  ks_json_num(&j, 1.5);
  ks_json_num(&j, NAN);
  ks_json_int(&j, -3);
  ks_json_end_array(&j);
  ks_json_key(&j, "empty");
  ks_json_begin_object(&j);
  ks_json_end_object(&j);
  ks_json_key(&j, "ok");
  ks_json_bool(&j, 1);
  ks_json_end_object(&j);
  fclose(fp);
  KS_ASSERT_EQ_STR(buf, "{\"name\":\"a\\\"b\\n\",\"xs\":[1.5,null,-3],\"empty\":{},\"ok\":true}");
  KS_ASSERT_EQ_INT(j.n_nonfinite, 1);
}

KS_TEST_MAIN()
