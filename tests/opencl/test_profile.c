/* test_profile.c - probe profiles: save -> load round trip (YAML and the
 * JSON report), the efficiency accessor the planner uses and where its
 * errors point, bad files that must name file:line:col, and --compare's
 * matching of devices by name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "mem.h"
#include "profile.h"

#define DATA(f) HP_TEST_DATA "/" f

static void fill_results(hp_bench_result *r) {
  memset(r, 0, sizeof(hp_bench_result) * HP_BENCH_COUNT);
  for (int k = 0; k < HP_BENCH_COUNT; k++) {
    r[k].status = HP_BENCH_OK;
    r[k].value = 1000.0 / 3.0 * (k + 1); /* not exact in decimal */
    r[k].best = r[k].value * 1.01;
    r[k].repeats = 5;
    snprintf(r[k].detail, sizeof r[k].detail, "detail \"%d\"\n", k);
  }
  r[HP_BENCH_FP16_PEAK].status = HP_BENCH_UNSUPPORTED;
  snprintf(r[HP_BENCH_FP16_PEAK].reason, sizeof r[0].reason, "no fp16");
  r[HP_BENCH_HGEMM].status = HP_BENCH_ERROR;
  snprintf(r[HP_BENCH_HGEMM].reason, sizeof r[0].reason,
           "kernel build failed: CL_BUILD_PROGRAM_FAILURE (-11): a: b");
}

static void profile_round_trip(void **state) {
  (void)state;
  hp_profile *p = NULL, *q = NULL;
  hp_bench_result res[HP_BENCH_COUNT];
  hp_device_info info;
  hp_diag d;
  char *text = NULL;
  size_t len = 0;
  memset(&info, 0, sizeof info);
  info.id = "0:1";
  info.platform = "Plat \"quoted\"";
  info.name = "Dev: with colon";
  info.vendor = "V";
  info.driver_version = "1.0";
  info.devclass = HP_DEVCLASS_ACCELERATOR;
  info.compute_units = 7;
  info.clock_mhz = 1234;
  info.memory_bytes = 85017493504ull;
  info.max_alloc_bytes = 1ull << 34;
  info.fp16 = 1;
  info.fp16_how = "test kernel";
  info.fp64 = 0;
  info.int8_dot = 1;
  fill_results(res);
  assert_int_equal(
      hp_profile_new("h", "2026-01-01T00:00:00Z", "opencl", &p, &d), HP_OK);
  assert_int_equal(hp_profile_add_device(p, &info, res, &d), HP_OK);
  assert_int_equal(hp_report_profile(p, HP_PROFILE_YAML, &text, &len, &d),
                   HP_OK);
  assert_int_equal(hp_profile_parse(text, len, "rt.yaml", &q, &d), HP_OK);
  assert_int_equal(hp_profile_count(q), 1);
  hp_device_info got;
  hp_profile_device(q, 0, &got);
  assert_string_equal(got.id, "0:1");
  assert_string_equal(got.platform, info.platform);
  assert_string_equal(got.name, info.name);
  assert_int_equal(got.devclass, HP_DEVCLASS_ACCELERATOR);
  assert_int_equal(got.compute_units, 7);
  assert_int_equal(got.clock_mhz, 1234);
  assert_true(got.memory_bytes == info.memory_bytes);
  assert_true(got.max_alloc_bytes == info.max_alloc_bytes);
  assert_int_equal(got.fp16, 1);
  assert_string_equal(got.fp16_how, "test kernel");
  assert_int_equal(got.fp64, 0);
  assert_int_equal(got.int8_dot, 1);
  for (int k = 0; k < HP_BENCH_COUNT; k++) {
    hp_bench_result r;
    hp_profile_result(q, 0, (hp_bench_kind)k, &r);
    assert_int_equal(r.status, res[k].status);
    if (r.status == HP_BENCH_OK) {
      /* hp_fmt_number writes numbers that read back exactly. */
      assert_true(r.value == res[k].value);
      assert_true(r.best == res[k].best);
    } else {
      assert_string_equal(r.reason, res[k].reason);
    }
    assert_string_equal(r.detail, res[k].detail);
  }
  hp_free(text);
  /* JSON carries null for a figure that is not ok. */
  assert_int_equal(hp_report_profile(q, HP_PROFILE_JSON, &text, &len, &d),
                   HP_OK);
  assert_non_null(strstr(text, "\"fp16_gflops\": null"));
  /* ... and, like the plan's JSON report, numbers that read back exactly
   * (17 significant digits: 1000/3 needs them). */
  hp_profile *j = NULL;
  assert_int_equal(hp_profile_parse(text, len, "rt.json", &j, &d), HP_OK);
  for (int k = 0; k < HP_BENCH_COUNT; k++) {
    hp_bench_result r;
    hp_profile_result(j, 0, (hp_bench_kind)k, &r);
    if (r.status == HP_BENCH_OK) {
      assert_true(r.value == res[k].value);
      assert_true(r.best == res[k].best);
    }
  }
  hp_profile_free(j);
  hp_free(text);
  hp_profile_free(p);
  hp_profile_free(q);
}

static void profile_efficiency(void **state) {
  (void)state;
  hp_profile *p = NULL;
  hp_diag d;
  double mfu = 0, bw = 0;
  assert_int_equal(hp_profile_load(DATA("two_devices.yaml"), &p, &d), HP_OK);
  /* H100: HGEMM unsupported, so SGEMM over the fp32 roof. */
  assert_int_equal(hp_profile_efficiency(p, NULL, &mfu, &bw, &d), HP_OK);
  assert_true(fabs(mfu - 34247.0 / 63707.0) < 1e-12);
  assert_true(fabs(bw - 2982.0) < 1e-9);
  assert_int_equal(hp_profile_efficiency(p, "1:0", &mfu, &bw, &d), HP_OK);
  assert_true(fabs(mfu - 35.4 / 478.9) < 1e-12);
  assert_int_equal(hp_profile_efficiency(p, "9:9", &mfu, &bw, &d),
                   HP_ENOTFOUND);
  assert_non_null(strstr(d.msg, "no device '9:9'"));
  hp_profile_free(p);
}

/* Efficiency errors name the profile and, for one device, its line:col. */
static void profile_efficiency_where(void **state) {
  (void)state;
  hp_profile *p = NULL;
  hp_diag d;
  double mfu = 0, bw = 0;
  assert_int_equal(hp_profile_load(DATA("no_gemm.yaml"), &p, &d), HP_OK);
  hp_diag_clear(&d);
  assert_int_equal(hp_profile_efficiency(p, "0:0", &mfu, &bw, &d),
                   HP_ENOTFOUND);
  assert_non_null(strstr(d.file, "no_gemm.yaml"));
  assert_int_equal(d.line, 9);
  assert_int_equal(d.column, 5);
  assert_non_null(strstr(d.msg, "device 0:0: the profile has no ok GEMM"));
  /* No id: the first device with a GEMM, 1:0, which lacks a bandwidth. */
  hp_diag_clear(&d);
  assert_int_equal(hp_profile_efficiency(p, NULL, &mfu, &bw, &d), HP_ENOTFOUND);
  assert_non_null(strstr(d.file, "no_gemm.yaml"));
  assert_int_equal(d.line, 16);
  assert_int_equal(d.column, 5);
  assert_non_null(strstr(d.msg, "device 1:0: the profile has no ok mem_bw"));
  /* An unknown id: the devices: key, and the ids there are. */
  hp_diag_clear(&d);
  assert_int_equal(hp_profile_efficiency(p, "9:9", &mfu, &bw, &d),
                   HP_ENOTFOUND);
  assert_non_null(strstr(d.file, "no_gemm.yaml"));
  assert_int_equal(d.line, 8);
  assert_int_equal(d.column, 1);
  assert_non_null(strstr(d.msg, "no device '9:9' in the probe profile (it "
                                "has: 0:0, 1:0)"));
  hp_profile_free(p);
  p = NULL;
  assert_int_equal(hp_profile_load(DATA("nothing_measured.yaml"), &p, &d),
                   HP_OK);
  hp_diag_clear(&d);
  assert_int_equal(hp_profile_efficiency(p, NULL, &mfu, &bw, &d), HP_ENOTFOUND);
  assert_non_null(strstr(d.file, "nothing_measured.yaml"));
  assert_int_equal(d.line, 7);
  assert_non_null(strstr(d.msg, "has a measured GEMM"));
  hp_profile_free(p);
}

static int near(double a, double b) {
  return fabs(a - b) <= 1e-13 * fabs(b) + 1e-300;
}

/* `probe --format json` writes a report that reads back as the same
 * profile (numbers exactly: 17 significant digits). */
static void profile_json_round_trip(void **state) {
  (void)state;
  hp_profile *p = NULL, *q = NULL;
  hp_diag d;
  char *text = NULL;
  size_t len = 0;
  assert_int_equal(hp_profile_load(DATA("two_devices.yaml"), &p, &d), HP_OK);
  assert_int_equal(hp_report_profile(p, HP_PROFILE_JSON, &text, &len, &d),
                   HP_OK);
  hp_diag_clear(&d);
  int rc = hp_profile_parse(text, len, "p.json", &q, &d);
  if (rc != HP_OK)
    print_message("%s:%d:%d: %s\n", d.file, d.line, d.column, d.msg);
  assert_int_equal(rc, HP_OK);
  assert_int_equal(hp_profile_count(q), hp_profile_count(p));
  for (size_t i = 0; i < hp_profile_count(p); i++) {
    hp_device_info a, b;
    hp_profile_device(p, i, &a);
    hp_profile_device(q, i, &b);
    assert_string_equal(a.id, b.id);
    assert_string_equal(a.name, b.name);
    assert_string_equal(a.platform, b.platform);
    assert_int_equal(a.devclass, b.devclass);
    assert_true(a.memory_bytes == b.memory_bytes);
    assert_int_equal(a.fp16, b.fp16);
    assert_true(a.fp16_how == b.fp16_how); /* interned */
    for (int k = 0; k < HP_BENCH_COUNT; k++) {
      hp_bench_result ra, rb;
      hp_profile_result(p, i, (hp_bench_kind)k, &ra);
      hp_profile_result(q, i, (hp_bench_kind)k, &rb);
      assert_int_equal(ra.status, rb.status);
      assert_true(near(rb.value, ra.value));
      assert_true(near(rb.best, ra.best));
      assert_int_equal(ra.repeats, rb.repeats);
      assert_string_equal(ra.reason, rb.reason);
      assert_string_equal(ra.detail, rb.detail);
    }
  }
  hp_free(text);
  hp_profile_free(q);
  /* A device without fp16_how is written as "" and read back as none. */
  static const char one[] =
      "{\"schema_version\": 1, \"devices\": [{\"id\": \"0:0\", \"name\": "
      "\"D\", \"class\": \"gpu\", \"fp16_how\": \"\", \"fp32_gflops\": 5.5,"
      " \"int8_gops\": null, \"status\": {\"fp32_gflops\": {\"status\": "
      "\"ok\", \"unit\": \"GFLOPS\"}, \"int8_gops\": {\"status\": "
      "\"unsupported\"}}}]}";
  assert_int_equal(hp_profile_parse(one, sizeof one - 1, "one.json", &q, &d),
                   HP_OK);
  hp_device_info info;
  hp_profile_device(q, 0, &info);
  assert_null(info.fp16_how);
  hp_bench_result r;
  hp_profile_result(q, 0, HP_BENCH_FP32_PEAK, &r);
  assert_int_equal(r.status, HP_BENCH_OK);
  assert_true(r.value == 5.5);
  hp_profile_free(q);
  /* A number with no status is an error, at its key. */
  static const char orphan[] =
      "{\"schema_version\": 1, \"devices\": [{\"id\": \"0:0\", \"name\": "
      "\"D\", \"class\": \"gpu\", \"fp32_gflops\": 5.5, \"status\": {}}]}";
  q = NULL;
  assert_int_equal(
      hp_profile_parse(orphan, sizeof orphan - 1, "orphan.json", &q, &d),
      HP_EMISSING);
  assert_null(q);
  assert_non_null(strstr(d.msg, "status.fp32_gflops missing"));
  /* A status ok with no number: the device's key is required. */
  static const char nonum[] =
      "{\"schema_version\": 1, \"devices\": [{\"id\": \"0:0\", \"name\": "
      "\"D\", \"class\": \"gpu\", \"status\": {\"fp32_gflops\": "
      "{\"status\": \"ok\"}}}]}";
  assert_int_equal(
      hp_profile_parse(nonum, sizeof nonum - 1, "nonum.json", &q, &d),
      HP_EMISSING);
  assert_non_null(strstr(d.msg, "required key 'fp32_gflops' missing"));
  /* A --compare JSON report is a sequence: say what it is. */
  assert_int_equal(hp_profile_parse("[]", 2, "cmp.json", &q, &d), HP_ETYPE);
  assert_non_null(strstr(d.msg, "--compare --format json"));
  hp_profile_free(p);
}

/* Renders old -> cur and returns the text (caller frees). */
static char *compare(const char *old_yaml, const char *cur_yaml,
                     hp_profile_format fmt) {
  hp_profile *o = NULL, *c = NULL;
  hp_diag d;
  char *text = NULL;
  size_t len = 0;
  assert_int_equal(
      hp_profile_parse(old_yaml, strlen(old_yaml), "old.yaml", &o, &d), HP_OK);
  assert_int_equal(
      hp_profile_parse(cur_yaml, strlen(cur_yaml), "new.yaml", &c, &d), HP_OK);
  assert_int_equal(hp_report_profile_compare(o, c, fmt, &text, &len, &d),
                   HP_OK);
  hp_profile_free(o);
  hp_profile_free(c);
  return text;
}

#define DEV(id, name, gflops)                                                  \
  "  - {id: \"" id "\", name: \"" name "\", class: gpu, figures: "             \
  "{fp32_gflops: {value: " gflops ", status: ok}}}\n"
#define PROFILE(devs) "schema_version: 1\ndevices:\n" devs

/* Devices are matched by name, never by id alone; two identical cards
 * keep their ids; what is on one side only is said. */
static void profile_compare_matching(void **state) {
  (void)state;
  char *t = compare(PROFILE(DEV("0:0", "CPU", "100")),
                    PROFILE(DEV("0:0", "GPU", "200")), HP_PROFILE_TABLE);
  assert_non_null(strstr(t, "device 0:0: GPU: no device named 'GPU' in "
                            "old.yaml: not compared"));
  assert_non_null(
      strstr(t, "old device 0:0: CPU: not in the new profile: not compared"));
  assert_null(strstr(t, "%"));
  hp_free(t);
  t = compare(PROFILE(DEV("0:0", "G", "100") DEV("0:1", "G", "200")),
              PROFILE(DEV("0:1", "G", "220") DEV("0:0", "G", "110")),
              HP_PROFILE_TABLE);
  assert_non_null(strstr(t, "device 0:1: G (old: 0:1)"));
  assert_non_null(strstr(t, "device 0:0: G (old: 0:0)"));
  assert_non_null(strstr(t, "+10.0 %"));
  assert_null(strstr(t, "not compared"));
  hp_free(t);
  /* Renumbered: the name wins over the id. */
  t = compare(PROFILE(DEV("0:0", "A", "100") DEV("1:0", "B", "50")),
              PROFILE(DEV("0:0", "B", "55") DEV("1:0", "A", "100")),
              HP_PROFILE_JSON);
  assert_non_null(strstr(t, "\"old_id\": \"1:0\""));
  assert_non_null(strstr(t, "\"match\": \"compared\""));
  assert_null(strstr(t, "not_in"));
  hp_free(t);
  t = compare(PROFILE(DEV("0:0", "A", "100")), PROFILE(DEV("0:0", "B", "1")),
              HP_PROFILE_JSON);
  assert_non_null(strstr(t, "\"match\": \"not_in_old\""));
  assert_non_null(strstr(t, "\"match\": \"not_in_new\""));
  assert_null(strstr(t, "change_pct"));
  hp_free(t);
}

/* Each bad file: expected status, line, column and message part. */
static const struct {
  const char *file;
  int status;
  int line;
  int col;
  const char *msg;
} bad[] = {
    {"bad_unknown_key.yaml", HP_EKEY, 10, 5, "did you mean 'compute_units'"},
    /* A bad value in a profile is bad input (HP_ERANGE, as scenario.c
     * reports a bad choice), not HP_EINVAL, which the CLI reads as usage. */
    {"bad_unit.yaml", HP_ERANGE, 11, 39, "unit 'GB/s', expected 'GFLOPS'"},
    {"bad_status.yaml", HP_ERANGE, 11, 57, "'fine' is not one of"},
    {"bad_schema.yaml", HP_ERANGE, 1, 17, "schema_version: 2 is not supported"},
    {"bad_value.yaml", HP_EMISSING, 11, 20, "required key 'value' missing"},
    {"bad_negative.yaml", HP_ERANGE, 11, 28, "expected a number > 0"},
};

static void profile_bad_files(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char path[512], text[2048];
    hp_profile *p = NULL;
    hp_diag d;
    hp_diag_clear(&d);
    snprintf(path, sizeof path, "%s/%s", HP_TEST_DATA, bad[i].file);
    int rc = hp_profile_load(path, &p, &d);
    hp_diag_format(&d, text, sizeof text);
    print_message("%s -> %s\n", bad[i].file, text);
    assert_int_equal(rc, bad[i].status);
    assert_null(p);
    assert_non_null(strstr(d.file, bad[i].file));
    assert_int_equal(d.line, bad[i].line);
    assert_int_equal(d.column, bad[i].col);
    assert_non_null(strstr(d.msg, bad[i].msg));
  }
}

static void profile_missing_file(void **state) {
  (void)state;
  hp_profile *p = NULL;
  hp_diag d;
  assert_int_not_equal(hp_profile_load(DATA("no_such_file.yaml"), &p, &d),
                       HP_OK);
  assert_null(p);
  assert_non_null(strstr(d.file, "no_such_file.yaml"));
}

/* Allocator that fails the Nth allocation (SQLite faultsim idea). */
static long fail_at, n_allocs;
static void *fail_malloc(size_t size, void *ud) {
  (void)ud;
  return ++n_allocs == fail_at ? NULL : malloc(size);
}
static void *fail_realloc(void *p, size_t size, void *ud) {
  (void)ud;
  return ++n_allocs == fail_at ? NULL : realloc(p, size);
}
static void plain_free(void *p, void *ud) {
  (void)ud;
  free(p);
}

/* Every allocation of load + JSON render + JSON load + compare fails once
 * in turn: each gives HP_ENOMEM with nothing set, and (under valgrind)
 * nothing leaks. */
static void profile_oom_walk(void **state) {
  (void)state;
  hp_allocator a = {fail_malloc, fail_realloc, plain_free, NULL};
  int done = 0;
  for (fail_at = 1; !done && fail_at < 100000; fail_at++) {
    hp_profile *p = NULL;
    char *text = NULL;
    size_t len = 0;
    hp_diag d;
    n_allocs = 0;
    hp_set_allocator(&a);
    hp_profile *q = NULL;
    char *cmp = NULL;
    int rc = hp_profile_load(DATA("two_devices.yaml"), &p, &d);
    if (rc == HP_OK)
      rc = hp_report_profile(p, HP_PROFILE_JSON, &text, &len, &d);
    if (rc == HP_OK) /* the JSON shape reads back */
      rc = hp_profile_parse(text, len, "p.json", &q, &d);
    if (rc == HP_OK)
      rc = hp_report_profile_compare(p, q, HP_PROFILE_TABLE, &cmp, &len, &d);
    hp_set_allocator(NULL);
    if (rc == HP_OK) {
      done = 1;
    } else {
      assert_int_equal(rc, HP_ENOMEM);
      assert_null(cmp);
    }
    hp_free(cmp);
    hp_free(text);
    hp_profile_free(q);
    hp_profile_free(p);
  }
  assert_true(done);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(profile_round_trip),
      cmocka_unit_test(profile_efficiency),
      cmocka_unit_test(profile_efficiency_where),
      cmocka_unit_test(profile_json_round_trip),
      cmocka_unit_test(profile_compare_matching),
      cmocka_unit_test(profile_bad_files),
      cmocka_unit_test(profile_missing_file),
      cmocka_unit_test(profile_oom_walk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
