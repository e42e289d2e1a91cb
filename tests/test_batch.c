/* test_batch.c - the batch run (batch.c) and its summary written as each
 * plan finishes (hp_wi_batch_out, report_whatif.c):
 *
 *  - memory does not grow with the plans: the peak of live bytes (through
 *    the allocator hook) over 800 plans is within 8 KB of that over 200,
 *    in every format, where holding every plan (keep = 1) grows by far
 *    more;
 *  - the streamed summary is the one hp_report_whatif_batch writes from plans
 *    held in memory, byte for byte, past a plan that does not load and an
 *    infeasible scenario;
 *  - a table whose cells outgrow memory (16 KB) and go to the temporary
 *    file keeps its columns;
 *  - the callback's error stops the run.
 * Fixture catalog (tests/data/catalog), as test_whatif.c.
 */
#define _GNU_SOURCE /* malloc_usable_size */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hetplan.h"
#include "batch.h"
#include "buf.h"
#include "whatif.h"

#include "test_catalogs.h"

/* Four scenarios, one infeasible (its caps allow 200 of 1,000 tokens/s). */
static const char plan_text[] =
    "name: t\n"
    "defaults:\n"
    "  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}\n"
    "  mfu: 0.5\n"
    "  devices: [alpha-a, beta-b]\n"
    "scenarios:\n"
    "  - name: base\n"
    "  - name: double\n"
    "    workload: {tokens_per_day: 1.728e8}\n"
    "  - name: mandate\n"
    "    constraints: {domestic_share: {min: 0.3}}\n"
    "  - name: capped\n"
    "    constraints: {caps: {alpha-a: 8, beta-b: 8}}\n";

static char dir[64];
static char *paths[800];

/* Writes plan_text to dir/pN.yaml for N < n; paths[i] = that name, except
 * that the third names a file that does not exist. */
static void write_plans(size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(paths[i]);
    paths[i] = malloc(96);
    snprintf(paths[i], 96, "%s/%s%zu.yaml", dir, i == 2 ? "missing" : "p", i);
    if (i == 2)
      continue;
    FILE *f = fopen(paths[i], "w");
    assert_non_null(f);
    fputs(plan_text, f);
    fclose(f);
  }
}

static int setup(void **state) {
  snprintf(dir, sizeof dir, "/tmp/hp_batch_XXXXXX");
  if (!mkdtemp(dir))
    return -1;
  return catalogs_setup(state);
}

static int teardown(void **state) {
  for (size_t i = 0; i < 800; i++) {
    if (paths[i])
      unlink(paths[i]);
    free(paths[i]);
  }
  rmdir(dir);
  return catalogs_teardown(state);
}

/* -- live bytes, counted through the allocator hook ---------------------- */

static atomic_llong live, peak;

static void count(long long d) {
  long long v = atomic_fetch_add(&live, d) + d;
  long long p = atomic_load(&peak);
  while (v > p && !atomic_compare_exchange_weak(&peak, &p, v))
    ;
}
static void *cnt_malloc(size_t n, void *ud) {
  (void)ud;
  void *p = malloc(n);
  if (p)
    count((long long)malloc_usable_size(p));
  return p;
}
static void *cnt_realloc(void *p, size_t n, void *ud) {
  (void)ud;
  long long old = p ? (long long)malloc_usable_size(p) : 0;
  void *q = realloc(p, n);
  if (q)
    count((long long)malloc_usable_size(q) - old);
  return q;
}
static void cnt_free(void *p, void *ud) {
  (void)ud;
  if (p)
    count(-(long long)malloc_usable_size(p));
  free(p);
}
static const hp_allocator counting = {cnt_malloc, cnt_realloc, cnt_free, NULL};

/* -- the run -------------------------------------------------------------- */

/* Receives the summary: appends it (keep) or counts it. */
typedef struct sink {
  hp_buf b;
  int keep;
  size_t bytes;
} sink;

static int sink_fn(const char *data, size_t len, void *ud) {
  sink *k = ud;
  k->bytes += len;
  if (k->keep)
    hp_buf_append(&k->b, data, len);
  return HP_OK;
}

typedef struct ctx {
  hp_wi_batch_out *out; /* or NULL */
  int fail_at;          /* the plan whose callback fails, or -1 */
  int seen;
} ctx;

static int done(const hp_batch_item *it, void *ud) {
  ctx *c = ud;
  if (c->seen++ == c->fail_at)
    return HP_EIO;
  if (!c->out)
    return HP_OK;
  hp_wi_batch_entry e = {it->path, it->plan, &it->diag, it->status};
  return hp_report_whatif_batch_out_add(c->out, &e);
}

/* The peak of live bytes over a streamed batch of n plans in fmt (or,
 * keep = 1, a run that holds every plan and renders at the end), above
 * the live bytes at its start. */
static long long batch_peak(size_t n, hp_format fmt, int keep) {
  sink k = {{0}, 0, 0};
  ctx c = {NULL, -1, 0};
  hp_batch_item *items = NULL;
  hp_set_allocator(&counting);
  atomic_store(&live, 0);
  atomic_store(&peak, 0);
  if (!keep)
    assert_int_equal(hp_report_whatif_batch_out_new(fmt, sink_fn, &k, &c.out),
                     HP_OK);
  assert_int_equal(hp_batch_run((const char *const *)paths, n, fix_cat, keep,
                                done, &c, &items),
                   HP_OK);
  if (keep) {
    hp_buf b;
    hp_buf_init(&b);
    hp_wi_batch_entry *e = calloc(n, sizeof *e);
    for (size_t i = 0; i < n; i++)
      e[i] = (hp_wi_batch_entry){items[i].path, items[i].plan, &items[i].diag,
                                 items[i].status};
    assert_int_equal(hp_report_whatif_batch(e, n, fmt, &b), HP_OK);
    free(e);
    hp_buf_cleanup(&b);
  } else {
    assert_int_equal(hp_report_whatif_batch_out_finish(c.out), HP_OK);
    hp_report_whatif_batch_out_free(c.out);
    assert_true(k.bytes > n * 100); /* every plan's rows were written */
  }
  hp_batch_free(items, n);
  hp_set_allocator(NULL);
  assert_true(atomic_load(&live) <= 0); /* nothing left behind */
  return atomic_load(&peak);
}

static void batch_memory_flat(void **state) {
  (void)state;
  write_plans(800);
  /* 200 plans already fill the 64 KB the text is handed on in, and a
   * table's 16 KB of cells kept in memory: 800 need no more. */
  const hp_format fmts[] = {HP_FORMAT_CSV, HP_FORMAT_JSON, HP_FORMAT_TABLE,
                            HP_FORMAT_MD};
  for (size_t f = 0; f < 4; f++) {
    long long p1 = batch_peak(200, fmts[f], 0),
              p4 = batch_peak(800, fmts[f], 0);
    print_message("format %zu: peak %lld B over 200 plans, %lld B over 800\n",
                  f, p1, p4);
    assert_true(p4 <= p1 + 8192);
  }
  /* Holding every plan, as the batch did before, grows with them. */
  long long h1 = batch_peak(200, HP_FORMAT_CSV, 1),
            h4 = batch_peak(800, HP_FORMAT_CSV, 1);
  print_message("held: peak %lld B over 200 plans, %lld B over 800\n", h1, h4);
  assert_true(h4 > h1 + 600 * 4096);
}

/* The streamed summary against hp_report_whatif_batch over held plans. */
static void batch_stream_same_text(void **state) {
  (void)state;
  write_plans(6);
  for (int f = 0; f < 4; f++) {
    sink k = {{0}, 1, 0};
    hp_buf_init(&k.b);
    ctx c = {NULL, -1, 0};
    hp_batch_item *items = NULL;
    assert_int_equal(
        hp_report_whatif_batch_out_new((hp_format)f, sink_fn, &k, &c.out),
        HP_OK);
    assert_int_equal(hp_batch_run((const char *const *)paths, 6, fix_cat, 0,
                                  done, &c, &items),
                     HP_OK);
    assert_int_equal(hp_report_whatif_batch_out_finish(c.out), HP_OK);
    hp_report_whatif_batch_out_free(c.out);
    assert_null(items); /* nothing held */

    c = (ctx){NULL, -1, 0};
    assert_int_equal(hp_batch_run((const char *const *)paths, 6, fix_cat, 1,
                                  done, &c, &items),
                     HP_OK);
    hp_wi_batch_entry e[6];
    for (size_t i = 0; i < 6; i++)
      e[i] = (hp_wi_batch_entry){items[i].path, items[i].plan, &items[i].diag,
                                 items[i].status};
    hp_buf b;
    hp_buf_init(&b);
    assert_int_equal(hp_report_whatif_batch(e, 6, (hp_format)f, &b), HP_OK);
    assert_int_equal(k.b.len, b.len);
    assert_memory_equal(k.b.data, b.data, b.len);
    assert_non_null(strstr(b.data, "missing2.yaml"));
    assert_non_null(strstr(b.data, "supply caps allow at most"));
    hp_buf_cleanup(&b);
    hp_buf_cleanup(&k.b);
    hp_batch_free(items, 6);
  }
}

/* 40 plans x 4 rows of 13 cells outgrow the 16 KB kept in memory: the
 * table read back from the temporary file keeps its columns (every row
 * has a space wherever the rule under the header has one), in order. */
static void batch_table_spooled(void **state) {
  (void)state;
  write_plans(40);
  sink k = {{0}, 1, 0};
  hp_buf_init(&k.b);
  ctx c = {NULL, -1, 0};
  hp_batch_item *items = NULL;
  assert_int_equal(
      hp_report_whatif_batch_out_new(HP_FORMAT_TABLE, sink_fn, &k, &c.out),
      HP_OK);
  assert_int_equal(hp_batch_run((const char *const *)paths, 40, fix_cat, 0,
                                done, &c, &items),
                   HP_OK);
  assert_int_equal(hp_report_whatif_batch_out_finish(c.out), HP_OK);
  hp_report_whatif_batch_out_free(c.out);
  hp_batch_free(items, 40);
  const char *s = k.b.data;
  assert_non_null(strstr(s, "Batch: 40 plans, 157 rows\n"));
  const char *head = strstr(s, "\nplan ");
  assert_non_null(head);
  const char *rule = strchr(head + 1, '\n') + 1;
  const char *row = strchr(rule, '\n') + 1;
  size_t rl = (size_t)(strchr(rule, '\n') - rule), rows = 0;
  int last = -1;
  for (; *row && *row != '\n'; row = strchr(row, '\n') + 1, rows++) {
    for (size_t i = 0; i < rl && row[i] != '\n'; i++)
      if (rule[i] == ' ')
        assert_int_equal(row[i], ' ');
    int p = -1;
    const char *q = strstr(row, "/p");
    if (q && q < strchr(row, '\n'))
      p = atoi(q + 2);
    if (p >= 0) {
      assert_true(p >= last); /* plans in order */
      last = p;
    }
  }
  assert_int_equal(rows, 157); /* 39 plans x 4 scenarios + the missing one */
  assert_int_equal(last, 39);
  assert_non_null(strstr(s, "\nNot solved:\n"));
  hp_buf_cleanup(&k.b);
}

static void batch_callback_stops(void **state) {
  (void)state;
  write_plans(4);
  ctx c = {NULL, 1, 0};
  hp_batch_item *items = NULL;
  assert_int_equal(
      hp_batch_run((const char *const *)paths, 4, fix_cat, 0, done, &c, &items),
      HP_EIO);
  assert_null(items);
  assert_int_equal(c.seen, 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(batch_memory_flat),
      cmocka_unit_test(batch_stream_same_text),
      cmocka_unit_test(batch_table_spooled),
      cmocka_unit_test(batch_callback_stops),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
