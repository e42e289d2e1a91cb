/* cli_common.c - what every subcommand of the executable shares: where the
 * catalog is found, how a diagnostic is printed, and the checks made before
 * a command writes two output files. Part of the CLI, not of the library. */
#define _XOPEN_SOURCE 700 /* realpath; implies POSIX.1-2008 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fileio.h"
#include "report.h"

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

void hp_cli_warn_unproven(const char *path, const hp_scenario_result *r) {
  char why[160];
  for (size_t i = 0; i < r->n_warnings; i++) /* market (issue 20) */
    fprintf(stderr, "hetplan: %s: warning: %s\n", path, r->warnings[i]);
  if (r->node_limited && hp_result_unproven(r, why, sizeof why))
    fprintf(stderr,
            "hetplan: %s: scenario '%s' is not proven optimal: %s (raise "
            "solver.node_limit to search further)\n",
            path, r->name, why);
}

void hp_cli_warn_unused(const hp_planfile *pf) {
  hp_diag w[8];
  size_t n = hp_planfile_unused_keys(pf, w, sizeof w / sizeof *w);
  /* "file:line:col: warning: msg", as compilers say it */
  for (size_t i = 0; i < n && i < sizeof w / sizeof *w; i++)
    fprintf(stderr, "hetplan: %s:%d:%d: warning: %s\n", w[i].file, w[i].line,
            w[i].column, w[i].msg);
  if (n > sizeof w / sizeof *w)
    fprintf(stderr, "hetplan: %s: warning: %zu more such keys\n", w[0].file,
            n - sizeof w / sizeof *w);
}

void hp_cli_warn_market(const hp_planfile *pf) {
  hp_diag w[16];
  size_t n = hp_planfile_market_warnings(pf, w, sizeof w / sizeof *w);
  for (size_t i = 0; i < n && i < sizeof w / sizeof *w; i++)
    fprintf(stderr, "hetplan: %s:%d:%d: warning: %s\n", w[i].file, w[i].line,
            w[i].column, w[i].msg);
  if (n > sizeof w / sizeof *w)
    fprintf(stderr, "hetplan: %s: warning: %zu more such cards\n", w[0].file,
            n - sizeof w / sizeof *w);
}

void hp_cli_print_diag(const hp_diag *d) {
  char buf[HP_DIAG_MSG_MAX + HP_DIAG_FILE_MAX + 64];
  hp_diag_format(d, buf, sizeof buf);
  fprintf(stderr, "hetplan: %s\n", buf);
}

/* ----------------------------------------------------------------------------
 * Two outputs at once (-o and --chart). realpath allocates with malloc, so
 * everything here is freed with free().
 * ------------------------------------------------------------------------- */

/* The directory part of path ("." when it has none), malloc'd, or NULL. */
static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash)
    return strdup(".");
  size_t n = slash == path ? 1 : (size_t)(slash - path);
  char *dir = malloc(n + 1);
  if (dir) {
    memcpy(dir, path, n);
    dir[n] = '\0';
  }
  return dir;
}

/* The resolved directory of path joined with its base name, malloc'd, or
 * NULL when the directory cannot be resolved. */
static char *resolved_name(const char *path) {
  char *dir = dir_of(path);
  char *real = dir ? realpath(dir, NULL) : NULL;
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  size_t n = real ? strlen(real) + strlen(base) + 2 : 0;
  char *out = real ? malloc(n) : NULL;
  if (out)
    snprintf(out, n, "%s/%s", real, base);
  free(real);
  free(dir);
  return out;
}

int hp_cli_same_output(const char *a, const char *b) {
  struct stat sa, sb;
  int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
  if (ea && eb)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  if (ea || eb)
    return 0;
  char *ra = resolved_name(a), *rb = resolved_name(b);
  int same = ra && rb ? strcmp(ra, rb) == 0 : strcmp(a, b) == 0;
  free(ra);
  free(rb);
  return same;
}

static int cannot_write(const char *path, const char *what, const char *arg) {
  fprintf(stderr, "hetplan: %s: ", path);
  fprintf(stderr, what, arg);
  fputc('\n', stderr);
  return HP_EXIT_IO;
}

int hp_cli_check_output(const char *path) {
  hp_out_target t;
  hp_diag d;
  hp_diag_clear(&d);
  int rc = HP_EXIT_OK;
  if (hp_output_target(path, &t, &d) != HP_OK) {
    hp_cli_print_diag(&d);
    rc = HP_EXIT_IO;
  } else if (t.kind == HP_OUT_FD) {
    if ((fcntl(t.fd, F_GETFL) & O_ACCMODE) == O_RDONLY)
      rc = cannot_write(path,
                        "cannot write: descriptor %s is not open for "
                        "writing",
                        path);
  } else if (t.kind == HP_OUT_THROUGH) {
    /* Written through: it only needs to be writable (opening a FIFO here
     * would wait for a reader). */
    if (faccessat(AT_FDCWD, t.path, W_OK, AT_EACCESS) != 0)
      rc = cannot_write(t.path, "cannot open output: %s", strerror(errno));
  } else {
    /* A new or a regular file: a temporary file is made beside it. */
    char *dir = dir_of(t.path);
    if (dir && faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0)
      rc = cannot_write(t.path, "cannot create output: %s", strerror(errno));
    free(dir);
  }
  hp_output_target_cleanup(&t);
  return rc;
}

hp_format hp_cli_format_of_output(const char *out, hp_format fmt) {
  const char *dot = out ? strrchr(out, '.') : NULL;
  if (!dot || strchr(dot, '/'))
    return fmt;
  static const struct {
    const char *ext;
    hp_format fmt;
  } exts[] = {{".json", HP_FORMAT_JSON},
              {".csv", HP_FORMAT_CSV},
              {".md", HP_FORMAT_MD},
              {".markdown", HP_FORMAT_MD}};
  for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
    if (strcasecmp(dot, exts[i].ext) == 0)
      return exts[i].fmt;
  return fmt;
}
