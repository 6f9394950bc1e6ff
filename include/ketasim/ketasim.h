/* SPDX-License-Identifier: MIT */
/* Umbrella header of libketasim: the whole public API, lowest layer first. */
#ifndef KETASIM_H
#define KETASIM_H
#include <ketasim/core.h>
#include <ketasim/rng.h>
#include <ketasim/units.h>
#include <ketasim/io.h>
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
#include <ketasim/mood.h>
#include <ketasim/link.h>
#include <ketasim/population.h>
#include <ketasim/fit.h>
#include <ketasim/stats.h>
#include <ketasim/trial.h>
#include <ketasim/report.h>
#include <ketasim/api.h>
#endif
