/* test_fault.c - allocation-failure injection (SQLite faultsim, Lua's
 * debug_realloc): loading a catalog and a plan, solving it (an infeasible
 * scenario included, so the explanation path runs) and rendering it are
 * repeated with the Nth allocation failing, for N = 1, 2, ... until a run
 * needs no more than N allocations. Each failing run must return
 * HP_ENOMEM, produce no output, and leak nothing. The what-if engine
 * (sweep, Monte Carlo, batch through the library, each rendered) and the
 * charts (src/chart.c) are walked the same way, each on its own so that
 * the walks stay short. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chart.h"
#include "hetplan.h"
#include "whatif.h"

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

/* ----------------------------------------------------------------------------
 * The what-if engine and the charts
 * ------------------------------------------------------------------------- */

/* A run to walk: returns its status and, on success, its output in *out
 * (allocated with hp_malloc, *len bytes). */
typedef int (*run_fn)(void *ctx, char **out, size_t *len);

/* Walks every allocation of run: each failing run returns HP_ENOMEM and
 * leaks nothing; a run that survives a failed allocation (an optional one)
 * gives the reference output. Returns the allocations walked. */
static long walk(const char *name, run_fn run, void *ctx) {
  hp_set_allocator(&counting);
  fail_at = 0;
  n_allocs = 0;
  live = 0;
  char *reference = NULL;
  size_t ref_len = 0;
  assert_int_equal(run(ctx, &reference, &ref_len), HP_OK);
  long total = n_allocs;
  char *ref = malloc(ref_len + 1);
  assert_non_null(ref);
  memcpy(ref, reference, ref_len);
  hp_free(reference);
  assert_int_equal(live, 0);
  long failures = 0, survived = 0;
  for (fail_at = 1;; fail_at++) {
    n_allocs = 0;
    live = 0;
    char *out = NULL;
    size_t len = 0;
    int rc = run(ctx, &out, &len);
    if (rc == HP_OK) {
      int same = len == ref_len && memcmp(out, ref, len) == 0;
      if (!same) {
        FILE *f = fopen("fault-mismatch.out", "wb");
        if (f) {
          fwrite(out, 1, len, f);
          fclose(f);
        }
        f = fopen("fault-reference.out", "wb");
        if (f) {
          fwrite(ref, 1, ref_len, f);
          fclose(f);
        }
        print_error("%s: allocation %ld: output differs from the "
                    "reference (written to fault-mismatch.out, "
                    "fault-reference.out)\n",
                    name, fail_at);
      }
      assert_true(same);
      hp_free(out);
      assert_int_equal(live, 0);
      if (fail_at > total)
        break;
      survived++;
      continue;
    }
    if (rc != HP_ENOMEM)
      print_error("%s: allocation %ld: %s instead of HP_ENOMEM\n", name,
                  fail_at, hp_status_name(rc));
    assert_int_equal(rc, HP_ENOMEM);
    if (live != 0)
      print_error("%s: allocation %ld: %ld blocks leaked\n", name, fail_at,
                  live);
    assert_int_equal(live, 0);
    failures++;
  }
  print_message("%s: %ld allocations walked: %ld failed cleanly with "
                "HP_ENOMEM, %ld were optional\n",
                name, total, failures, survived);
  assert_int_equal(failures + survived, total);
  free(ref);
  hp_set_allocator(NULL);
  return total;
}

/* Two scenarios (one infeasible at the top of the sweep), a sweep key and
 * an uncertain: block over a price, a cap and the demand. */
static const char *wi_text =
    "name: wi\n"
    "defaults:\n"
    "  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}\n"
    "  mfu: 0.5\n"
    "  devices: [alpha-a, beta-b, beta-c]\n"
    "  constraints: {caps: {beta-c: 160}}\n"
    "scenarios:\n"
    "  - name: mix\n"
    "    constraints: {domestic_share: {min: 0.3}}\n"
    "  - name: capped\n"
    "    constraints: {caps: {alpha-a: 80}}\n"
    "uncertain:\n"
    "  workload.tokens_per_day: {dist: lognormal, median: 8.64e7, sigma: "
    "0.3}\n"
    "  overrides.alpha-a.price_server_cny: {dist: triangular, min: 8e5, "
    "mode: 1e6, max: 1.4e6}\n"
    "  constraints.caps.alpha-a: {dist: uniform, min: 60, max: 120}\n";

typedef struct wi_ctx {
  hp_catalog *cat;         /* the test catalog (loaded with libc malloc) */
  hp_wi_table *sweep, *mc; /* chart walk: tables made beforehand */
  hp_plan *plan;           /* chart walk: the batch's plan */
  int have_cairo;          /* charts: 0 when cairo cannot be loaded */
} wi_ctx;

/* Appends a rendered table to *acc; frees b. */
static int take_buf(hp_buf *b, int rc, hp_buf *acc) {
  if (rc == HP_OK && b->oom)
    rc = HP_ENOMEM;
  if (rc == HP_OK)
    hp_buf_append(acc, b->data ? b->data : "", b->len);
  hp_buf_cleanup(b);
  return rc;
}

static int finish_buf(hp_buf *acc, int rc, char **out, size_t *len) {
  if (rc == HP_OK && acc->oom)
    rc = HP_ENOMEM;
  if (rc == HP_OK) {
    *out = acc->data;
    *len = acc->len;
    hp_buf_init(acc);
  }
  hp_buf_cleanup(acc);
  return rc;
}

static int run_sweep(void *vctx, char **out, size_t *len) {
  wi_ctx *c = vctx;
  hp_wi_axis a;
  hp_diag d;
  hp_wi_table *t = NULL;
  hp_buf acc, b;
  hp_buf_init(&acc);
  hp_buf_init(&b);
  int rc =
      hp_wi_axis_parse("constraints.domestic_share.min=0.2:0.4:0.2", &a, &d);
  if (rc != HP_OK)
    return rc;
  hp_wi_opts o = {1, NULL, NULL, NULL, 0};
  rc = hp_wi_sweep(wi_text, strlen(wi_text), "wi.yaml", c->cat, &a, 1, &o, &t,
                   &d);
  if (rc == HP_OK)
    rc = take_buf(&b, hp_report_whatif(t, HP_FORMAT_CSV, &b), &acc);
  if (rc == HP_OK) {
    hp_buf_init(&b);
    rc = take_buf(&b, hp_report_whatif(t, HP_FORMAT_JSON, &b), &acc);
  }
  hp_wi_table_free(t);
  hp_wi_axis_cleanup(&a);
  return finish_buf(&acc, rc, out, len);
}

static int run_montecarlo(void *vctx, char **out, size_t *len) {
  wi_ctx *c = vctx;
  hp_diag d;
  hp_wi_table *t = NULL;
  hp_buf acc, b;
  hp_buf_init(&acc);
  hp_buf_init(&b);
  /* Two samples of one scenario: each sample repeats the same allocations,
   * so more would only lengthen the walk (quadratic in its length). */
  hp_wi_opts o = {1, "capped", NULL, NULL, 0};
  int rc = hp_wi_montecarlo(wi_text, strlen(wi_text), "wi.yaml", c->cat, 2, 7,
                            &o, &t, &d);
  if (rc == HP_OK)
    rc = take_buf(&b, hp_report_whatif(t, HP_FORMAT_CSV, &b), &acc);
  if (rc == HP_OK) {
    hp_buf_init(&b);
    rc = take_buf(&b, hp_report_whatif(t, HP_FORMAT_TABLE, &b), &acc);
  }
  hp_wi_table_free(t);
  return finish_buf(&acc, rc, out, len);
}

/* batch through the library: a plan that loads and is solved, and one that
 * does not load, summarised together. */
static int run_batch(void *vctx, char **out, size_t *len) {
  wi_ctx *c = vctx;
  static const char bad[] = "name: bad\nscenarios: 5\n";
  hp_diag d[2];
  hp_planfile *pf = NULL;
  hp_plan *plan = NULL;
  hp_buf acc, b;
  hp_buf_init(&acc);
  hp_buf_init(&b);
  hp_diag_clear(&d[0]);
  hp_diag_clear(&d[1]);
  int rc = hp_planfile_parse(wi_text, strlen(wi_text), "wi.yaml", c->cat, &pf,
                             &d[0]);
  if (rc == HP_OK)
    rc = hp_plan_solve(pf, c->cat, &plan, &d[0]);
  hp_planfile_free(pf);
  pf = NULL;
  int st = HP_OK;
  if (rc == HP_OK) {
    st = hp_planfile_parse(bad, strlen(bad), "bad.yaml", c->cat, &pf, &d[1]);
    hp_planfile_free(pf);
    if (st == HP_ENOMEM)
      rc = st;
  }
  if (rc == HP_OK) {
    hp_wi_batch_entry e[2] = {{"wi.yaml", plan, &d[0], HP_OK},
                              {"bad.yaml", NULL, &d[1], st}};
    rc = take_buf(&b, hp_report_whatif_batch(e, 2, HP_FORMAT_CSV, &b), &acc);
    if (rc == HP_OK) {
      hp_buf_init(&b);
      rc = take_buf(&b, hp_report_whatif_batch(e, 2, HP_FORMAT_MD, &b), &acc);
    }
  }
  hp_plan_free(plan);
  return finish_buf(&acc, rc, out, len);
}

/* Appends an SVG without the numbers of cairo's surface ids ("surface12"),
 * which count up over the process, so that runs compare equal. */
static void append_svg(hp_buf *acc, const char *svg, size_t n) {
  for (size_t i = 0; i < n; i++) {
    hp_buf_append(acc, svg + i, 1);
    if (i >= 6 && memcmp(svg + i - 6, "surface", 7) == 0)
      while (i + 1 < n && svg[i + 1] >= '0' && svg[i + 1] <= '9')
        i++;
  }
}

/* The three charts, as SVG (text, so a difference can be shown). */
static int run_charts(void *vctx, char **out, size_t *len) {
  wi_ctx *c = vctx;
  hp_diag d;
  hp_buf acc;
  hp_buf_init(&acc);
  char *svg = NULL;
  size_t n = 0;
  int rc = hp_chart_sweep(c->sweep, 0, HP_CHART_SVG, &svg, &n, &d);
  if (rc == HP_OK) {
    append_svg(&acc, svg, n);
    hp_free(svg);
    svg = NULL;
    rc = hp_chart_montecarlo(c->mc, 1, HP_CHART_SVG, &svg, &n, &d);
  }
  if (rc == HP_OK) {
    append_svg(&acc, svg, n);
    hp_free(svg);
    svg = NULL;
    hp_wi_batch_entry e = {"wi.yaml", c->plan, NULL, HP_OK};
    rc = hp_chart_batch(&e, 1, HP_CHART_SVG, &svg, &n, &d);
  }
  if (rc == HP_OK) {
    append_svg(&acc, svg, n);
    hp_free(svg);
  }
  return finish_buf(&acc, rc, out, len);
}

static int wi_setup(void **state) {
  static wi_ctx c;
  hp_diag d;
  memset(&c, 0, sizeof c);
  if (hp_catalog_load(HP_TEST_DATA "/catalog", &c.cat, &d) != HP_OK)
    return -1;
  *state = &c;
  return 0;
}

static int wi_teardown(void **state) {
  wi_ctx *c = *state;
  hp_set_allocator(NULL); /* a failed walk leaves the counting one */
  hp_wi_table_free(c->sweep);
  hp_wi_table_free(c->mc);
  hp_plan_free(c->plan);
  hp_catalog_free(c->cat);
  hp_chart_shutdown();
  return 0;
}

static void fault_walk_sweep(void **state) {
  assert_true(walk("sweep", run_sweep, *state) > 100);
}

static void fault_walk_montecarlo(void **state) {
  assert_true(walk("montecarlo", run_montecarlo, *state) > 100);
}

static void fault_walk_batch(void **state) {
  assert_true(walk("batch", run_batch, *state) > 100);
}

static void fault_walk_charts(void **state) {
  wi_ctx *c = *state;
  hp_diag d;
  hp_wi_axis a;
  hp_wi_opts o = {1, NULL, NULL, NULL, 0};
  assert_int_equal(
      hp_wi_axis_parse("constraints.domestic_share.min=0.2:0.6:0.2", &a, &d),
      HP_OK);
  assert_int_equal(hp_wi_sweep(wi_text, strlen(wi_text), "wi.yaml", c->cat, &a,
                               1, &o, &c->sweep, &d),
                   HP_OK);
  hp_wi_axis_cleanup(&a);
  assert_int_equal(hp_wi_montecarlo(wi_text, strlen(wi_text), "wi.yaml", c->cat,
                                    5, 7, &o, &c->mc, &d),
                   HP_OK);
  hp_planfile *pf = NULL;
  assert_int_equal(
      hp_planfile_parse(wi_text, strlen(wi_text), "wi.yaml", c->cat, &pf, &d),
      HP_OK);
  assert_int_equal(hp_plan_solve(pf, c->cat, &c->plan, &d), HP_OK);
  hp_planfile_free(pf);
  char *svg = NULL;
  size_t n;
  int rc = hp_chart_sweep(c->sweep, 0, HP_CHART_SVG, &svg, &n, &d);
  hp_free(svg);
  if (rc == HP_ENOTSUP) {
    print_message("charts: %s\n", d.msg);
    skip();
  }
  assert_int_equal(rc, HP_OK);
  assert_true(walk("charts", run_charts, c) > 10);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fault_walk_every_allocation),
      cmocka_unit_test_setup_teardown(fault_walk_sweep, wi_setup, wi_teardown),
      cmocka_unit_test_setup_teardown(fault_walk_montecarlo, wi_setup,
                                      wi_teardown),
      cmocka_unit_test_setup_teardown(fault_walk_batch, wi_setup, wi_teardown),
      cmocka_unit_test_setup_teardown(fault_walk_charts, wi_setup, wi_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
