/* SPDX-License-Identifier: MIT */
/* Conventional outputs of a run beside the wide patients.csv: the doses every patient was given,
 * in the NONMEM / nlmixr2 layout (doses.csv), so that a run's output can be read by pharmacometric
 * tools and by `ketasim pk --data` / `ketasim fit`; and the long layout (patients_long.csv). The
 * doses and the dropout rule come from the trial module (trial/tidy.c). */
#include "output_internal.h"

#include <ketasim/io.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_dose_time(const void *a, const void *b) {
  double x = ((const ks_pk_dose *)a)->t_start_h, y = ((const ks_pk_dose *)b)->t_start_h;
  return (x > y) - (x < y);
}

ks_status ks_trial_write_doses(ks_ctx *ctx, const ks_trial_result *r, const char *path) {
  KS_CHECK_ARG(ctx, r && path);
  ks_afile *f = NULL;
  KS_TRY(ks_afile_open(ctx, path, &f));
  FILE *fp = ks_afile_stream(f);
  fprintf(fp, "# ketasim %s: the doses of every patient of scenario '%s' (seed %llu)\n",
          ks_version(), r->sc->name, (unsigned long long)r->sc->seed);
  fprintf(fp, "# units: TIME=h AMT=mg WT=kg\n");
  fprintf(fp, "# cmt: depot=1 central=2 metabolite=3\n");
  static const char *const head[] = {"ID", "TIME", "AMT", "RATE", "EVID", "CMT", "MDV", "DRUG",
                                     "ROUTE", "PERIOD", "ARM", "WT", "AGE", "SEX"};
  for (size_t c = 0; c < KS_ARRAY_LEN(head); c++) ks_csv_field_str(fp, c == 0, head[c]);
  ks_csv_end_row(fp);
  ks_status st = KS_OK;
  char lbl[2 * KS_SCENARIO_NAME_MAX + 2];
  for (size_t i = 0; i < r->n && st == KS_OK; i++) {
    const trial_patient *pt = &r->patients[i];
    ks_pk_dose *d = NULL;
    size_t nd = 0;
    if ((st = ks__trial_patient_doses(ctx, &r->plan, pt, &d, &nd)) != KS_OK) break;
    qsort(d, nd, sizeof *d, cmp_dose_time);  /* NONMEM wants time order within an ID */
    for (size_t k = 0; k < nd; k++) {
      size_t period = r->plan.n_periods > 1 && d[k].t_start_h >= r->plan.period_offset_h ? 1 : 0;
      ks_csv_field_int(fp, 1, (long long)i + 1);
      ks_csv_field_num(fp, 0, d[k].t_start_h);
      ks_csv_field_num(fp, 0, d[k].dose_mg);
      ks_csv_field_num(fp, 0, d[k].infusion_h > 0.0 ? d[k].dose_mg / d[k].infusion_h : 0.0);
      ks_csv_field_int(fp, 0, 1);
      ks_csv_field_int(fp, 0, d[k].route == KS_ROUTE_IV ? 2 : 1);
      ks_csv_field_int(fp, 0, 1);
      ks_csv_field_str(fp, 0, ks_drug_name(d[k].drug));
      ks_csv_field_str(fp, 0, ks_route_name(d[k].route));
      ks_csv_field_int(fp, 0, (long long)period + 1);
      ks_csv_field_str(fp, 0, ks_trial_group_label(r, (size_t)pt->arm, lbl, sizeof lbl));
      ks_csv_field_num(fp, 0, pt->cov.weight_kg);
      ks_csv_field_num(fp, 0, pt->cov.age_y);
      ks_csv_field_int(fp, 0, pt->cov.female);
      ks_csv_end_row(fp);
    }
    ks_free(ctx, d);
  }
  if (st != KS_OK) {
    ks_afile_abort(&f);
    return st;
  }
  return ks_afile_commit(&f);
}

/* ---- the long layout ------------------------------------------------------------------------ */

ks_status ks_trial_write_long(ks_ctx *ctx, const ks_trial_result *r, const char *dir) {
  KS_CHECK_ARG(ctx, r && dir);
  char in_path[4200], out_path[4200];
  snprintf(in_path, sizeof in_path, "%s/patients.csv", dir);
  snprintf(out_path, sizeof out_path, "%s/patients_long.csv", dir);
  FILE *in = fopen(in_path, "r");
  if (!in) return ks_ctx_fail(ctx, KS_EIO, "%s: cannot read (write patients.csv first)", in_path);
  ks_afile *f = NULL;
  ks_status st = ks_afile_open(ctx, out_path, &f);
  if (st != KS_OK) {
    fclose(in);
    return st;
  }
  FILE *fp = ks_afile_stream(f);
  static const char *const head[] = {"patient", "arm", "period", "treatment", "visit",
                                     "visit_label", "nominal_t_h", "actual_t_h", "nominal_day",
                                     "measure", "value", "unit", "assessed", "after_dropout"};
  for (size_t c = 0; c < KS_ARRAY_LEN(head); c++) ks_csv_field_str(fp, c == 0, head[c]);
  ks_csv_end_row(fp);
  enum { F_PATIENT = 0, F_ARM, F_PERIOD, F_TREATMENT, F_VISIT, F_T_H, F_DAY, F_FIXED = 10 };
  char *line = NULL, *fld[F_FIXED + KS_M_N + 2];
  size_t cap = 0, row = 0, nv = r->plan.n_visits;
  if (getline(&line, &cap, in) < 0) st = ks_ctx_fail(ctx, KS_EIO, "%s: empty", in_path);
  while (st == KS_OK && getline(&line, &cap, in) >= 0) {
    if (ks_csv_split(line, fld, NULL, KS_ARRAY_LEN(fld)) != F_FIXED + KS_M_N + 1) {
      st = ks_ctx_fail(ctx, KS_EIO, "%s: row %zu has an unexpected number of fields", in_path,
                       row + 2);
      break;
    }
    size_t v = row++ % nv;
    const char *dropped = fld[F_FIXED + KS_M_N];  /* after_dropout of patients.csv */
    for (int m = 0; m < KS_M_N; m++) {
      const char *val = fld[F_FIXED + m];
      ks_csv_field_str(fp, 1, fld[F_PATIENT]);
      ks_csv_field_str(fp, 0, fld[F_ARM]);
      ks_csv_field_str(fp, 0, fld[F_PERIOD]);
      ks_csv_field_str(fp, 0, fld[F_TREATMENT]);
      ks_csv_field_int(fp, 0, (long long)v + 1);
      ks_csv_field_str(fp, 0, fld[F_VISIT]);
      ks_csv_field_str(fp, 0, fld[F_T_H]);
      ks_csv_field_str(fp, 0, fld[F_T_H]);  /* visits happen on schedule in the simulation */
      ks_csv_field_str(fp, 0, fld[F_DAY]);
      ks_csv_field_str(fp, 0, ks_measure_name((ks_measure)m));
      ks_csv_field_str(fp, 0, val);
      ks_csv_field_str(fp, 0, ks_measure_unit((ks_measure)m));
      ks_csv_field_int(fp, 0, val[0] != '\0');
      ks_csv_field_str(fp, 0, dropped);
      ks_csv_end_row(fp);
    }
  }
  free(line);
  fclose(in);
  if (st == KS_OK && row != r->n * nv)
    st = ks_ctx_fail(ctx, KS_EIO, "%s: %zu rows, expected %zu", in_path, row, r->n * nv);
  if (st != KS_OK) {
    ks_afile_abort(&f);
    return st;
  }
  return ks_afile_commit(&f);
}
