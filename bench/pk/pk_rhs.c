/* SPDX-License-Identifier: MIT */
/* Compiled right-hand side of the bench's PK model for R deSolve (peer_desolve_c.R): the model of
 * peer_desolve.R (two 7-state enantiomer units, fanta2015 set) as deSolve's compiled-code
 * interface (initmod + derivs). Built at run time with R CMD SHLIB into a temporary directory. */
#include <R.h>

static double parms[8];
#define CL parms[0]
#define V1 parms[1]
#define VP1 parms[2]
#define VP2 parms[3]
#define Q1 parms[4]
#define Q2 parms[5]
#define RATE parms[6]
#define TINF parms[7]

void initmod(void (*odeparms)(int *, double *));
void derivs(int *neq, double *t, double *y, double *ydot, double *yout, int *ip);

void initmod(void (*odeparms)(int *, double *)) {
  int n = 8;
  odeparms(&n, parms);
}

void derivs(int *neq, double *t, double *y, double *ydot, double *yout, int *ip) {
  (void)neq, (void)yout, (void)ip;
  for (int u = 0; u < 14; u += 7) {
    double clu = u == 0 ? CL : CL * 0.84, inp = *t < TINF ? RATE : 0.0;
    double c = y[u], a1 = y[u + 1], a2 = y[u + 2], m = y[u + 3], mp = y[u + 4], e = y[u + 5], em = y[u + 6];
    ydot[u] = inp - (clu + Q1 + Q2) / V1 * c + Q1 / VP1 * a1 + Q2 / VP2 * a2;
    ydot[u + 1] = Q1 / V1 * c - Q1 / VP1 * a1;
    ydot[u + 2] = Q2 / V1 * c - Q2 / VP2 * a2;
    ydot[u + 3] = clu / V1 * c - (57.7 + 42.8) / 98.6 * m + 42.8 / 160 * mp;
    ydot[u + 4] = 42.8 / 98.6 * m - 42.8 / 160 * mp;
    ydot[u + 5] = 12 * (c / V1 - e);
    ydot[u + 6] = 12 * (m / 98.6 - em);
  }
}
