/* SPDX-License-Identifier: MIT */
/* The NONMEM-layout reader: units converted, infusions from RATE and DUR, compartments by number
 * and by name, covariates per subject; expected values worked out by hand from the file text. */
#include "harness.h"

#include <ketasim/nonmem.h>
#include <unistd.h>

static const char *write_tmp(const char *text, char *path, size_t n) {
  snprintf(path, n, "/tmp/ks_test_nonmem_%ld.csv", (long)getpid());
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
  return path;
}

KS_TEST(reads_units_infusions_compartments_and_covariates) {
  ks_ctx *ctx = ks_test_ctx();
  char p[128];
  write_tmp("# a comment\n"
            "# units: TIME=min AMT=ug DV=mg/L WT=lb\n"
            "# drug: ketamine\n"
            "# route: oral\n"
            "id,time,amt,rate,evid,cmt,dv,wt,age,sex,extra\n"
            "A,0,35000,875,1,central,.,154,35,F,x\n"   /* 35 mg at 0.875 mg/min: 40 min */
            "A,30,.,.,0,2,0.15,154,35,F,x\n"           /* 0.15 mg/L = 150 ng/mL at 0.5 h */
            "A,60,.,.,0,metabolite,0.04,.,.,.,x\n"
            "A,90,.,.,2,2,.,.,.,.,x\n"
            "B,0,100000,0,1,1,.,.,60,0,\n"             /* oral (depot) 100 mg */
            "B,120,.,.,0,2,0.02,.,60,0,\n",
            p, sizeof p);
  ks_nm_data *d = NULL;
  KS_ASSERT_OK(ks_nm_read(ctx, p, NULL, &d));
  KS_ASSERT_EQ_INT(d->n_subj, 2);
  KS_ASSERT_EQ_INT(d->n_rec, 6);
  KS_ASSERT_EQ_INT(d->n_doses, 2);
  KS_ASSERT_EQ_INT(d->n_obs, 3);
  KS_ASSERT_EQ_STR(d->drug.text, "ketamine");
  KS_ASSERT_EQ_STR(d->route.text, "oral");
  KS_ASSERT_EQ_INT(d->drug.line, 3);
  const ks_nm_record *r = d->rec;
  KS_ASSERT_NEAR(r[0].amt_mg, 35.0, 1e-12);
  KS_ASSERT_NEAR(r[0].infusion_h, 40.0 / 60.0, 1e-12);
  KS_ASSERT_EQ_INT(r[0].cmt, KS_NM_CMT_CENTRAL);
  KS_ASSERT_NEAR(r[1].time_h, 0.5, 1e-12);
  KS_ASSERT_NEAR(r[1].dv_ng_per_mL, 150.0, 1e-9);
  KS_ASSERT_EQ_INT(r[2].cmt, KS_NM_CMT_METABOLITE);
  KS_ASSERT_EQ_INT(r[3].evid, 2);
  KS_ASSERT_EQ_INT(r[4].cmt, KS_NM_CMT_DEPOT);
  KS_ASSERT_NEAR(r[4].infusion_h, 0.0, 0.0);
  KS_ASSERT_EQ_STR(d->subj[0].id, "A");
  KS_ASSERT_NEAR(d->subj[0].weight_kg, 154.0 * 0.45359237, 1e-9);
  KS_ASSERT_EQ_INT(d->subj[0].female, 1);
  KS_ASSERT_EQ_INT(d->subj[1].female, 0);
  KS_ASSERT_TRUE(isnan(d->subj[1].weight_kg));
  KS_ASSERT_NEAR(d->subj[1].age_y, 60.0, 0.0);
  KS_ASSERT_EQ_INT(d->subj[1].first, 4);
  KS_ASSERT_EQ_INT(d->subj[1].n, 2);
  ks_nm_data_destroy(ctx, &d);
  KS_ASSERT_TRUE(d == NULL);
  unlink(p);
  ks_ctx_destroy(&ctx);
}

KS_TEST(command_line_declarations_override_the_file) {
  ks_ctx *ctx = ks_test_ctx();
  char p[128];
  write_tmp("ID,TIME,AMT,DUR,EVID,CMT,DV\n1,0,20,0.5,1,1,.\n1,1,.,.,0,2,80\n", p, sizeof p);
  ks_nm_data *d = NULL;
  KS_ASSERT_EQ_INT(ks_nm_read(ctx, p, NULL, &d), KS_EINPUT);  /* no units */
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "units of TIME not declared") != NULL);
  ks_nm_options o = {.units = "TIME=d AMT=mg DV=ng/mL", .cmt = "central=1 metabolite=2",
                     .drug = "esketamine"};
  KS_ASSERT_OK(ks_nm_read(ctx, p, &o, &d));
  KS_ASSERT_NEAR(d->rec[0].infusion_h, 12.0, 1e-12);  /* DUR 0.5 d */
  KS_ASSERT_EQ_INT(d->rec[0].cmt, KS_NM_CMT_CENTRAL);
  KS_ASSERT_EQ_INT(d->rec[1].cmt, KS_NM_CMT_METABOLITE);
  KS_ASSERT_NEAR(d->rec[1].time_h, 24.0, 1e-12);
  KS_ASSERT_EQ_STR(d->drug.text, "esketamine");
  ks_nm_data_destroy(ctx, &d);
  unlink(p);
  ks_ctx_destroy(&ctx);
}

/* Files from Windows tools: CRLF line ends, quoted fields. */
KS_TEST(crlf_and_quotes) {
  ks_ctx *ctx = ks_test_ctx();
  char p[128];
  write_tmp("# units: TIME=h AMT=mg DV=ng/mL\r\n# drug: ketamine\r\n"
            "\"ID\",\"TIME\",\"AMT\",\"EVID\",\"DV\"\r\n"
            "\"p 1\",0,35,1,.\r\n\"p 1\",1.5,.,0,88.5\r\n", p, sizeof p);
  ks_nm_data *d = NULL;
  KS_ASSERT_OK(ks_nm_read(ctx, p, NULL, &d));
  KS_ASSERT_EQ_STR(d->subj[0].id, "p 1");
  KS_ASSERT_EQ_STR(d->drug.text, "ketamine");
  KS_ASSERT_NEAR(d->rec[1].dv_ng_per_mL, 88.5, 0.0);
  KS_ASSERT_NEAR(d->rec[1].time_h, 1.5, 0.0);
  ks_nm_data_destroy(ctx, &d);
  unlink(p);
  ks_ctx_destroy(&ctx);
}

KS_TEST(allocation_failures_are_reported_not_crashed) {
  char p[128];
  write_tmp("# units: TIME=h AMT=mg DV=ng/mL\nID,TIME,AMT,EVID,DV\n1,0,5,1,.\n1,1,0,0,3\n", p,
            sizeof p);
  for (long k = 1; k < 12; k++) {
    ks_ctx_opts o = ks_ctx_opts_default();
    o.log_level = KS_LOG_ERROR;
    o.fail_alloc_at = k + 1;  /* the context itself takes the first allocation */
    ks_ctx *ctx = NULL;
    if (ks_ctx_create(&o, &ctx) != KS_OK) continue;
    ks_nm_data *d = NULL;
    ks_status st = ks_nm_read(ctx, p, NULL, &d);
    KS_ASSERT_TRUE(st == KS_OK || st == KS_ENOMEM);
    KS_ASSERT_TRUE((st == KS_OK) == (d != NULL));
    ks_nm_data_destroy(ctx, &d);
    ks_ctx_destroy(&ctx);
  }
  unlink(p);
}

KS_TEST_MAIN()
