/* SPDX-License-Identifier: MIT */
/* Plasticity cascade: disinhibition -> glutamate surge -> AMPA -> BDNF -> mTORC1 -> synaptic
 * proteins -> spines and pathway gains; the window of plasticity W(t). (Owned by the plasticity
 * module; the pathway enum below is the interface the circuit and fear layers read.) */
#ifndef KETASIM_PLASTICITY_H
#define KETASIM_PLASTICITY_H

#include <ketasim/core.h>
#include <ketasim/pk.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Long-range pathways whose synaptic gain the cascade sets (1 = healthy reference). */
typedef enum {
  KS_PATH_VMPFC_AMYGDALA = 0,  /* top-down control of the amygdala */
  KS_PATH_HIPPOCAMPUS_VMPFC,   /* contextual input to vmPFC */
  KS_PATH_DMN,                 /* vmPFC/PCC default-mode coupling */
  KS_PATH_SALIENCE,            /* anterior insula/dACC salience coupling */
  KS_PATH_N
} ks_pathway;

KS_API const char *ks_pathway_name(ks_pathway p);

#ifdef __cplusplus
}
#endif
#endif
