/* SPDX-License-Identifier: MIT */
/* Umbrella header of libketasim: the whole public API, lowest layer first.
 *
 * Using the library (examples/c/run_trial.c is a complete program):
 *   build      pkg-config --cflags --libs ketasim   (static: --static and libketasim.a)
 *              CMake: find_package(ketasim) then ketasim::ketasim (shared) or ketasim::ketasim_static
 *   context    ks_ctx_create(&opts, &ctx) ... ks_ctx_destroy(&ctx); every call that can fail takes
 *              it first and returns a ks_status; ks_ctx_last_error(ctx) is the one-line message
 *              of the last failure (ks_ctx_last_status its code). The library never exits.
 *   scenario   ks_scenario_load(ctx, path, &sc) or ks_scenario_load_string(ctx, name, text, len,
 *              &sc): loads and checks (a `ketasim check` is a load); KS_EINPUT with
 *              "FILE:LINE:COL: what is wrong (what was expected)" for bad input.
 *   trial      ks_trial_run(ctx, sc, &opts, &res) with opts.progress (patients done/total) and
 *              opts.sink (every patient's rows, in patient order: a ks_trial_sink whose batch
 *              callback gets [count][n_visits][KS_M_N] doubles); results through
 *              ks_trial_n_patients/_n_visits/_visit_label/_patient_arm/_value, the statistics
 *              through ks_trial_summarise/_arm_summarise/_secondary_summarise and files through
 *              ks_trial_write (both output.h); ks_trial_result_destroy frees.
 *   layers     pk.h (ks_pk_sim_*), plasticity.h (the cascade), imaging.h (scans), trial.h's
 *              ks_trial_patient_trace (one patient through every layer), power.h.
 * Every function and struct of these headers is exported from libketasim.so with C linkage and
 * plain types (no varargs but ks_ctx_fail/ks_log), so a foreign-function interface (ctypes, cffi)
 * can call it: handles are opaque pointers, strings are NUL-terminated UTF-8 owned by the library
 * unless a function says otherwise, counts are size_t and values double.
 * Thread-safety: a ks_ctx may be shared by the threads of one run (it locks its error and
 * allocator); distinct contexts are independent. MPI (parallel.h) is optional and opt-in.
 * (ketasim's own CLI also uses io.h and report.h, internal headers that are not installed.) */
#ifndef KETASIM_H
#define KETASIM_H
#include <ketasim/core.h>
#include <ketasim/rng.h>
#include <ketasim/units.h>
#include <ketasim/nonmem.h>
#include <ketasim/validate.h>
#include <ketasim/calibrate.h>
#include <ketasim/scenario.h>
#include <ketasim/ode.h>
#include <ketasim/pk.h>
#include <ketasim/receptor.h>
#include <ketasim/plasticity.h>
#include <ketasim/circuit.h>
#include <ketasim/imaging.h>
#include <ketasim/fear.h>
#include <ketasim/clinic.h>
#include <ketasim/brain.h>
#include <ketasim/mood.h>
#include <ketasim/link.h>
#include <ketasim/population.h>
#include <ketasim/fit.h>
#include <ketasim/stats.h>
#include <ketasim/parallel.h>
#include <ketasim/trial.h>
#include <ketasim/output.h>
#include <ketasim/power.h>
#include <ketasim/sensitivity.h>
#include <ketasim/scenario_optimize.h>
#include <ketasim/sweep.h>
#include <ketasim/api.h>
#endif
