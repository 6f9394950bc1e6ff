/* SPDX-License-Identifier: MIT */
/* The subcommands, one function per cmd_<name>.c, each returning the process exit code
 * (0 success, 1 failure while running, 2 bad input). A command is listed only once it works. */
#ifndef KS_CLI_COMMANDS_H
#define KS_CLI_COMMANDS_H

#define KS_CLI_COMMANDS(X)                                                                  \
  X("run", ks_cli_run, "run a virtual trial: ketasim run SCENARIO.yaml --out DIR")         \
  X("patient", ks_cli_patient, "one virtual patient through every layer: ketasim patient SCENARIO.yaml --id K --out DIR") \
  X("power", ks_cli_power, "power of the primary endpoint per sample size (CSV and figure)") \
  X("sensitivity", ks_cli_sensitivity, "global sensitivity (Morris, Sobol) of an endpoint; who responds") \
  X("optimize", ks_cli_optimize, "search the scenario's regimen space for the best endpoint") \
  X("check", ks_cli_check, "validate a scenario file without running it")                  \
  X("pk", ks_cli_pk, "concentration-time profile of a dose (CSV, or --summary JSON)")      \
  X("fit", ks_cli_fit, "individual MAP estimates of PK parameters from NONMEM-layout data")  \
  X("cascade", ks_cli_cascade, "receptor and plasticity states over time (CSV)")          \
  X("scan", ks_cli_scan, "simulated fMRI of the circuit: BOLD and connectivity")           \
  X("validate", ks_cli_validate, "every calibration target: published vs simulated")      \
  X("calibrate", ks_cli_calibrate, "fit the calibrated parameters to the declared targets (NLopt)") \
  X("ablation", ks_cli_ablation, "share of the effect each causal route carries (routes switched off in turn)") \
  X("explore", ks_cli_explore, "a local page where the chain redraws as you move dose and schedule") \
  X("export-sbml", ks_cli_export_sbml, "write the PK + receptor + plasticity model as SBML") \
  X("version", ks_cli_version, "print the version")

int ks_cli_run(int argc, char **argv);
int ks_cli_patient(int argc, char **argv);
int ks_cli_power(int argc, char **argv);
int ks_cli_check(int argc, char **argv);
int ks_cli_sensitivity(int argc, char **argv);
int ks_cli_optimize(int argc, char **argv);
int ks_cli_pk(int argc, char **argv);
int ks_cli_fit(int argc, char **argv);

/* `ketasim pk --data FILE` (cmd_pk_data.c): the data set's doses per subject. duration_h NAN:
 * each subject's last record + 24 h. */
typedef struct ks_cli_pk_data_opts {
  const char *units, *drug, *route, *cmt, *model;
  double duration_h, step_h;
  int allow_unstudied_doses;
} ks_cli_pk_data_opts;
int ks_cli_pk_data(const char *path, const ks_cli_pk_data_opts *o);
int ks_cli_cascade(int argc, char **argv);
int ks_cli_scan(int argc, char **argv);
int ks_cli_validate(int argc, char **argv);
int ks_cli_calibrate(int argc, char **argv);
int ks_cli_ablation(int argc, char **argv);
int ks_cli_explore(int argc, char **argv);
int ks_cli_export_sbml(int argc, char **argv);
int ks_cli_version(int argc, char **argv);

#endif
