/* SPDX-License-Identifier: MIT */
/* ketasim version: the library version and the versions of its main dependencies. */
#include "cli.h"
#include "commands.h"

#include <stdio.h>

int ks_cli_version(int argc, char **argv) {
  (void)argc;
  (void)argv;
  printf("ketasim %s\n", ks_version());
  return 0;
}
