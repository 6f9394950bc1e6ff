/* SPDX-License-Identifier: MIT */
/* `ketasim export-sbml FILE [--knockout K] [--deficit F]`: the PK + receptor + cascade
 * ODE model as SBML Level 3 with units, for COPASI, Tellurium or libRoadRunner. */
#include <ketasim/plasticity.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ks_cli_export_sbml(int argc, char **argv);

int ks_cli_export_sbml(int argc, char **argv) {
  static const struct option longopts[] = {{"knockout", required_argument, 0, 'k'},
                                           {"deficit", required_argument, 0, 'f'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  ks_cascade_params p = ks_cascade_params_default();
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
    switch (c) {
    case 'k': {
      int k = ks_knockout_parse(optarg);
      if (k < 0) {
        fprintf(stderr, "ketasim: --knockout: unknown knockout (expected mtorc1, ampa or bdnf)\n");
        return 2;
      }
      p.knockouts |= (unsigned)k;
      break;
    }
    case 'f': {
      char *end = NULL;
      double d = strtod(optarg, &end);
      if (!end || *end || !(d >= 0.0 && d <= 0.6)) {
        fprintf(stderr, "ketasim: --deficit: not a fraction in [0, 0.6] (expected e.g. 0.15)\n");
        return 2;
      }
      p.spine_deficit_pfc = d;
      break;
    }
    case 'h':
      puts("usage: ketasim export-sbml FILE.xml [--knockout K] [--deficit F]\n"
           "Writes the PK (the default fanta2015 set: S/R ketamine with norketamine, 0.5 mg/kg\n"
           "over 40 min, 70 kg) + receptor + plasticity cascade model the simulator runs as SBML\n"
           "Level 3 Version 2 with units.");
      return 0;
    case ':':
      fprintf(stderr, "ketasim: %s: missing value (expected a value after the option)\n",
              argv[optind - 1]);
      return 2;
    default:
      fprintf(stderr, "ketasim: %s: unknown option (see ketasim export-sbml --help)\n",
              argv[optind - 1]);
      return 2;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "ketasim: export-sbml: %s (expected one output file name)\n",
            optind >= argc ? "missing output file" : "too many arguments");
    return 2;
  }
  ks_ctx *ctx = NULL;
  ks_ctx_opts o = ks_ctx_opts_default();
  if (ks_ctx_create(&o, &ctx) != KS_OK) {
    fprintf(stderr, "ketasim: export-sbml: cannot create a context\n");
    return 1;
  }
  ks_status st = ks_cascade_export_sbml(ctx, &p, argv[optind]);
  int ret = 0;
  if (st != KS_OK) {
    fprintf(stderr, "ketasim: %s\n", ks_ctx_last_error(ctx));
    ret = (st == KS_EINPUT || st == KS_EINVAL) ? 2 : 1;
  }
  ks_ctx_destroy(&ctx);
  return ret;
}
