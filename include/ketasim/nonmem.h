/* SPDX-License-Identifier: MIT */
/* Dosing and observation data sets in the NONMEM / nlmixr2 layout, read into records with
 * canonical units (h, mg, ng/mL, kg, years), so that a pharmacometrician's own data can drive
 * `ketasim pk --data`, `ketasim fit` and (by its covariates) a population.
 *
 * The file is comma-separated with one header row of column names (case-insensitive):
 *   ID    subject identifier (any text); each subject's records are contiguous
 *   TIME  time since the subject's reference, ascending within an ID
 *   AMT   dose amount (EVID 1); empty, "." or 0 on other records
 *   RATE  infusion rate, in AMT units per TIME unit (NONMEM convention); 0 or absent: bolus
 *   DUR   infusion duration, in TIME units (instead of RATE)
 *   EVID  0 observation, 1 dose, 2 other (kept, ignored); absent: 1 where AMT > 0, else 0
 *   CMT   compartment, a number or a name (see below); absent: doses by the declared route,
 *         observations in the central compartment
 *   DV    observed plasma concentration (EVID 0)
 *   MDV   1: DV missing or not to be used; absent: 1 on every non-observation record
 *   DRUG, ROUTE  optional per-record drug and route names (as in `ketasim run`'s doses.csv)
 *   WT, AGE, SEX   covariates (per subject: the first non-missing value); SEX is 0 male /
 *         1 female, or M/F
 * Other columns are ignored. Lines starting with '#' are comments, except the declarations:
 *   # units: TIME=h AMT=mg DV=ng/mL WT=kg   units of the columns (AGE is in years)
 *   # drug: ketamine                        the drug every dose is
 *   # route: oral                           the route of doses into the depot compartment
 *   # cmt: depot=1 central=2 metabolite=3   the compartment numbers (this line is the default)
 * ks_nm_options can declare the same on the command line; it takes precedence over the file.
 * "central" is the parent's plasma (IV doses, parent concentrations), "metabolite" the
 * metabolite's plasma (norketamine concentrations; no doses), "depot" the extravascular depot. */
#ifndef KETASIM_NONMEM_H
#define KETASIM_NONMEM_H

#include <ketasim/core.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { KS_NM_CMT_DEPOT = 0, KS_NM_CMT_CENTRAL, KS_NM_CMT_METABOLITE, KS_NM_CMT_N } ks_nm_cmt;

/** Name of a compartment role ("depot", "central", "metabolite"). */
KS_API const char *ks_nm_cmt_name(ks_nm_cmt c);

/** One record, in canonical units. */
typedef struct ks_nm_record {
  int line;              /* 1-based line of the file */
  double time_h;
  int evid;              /* 0 observation, 1 dose, 2 other */
  double amt_mg;         /* doses; 0 otherwise */
  double infusion_h;     /* doses: AMT/RATE or DUR; 0 for a bolus */
  ks_nm_cmt cmt;
  double dv_ng_per_mL;   /* observations; NAN when missing */
  int mdv;               /* 1: no usable observation on this record */
  char drug[16], route[16]; /* DRUG and ROUTE columns when present ("" otherwise); they take
                               precedence over the declarations (ketasim run's doses.csv) */
  int drug_col, route_col;  /* their 1-based columns, for messages */
} ks_nm_record;

/** One subject: records rec[first .. first + n) of the data set, in file order. */
typedef struct ks_nm_subject {
  char id[48];
  double weight_kg;      /* NAN when WT is absent or missing for every record */
  double age_y;          /* NAN when absent */
  int female;            /* 1 female, 0 male, -1 unknown */
  size_t first, n;
} ks_nm_subject;

/** A declaration the caller resolves (the drug and route names belong to the PK layer, above
 *  this one): its text and where it was written, for a FILE:LINE:COL message. */
typedef struct ks_nm_decl {
  char text[48];         /* "" when not declared */
  const char *file;      /* the data file, or "--drug"/"--route" for a command-line value */
  int line, col;         /* 0 for a command-line value */
} ks_nm_decl;

typedef struct ks_nm_data {
  ks_nm_record *rec;
  size_t n_rec;
  ks_nm_subject *subj;
  size_t n_subj;
  ks_nm_decl drug, route;
  char path[512];
  size_t n_obs;          /* observation records with a usable DV */
  size_t n_doses;
} ks_nm_data;

typedef struct ks_nm_options {
  const char *units;     /* "TIME=h AMT=mg DV=ng/mL" (NULL: from the file only) */
  const char *drug;      /* NULL: from "# drug:" */
  const char *route;     /* NULL: from "# route:" */
  const char *cmt;       /* "depot=1 central=2 metabolite=3" (NULL: file, else this default) */
} ks_nm_options;

/** Read a data set. Writes *out only on success; free it with ks_nm_data_destroy().
 *  Bad input -> KS_EINPUT with "FILE:LINE:COL: what is wrong (what was expected)": no ID or
 *  TIME column, units of TIME/AMT/DV (or of WT when present) not declared or unknown, a field
 *  that is not a number, EVID 1 without a positive AMT or EVID 0 with one, EVID 3/4 (resets),
 *  time going backwards within an ID, an ID that reappears after another, an unknown CMT, a dose
 *  into the metabolite or an observation in the depot, an infusion into the depot, a negative
 *  RATE or DUR, an observation (MDV 0) without DV, no records. KS_EIO when the file cannot be
 *  read, KS_ENOMEM. opts may be NULL. Thread-safety: touches only its arguments. */
KS_API ks_status ks_nm_read(ks_ctx *ctx, const char *path, const ks_nm_options *opts,
                            ks_nm_data **out);

/** The same from text in memory (LEN bytes; NAME stands for the file in messages). */
KS_API ks_status ks_nm_read_string(ks_ctx *ctx, const char *name, const char *text, size_t len,
                                   const ks_nm_options *opts, ks_nm_data **out);

/** Free a data set and set *d to NULL; does nothing for NULL. */
KS_API void ks_nm_data_destroy(ks_ctx *ctx, ks_nm_data **d);

#ifdef __cplusplus
}
#endif
#endif
