/* cli_common.c - what every subcommand of the executable shares: where the
 * catalog is found, how a diagnostic is printed, and the checks made before
 * a command writes two output files. Part of the CLI, not of the library. */
#define _XOPEN_SOURCE 700 /* realpath; implies POSIX.1-2008 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
  char *resolved = NULL;
  const char *target = path;
  struct stat st;
  int rc = HP_EXIT_OK;
  int fd = hp_output_fd(path);
  if (fd >= 0) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
      return cannot_write(path, "cannot write: descriptor %s is not open for "
                          "writing", path);
    return HP_EXIT_OK;
  }
  if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && stat(path, &st) == 0 &&
      !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
    return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0
               ? HP_EXIT_OK
               : cannot_write(path, "cannot open output: %s", strerror(errno));
  if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
    resolved = realpath(path, NULL);
    if (!resolved) {
      if (errno != ENOENT)
        return cannot_write(path, "cannot follow the symbolic link: %s",
                            strerror(errno));
      char to[512];
      ssize_t k = readlink(path, to, sizeof to - 1);
      to[k > 0 ? k : 0] = '\0';
      return cannot_write(
          path, "is a symbolic link to '%s', which does not exist", to);
    }
    target = resolved;
  }
  int exists = stat(target, &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) {
    rc = cannot_write(target, "is a directory; name a file to write%s", "");
  } else if (exists && !S_ISREG(st.st_mode)) {
    /* A FIFO or a device is written through: it only needs to be
     * writable (opening a FIFO here would wait for a reader). */
    if (faccessat(AT_FDCWD, target, W_OK, AT_EACCESS) != 0)
      rc = cannot_write(target, "cannot open output: %s", strerror(errno));
  } else {
    /* A new or a regular file: a temporary file is made beside it. */
    char *dir = dir_of(target);
    if (dir && faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0)
      rc = cannot_write(target, "cannot create output: %s", strerror(errno));
    free(dir);
  }
  free(resolved);
  return rc;
}
