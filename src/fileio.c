/* fileio.c - output files written whole or not at all: data goes to a
 * temporary file beside the target, is flushed and fsync'd, then renamed
 * over it. SIGINT, SIGTERM and SIGHUP are held back while the temporary
 * file exists (and delivered right after), so an interrupted run leaves
 * either the old file or the new one, and no stray temporary file. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hetplan.h"
#include "mem.h"
#include "status.h"

int hp_write_file_atomic(const char *path, const char *data, size_t len,
                         hp_diag *d) {
  size_t n = strlen(path) + 32;
  char *tmp = hp_malloc(n);
  if (!tmp)
    return hp_diag_oom(d);
  snprintf(tmp, n, "%s.tmp.XXXXXX", path);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    int e = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    hp_free(tmp);
    return hp_diag_set(d, HP_EIO, path, 0, 0, "cannot create output: %s",
                       strerror(e));
  }
  size_t off = 0;
  int rc = HP_OK;
  while (off < len) {
    ssize_t w = write(fd, data + off, len - off);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      rc = hp_diag_set(d, HP_EIO, path, 0, 0, "write failed: %s",
                       strerror(errno));
      break;
    }
    off += (size_t)w;
  }
  if (rc == HP_OK && fsync(fd) != 0 && errno != EINVAL)
    rc =
        hp_diag_set(d, HP_EIO, path, 0, 0, "fsync failed: %s", strerror(errno));
  /* mkstemp makes 0600 files; outputs are ordinary files. */
  if (rc == HP_OK) {
    mode_t um = umask(0);
    umask(um);
    fchmod(fd, 0666 & ~um);
  }
  if (close(fd) != 0 && rc == HP_OK)
    rc =
        hp_diag_set(d, HP_EIO, path, 0, 0, "close failed: %s", strerror(errno));
  if (rc == HP_OK && rename(tmp, path) != 0)
    rc = hp_diag_set(d, HP_EIO, path, 0, 0, "cannot rename into place: %s",
                     strerror(errno));
  if (rc != HP_OK)
    unlink(tmp);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  hp_free(tmp);
  return rc;
}
