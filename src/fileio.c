/* fileio.c - output files written whole or not at all.
 *
 * What happens depends on what the path names now:
 *  - a new name or a regular file: the data goes to a temporary file beside
 *    it, is flushed and fsync'd, then renamed over it. An existing file's
 *    permission bits (and owner, where allowed) carry over; a new file gets
 *    0666 & ~umask. Every catchable fatal signal (SIGINT, SIGTERM, SIGHUP,
 *    SIGQUIT, SIGALRM, SIGUSR1, ...) is held back while the temporary file
 *    exists (and delivered right after), so an interrupted run leaves
 *    either the old file or the new one, and no stray temporary; a write
 *    past `ulimit -f` is an output error (EFBIG), not a SIGXFSZ death.
 *  - a symbolic link: resolved first, and its target replaced as above, so
 *    the link survives. A dangling link is an error.
 *  - a FIFO, device or socket: written through directly (a rename would
 *    replace the node itself, e.g. /dev/null, with a regular file).
 *  - a directory: an error.
 */
#define _GNU_SOURCE /* mkostemp; realpath, sigtimedwait (POSIX.1-2008) */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "hetplan.h"
#include "mem.h"
#include "status.h"

/* Writes all of data to fd, retrying short writes; errors name path. */
static int write_all(int fd, const char *data, size_t len, const char *path,
                     hp_diag *d) {
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, data + off, len - off);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return hp_diag_set(d, HP_EIO, path, 0, 0, "write failed: %s%s",
                         strerror(errno),
                         errno == EFBIG ? " (the file size limit, `ulimit "
                                          "-f`, was reached)"
                                        : "");
    }
    off += (size_t)w;
  }
  return HP_OK;
}

/* Writes into an existing FIFO, device or socket as it is: no temporary
 * file, no rename. Signals are not held back: opening a FIFO waits for a
 * reader, and the user must be able to interrupt that. */
static int write_through(const char *path, const struct stat *st,
                         const char *data, size_t len, hp_diag *d) {
  int fd;
  do
    fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return hp_diag_set(d, HP_EIO, path, 0, 0, "cannot open output: %s",
                       strerror(errno));
  int rc = write_all(fd, data, len, path, d);
  /* Only a block device holds data that fsync can flush. */
  if (rc == HP_OK && S_ISBLK(st->st_mode) && fsync(fd) != 0 && errno != EINVAL)
    rc =
        hp_diag_set(d, HP_EIO, path, 0, 0, "fsync failed: %s", strerror(errno));
  if (close(fd) != 0 && rc == HP_OK)
    rc =
        hp_diag_set(d, HP_EIO, path, 0, 0, "close failed: %s", strerror(errno));
  return rc;
}

/* The signals held back while a temporary file exists: every signal that
 * can be blocked, so every one whose default action ends the process
 * (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM, SIGUSR1, SIGUSR2, SIGPIPE,
 * SIGXCPU, the real-time signals, ...), SIGXFSZ included: under `ulimit
 * -f`, a write past the limit then fails with EFBIG instead of killing the
 * process with the temporary file left behind. The others (SIGCHLD,
 * SIGTSTP, ...) wait the few milliseconds too, which is harmless. Left
 * out: SIGKILL and SIGSTOP, which cannot be blocked, and the signals a
 * fault raises (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS), which
 * kill the process whatever the mask says. */
static void fatal_signals(sigset_t *set) {
  sigfillset(set);
  static const int keep[] = {SIGKILL, SIGSTOP, SIGSEGV, SIGBUS,
                             SIGFPE,  SIGILL,  SIGTRAP, SIGSYS};
  for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
    sigdelset(set, keep[i]);
}

/* A write past RLIMIT_FSIZE raised SIGXFSZ at this thread while it was
 * blocked; the EFBIG is the error reported, so the pending signal is taken
 * off before the mask is restored (it would kill the process). One that
 * was already pending before (sent with kill) stays pending. */
static void discard_xfsz(int was_pending) {
  sigset_t p, one;
  if (was_pending || sigpending(&p) != 0 || !sigismember(&p, SIGXFSZ))
    return;
  sigemptyset(&one);
  sigaddset(&one, SIGXFSZ);
  struct timespec zero = {0, 0};
  while (sigtimedwait(&one, NULL, &zero) < 0 && errno == EINTR) {
  }
}

/* The directory part of path, with its slash ("dir/", "/"), or "" for a
 * name in the current directory: its length. */
static size_t dir_len(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? (size_t)(slash - path) + 1 : 0;
}

/* Replaces the regular file at path (old: its stat) or creates it (old is
 * NULL) through a temporary file and a rename. The temporary file is
 * ".hpXXXXXX" in the target's directory: a short name whatever the
 * target's (a 255-byte file name, the longest most file systems allow,
 * still works), hidden from ls, and on the same file system, so that the
 * rename is atomic. */
static int replace_atomic(const char *path, const struct stat *old,
                          const char *data, size_t len, hp_diag *d) {
  size_t dl = dir_len(path);
  size_t n = dl + sizeof ".hpXXXXXX";
  char *tmp = hp_malloc(n);
  if (!tmp)
    return hp_diag_oom(d);
  memcpy(tmp, path, dl);
  memcpy(tmp + dl, ".hpXXXXXX", sizeof ".hpXXXXXX");
  sigset_t block, saved, before;
  fatal_signals(&block);
  pthread_sigmask(SIG_BLOCK, &block, &saved);
  int xfsz_pending = sigpending(&before) == 0 && sigismember(&before, SIGXFSZ);
  int fd = mkostemp(tmp, O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    hp_free(tmp);
    return hp_diag_set(d, HP_EIO, path, 0, 0, "cannot create output: %s",
                       strerror(e));
  }
  int rc = write_all(fd, data, len, path, d);
  if (rc == HP_OK && fsync(fd) != 0 && errno != EINVAL)
    rc =
        hp_diag_set(d, HP_EIO, path, 0, 0, "fsync failed: %s", strerror(errno));
  /* mkstemp makes 0600 files. A replaced file keeps its mode, and its owner
   * where we may set it (root replacing a user's file); a new one is an
   * ordinary file. Both are best effort: some file systems (vfat, some
   * network mounts) refuse them, and the data is what matters. The owner
   * goes first, since chown clears the set-user-ID and set-group-ID bits. */
  if (rc == HP_OK) {
    if (old) {
      if ((old->st_uid != geteuid() || old->st_gid != getegid()) &&
          fchown(fd, old->st_uid, old->st_gid) != 0) {
        /* Not ours to give away: the new file stays ours. */
      }
      (void)fchmod(fd, old->st_mode & 07777);
    } else {
      mode_t um = umask(0);
      umask(um);
      (void)fchmod(fd, 0666 & ~um);
    }
  }
  if (close(fd) != 0 && rc == HP_OK)
    rc =
        hp_diag_set(d, HP_EIO, path, 0, 0, "close failed: %s", strerror(errno));
  if (rc == HP_OK && rename(tmp, path) != 0)
    rc = hp_diag_set(d, HP_EIO, path, 0, 0, "cannot rename into place: %s",
                     strerror(errno));
  if (rc != HP_OK)
    unlink(tmp);
  discard_xfsz(xfsz_pending);
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  hp_free(tmp);
  return rc;
}

int hp_output_fd(const char *path) {
  if (strcmp(path, "/dev/stdout") == 0)
    return 1;
  if (strcmp(path, "/dev/stderr") == 0)
    return 2;
  const char *num = strncmp(path, "/dev/fd/", 8) == 0          ? path + 8
                    : strncmp(path, "/proc/self/fd/", 14) == 0 ? path + 14
                                                               : NULL;
  if (!num || !*num || strspn(num, "0123456789") != strlen(num) ||
      strlen(num) > 6)
    return -1;
  return atoi(num);
}

int hp_fileio_target(const char *path, hp_out_target *t, hp_diag *d) {
  memset(t, 0, sizeof *t);
  t->path = path;
  if (!path || !*path)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "the output file name is empty");
  /* -o /dev/stdout (or /dev/fd/N): the descriptor the shell set up, as it
   * is. Opening the path anew would lose a `>>` redirection's append mode,
   * and on a pipe there is no file to resolve. */
  if ((t->fd = hp_output_fd(path)) >= 0) {
    t->kind = HP_OUT_FD;
    if (fcntl(t->fd, F_GETFL) < 0)
      return hp_diag_set(d, HP_EIO, path, 0, 0,
                         "cannot write: descriptor %d is not open", t->fd);
    return HP_OK;
  }
  struct stat lst;
  if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
    /* A link to a FIFO or device is written through as it is; a link to
     * a file is resolved, so that the file is replaced and the link kept.
     * realpath allocates with malloc (a foreign convention): free(). */
    if (stat(path, &t->st) == 0 && !S_ISREG(t->st.st_mode) &&
        !S_ISDIR(t->st.st_mode)) {
      t->kind = HP_OUT_THROUGH;
      return HP_OK;
    }
    if (!(t->resolved = realpath(path, NULL))) {
      int e = errno;
      char to[HP_DIAG_FILE_MAX];
      ssize_t k = readlink(path, to, sizeof to - 1);
      to[k > 0 ? k : 0] = '\0';
      if (e == ENOENT)
        return hp_diag_set(d, HP_EIO, path, 0, 0,
                           "is a symbolic link to '%.400s', which does not "
                           "exist",
                           to);
      return hp_diag_set(d, HP_EIO, path, 0, 0,
                         "cannot follow the symbolic link: %s", strerror(e));
    }
    t->path = t->resolved;
  }
  if (stat(t->path, &t->st) != 0) {
    if (errno != ENOENT)
      return hp_diag_set(d, HP_EIO, t->path, 0, 0, "cannot create output: %s",
                         strerror(errno));
    t->kind = HP_OUT_NEW;
  } else if (S_ISDIR(t->st.st_mode)) {
    return hp_diag_set(d, HP_EIO, t->path, 0, 0,
                       "is a directory; name a file to write");
  } else {
    t->kind = S_ISREG(t->st.st_mode) ? HP_OUT_REPLACE : HP_OUT_THROUGH;
  }
  return HP_OK;
}

void hp_fileio_target_cleanup(hp_out_target *t) {
  free(t->resolved);
  memset(t, 0, sizeof *t);
}

int hp_write_file_atomic(const char *path, const char *data, size_t len,
                         hp_diag *d) {
  hp_out_target t;
  int rc = hp_fileio_target(path, &t, d);
  if (rc == HP_OK) {
    switch (t.kind) {
    case HP_OUT_FD:
      rc = write_all(t.fd, data, len, path, d);
      break;
    case HP_OUT_THROUGH:
      rc = write_through(t.path, &t.st, data, len, d);
      break;
    case HP_OUT_REPLACE:
      rc = replace_atomic(t.path, &t.st, data, len, d);
      break;
    case HP_OUT_NEW:
      rc = replace_atomic(t.path, NULL, data, len, d);
      break;
    }
  }
  hp_fileio_target_cleanup(&t);
  return rc;
}

/* ----------------------------------------------------------------------------
 * Output written as it is made (hp_out_stream): the same targets and the
 * same atomic replacement as hp_write_file_atomic, for a report too large
 * to hold whole. Signals are held back from open to close, as there.
 * ------------------------------------------------------------------------- */

struct hp_out_stream {
  hp_out_target t;
  int fd;           /* where the bytes go */
  int own_fd;       /* 1: fd is ours to close */
  char *tmp;        /* the temporary file, or NULL (written through) */
  sigset_t saved;   /* the signal mask before */
  int xfsz_pending; /* SIGXFSZ was pending before */
  int masked;       /* 1: signals are held back */
};

int hp_fileio_stream_open(const char *path, hp_out_stream **out, hp_diag *d) {
  hp_out_stream *s = hp_calloc(1, sizeof *s);
  if (!s)
    return hp_diag_oom(d);
  s->fd = -1;
  int rc = hp_fileio_target(path, &s->t, d);
  if (rc != HP_OK)
    goto fail;
  if (s->t.kind == HP_OUT_FD) {
    s->fd = s->t.fd;
  } else if (s->t.kind == HP_OUT_THROUGH) {
    do
      s->fd = open(s->t.path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    while (s->fd < 0 && errno == EINTR);
    if (s->fd < 0) {
      rc = hp_diag_set(d, HP_EIO, s->t.path, 0, 0, "cannot open output: %s",
                       strerror(errno));
      goto fail;
    }
    s->own_fd = 1;
  } else {
    size_t dl = dir_len(s->t.path);
    if (!(s->tmp = hp_malloc(dl + sizeof ".hpXXXXXX"))) {
      rc = hp_diag_oom(d);
      goto fail;
    }
    memcpy(s->tmp, s->t.path, dl);
    memcpy(s->tmp + dl, ".hpXXXXXX", sizeof ".hpXXXXXX");
    sigset_t block, before;
    fatal_signals(&block);
    pthread_sigmask(SIG_BLOCK, &block, &s->saved);
    s->masked = 1;
    s->xfsz_pending = sigpending(&before) == 0 && sigismember(&before, SIGXFSZ);
    if ((s->fd = mkostemp(s->tmp, O_CLOEXEC)) < 0) {
      rc = hp_diag_set(d, HP_EIO, s->t.path, 0, 0, "cannot create output: %s",
                       strerror(errno));
      hp_free(s->tmp);
      s->tmp = NULL;
      goto fail;
    }
    s->own_fd = 1;
  }
  *out = s;
  return HP_OK;
fail:
  hp_fileio_stream_close(s, 0, NULL);
  return rc;
}

int hp_fileio_stream_write(hp_out_stream *s, const char *data, size_t len,
                           hp_diag *d) {
  return write_all(s->fd, data, len, s->t.path, d);
}

int hp_fileio_stream_close(hp_out_stream *s, int commit, hp_diag *d) {
  if (!s)
    return HP_OK;
  int rc = HP_OK;
  if (commit && s->tmp && fsync(s->fd) != 0 && errno != EINVAL)
    rc = hp_diag_set(d, HP_EIO, s->t.path, 0, 0, "fsync failed: %s",
                     strerror(errno));
  if (commit && rc == HP_OK && s->tmp) {
    /* As replace_atomic: a replaced file keeps its owner and mode, a new
     * one is an ordinary file; both best effort. */
    if (s->t.kind == HP_OUT_REPLACE) {
      if ((s->t.st.st_uid != geteuid() || s->t.st.st_gid != getegid()) &&
          fchown(s->fd, s->t.st.st_uid, s->t.st.st_gid) != 0) {
        /* Not ours to give away: the new file stays ours. */
      }
      (void)fchmod(s->fd, s->t.st.st_mode & 07777);
    } else {
      mode_t um = umask(0);
      umask(um);
      (void)fchmod(s->fd, 0666 & ~um);
    }
  }
  if (s->own_fd && close(s->fd) != 0 && commit && rc == HP_OK)
    rc = hp_diag_set(d, HP_EIO, s->t.path, 0, 0, "close failed: %s",
                     strerror(errno));
  if (s->tmp) {
    if (commit && rc == HP_OK && rename(s->tmp, s->t.path) != 0)
      rc = hp_diag_set(d, HP_EIO, s->t.path, 0, 0,
                       "cannot rename into place: %s", strerror(errno));
    if (!commit || rc != HP_OK)
      unlink(s->tmp);
  }
  if (s->masked) {
    discard_xfsz(s->xfsz_pending);
    pthread_sigmask(SIG_SETMASK, &s->saved, NULL);
  }
  hp_free(s->tmp);
  hp_fileio_target_cleanup(&s->t);
  hp_free(s);
  return rc;
}
