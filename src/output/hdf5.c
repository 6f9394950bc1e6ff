/* SPDX-License-Identifier: MIT */
/* --hdf5 FILE: per-patient data of a streamed run in one HDF5 file (docs/scaling.md).
 *
 * Layout (n patients, V visits; every 2-D dataset is chunked [min(n,1024) x V] and deflated):
 *   /patient                 int64 [n]      1..n, as in patients.csv
 *   /arm                     int32 [n]      group index (attribute "names": group labels)
 *   /arm_names               string [groups] the group labels (/arm_names[arm[i]])
 *   /covariates/<name>       [n]            age_y, female, weight_kg, severity_z, caps5_true, ...
 *                                           (booleans as int32 0/1)
 *   /visits/t_h, /visits/period, /visits/label    [V]
 *   /measures/<name>         float64 [n x V]  ks_trial_value for every measure (NaN: not assessed)
 *   /after_dropout           int32 [n x V]  1 from the visit the patient has dropped out
 * Every dataset has a "units" attribute; /patient and /visits/t_h are dimension scales attached to
 * the per-patient and per-visit dimensions. No object timestamps: identical runs give identical
 * bytes.
 * Root attributes: ketasim_version, git_revision, seed, replicate, n_patients, scenario_yaml (the
 * resolved scenario), dependencies (HDF5, SUNDIALS, libfyaml, GSL ... as built).
 * The file is written after the run from the row log (.checkpoint.rows) in chunks of patients, to
 * a temporary name renamed over PATH at the end, so memory stays bounded and a killed run never
 * leaves a half-written FILE (an HDF5 file open for writing is not crash-safe). */
#include "output_internal.h"

#include <ketasim/io.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef KS_HAVE_HDF5

int ks_trial_hdf5_available(void) { return 0; }

ks_status ks__trial_hdf5_write(ks_ctx *ctx, const ks_trial_result *r, const char *path, FILE *rows) {
  (void)r;
  (void)rows;
  return ks_ctx_fail(ctx, KS_EUNSUPPORTED, "%s: this ketasim was built without HDF5 (install libhdf5-dev and "
                     "rebuild)", path);
}

#else
#include <hdf5.h>
#include <hdf5_hl.h>
#include <fcntl.h>

int ks_trial_hdf5_available(void) { return 1; }

#define CHUNK_PATIENTS 1024

typedef struct h5w {
  hid_t file;
  int bad;
} h5w;

static void attr_str(h5w *w, hid_t obj, const char *name, const char *text) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, strlen(text) + 1);
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0 || H5Awrite(a, t, text) < 0) w->bad = 1;
  if (a >= 0) H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(t);
}

/* The "units" attribute of dataset NAME under LOC (UDUNITS-style text; "1": dimensionless). */
static void units_of(h5w *w, hid_t loc, const char *name, const char *units) {
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
  if (d < 0) {
    w->bad = 1;
    return;
  }
  attr_str(w, d, "units", units);
  H5Dclose(d);
}

static void attr_u64(h5w *w, hid_t obj, const char *name, unsigned long long v) {
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(obj, name, H5T_NATIVE_ULLONG, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0 || H5Awrite(a, H5T_NATIVE_ULLONG, &v) < 0) w->bad = 1;
  if (a >= 0) H5Aclose(a);
  H5Sclose(sp);
}

/* A group without object timestamps. */
static hid_t group_create(hid_t loc, const char *name) {
  hid_t pl = H5Pcreate(H5P_GROUP_CREATE);
  H5Pset_obj_track_times(pl, 0);
  hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, pl, H5P_DEFAULT);
  H5Pclose(pl);
  return g;
}

/* A chunked, deflated dataset of RANK 1 or 2 (dims[0] patients). */
static hid_t make_dataset(h5w *w, hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims) {
  hid_t sp = H5Screate_simple(rank, dims, NULL);
  hid_t pl = H5Pcreate(H5P_DATASET_CREATE);
  hsize_t chunk[2] = {dims[0] < CHUNK_PATIENTS ? dims[0] : CHUNK_PATIENTS, rank > 1 ? dims[1] : 1};
  if (chunk[0] == 0) chunk[0] = 1;
  if (chunk[1] == 0) chunk[1] = 1;
  H5Pset_chunk(pl, rank, chunk);
  H5Pset_shuffle(pl);
  H5Pset_deflate(pl, 4);
  H5Pset_obj_track_times(pl, 0);  /* no object timestamps: identical runs, identical bytes */
  hid_t d = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, pl, H5P_DEFAULT);
  if (d < 0) w->bad = 1;
  H5Pclose(pl);
  H5Sclose(sp);
  return d;
}

static void write_1d(h5w *w, hid_t loc, const char *name, hid_t type, size_t n, const void *data) {
  hsize_t dims[1] = {n};
  hid_t d = make_dataset(w, loc, name, type, 1, dims);
  if (d >= 0 && n && H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) w->bad = 1;
  if (d >= 0) H5Dclose(d);
}

static void write_strings(h5w *w, hid_t loc, const char *name, const char *const *s, size_t n) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  hsize_t dims[1] = {n};
  hid_t sp = H5Screate_simple(1, dims, NULL);
  hid_t pl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_obj_track_times(pl, 0);
  hid_t d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, pl, H5P_DEFAULT);
  H5Pclose(pl);
  if (d < 0 || (n && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) < 0)) w->bad = 1;
  if (d >= 0) H5Dclose(d);
  H5Sclose(sp);
  H5Tclose(t);
}

/* Per-patient columns: patient number, arm, covariates. */
static ks_status write_patients(ks_ctx *ctx, h5w *w, const ks_trial_result *r) {
  size_t n = r->n;
  double *d = ks_calloc(ctx, n + 1, sizeof *d);
  long long *id = ks_calloc(ctx, n + 1, sizeof *id);
  int *arm = ks_calloc(ctx, n + 1, sizeof *arm);
  if (!d || !id || !arm) {
    ks_free(ctx, d);
    ks_free(ctx, id);
    ks_free(ctx, arm);
    return KS_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    id[i] = (long long)i + 1;
    arm[i] = r->patients[i].arm;
  }
  write_1d(w, w->file, "patient", H5T_NATIVE_LLONG, n, id);
  write_1d(w, w->file, "arm", H5T_NATIVE_INT, n, arm);
  hid_t ad = H5Dopen2(w->file, "arm", H5P_DEFAULT);
  if (ad >= 0) {
    char names[512] = "", lbl[2 * KS_SCENARIO_NAME_MAX + 2];
    for (size_t g = 0; g < ks_trial_n_groups(r); g++) {
      if (g) strncat(names, ";", sizeof names - strlen(names) - 1);
      strncat(names, ks_trial_group_label(r, g, lbl, sizeof lbl), sizeof names - strlen(names) - 1);
    }
    attr_str(w, ad, "names", names);
    H5Dclose(ad);
  }
  /* The group labels as a dataset too: /arm_names[arm[i]] is patient i's arm. */
  size_t ng = ks_trial_n_groups(r);
  char (*lab)[2 * KS_SCENARIO_NAME_MAX + 2] = ks_calloc(ctx, ng + 1, sizeof *lab);
  const char **labp = ks_calloc(ctx, ng + 1, sizeof *labp);
  if (lab && labp) {
    for (size_t k = 0; k < ng; k++) labp[k] = ks_trial_group_label(r, k, lab[k], sizeof lab[k]);
    write_strings(w, w->file, "arm_names", labp, ng);
    units_of(w, w->file, "arm_names", "text");
  } else {
    w->bad = 1;
  }
  ks_free(ctx, lab);
  ks_free(ctx, labp);
  units_of(w, w->file, "patient", "1");
  units_of(w, w->file, "arm", "1");
  hid_t g = group_create(w->file, "covariates");
#define COV(field, expr, units)                                   \
  do {                                                            \
    for (size_t i = 0; i < n; i++) {                              \
      const ks_patient *p = &r->patients[i].cov;                  \
      d[i] = (double)(expr);                                      \
    }                                                             \
    write_1d(w, g, field, H5T_NATIVE_DOUBLE, n, d);               \
    units_of(w, g, field, units);                                 \
  } while (0)
  /* Booleans as integers (0/1), like patients.csv. */
#define COV_BOOL(field, expr)                                     \
  do {                                                            \
    for (size_t i = 0; i < n; i++) {                              \
      const ks_patient *p = &r->patients[i].cov;                  \
      arm[i] = (expr) ? 1 : 0;                                    \
    }                                                             \
    write_1d(w, g, field, H5T_NATIVE_INT, n, arm);                \
    units_of(w, g, field, "1");                                   \
  } while (0)
  COV("age_y", p->age_y, "year");
  COV_BOOL("female", p->female);
  COV("weight_kg", p->weight_kg, "kg");
  COV("severity_z", p->severity_z, "1");
  COV("caps5_true", p->caps5_true, "points");
  COV("depression_z", p->depression_z, "1");
  COV("madrs_true", p->madrs_true, "points");
  COV_BOOL("comorbid_mdd", p->comorbid_mdd);
  COV_BOOL("combat", p->combat);
  COV("years_since_trauma", p->years_since_trauma, "year");
  COV("sbp_mmHg", p->sbp_mmHg, "mmHg");
  COV("dbp_mmHg", p->dbp_mmHg, "mmHg");
  COV_BOOL("hypertension", p->hypertension);
  COV("treatment_resistance", p->treatment_resistance, "1");
#undef COV
#undef COV_BOOL
  H5Gclose(g);
  ks_free(ctx, d);
  ks_free(ctx, id);
  ks_free(ctx, arm);
  return KS_OK;
}

static void write_visits(h5w *w, const ks_trial_result *r) {
  size_t nv = r->plan.n_visits;
  hid_t g = group_create(w->file, "visits");
  write_1d(w, g, "t_h", H5T_NATIVE_DOUBLE, nv, r->plan.visit_t_h);
  units_of(w, g, "t_h", "h");
  write_1d(w, g, "period", H5T_NATIVE_INT, nv, r->plan.visit_period);
  units_of(w, g, "period", "1");
  const char **lab = malloc((nv + 1) * sizeof *lab);
  if (lab) {
    for (size_t v = 0; v < nv; v++) lab[v] = r->plan.visit_label[v];
    write_strings(w, g, "label", lab, nv);
    units_of(w, g, "label", "text");
    free(lab);
  } else {
    w->bad = 1;
  }
  H5Gclose(g);
}

/* /measures/<name> [n x V], filled from the row log CHUNK_PATIENTS patients at a time. */
static ks_status write_measures(ks_ctx *ctx, h5w *w, const ks_trial_result *r, FILE *rows) {
  size_t n = r->n, nv = r->plan.n_visits, rec = nv * KS_M_N;
  hid_t g = group_create(w->file, "measures");
  hid_t ds[KS_M_N];
  hsize_t dims[2] = {n, nv};
  for (int m = 0; m < KS_M_N; m++) {
    ds[m] = make_dataset(w, g, ks_measure_name((ks_measure)m), H5T_NATIVE_DOUBLE, 2, dims);
    if (ds[m] >= 0) attr_str(w, ds[m], "units", ks_measure_unit((ks_measure)m));
  }
  /* /after_dropout [n x V] int32: 1 from the visit where the patient has dropped out (a missing
   * value there is after dropout, not "not assessed"), as patients.csv's last column. */
  hid_t dd = make_dataset(w, w->file, "after_dropout", H5T_NATIVE_INT, 2, dims);
  if (dd >= 0) attr_str(w, dd, "units", "1");
  double *buf = ks_malloc(ctx, CHUNK_PATIENTS * rec * sizeof *buf);
  double *col = ks_malloc(ctx, CHUNK_PATIENTS * nv * sizeof *col);
  int *flag = ks_malloc(ctx, CHUNK_PATIENTS * nv * sizeof *flag);
  ks_status st = buf && col && flag ? KS_OK : KS_ENOMEM;
  for (size_t first = 0; st == KS_OK && first < n && !w->bad; first += CHUNK_PATIENTS) {
    size_t cnt = n - first < CHUNK_PATIENTS ? n - first : CHUNK_PATIENTS;
    if (fread(buf, sizeof *buf, cnt * rec, rows) != cnt * rec) {
      st = ks_ctx_fail(ctx, KS_EIO, "HDF5: the row log ends before patient %zu", first + 1);
      break;
    }
    hsize_t start[2] = {first, 0}, count[2] = {cnt, nv};
    hid_t mem = H5Screate_simple(2, count, NULL);
    for (int m = 0; m < KS_M_N; m++) {
      for (size_t k = 0; k < cnt; k++)
        for (size_t v = 0; v < nv; v++) col[k * nv + v] = buf[k * rec + v * KS_M_N + (size_t)m];
      hid_t fsp = H5Dget_space(ds[m]);
      H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL);
      if (H5Dwrite(ds[m], H5T_NATIVE_DOUBLE, mem, fsp, H5P_DEFAULT, col) < 0) w->bad = 1;
      H5Sclose(fsp);
    }
    for (size_t k = 0; k < cnt; k++) {
      int dropped = 0;
      for (size_t v = 0; v < nv; v++) {
        if (v > 0 && !dropped) dropped = ks__trial_dropout_seen(&r->plan, v, buf + k * rec + v * KS_M_N);
        flag[k * nv + v] = dropped;
      }
    }
    hid_t fsp = H5Dget_space(dd);
    H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL);
    if (dd < 0 || H5Dwrite(dd, H5T_NATIVE_INT, mem, fsp, H5P_DEFAULT, flag) < 0) w->bad = 1;
    H5Sclose(fsp);
    H5Sclose(mem);
  }
  for (int m = 0; m < KS_M_N; m++)
    if (ds[m] >= 0) H5Dclose(ds[m]);
  if (dd >= 0) H5Dclose(dd);
  H5Gclose(g);
  ks_free(ctx, buf);
  ks_free(ctx, col);
  ks_free(ctx, flag);
  return st;
}

/* Dimension scales (the netCDF/HDF5 convention that h5py, xarray and MATLAB read): /patient
 * labels dimension 0 of every per-patient dataset, /visits/t_h dimension 1 of the measures and
 * dimension 0 of the other visit datasets. */
static void attach_group(h5w *w, hid_t file, const char *group, hid_t scale0, hid_t scale1) {
  hid_t g = H5Gopen2(file, group, H5P_DEFAULT);
  H5G_info_t info;
  if (g < 0 || H5Gget_info(g, &info) < 0) {
    w->bad = 1;
    if (g >= 0) H5Gclose(g);
    return;
  }
  for (hsize_t k = 0; k < info.nlinks; k++) {
    char name[128];
    if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, k, name, sizeof name, H5P_DEFAULT) < 0) {
      w->bad = 1;
      continue;
    }
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
    if (d < 0) continue;
    if (H5DSis_scale(d) <= 0) {
      if (scale0 >= 0 && H5DSattach_scale(d, scale0, 0) < 0) w->bad = 1;
      if (scale1 >= 0 && H5DSattach_scale(d, scale1, 1) < 0) w->bad = 1;
    }
    H5Dclose(d);
  }
  H5Gclose(g);
}

static void write_scales(h5w *w) {
  hid_t pat = H5Dopen2(w->file, "patient", H5P_DEFAULT);
  hid_t th = H5Dopen2(w->file, "visits/t_h", H5P_DEFAULT);
  hid_t arm = H5Dopen2(w->file, "arm", H5P_DEFAULT);
  if (pat < 0 || th < 0 || arm < 0 || H5DSset_scale(pat, "patient") < 0 ||
      H5DSset_scale(th, "visit time (h)") < 0 || H5DSattach_scale(arm, pat, 0) < 0) {
    w->bad = 1;
  } else {
    attach_group(w, w->file, "covariates", pat, -1);
    attach_group(w, w->file, "visits", th, -1);
    attach_group(w, w->file, "measures", pat, th);
    hid_t dd = H5Dopen2(w->file, "after_dropout", H5P_DEFAULT);
    if (dd < 0 || H5DSattach_scale(dd, pat, 0) < 0 || H5DSattach_scale(dd, th, 1) < 0) w->bad = 1;
    if (dd >= 0) H5Dclose(dd);
  }
  if (arm >= 0) H5Dclose(arm);
  if (th >= 0) H5Dclose(th);
  if (pat >= 0) H5Dclose(pat);
}

static void write_provenance(ks_ctx *ctx, h5w *w, const ks_trial_result *r) {
  attr_str(w, w->file, "ketasim_version", ks_version());
  attr_str(w, w->file, "git_revision", ks_git_revision());
  attr_u64(w, w->file, "seed", (unsigned long long)r->plan.seed);
  attr_u64(w, w->file, "replicate", (unsigned long long)r->plan.replicate);
  attr_u64(w, w->file, "n_patients", (unsigned long long)r->n);
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  char deps[512];
  const char *dv = ks_dependency_versions();
  snprintf(deps, sizeof deps, "HDF5 %u.%u.%u%s%s", maj, min, rel, dv[0] ? ", " : "", dv);
  attr_str(w, w->file, "dependencies", deps);
  attr_str(w, w->file, "contents", "per-patient covariates, arm and visit-level values of every measure "
                                   "(patients.csv in arrays); see docs/scaling.md");
  char *text = NULL;
  size_t len = 0;
  FILE *mf = open_memstream(&text, &len);
  if (mf) {
    ks_status st = ks_scenario_write_resolved(ctx, r->sc, mf);
    fclose(mf);
    attr_str(w, w->file, "scenario_yaml", st == KS_OK && text ? text : "");
    free(text);
  } else {
    w->bad = 1;
  }
}

ks_status ks__trial_hdf5_write(ks_ctx *ctx, const ks_trial_result *r, const char *path, FILE *rows) {
  char tmp[4200];
  const char *slash = strrchr(path, '/');
  int dir_len = slash ? (int)(slash - path + 1) : 0;
  snprintf(tmp, sizeof tmp, "%.*s.%s.tmp.%ld", dir_len, path, slash ? slash + 1 : path, (long)getpid());
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* the library never prints: errors become statuses */
  h5w w = {H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), 0};
  if (w.file < 0) return ks_ctx_fail(ctx, KS_EIO, "%s: cannot create the HDF5 file", path);
  write_provenance(ctx, &w, r);
  ks_status st = write_patients(ctx, &w, r);
  write_visits(&w, r);
  if (st == KS_OK) st = write_measures(ctx, &w, r, rows);
  if (st == KS_OK) write_scales(&w);
  if (H5Fclose(w.file) < 0) w.bad = 1;
  int fd = open(tmp, O_RDONLY);
  if (fd < 0 || fsync(fd) != 0) w.bad = 1;
  if (fd >= 0) close(fd);
  if (st == KS_OK && w.bad) st = ks_ctx_fail(ctx, KS_EIO, "%s: HDF5 write failed", path);
  if (st == KS_OK && rename(tmp, path) != 0)
    st = ks_ctx_fail(ctx, KS_EIO, "%s: cannot move into place (%s)", path, strerror(errno));
  if (st != KS_OK) remove(tmp);
  return st;
}
#endif
