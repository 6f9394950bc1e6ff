/* SPDX-License-Identifier: MIT */
/* ketasim: the command-line front end. Dispatches to one subcommand per file. */
#include "cli.h"
#include "commands.h"

#include <stdio.h>
#include <string.h>

typedef struct {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *summary;
} command;

/* A command is listed here only once it works (issue 2). */
static const command commands[] = {
#define KS_CMD(name, fn, summary) {name, fn, summary},
    KS_CLI_COMMANDS(KS_CMD)
#undef KS_CMD
};

static void usage(FILE *fp) {
  fprintf(fp,
          "usage: ketasim <command> [options]\n"
          "       ketasim <command> --help\n"
          "       ketasim --version\n\n"
          "ketasim simulates ketamine treatment for PTSD from dose to clinical trial.\n"
          "It is a research simulator, not medical advice.\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(fp, "  %-12s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv) {
  cli_set_command_line(argc, argv);
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
    printf("ketasim %s\n", ks_version());
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(cmd, commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
  const char *best = NULL;
  size_t bd = 99;
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    size_t d = ks_edit_distance(cmd, commands[i].name);
    if (d < bd) bd = d, best = commands[i].name;
  }
  if (best && bd <= 2)
    cli_error("'%s' is not a command (did you mean '%s'?)", cmd, best);
  else
    cli_error("'%s' is not a command (see ketasim --help)", cmd);
  return 2;
}
