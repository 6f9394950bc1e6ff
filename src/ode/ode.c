/* SPDX-License-Identifier: MIT */
/* The CVODE wrapper: BDF with a dense direct linear solver (our own LU, below), stop times,
 * non-negativity. */
#include "core/core_internal.h"
#include <ketasim/ode.h>

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sundials/sundials_types.h>
#include <sundials/sundials_linearsolver.h>
#include <sunmatrix/sunmatrix_dense.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(SUNDIALS_DOUBLE_PRECISION)
#error "ketasim needs SUNDIALS built with double precision (realtype == double)"
#endif

struct ks_ode {
  ks_ctx *ctx;
  size_t n;
  ks_ode_rhs_fn rhs;
  void *ud;
  SUNContext sunctx;
  void *cvode_mem;
  N_Vector y, constraints, ewt, ele;
  SUNMatrix A;
  SUNLinearSolver LS;
  double rtol, atol, h_max;
  int nonneg;
  int initialised;
  double t_last_out;
  const char *const *names;
  char param_set[160];
  char cv_msg[256];      /* the last message CVODE reported through its error handler */
  long n_restarts;
  ks_ode_stats done;     /* counters of the runs before the last re-initialisation */
};

/* ---- dense LU linear solver --------------------------------------------------------------------
 * CVODE's Newton iteration solves (I - gamma J) x = b once or twice per step; for the cascade's 16
 * states SUNDIALS' generic dense solver (column-pointer loops through a shared library) was a fifth
 * of the cascade's cost. This is the same algorithm (LU with partial pivoting, Golub & Van Loan
 * 3.4.1; forward and back substitution) on the matrix's contiguous column-major storage, in a
 * SUNLinearSolver CVODE calls like its own dense solver. A singular pivot is a recoverable failure
 * (CVODE retries with a smaller step), as in SUNDIALS' solver. */
typedef struct {
  sunindextype n, last_flag;
  sunindextype *piv;
  double *lu;   /* n x n, column-major: lu[j * n + i] = (L\U)(i, j) */
  /* The non-zero off-diagonal entries of each column k of L (rows > k) and of U (rows < k), in
   * ascending row order: nz_row/nz_val[nz_l[k] .. nz_l[k + 1]) and [nz_u[k] .. nz_u[k + 1]).
   * The cascade's matrix is mostly zeros (a chain of first-order relaxations), so the solve only
   * visits these; skipping an exact zero term leaves every result bit-for-bit the same. */
  sunindextype *nz_l, *nz_u, *nz_row;
  double *nz_val;
} ks_lu;

static SUNLinearSolver_Type lu_type(SUNLinearSolver S) { (void)S; return SUNLINEARSOLVER_DIRECT; }
static SUNLinearSolver_ID lu_id(SUNLinearSolver S) { (void)S; return SUNLINEARSOLVER_CUSTOM; }
static int lu_init(SUNLinearSolver S) { ((ks_lu *)S->content)->last_flag = 0; return SUNLS_SUCCESS; }
static sunindextype lu_last_flag(SUNLinearSolver S) { return ((ks_lu *)S->content)->last_flag; }

/* The lists of non-zero entries of L and U (see ks_lu) after a factorisation. */
static void lu_index_nonzeros(ks_lu *L) {
  const sunindextype n = L->n;
  sunindextype m = 0;
  for (sunindextype k = 0; k < n; k++) {
    const double *ck = L->lu + k * n;
    L->nz_l[k] = m;
    for (sunindextype i = k + 1; i < n; i++)
      if (ck[i] != 0.0) {
        L->nz_row[m] = i;
        L->nz_val[m++] = ck[i];
      }
  }
  L->nz_l[n] = m;
  for (sunindextype k = 0; k < n; k++) {
    const double *ck = L->lu + k * n;
    L->nz_u[k] = m;
    for (sunindextype i = 0; i < k; i++)
      if (ck[i] != 0.0) {
        L->nz_row[m] = i;
        L->nz_val[m++] = ck[i];
      }
  }
  L->nz_u[n] = m;
}

static int lu_setup(SUNLinearSolver S, SUNMatrix A) {
  ks_lu *L = S->content;
  const sunindextype n = L->n;
  double *restrict a = L->lu;
  memcpy(a, SUNDenseMatrix_Data(A), (size_t)(n * n) * sizeof *a);
  for (sunindextype k = 0; k < n; k++) {
    double *restrict ck = a + k * n;
    sunindextype p = k;
    for (sunindextype i = k + 1; i < n; i++)
      if (fabs(ck[i]) > fabs(ck[p])) p = i;
    L->piv[k] = p;
    if (ck[p] == 0.0) {
      L->last_flag = k + 1;
      return SUNLS_LUFACT_FAIL;
    }
    if (p != k)
      for (sunindextype j = 0; j < n; j++) {
        double t = a[j * n + k];
        a[j * n + k] = a[j * n + p];
        a[j * n + p] = t;
      }
    const double r = 1.0 / ck[k];
    for (sunindextype i = k + 1; i < n; i++) ck[i] *= r;
    for (sunindextype j = k + 1; j < n; j++) {
      double *restrict cj = a + j * n;
      const double akj = cj[k];
      if (akj != 0.0)
        for (sunindextype i = k + 1; i < n; i++) cj[i] -= akj * ck[i];
    }
  }
  lu_index_nonzeros(L);
  L->last_flag = 0;
  return SUNLS_SUCCESS;
}

static int lu_solve(SUNLinearSolver S, SUNMatrix A, N_Vector x, N_Vector b, sunrealtype tol) {
  (void)A;
  (void)tol;
  const ks_lu *L = S->content;
  const sunindextype n = L->n;
  const double *restrict a = L->lu;
  double *restrict v = N_VGetArrayPointer(x);
  if (x != b) memcpy(v, N_VGetArrayPointer(b), (size_t)n * sizeof *v);
  for (sunindextype k = 0; k < n; k++) {
    sunindextype p = L->piv[k];
    if (p != k) {
      double t = v[k];
      v[k] = v[p];
      v[p] = t;
    }
  }
  const sunindextype *restrict row = L->nz_row;
  const double *restrict val = L->nz_val;
  for (sunindextype k = 0; k < n - 1; k++) {
    const double vk = v[k];
    for (sunindextype m = L->nz_l[k]; m < L->nz_l[k + 1]; m++) v[row[m]] -= val[m] * vk;
  }
  for (sunindextype k = n - 1; k >= 0; k--) {
    v[k] /= a[k * n + k];
    const double vk = v[k];
    for (sunindextype m = L->nz_u[k]; m < L->nz_u[k + 1]; m++) v[row[m]] -= val[m] * vk;
  }
  return SUNLS_SUCCESS;
}

static int lu_free(SUNLinearSolver S) {
  if (!S) return SUNLS_SUCCESS;
  ks_lu *L = S->content;
  if (L) {
    free(L->piv);
    free(L->lu);
    free(L->nz_l);
    free(L->nz_u);
    free(L->nz_row);
    free(L->nz_val);
    free(L);
  }
  S->content = NULL;
  SUNLinSolFreeEmpty(S);
  return SUNLS_SUCCESS;
}

static SUNLinearSolver lu_create(sunindextype n, SUNContext sunctx) {
  SUNLinearSolver S = SUNLinSolNewEmpty(sunctx);
  if (!S) return NULL;
  S->ops->gettype = lu_type;
  S->ops->getid = lu_id;
  S->ops->initialize = lu_init;
  S->ops->setup = lu_setup;
  S->ops->solve = lu_solve;
  S->ops->lastflag = lu_last_flag;
  S->ops->free = lu_free;
  ks_lu *L = calloc(1, sizeof *L);
  S->content = L;
  if (L) {
    L->n = n;
    L->piv = calloc((size_t)n, sizeof *L->piv);
    L->lu = calloc((size_t)(n * n), sizeof *L->lu);
    L->nz_l = calloc((size_t)n + 1, sizeof *L->nz_l);
    L->nz_u = calloc((size_t)n + 1, sizeof *L->nz_u);
    L->nz_row = calloc((size_t)(n * n), sizeof *L->nz_row);
    L->nz_val = calloc((size_t)(n * n), sizeof *L->nz_val);
  }
  if (!L || !L->piv || !L->lu || !L->nz_l || !L->nz_u || !L->nz_row || !L->nz_val) {
    lu_free(S);
    return NULL;
  }
  return S;
}

/* ---- vector and matrix operations for small systems -------------------------------------------
 * CVODE does its arithmetic through N_Vector and SUNMatrix operation tables. For a system of a few
 * dozen states the serial vector's operations (several calls deep, with special cases in a shared
 * library) cost more than the arithmetic: they were a third of the cascade's instructions. These
 * replace the hot entries of the tables of our vectors and matrix (CVODE clones both, and the
 * clones inherit the tables) with plain loops that compute exactly what SUNDIALS 6's serial
 * vector and dense matrix compute, operation for operation and in the same order (including
 * N_VLinearSum's c*(x+y) and c*(x-y) forms), so the integration is bit-for-bit the same. */
#define VD(v) NV_DATA_S(v)
typedef double v2d __attribute__((vector_size(16))); /* GCC/Clang vector of two doubles */

/* z[j] += c * x[j], j < n, two lanes at a time (each lane the same operations as the scalar loop). */
static void axpy_inplace(sunindextype n, double c, const double *x, double *z) {
  sunindextype j = 0;
  const v2d cv = {c, c};
  for (; j + 2 <= n; j += 2) {
    v2d xv, zv;
    memcpy(&xv, x + j, sizeof xv);
    memcpy(&zv, z + j, sizeof zv);
    zv += cv * xv;
    memcpy(z + j, &zv, sizeof zv);
  }
  for (; j < n; j++) z[j] += c * x[j];
}
#define VN(v) NV_LENGTH_S(v)

static void v_linear_sum(sunrealtype a, N_Vector x, sunrealtype b, N_Vector y, N_Vector z) {
  const sunindextype n = VN(x);
  const double *xd = VD(x), *yd = VD(y);
  double *zd = VD(z);
  /* SUNDIALS: a == b -> a*(x+y); a == -b -> a*(x-y) unless one of them is +-1 (then a*x + b*y,
   * which multiplication by +-1 leaves exact). */
  int pm1 = a == 1.0 || b == 1.0 || a == -1.0 || b == -1.0;
  if (a == 1.0 && b == 1.0) { /* CVODE's predictor: most calls; two lanes at a time */
    sunindextype i = 0;
    for (; i + 2 <= n; i += 2) {
      v2d xv, yv;
      memcpy(&xv, xd + i, sizeof xv);
      memcpy(&yv, yd + i, sizeof yv);
      xv += yv;
      memcpy(zd + i, &xv, sizeof xv);
    }
    for (; i < n; i++) zd[i] = xd[i] + yd[i];
  } else if (!pm1 && a == b)
    for (sunindextype i = 0; i < n; i++) zd[i] = a * (xd[i] + yd[i]);
  else if (!pm1 && a == -b)
    for (sunindextype i = 0; i < n; i++) zd[i] = a * (xd[i] - yd[i]);
  else
    for (sunindextype i = 0; i < n; i++) zd[i] = a * xd[i] + b * yd[i];
}

static void v_const(sunrealtype c, N_Vector z) {
  double *zd = VD(z);
  for (sunindextype i = 0; i < VN(z); i++) zd[i] = c;
}

static void v_scale(sunrealtype c, N_Vector x, N_Vector z) {
  const double *xd = VD(x);
  double *zd = VD(z);
  for (sunindextype i = 0; i < VN(x); i++) zd[i] = c * xd[i];
}

static void v_abs(N_Vector x, N_Vector z) {
  const double *xd = VD(x);
  double *zd = VD(z);
  for (sunindextype i = 0; i < VN(x); i++) zd[i] = fabs(xd[i]);
}

static void v_inv(N_Vector x, N_Vector z) {
  const double *xd = VD(x);
  double *zd = VD(z);
  for (sunindextype i = 0; i < VN(x); i++) zd[i] = 1.0 / xd[i];
}

static void v_add_const(N_Vector x, sunrealtype b, N_Vector z) {
  const double *xd = VD(x);
  double *zd = VD(z);
  for (sunindextype i = 0; i < VN(x); i++) zd[i] = xd[i] + b;
}

static sunrealtype v_min(N_Vector x) {
  const double *xd = VD(x);
  double m = xd[0];
  for (sunindextype i = 1; i < VN(x); i++)
    if (xd[i] < m) m = xd[i];
  return m;
}

static sunrealtype v_wrms_norm(N_Vector x, N_Vector w) {
  const double *xd = VD(x), *wd = VD(w);
  double sum = 0.0;
  for (sunindextype i = 0; i < VN(x); i++) {
    double p = xd[i] * wd[i];
    sum += p * p;
  }
  sum /= (double)VN(x);
  return sum <= 0.0 ? 0.0 : sqrt(sum);
}

static int v_linear_combination(int nv, sunrealtype *c, N_Vector *X, N_Vector z) {
  if (nv == 1) {
    v_scale(c[0], X[0], z);
    return 0;
  }
  if (nv == 2) {
    v_linear_sum(c[0], X[0], c[1], X[1], z);
    return 0;
  }
  const sunindextype n = VN(z);
  double *zd = VD(z);
  if (X[0] != z || c[0] != 1.0) {
    const double *x0 = VD(X[0]);
    if (X[0] == z)
      for (sunindextype j = 0; j < n; j++) zd[j] *= c[0];
    else
      for (sunindextype j = 0; j < n; j++) zd[j] = c[0] * x0[j];
  }
  for (int i = 1; i < nv; i++) axpy_inplace(n, c[i], VD(X[i]), zd);
  return 0;
}

static int v_scale_add_multi(int nv, sunrealtype *a, N_Vector x, N_Vector *Y, N_Vector *Z) {
  if (nv == 1) {
    v_linear_sum(a[0], x, 1.0, Y[0], Z[0]);
    return 0;
  }
  const sunindextype n = VN(x);
  const double *xd = VD(x);
  for (int i = 0; i < nv; i++) {
    double *zd = VD(Z[i]);
    const double *yd = VD(Y[i]);
    if (Y == Z)
      axpy_inplace(n, a[i], xd, zd);
    else
      for (sunindextype j = 0; j < n; j++) zd[j] = a[i] * xd[j] + yd[j];
  }
  return 0;
}

static void use_small_vector_ops(N_Vector v) {
  v->ops->nvlinearsum = v_linear_sum;
  v->ops->nvconst = v_const;
  v->ops->nvscale = v_scale;
  v->ops->nvabs = v_abs;
  v->ops->nvinv = v_inv;
  v->ops->nvaddconst = v_add_const;
  v->ops->nvmin = v_min;
  v->ops->nvwrmsnorm = v_wrms_norm;
  v->ops->nvlinearcombination = v_linear_combination;
  v->ops->nvscaleaddmulti = v_scale_add_multi;
}
#undef VD
#undef VN

/* Dense matrix: copy and A = c*A + I (SUNMatScaleAddI_Dense's order), and clones that keep them. */
static int m_copy(SUNMatrix A, SUNMatrix B) {
  memcpy(SUNDenseMatrix_Data(B), SUNDenseMatrix_Data(A),
         (size_t)SUNDenseMatrix_LData(A) * sizeof(double));
  return SUNMAT_SUCCESS;
}

static int m_scale_add_identity(sunrealtype c, SUNMatrix A) {
  const sunindextype n = SUNDenseMatrix_Columns(A), m = SUNDenseMatrix_Rows(A);
  double *a = SUNDenseMatrix_Data(A);
  for (sunindextype j = 0; j < n; j++) {
    double *col = a + j * m;
    for (sunindextype i = 0; i < m; i++) col[i] *= c;
    col[j] += 1.0;
  }
  return SUNMAT_SUCCESS;
}

static SUNMatrix m_clone(SUNMatrix A);

static void use_small_matrix_ops(SUNMatrix A) {
  A->ops->clone = m_clone;
  A->ops->copy = m_copy;
  A->ops->scaleaddi = m_scale_add_identity;
}

static SUNMatrix m_clone(SUNMatrix A) {
  SUNMatrix B = SUNDenseMatrix(SUNDenseMatrix_Rows(A), SUNDenseMatrix_Columns(A), A->sunctx);
  if (B) use_small_matrix_ops(B);
  return B;
}

/* CVODE's callback signature; the user data is the ks_ode. */
static int rhs_adapter(sunrealtype t, N_Vector y, N_Vector ydot, void *user_data) {
  ks_ode *o = user_data;
  return o->rhs(t, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot), o->ud);
}

/* CVODE would print its messages on stderr; the library never prints, so keep the last one for
 * the failure message and send it to the log at debug level. */
static void err_handler(int error_code, const char *module, const char *function, char *msg,
                        void *user_data) {
  ks_ode *o = user_data;
  snprintf(o->cv_msg, sizeof o->cv_msg, "%s", msg ? msg : "");
  ks_log(o->ctx, KS_LOG_DEBUG, "%s/%s (%d): %s", module ? module : "?",
         function ? function : "?", error_code, msg ? msg : "");
}

ks_status ks_ode_create(ks_ctx *ctx, size_t n_state, ks_ode_rhs_fn rhs, void *ud, ks_ode **out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, out && rhs && n_state >= 1 && n_state <= 4096);
  ks_ode *o = ks_calloc(ctx, 1, sizeof *o);
  if (!o) return KS_ENOMEM;
  o->ctx = ctx;
  o->n = n_state;
  o->rhs = rhs;
  o->ud = ud;
  o->rtol = 1e-6;
  o->atol = 1e-9;
  o->t_last_out = -INFINITY;
  sunindextype n = (sunindextype)n_state;
  if (SUNContext_Create(NULL, &o->sunctx) != 0) goto fail;
  o->y = N_VNew_Serial(n, o->sunctx);
  o->constraints = N_VNew_Serial(n, o->sunctx);
  o->ewt = N_VNew_Serial(n, o->sunctx);
  o->ele = N_VNew_Serial(n, o->sunctx);
  if (!o->y || !o->constraints || !o->ewt || !o->ele) goto fail;
  /* Fused vector operations: CVODE's predictor and corrector combine its history vectors in one
   * pass instead of one call per vector (CVODE clones y, and the clones inherit this). */
  if (N_VEnableFusedOps_Serial(o->y, SUNTRUE) != 0) goto fail;
  use_small_vector_ops(o->y);
  N_VConst(0.0, o->y);
  N_VConst(1.0, o->constraints); /* 1.0: y_i >= 0 (CVODE's convention) */
  o->A = SUNDenseMatrix(n, n, o->sunctx);
  if (!o->A) goto fail;
  use_small_matrix_ops(o->A);
  o->LS = lu_create(n, o->sunctx);
  if (!o->LS) goto fail;
  o->cvode_mem = CVodeCreate(CV_BDF, o->sunctx);
  if (!o->cvode_mem) goto fail;
  if (CVodeSetErrHandlerFn(o->cvode_mem, err_handler, o) != CV_SUCCESS) goto fail;
  *out = o;
  return KS_OK;
fail:
  ks_ode_destroy(&o);
  return ks_ctx_fail(ctx, KS_ESOLVER, "ks_ode_create: SUNDIALS could not allocate an integrator "
                     "for %zu states", n_state);
}

void ks_ode_destroy(ks_ode **ode) {
  if (!ode || !*ode) return;
  ks_ode *o = *ode;
  if (o->cvode_mem) CVodeFree(&o->cvode_mem);
  if (o->LS) SUNLinSolFree(o->LS);
  if (o->A) SUNMatDestroy(o->A);
  if (o->y) N_VDestroy(o->y);
  if (o->constraints) N_VDestroy(o->constraints);
  if (o->ewt) N_VDestroy(o->ewt);
  if (o->ele) N_VDestroy(o->ele);
  if (o->sunctx) SUNContext_Free(&o->sunctx);
  ks_free(o->ctx, o);
  *ode = NULL;
}

ks_status ks_ode_set_tolerances(ks_ode *ode, double rtol, double atol) {
  if (!ode) return KS_EINVAL;
  KS_CHECK_ARG(ode->ctx, isfinite(rtol) && rtol >= 1e-14 && rtol <= 1e-2);
  KS_CHECK_ARG(ode->ctx, isfinite(atol) && atol > 0.0);
  ode->rtol = rtol;
  ode->atol = atol;
  return KS_OK;
}

ks_status ks_ode_set_nonnegative(ks_ode *ode, int on) {
  if (!ode) return KS_EINVAL;
  ode->nonneg = on != 0;
  return KS_OK;
}

ks_status ks_ode_set_max_step(ks_ode *ode, double h_max) {
  if (!ode) return KS_EINVAL;
  KS_CHECK_ARG(ode->ctx, isfinite(h_max) && h_max >= 0.0);
  ode->h_max = h_max;
  return KS_OK;
}

ks_status ks_ode_set_labels(ks_ode *ode, const char *const *state_names, const char *param_set) {
  if (!ode) return KS_EINVAL;
  ode->names = state_names;
  snprintf(ode->param_set, sizeof ode->param_set, "%s", param_set ? param_set : "");
  return KS_OK;
}

/* CVODE's flag name; SUNDIALS 6.4 returns "NONE" for a few flags, so name those here. */
static void flag_name(int flag, char *buf, size_t n) {
  char *name = CVodeGetReturnFlagName(flag); /* malloc'd by SUNDIALS */
  if (name && strcmp(name, "NONE") != 0) snprintf(buf, n, "%s", name);
  else if (flag == CV_CONSTR_FAIL) snprintf(buf, n, "CV_CONSTR_FAIL");
  else if (flag == CV_TOO_CLOSE) snprintf(buf, n, "CV_TOO_CLOSE");
  else snprintf(buf, n, "CV_FLAG_%d", flag);
  free(name);
}

/* Translate a CVODE setup flag. */
static ks_status setup_check(ks_ode *o, int flag, const char *what) {
  if (flag >= 0) return KS_OK;
  char name[40];
  flag_name(flag, name, sizeof name);
  return ks_ctx_fail(o->ctx, KS_ESOLVER, "ks_ode_init: %s failed (%s, %d): %s", what, name, flag,
                     o->cv_msg);
}

ks_status ks_ode_init(ks_ode *ode, double t0, const double *y0) {
  if (!ode) return KS_EINVAL;
  ks_ode *o = ode;
  KS_CHECK_ARG(o->ctx, y0 && isfinite(t0));
  for (size_t i = 0; i < o->n; i++) {
    if (!isfinite(y0[i]) || (o->nonneg && y0[i] < 0.0))
      return ks_ctx_fail(o->ctx, KS_EINVAL, "ks_ode_init: initial state %s = %g is %s at t=%g",
                         o->names ? o->names[i] : "?", y0[i],
                         isfinite(y0[i]) ? "negative" : "not finite", t0);
  }
  memcpy(N_VGetArrayPointer(o->y), y0, o->n * sizeof *y0);
  o->cv_msg[0] = '\0';
  if (!o->initialised) {
    KS_TRY(setup_check(o, CVodeInit(o->cvode_mem, rhs_adapter, t0, o->y), "CVodeInit"));
    KS_TRY(setup_check(o, CVodeSetUserData(o->cvode_mem, o), "CVodeSetUserData"));
    KS_TRY(setup_check(o, CVodeSetLinearSolver(o->cvode_mem, o->LS, o->A), "CVodeSetLinearSolver"));
    KS_TRY(setup_check(o, CVodeSetMaxNumSteps(o->cvode_mem, 200000), "CVodeSetMaxNumSteps"));
    KS_TRY(setup_check(o, CVodeSetMaxHnilWarns(o->cvode_mem, -1), "CVodeSetMaxHnilWarns"));
    o->initialised = 1;
  } else {
    /* CVodeReInit zeroes CVODE's counters: bank them first. */
    ks_ode_stats cur = ks_ode_get_stats(o);
    o->done = cur;
    o->done.n_restarts = 0;
    KS_TRY(setup_check(o, CVodeReInit(o->cvode_mem, t0, o->y), "CVodeReInit"));
  }
  KS_TRY(setup_check(o, CVodeSStolerances(o->cvode_mem, o->rtol, o->atol), "CVodeSStolerances"));
  KS_TRY(setup_check(o, CVodeSetMaxStep(o->cvode_mem, o->h_max), "CVodeSetMaxStep"));
  KS_TRY(setup_check(o, CVodeSetConstraints(o->cvode_mem, o->nonneg ? o->constraints : NULL),
                     "CVodeSetConstraints"));
  o->t_last_out = t0;
  o->n_restarts++;
  return KS_OK;
}

/* A failure message that names the time, the flag, the state with the largest weighted local
 * error (the one CVODE could not control) and the parameter set. */
static ks_status solver_failure(ks_ode *o, int flag, double t_reached, double t_out) {
  size_t worst = 0;
  double worst_err = -1.0;
  if (CVodeGetErrWeights(o->cvode_mem, o->ewt) == CV_SUCCESS &&
      CVodeGetEstLocalErrors(o->cvode_mem, o->ele) == CV_SUCCESS) {
    const double *w = N_VGetArrayPointer(o->ewt), *e = N_VGetArrayPointer(o->ele);
    for (size_t i = 0; i < o->n; i++) {
      double v = fabs(w[i] * e[i]);
      if (isfinite(v) && v > worst_err) {
        worst_err = v;
        worst = i;
      }
    }
  }
  const double *y = N_VGetArrayPointer(o->y);
  char name[40];
  flag_name(flag, name, sizeof name);
  char state_name[32];
  if (o->names) snprintf(state_name, sizeof state_name, "%s", o->names[worst]);
  else snprintf(state_name, sizeof state_name, "y[%zu]", worst);
  ks_status st = ks_ctx_fail(
      o->ctx, KS_ESOLVER,
      "ODE solver failed at t=%.6g (aiming for %.6g): %s (%d); worst state %s = %.6g; "
      "parameter set: %s; CVODE: %s",
      t_reached, t_out, name, flag, state_name, y[worst],
      o->param_set[0] ? o->param_set : "(unnamed)", o->cv_msg[0] ? o->cv_msg : "-");
  return st;
}

ks_status ks_ode_advance(ks_ode *ode, double t_out, double t_stop, double *y_out) {
  if (!ode) return KS_EINVAL;
  ks_ode *o = ode;
  KS_CHECK_ARG(o->ctx, o->initialised && y_out && isfinite(t_out) && isfinite(t_stop));
  KS_CHECK_ARG(o->ctx, t_stop >= t_out && t_out >= o->t_last_out);
  if (t_out == o->t_last_out) {
    /* Nothing to integrate: o->y holds the state at t_last_out (y0 right after an init). */
    memcpy(y_out, N_VGetArrayPointer(o->y), o->n * sizeof *y_out);
    return KS_OK;
  }
  int flag = CVodeSetStopTime(o->cvode_mem, t_stop);
  if (flag < 0) return solver_failure(o, flag, o->t_last_out, t_out);
  double t_reached = o->t_last_out;
  flag = CVode(o->cvode_mem, t_out, o->y, &t_reached, CV_NORMAL);
  if (flag < 0) return solver_failure(o, flag, t_reached, t_out);
  const double *y = N_VGetArrayPointer(o->y);
  for (size_t i = 0; i < o->n; i++) {
    if (!isfinite(y[i])) return solver_failure(o, CV_RHSFUNC_FAIL, t_reached, t_out);
  }
  memcpy(y_out, y, o->n * sizeof *y_out);
  o->t_last_out = t_out;
  return KS_OK;
}

ks_status ks_ode_advance_outputs(ks_ode *ode, const double *t_out, size_t n_out, double t_stop,
                                 ks_ode_output_fn out, void *ud) {
  if (!ode) return KS_EINVAL;
  ks_ode *o = ode;
  KS_CHECK_ARG(o->ctx, o->initialised && out && (t_out || n_out == 0) && isfinite(t_stop));
  for (size_t i = 0; i < n_out; i++)
    KS_CHECK_ARG(o->ctx, isfinite(t_out[i]) && t_out[i] <= t_stop &&
                             t_out[i] >= (i ? t_out[i - 1] : o->t_last_out));
  double *y = N_VGetArrayPointer(o->y); /* always y(t_last_out), as after ks_ode_advance */
  size_t i = 0;
  /* Outputs at the time already returned (right after an init: y0), as ks_ode_advance. */
  for (; i < n_out && t_out[i] == o->t_last_out; i++) KS_TRY(out(i, t_out[i], y, ud));
  if (i == n_out) return KS_OK;
  int flag = CVodeSetStopTime(o->cvode_mem, t_stop);
  if (flag < 0) return solver_failure(o, flag, o->t_last_out, t_out[i]);
  /* CV_NORMAL towards the next pending output, as ks_ode_advance; then every further output the
   * internal step already reached is interpolated with CVodeGetDky directly (what CV_NORMAL mode
   * returns for it, without re-entering the solver). One CV_ONE_STEP call per step instead would
   * cost more: in the dosing episodes there are many steps per output. */
  while (i < n_out) {
    double tn = o->t_last_out;
    flag = CVode(o->cvode_mem, t_out[i], o->y, &tn, CV_NORMAL);
    if (flag < 0) return solver_failure(o, flag, tn, t_out[i]);
    if (CVodeGetCurrentTime(o->cvode_mem, &tn) != CV_SUCCESS) tn = t_out[i];
    for (int first = 1; i < n_out && (first || tn >= t_out[i]); i++, first = 0) {
      if (!first) {
        flag = CVodeGetDky(o->cvode_mem, t_out[i], 0, o->y);
        if (flag < 0) return solver_failure(o, flag, tn, t_out[i]);
      }
      for (size_t k = 0; k < o->n; k++)
        if (!isfinite(y[k])) return solver_failure(o, CV_RHSFUNC_FAIL, tn, t_out[i]);
      o->t_last_out = t_out[i];
      KS_TRY(out(i, t_out[i], y, ud));
    }
  }
  return KS_OK;
}

ks_ode_stats ks_ode_get_stats(const ks_ode *ode) {
  ks_ode_stats s = {0};
  if (!ode) return s;
  s = ode->done;
  s.n_restarts = ode->n_restarts;
  if (!ode->initialised) return s;
  long v = 0;
  if (CVodeGetNumSteps(ode->cvode_mem, &v) == CV_SUCCESS) s.n_steps += v;
  long nfe = 0, nfe_ls = 0;
  if (CVodeGetNumRhsEvals(ode->cvode_mem, &nfe) != CV_SUCCESS) nfe = 0;
  if (CVodeGetNumLinRhsEvals(ode->cvode_mem, &nfe_ls) != CV_SUCCESS) nfe_ls = 0;
  s.n_rhs += nfe + nfe_ls;
  if (CVodeGetNumJacEvals(ode->cvode_mem, &v) == CV_SUCCESS) s.n_jac += v;
  if (CVodeGetNumErrTestFails(ode->cvode_mem, &v) == CV_SUCCESS) s.n_err_fails += v;
  return s;
}
