/* SPDX-License-Identifier: MIT */
/* The subcommands, one function per cmd_<name>.c, each returning the process exit code. */
#ifndef KS_CLI_COMMANDS_H
#define KS_CLI_COMMANDS_H

#define KS_CLI_COMMANDS(X) \
  X("version", ks_cli_version, "print the version")

int ks_cli_version(int argc, char **argv);

#endif
