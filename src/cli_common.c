/* cli_common.c - what every subcommand of the executable shares: where the
 * catalog is found, and how a diagnostic is printed. Part of the CLI, not
 * of the library. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cli.h"

#ifndef HETPLAN_SOURCE_DIR
#define HETPLAN_SOURCE_DIR "."
#endif
#ifndef HETPLAN_DATA_DIR
#define HETPLAN_DATA_DIR "/usr/local/share/hetplan"
#endif

static int is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *hp_cli_default_catalog(void) {
  const char *env = getenv("HETPLAN_CATALOG");
  if (env && *env)
    return env;
  if (is_dir("devices"))
    return "devices";
  if (is_dir(HETPLAN_SOURCE_DIR "/devices"))
    return HETPLAN_SOURCE_DIR "/devices";
  return HETPLAN_DATA_DIR "/devices";
}

void hp_cli_print_diag(const hp_diag *d) {
  char buf[HP_DIAG_MSG_MAX + HP_DIAG_FILE_MAX + 64];
  hp_diag_format(d, buf, sizeof buf);
  fprintf(stderr, "hetplan: %s\n", buf);
}
