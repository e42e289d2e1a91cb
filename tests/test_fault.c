/* test_fault.c - allocation-failure injection (SQLite faultsim, Lua's
 * debug_realloc): loading a catalog and a plan, solving it (an infeasible
 * scenario included, so the explanation path runs) and rendering it are
 * repeated with the Nth allocation failing, for N = 1, 2, ... until a run
 * needs no more than N allocations. Each failing run must return
 * HP_ENOMEM, produce no output, and leak nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hetplan.h"

static long fail_at;  /* allocation number that fails; 0 = never */
static long n_allocs; /* allocations attempted in this run */
static long live;     /* blocks allocated and not yet freed */

/* A header in front of each block keeps the live count exact across
 * realloc. */
typedef union hdr {
  size_t size;
  max_align_t align;
} hdr;

static int should_fail(void) {
  n_allocs++;
  return fail_at > 0 && n_allocs == fail_at;
}

static void *t_malloc(size_t size, void *ud) {
  (void)ud;
  if (should_fail())
    return NULL;
  hdr *h = malloc(sizeof(hdr) + size);
  if (!h)
    return NULL;
  h->size = size;
  live++;
  return h + 1;
}

static void *t_realloc(void *p, size_t size, void *ud) {
  if (!p)
    return t_malloc(size, ud);
  if (should_fail())
    return NULL;
  hdr *h = realloc((hdr *)p - 1, sizeof(hdr) + size);
  if (!h)
    return NULL;
  h->size = size;
  return h + 1;
}

static void t_free(void *p, void *ud) {
  (void)ud;
  if (!p)
    return;
  live--;
  free((hdr *)p - 1);
}

static const hp_allocator counting = {t_malloc, t_realloc, t_free, NULL};

static const char *plan_text =
    "name: fault\n"
    "defaults:\n"
    "  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}\n"
    "  mfu: 0.5\n"
    "  devices: [alpha-a, beta-b, beta-c, gamma-d]\n"
    "scenarios:\n"
    "  - name: mix\n"
    "    constraints: {domestic_share: {min: 0.3, basis: cards},\n"
    "                  caps: {vendor.Beta: 400}, max_vendor_share: 0.9}\n"
    "  - name: impossible\n"
    "    constraints: {domestic_share: {min: 0.9},\n"
    "                  caps: {beta-b: 8, beta-c: 8, gamma-d: 8}}\n"
    "  - name: fractional\n"
    "    granularity: fractional\n"
    "    overrides: {alpha-a: {price_server_cny: 9e5, mfu: 0.4}}\n";

/* One whole run; returns the first failure's status. */
static int run_once(char **json_out) {
  hp_catalog *cat = NULL;
  hp_planfile *pf = NULL;
  hp_plan *plan = NULL;
  char *json = NULL, *table = NULL, *csv = NULL;
  size_t len;
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_catalog_load(HP_TEST_DATA "/catalog", &cat, &d);
  if (rc == HP_OK)
    rc = hp_planfile_parse(plan_text, strlen(plan_text), "fault.yaml", cat, &pf,
                           &d);
  if (rc == HP_OK)
    rc = hp_planfile_set_number(pf, "constraints.headroom", 0.1, &d);
  if (rc == HP_OK)
    rc = hp_plan_solve(pf, cat, &plan, &d);
  if (rc == HP_OK)
    rc = hp_report_render(plan, HP_FORMAT_JSON, &json, &len, &d);
  if (rc == HP_OK)
    rc = hp_report_render(plan, HP_FORMAT_TABLE, &table, &len, &d);
  if (rc == HP_OK)
    rc = hp_report_render(plan, HP_FORMAT_CSV, &csv, &len, &d);
  char *cat_json = NULL;
  if (rc == HP_OK)
    rc = hp_catalog_render(cat, HP_FORMAT_JSON, &cat_json, &len, &d);
  hp_free(cat_json);
  if (rc != HP_OK && rc != HP_ENOMEM)
    print_error("unexpected failure: %s: %s\n", hp_status_name(rc), d.msg);
  if (rc == HP_ENOMEM)
    assert_int_equal(d.status == HP_ENOMEM || d.status == 0, 1);
  hp_free(table);
  hp_free(csv);
  hp_plan_free(plan);
  hp_planfile_free(pf);
  hp_catalog_free(cat);
  if (json_out && rc == HP_OK)
    *json_out = json;
  else
    hp_free(json);
  return rc;
}

static void fault_walk_every_allocation(void **state) {
  (void)state;
  hp_set_allocator(&counting);
  /* The reference run, with no failure. */
  fail_at = 0;
  n_allocs = 0;
  live = 0;
  char *reference = NULL;
  assert_int_equal(run_once(&reference), HP_OK);
  long total = n_allocs;
  size_t ref_len = strlen(reference);
  char *ref = malloc(ref_len + 1);
  memcpy(ref, reference, ref_len + 1);
  hp_free(reference);
  assert_int_equal(live, 0);
  assert_true(total > 100);

  long failures = 0, survived = 0;
  for (fail_at = 1;; fail_at++) {
    n_allocs = 0;
    live = 0;
    char *json = NULL;
    int rc = run_once(&json);
    if (rc == HP_OK) {
      /* A run may survive a failed allocation only if that allocation was
       * optional (an error message that was never needed): the report
       * must then be identical to the reference. */
      if (strcmp(json, ref) != 0) {
        FILE *f = fopen("fault-mismatch.json", "w");
        if (f) {
          fputs(json, f);
          fclose(f);
        }
        f = fopen("fault-reference.json", "w");
        if (f) {
          fputs(ref, f);
          fclose(f);
        }
        print_error("allocation %ld: report differs from the reference "
                    "(written to fault-mismatch.json, fault-reference.json)\n",
                    fail_at);
      }
      assert_true(strcmp(json, ref) == 0);
      hp_free(json);
      assert_int_equal(live, 0);
      if (fail_at > total)
        break;
      survived++;
      continue;
    }
    assert_int_equal(rc, HP_ENOMEM);
    if (live != 0)
      print_error("allocation %ld: %ld blocks leaked\n", fail_at, live);
    assert_int_equal(live, 0);
    failures++;
  }
  print_message("%ld allocations walked: %ld failed cleanly with HP_ENOMEM, "
                "%ld were optional and left the report identical\n",
                total, failures, survived);
  assert_int_equal(failures + survived, total);
  assert_true(failures > survived);
  free(ref);
  hp_set_allocator(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fault_walk_every_allocation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
