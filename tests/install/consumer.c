/* consumer.c - an outside program built only against the installed
 * hetplan.h and libhetplan.so (pkg-config hetplan); run by run.sh.
 *
 * Under a counting allocator, it solves a plan on two threads of its own
 * at once, as a server would, and prints one line per scenario for run.sh
 * to compare with the CLI's JSON; it checks a bad plan's diagnostic
 * against the position of the bad token. A failed check prints "FAIL" and
 * exits 1. Usage: consumer DEVICES_DIR PLAN_FILE
 */
#include <hetplan.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "consumer: FAIL %s:%d: %s\n", __FILE__, __LINE__,        \
              #cond);                                                          \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

/* A counting allocator: every block the library takes must come back. The
 * counter is atomic because the solving thread allocates through it. */
static atomic_long live_blocks;

static void *count_malloc(size_t size, void *ud) {
  (void)ud;
  void *p = malloc(size);
  if (p)
    atomic_fetch_add(&live_blocks, 1);
  return p;
}

static void *count_realloc(void *p, size_t size, void *ud) {
  (void)ud;
  void *q = realloc(p, size);
  if (q && !p)
    atomic_fetch_add(&live_blocks, 1);
  return q;
}

static void count_free(void *p, void *ud) {
  (void)ud;
  if (p)
    atomic_fetch_sub(&live_blocks, 1);
  free(p);
}

/* Two threads solve the same catalog and plan file at once: both are
 * read-only once loaded. */
#define N_SOLVERS 2

struct job {
  const hp_catalog *cat;
  const hp_planfile *pf;
  hp_plan *plan; /* the thread's result */
  hp_diag d;     /* why it failed */
  int rc;        /* hp_plan_solve's status */
};

/* Solves, then exits: valgrind (run.sh) checks that the thread left
 * nothing behind, GLPK's per-thread environment included. */
static void *solve_job(void *arg) {
  struct job *j = arg;
  hp_diag_clear(&j->d);
  j->rc = hp_plan_solve(j->pf, j->cat, &j->plan, &j->d);
  return NULL;
}

static void fail_diag(const char *what, const hp_diag *d) {
  char msg[HP_DIAG_MSG_MAX + HP_DIAG_FILE_MAX + 64];
  hp_diag_format(d, msg, sizeof msg);
  fprintf(stderr, "consumer: FAIL %s: %s (%s)\n", what, msg,
          hp_status_name(d->status));
  exit(1);
}

/* Loads DEVICES and PLAN, solves on N_SOLVERS threads, and prints one line
 * per scenario. The plan file is freed before the results are read: a
 * plan borrows from the catalog only. */
static void solve_plan(const char *devices, const char *path) {
  hp_diag d;
  hp_diag_clear(&d);
  hp_catalog *cat = NULL;
  hp_planfile *pf = NULL;
  if (hp_catalog_load(devices, &cat, &d) != HP_OK)
    fail_diag("hp_catalog_load", &d);
  if (hp_planfile_load(path, cat, &pf, &d) != HP_OK)
    fail_diag("hp_planfile_load", &d);
  CHECK(hp_catalog_count(cat) > 0 && hp_planfile_count(pf) > 0);

  struct job jobs[N_SOLVERS];
  pthread_t tid[N_SOLVERS];
  for (int i = 0; i < N_SOLVERS; i++) {
    jobs[i] = (struct job){cat, pf, NULL, {0}, 0};
    CHECK(pthread_create(&tid[i], NULL, solve_job, &jobs[i]) == 0);
  }
  for (int i = 0; i < N_SOLVERS; i++) {
    CHECK(pthread_join(tid[i], NULL) == 0);
    if (jobs[i].rc != HP_OK)
      fail_diag("hp_plan_solve", &jobs[i].d);
  }
  hp_plan *plan = jobs[0].plan;
  size_t n = hp_plan_count(plan);
  CHECK(n == hp_planfile_count(pf));
  for (size_t i = 0; i < n; i++)
    CHECK(strcmp(hp_plan_at(plan, i)->name, hp_planfile_scenario_name(pf, i)) ==
          0);
  hp_planfile_free(pf);

  for (size_t i = 0; i < n; i++) {
    const hp_scenario_result *r = hp_plan_at(plan, i);
    CHECK(r->status == HP_RESULT_OPTIMAL && r->explanation == NULL);
    CHECK(r->n_lines > 0 && r->cards > 0 && r->capex_cny > 0);
    CHECK(hp_catalog_find(cat, r->lines[0].device) != NULL);
    for (int k = 1; k < N_SOLVERS; k++) {
      const hp_scenario_result *o = hp_plan_at(jobs[k].plan, i);
      CHECK(o->cards == r->cards && o->servers == r->servers &&
            o->capex_cny == r->capex_cny);
    }
    printf("scenario %s %s %.17g %.17g %.17g\n", r->name,
           hp_result_status_name(r->status), r->cards, r->servers,
           r->capex_cny);
  }
  char *json = NULL;
  size_t len = 0;
  CHECK(hp_report_render(plan, HP_FORMAT_JSON, &json, &len, &d) == HP_OK);
  CHECK(json && len > 0 && json[0] == '{' && strlen(json) == len);
  hp_free(json);
  for (int i = 0; i < N_SOLVERS; i++)
    hp_plan_free(jobs[i].plan);
  hp_catalog_free(cat);
}

/* A plan string with one bad value: the diagnostic must name the source,
 * and the line and column where "bogus" starts, and leave *out alone. */
static void check_bad_plan(const char *devices) {
  static const char text[] = "name: bad\n"
                             "scenarios:\n"
                             "  - name: s\n"
                             "    granularity: bogus\n";
  int want_line = 1, want_col = 1;
  for (const char *p = text; p < strstr(text, "bogus"); p++) {
    if (*p == '\n') {
      want_line++;
      want_col = 1;
    } else {
      want_col++;
    }
  }
  hp_diag d;
  hp_diag_clear(&d);
  hp_catalog *cat = NULL;
  CHECK(hp_catalog_load(devices, &cat, &d) == HP_OK);
  static char sentinel;
  hp_planfile *const untouched = (hp_planfile *)(void *)&sentinel;
  hp_planfile *pf = untouched;
  int rc = hp_planfile_parse(text, strlen(text), "bad.yaml", cat, &pf, &d);
  CHECK(rc < 0);
  CHECK(pf == untouched);
  CHECK(d.status == rc);
  CHECK(strncmp(hp_status_name(rc), "HP_E", 4) == 0);
  CHECK(strcmp(d.file, "bad.yaml") == 0);
  CHECK(d.line == want_line && d.column == want_col);
  char msg[HP_DIAG_MSG_MAX + HP_DIAG_FILE_MAX + 64];
  int n = hp_diag_format(&d, msg, sizeof msg);
  CHECK(n > 0 && (size_t)n < sizeof msg);
  char prefix[64];
  snprintf(prefix, sizeof prefix, "bad.yaml:%d:%d: ", want_line, want_col);
  CHECK(strncmp(msg, prefix, strlen(prefix)) == 0);
  printf("diag %s %s\n", hp_status_name(rc), msg);
  hp_catalog_free(cat);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: consumer DEVICES_DIR PLAN_FILE\n");
    return 2;
  }
  hp_allocator a = {count_malloc, count_realloc, count_free, NULL};
  hp_set_allocator(&a);
  printf("version %s\n", HP_VERSION);

  solve_plan(argv[1], argv[2]);
  check_bad_plan(argv[1]);
  CHECK(atomic_load(&live_blocks) == 0);
  hp_set_allocator(NULL);
  printf("ok\n");
  return 0;
}
