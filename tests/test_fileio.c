/* test_fileio.c - what hp_write_file_atomic promises when something
 * happens in the middle of a write, with fsync wrapped (-Wl,--wrap=fsync)
 * so that a test can act between the temporary file's write and its rename:
 *
 *  - any catchable fatal signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
 *    SIGALRM, ...) arriving then is held back until the rename: its handler
 *    finds the new data in place and no temporary file;
 *  - a failed fsync is an output error naming the file, the old file is
 *    untouched and the temporary file is removed;
 *  - a write past RLIMIT_FSIZE (`ulimit -f`) is an output error, not a
 *    SIGXFSZ death, and leaves the old file and no temporary one;
 *  - a file name of 255 bytes, the longest a directory entry may have,
 *    can be written (the temporary name does not grow with it).
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, sigaction */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hetplan.h"

int __real_fsync(int fd);
int __wrap_fsync(int fd);

static enum { FSYNC_REAL, FSYNC_RAISE, FSYNC_FAIL } fsync_mode;
static int fsync_signal;  /* FSYNC_RAISE: the signal raised */
static int fsync_calls;   /* fsyncs seen with a temporary file present */
static char dir[64];      /* the test's directory */
static char target[512];  /* dir/out.txt */
static char tmpname[512]; /* the temporary file fsync was called on */
static const char OLD[] = "old contents\n";
static const char NEW[] = "new contents, longer than the old ones\n";

/* What the signal handler saw (async-signal-safe calls only). */
static volatile sig_atomic_t got_signal, tmp_existed, target_was_new;

/* The temporary file beside target: ".hpXXXXXX" (or, as it was named
 * before, "out.txt.tmp.XXXXXX", so that these tests show what failed on
 * that code). Returns 1 and sets tmpname when there is exactly one. */
static int find_tmp(void) {
  DIR *dp = opendir(dir);
  int n = 0;
  struct dirent *e;
  if (!dp)
    return 0;
  while ((e = readdir(dp)) != NULL)
    if (strncmp(e->d_name, ".hp", 3) == 0 || strstr(e->d_name, ".tmp.")) {
      snprintf(tmpname, sizeof tmpname, "%s/%s", dir, e->d_name);
      n++;
    }
  closedir(dp);
  return n == 1;
}

/* The number of entries in dir besides . and .. */
static int dir_entries(void) {
  DIR *dp = opendir(dir);
  int n = 0;
  struct dirent *e;
  if (!dp)
    return -1;
  while ((e = readdir(dp)) != NULL)
    n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(dp);
  return n;
}

int __wrap_fsync(int fd) {
  if (find_tmp())
    fsync_calls++;
  switch (fsync_mode) {
  case FSYNC_RAISE:
    raise(fsync_signal);
    break;
  case FSYNC_FAIL:
    errno = EIO;
    return -1;
  case FSYNC_REAL:
    break;
  }
  return __real_fsync(fd);
}

static int file_is(const char *path, const char *want) {
  char buf[256];
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return 0;
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  return n == (ssize_t)strlen(want) && memcmp(buf, want, (size_t)n) == 0;
}

static void on_signal(int sig) {
  char buf[sizeof NEW];
  got_signal = sig;
  tmp_existed = access(tmpname, F_OK) == 0;
  int fd = open(target, O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
  if (fd >= 0)
    close(fd);
  target_was_new =
      n == (ssize_t)(sizeof NEW - 1) && memcmp(buf, NEW, sizeof NEW - 1) == 0;
}

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/hp-fileio.XXXXXX");
  if (!mkdtemp(dir))
    return -1;
  snprintf(target, sizeof target, "%s/out.txt", dir);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  DIR *dp = opendir(dir);
  struct dirent *e;
  char p[512];
  if (dp) {
    while ((e = readdir(dp)) != NULL)
      if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
      }
    closedir(dp);
  }
  rmdir(dir);
  return 0;
}

/* Puts OLD at target and resets what the wrapper and handler record. */
static void start(int mode) {
  FILE *f = fopen(target, "w");
  assert_non_null(f);
  fputs(OLD, f);
  fclose(f);
  fsync_mode = mode;
  fsync_calls = 0;
  tmpname[0] = '\0';
  got_signal = tmp_existed = target_was_new = 0;
}

/* A signal raised between the temporary file's fsync and its rename. */
static void held_back(int sig) {
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  if (sigaction(sig, &sa, &old) != 0) {
    /* valgrind keeps the highest real-time signal for itself */
    assert_true(sig >= SIGRTMIN && sig <= SIGRTMAX);
    print_message("signal %d cannot be caught here: skipped\n", sig);
    return;
  }
  start(FSYNC_RAISE);
  fsync_signal = sig;
  hp_diag d;
  int rc = hp_write_file_atomic(target, NEW, strlen(NEW), &d);
  assert_int_equal(sigaction(sig, &old, NULL), 0);
  assert_int_equal(rc, HP_OK);
  assert_int_equal(fsync_calls, 1);  /* the wrapper ran, on the temporary */
  assert_int_equal(got_signal, sig); /* delivered before the call returned */
  assert_int_equal(tmp_existed, 0);  /* ... after the rename */
  assert_int_equal(target_was_new, 1);
  assert_true(file_is(target, NEW));
  assert_int_equal(dir_entries(), 1);
  /* The mask is as it was: the signal is not blocked any more. */
  sigset_t cur;
  pthread_sigmask(SIG_BLOCK, NULL, &cur);
  assert_false(sigismember(&cur, sig));
}

static void test_sigint_held_back(void **state) {
  (void)state;
  held_back(SIGINT);
}
static void test_sigterm_held_back(void **state) {
  (void)state;
  held_back(SIGTERM);
}
static void test_sighup_held_back(void **state) {
  (void)state;
  held_back(SIGHUP);
}

/* Every other catchable signal whose default action ends the process is
 * held back as well (SIGQUIT, SIGUSR1 and SIGALRM were not, and left the
 * temporary file behind). */
static void test_other_fatal_signals_held_back(void **state) {
  (void)state;
  const int sigs[] = {SIGQUIT,   SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE,  SIGXCPU,
                      SIGVTALRM, SIGPROF, SIGPOLL, SIGABRT, SIGRTMIN, SIGRTMAX};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
    print_message("signal %d\n", sigs[i]);
    held_back(sigs[i]);
  }
}

/* Under `ulimit -f` a write past the limit raises SIGXFSZ, whose default
 * action kills the process (with the temporary file left beside the old
 * one). It is an output error instead, and this process lives on with
 * SIGXFSZ neither pending nor blocked. */
static void test_file_size_limit(void **state) {
  (void)state;
  start(FSYNC_REAL);
  struct rlimit old, lim;
  assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
  lim = old;
  lim.rlim_cur = 8; /* bytes: less than NEW */
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_write_file_atomic(target, NEW, strlen(NEW), &d);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
  assert_int_equal(rc, HP_EIO);
  assert_string_equal(d.file, target);
  assert_non_null(strstr(d.msg, strerror(EFBIG)));
  assert_non_null(strstr(d.msg, "ulimit -f"));
  assert_true(file_is(target, OLD));
  assert_int_equal(dir_entries(), 1);
  sigset_t pend, cur;
  sigpending(&pend);
  pthread_sigmask(SIG_BLOCK, NULL, &cur);
  assert_false(sigismember(&pend, SIGXFSZ));
  assert_false(sigismember(&cur, SIGXFSZ));
}

/* A 255-byte file name (NAME_MAX) is legal; the temporary file's name
 * was the target's plus ".tmp.XXXXXX", over the limit ("File name too
 * long"). Both replacing and creating work. */
static void test_longest_name(void **state) {
  (void)state;
  char name[256];
  unlink(target); /* out.txt, from the tests before */
  memset(name, 'n', 255);
  name[255] = '\0';
  snprintf(target, sizeof target, "%s/%s", dir, name);
  start(FSYNC_REAL);
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_write_file_atomic(target, NEW, strlen(NEW), &d);
  if (rc != HP_OK)
    print_error("%s: %s\n", d.file, d.msg);
  assert_int_equal(rc, HP_OK);
  assert_true(file_is(target, NEW));
  assert_int_equal(dir_entries(), 1);
  unlink(target);
  assert_int_equal(hp_write_file_atomic(target, OLD, strlen(OLD), &d), HP_OK);
  assert_true(file_is(target, OLD));
  assert_int_equal(dir_entries(), 1);
  unlink(target);
  snprintf(target, sizeof target, "%s/out.txt", dir);
}

/* A failed fsync: an output error, the old file kept, no temporary. */
static void test_fsync_failure_removes_tmp(void **state) {
  (void)state;
  start(FSYNC_FAIL);
  hp_diag d;
  int rc = hp_write_file_atomic(target, NEW, strlen(NEW), &d);
  assert_int_equal(rc, HP_EIO);
  assert_int_equal(fsync_calls, 1);
  assert_string_equal(d.file, target);
  assert_non_null(strstr(d.msg, "fsync failed: "));
  assert_non_null(strstr(d.msg, strerror(EIO)));
  assert_int_not_equal(access(tmpname, F_OK), 0);
  assert_true(file_is(target, OLD));
  assert_int_equal(dir_entries(), 1);
  /* A new name likewise leaves nothing behind. */
  unlink(target);
  start(FSYNC_FAIL);
  unlink(target);
  rc = hp_write_file_atomic(target, NEW, strlen(NEW), &d);
  assert_int_equal(rc, HP_EIO);
  assert_int_equal(fsync_calls, 1);
  assert_int_equal(dir_entries(), 0);
}

/* The wrapper passes through: an ordinary write works. */
static void test_plain_write(void **state) {
  (void)state;
  start(FSYNC_REAL);
  hp_diag d;
  assert_int_equal(hp_write_file_atomic(target, NEW, strlen(NEW), &d), HP_OK);
  assert_int_equal(fsync_calls, 1);
  assert_true(file_is(target, NEW));
  assert_int_equal(dir_entries(), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plain_write),
      cmocka_unit_test(test_sigint_held_back),
      cmocka_unit_test(test_sigterm_held_back),
      cmocka_unit_test(test_sighup_held_back),
      cmocka_unit_test(test_other_fatal_signals_held_back),
      cmocka_unit_test(test_fsync_failure_removes_tmp),
      cmocka_unit_test(test_file_size_limit),
      cmocka_unit_test(test_longest_name),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
