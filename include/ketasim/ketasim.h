/* SPDX-License-Identifier: MIT */
/* Umbrella header of libketasim: the whole public API. */
#ifndef KETASIM_H
#define KETASIM_H
#include <ketasim/core.h>
#include <ketasim/rng.h>
#include <ketasim/units.h>
#include <ketasim/io.h>
#include <ketasim/validate.h>
#include <ketasim/pk.h>
#include <ketasim/plasticity.h>
#endif
