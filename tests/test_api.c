/* test_api.c - the library's promises that are not about planning: the
 * version macros agree with hp_version(), and a NULL handle passed to a
 * public entry point is a programmer error that stops the program with an
 * assert (docs/api.md), not a crash somewhere inside. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hetplan.h"

static void api_version_macros_agree(void **state) {
  (void)state;
  char want[32];
  snprintf(want, sizeof want, "%d.%d.%d", HP_VERSION_MAJOR, HP_VERSION_MINOR,
           HP_VERSION_PATCH);
  assert_string_equal(HP_VERSION, want);
  assert_string_equal(hp_version_string(), HP_VERSION);
  assert_int_equal(hp_version(), HP_VERSION_HEX);
  assert_int_equal(hp_version() >> 16, HP_VERSION_MAJOR);
  assert_int_equal((hp_version() >> 8) & 0xff, HP_VERSION_MINOR);
  assert_int_equal(hp_version() & 0xff, HP_VERSION_PATCH);
}

/* Runs f in a child process with stderr silenced; returns the signal that
 * ended it, or 0 if it exited. The old code dereferenced the NULL handle
 * (SIGSEGV); an assert ends it with SIGABRT. */
static int dies_by(void (*f)(void)) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    if (!freopen("/dev/null", "w", stderr))
      _exit(2);
    f();
    _exit(0);
  }
  int st = 0;
  if (pid < 0 || waitpid(pid, &st, 0) != pid)
    return -1;
  return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

static void null_plan_count(void) { (void)hp_plan_count(NULL); }
static void null_plan_at(void) { (void)hp_plan_at(NULL, 0); }
static void null_planfile_count(void) { (void)hp_planfile_count(NULL); }
static void null_planfile_name(void) { (void)hp_planfile_name(NULL); }
static void null_solve(void) {
  hp_plan *p = NULL;
  (void)hp_plan_solve(NULL, NULL, &p, NULL);
}
static void null_render(void) {
  char *s;
  size_t n;
  (void)hp_report_render(NULL, HP_FORMAT_TABLE, &s, &n, NULL);
}
static void null_format(void) {
  hp_format f;
  (void)hp_format_parse(NULL, &f);
}

static void api_null_handle_asserts(void **state) {
  (void)state;
  assert_int_equal(dies_by(null_plan_count), SIGABRT);
  assert_int_equal(dies_by(null_plan_at), SIGABRT);
  assert_int_equal(dies_by(null_planfile_count), SIGABRT);
  assert_int_equal(dies_by(null_planfile_name), SIGABRT);
  assert_int_equal(dies_by(null_solve), SIGABRT);
  assert_int_equal(dies_by(null_render), SIGABRT);
  assert_int_equal(dies_by(null_format), SIGABRT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(api_version_macros_agree),
      cmocka_unit_test(api_null_handle_asserts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
