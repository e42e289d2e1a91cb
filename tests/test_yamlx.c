/* test_yamlx.c - the YAML loader's limits, marks and number handling, tags,
 * NULs and nulls, files that are not regular files, and the status table
 * (src/hetplan.h against docs/limits.md). */
#define _XOPEN_SOURCE 700 /* mkdtemp, mkfifo, symlink */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "hetplan.h"
#include "yamlx.h"

static int parse(const char *text, hp_ynode **out, hp_diag *d) {
  hp_diag_clear(d);
  return hp_yaml_parse(text, strlen(text), "t.yaml", out, d);
}

static void yamlx_marks_are_one_based(void **state) {
  (void)state;
  hp_ynode *root;
  hp_diag d;
  assert_int_equal(parse("a: 1\nb:\n  c: [x, y]\n", &root, &d), HP_OK);
  const hp_ynode *b = hp_yaml_map_get(root, "b");
  const hp_ynode *c = hp_yaml_map_get(b, "c");
  assert_int_equal(c->kind, HP_Y_SEQ);
  assert_int_equal(c->line, 3);
  assert_int_equal(c->col, 6);
  assert_int_equal(c->items[1]->col, 10);
  assert_int_equal(b->key_line[0], 3);
  assert_int_equal(b->key_col[0], 3);
  hp_yaml_node_free(root);
}

static void yamlx_alias_bomb_refused(void **state) {
  (void)state;
  /* Nine levels of 10x expansion: 1e9 nodes if expanded. */
  hp_buf b;
  hp_buf_init(&b);
  hp_buf_puts(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
  for (int i = 1; i < 10; i++) {
    hp_buf_printf(&b, "a%d: &a%d [", i, i);
    for (int k = 0; k < 10; k++)
      hp_buf_printf(&b, "%s*a%d", k ? ", " : "", i - 1);
    hp_buf_puts(&b, "]\n");
  }
  hp_ynode *root = NULL;
  hp_diag d;
  assert_int_equal(parse(b.data, &root, &d), HP_ELIMIT);
  assert_null(root);
  assert_non_null(strstr(d.msg, "HP_YAML_MAX_NODES"));
  assert_true(d.line > 1);
  hp_buf_cleanup(&b);
}

static void yamlx_aliases_expand_within_limits(void **state) {
  (void)state;
  hp_ynode *root;
  hp_diag d;
  assert_int_equal(parse("base: &b {x: 1}\nuse: *b\n", &root, &d), HP_OK);
  const hp_ynode *u = hp_yaml_map_get(root, "use");
  assert_int_equal(u->kind, HP_Y_MAP);
  assert_string_equal(hp_yaml_map_get(u, "x")->scalar, "1");
  hp_yaml_node_free(root);
  assert_int_equal(parse("a: *nope\n", &root, &d), HP_EPARSE);
  assert_non_null(strstr(d.msg, "unknown alias '*nope'"));
}

static void yamlx_depth_limit(void **state) {
  (void)state;
  hp_buf b;
  hp_buf_init(&b);
  for (int i = 0; i < HP_YAML_MAX_DEPTH + 5; i++)
    hp_buf_puts(&b, "[");
  for (int i = 0; i < HP_YAML_MAX_DEPTH + 5; i++)
    hp_buf_puts(&b, "]");
  hp_ynode *root = NULL;
  hp_diag d;
  assert_int_equal(parse(b.data, &root, &d), HP_ELIMIT);
  assert_non_null(strstr(d.msg, "nesting deeper than 64 levels"));
  assert_int_equal(d.column, HP_YAML_MAX_DEPTH + 1);
  hp_buf_cleanup(&b);
}

static void yamlx_scalar_limit(void **state) {
  (void)state;
  size_t n = HP_YAML_MAX_SCALAR + 10;
  char *text = malloc(n + 8);
  memcpy(text, "k: ", 3);
  memset(text + 3, 'x', n);
  text[3 + n] = '\0';
  hp_ynode *root = NULL;
  hp_diag d;
  assert_int_equal(parse(text, &root, &d), HP_ELIMIT);
  assert_non_null(strstr(d.msg, "HP_YAML_MAX_SCALAR"));
  free(text);
}

static void yamlx_duplicates_and_keys(void **state) {
  (void)state;
  hp_ynode *root = NULL;
  hp_diag d;
  assert_int_equal(parse("a: 1\nb: 2\na: 3\n", &root, &d), HP_EDUP);
  assert_int_equal(d.line, 3);
  assert_string_equal(d.msg,
                      "duplicate key 'a' (first given at line 1, column 1)");
  assert_int_equal(parse("[a]: 1\n", &root, &d), HP_EPARSE);
  assert_non_null(strstr(d.msg, "mapping key must be a plain scalar"));
  assert_int_equal(parse("a: 1\n---\nb: 2\n", &root, &d), HP_EPARSE);
  assert_non_null(strstr(d.msg, "only one document"));
}

static void yamlx_did_you_mean(void **state) {
  (void)state;
  hp_ynode *root;
  hp_diag d;
  static const char *const allowed[] = {"tokens_per_day", "peak_factor", NULL};
  assert_int_equal(parse("peak_facter: 2\n", &root, &d), HP_OK);
  assert_int_equal(hp_yaml_check_keys(root, allowed, "workload", "t.yaml", &d),
                   HP_EKEY);
  assert_string_equal(d.msg, "workload: unknown key 'peak_facter' (did you "
                             "mean 'peak_factor'?)");
  hp_yaml_node_free(root);
  assert_int_equal(parse("zzz: 2\n", &root, &d), HP_OK);
  assert_int_equal(hp_yaml_check_keys(root, allowed, "workload", "t.yaml", &d),
                   HP_EKEY);
  assert_string_equal(d.msg, "workload: unknown key 'zzz'");
  hp_yaml_node_free(root);
}

static void yamlx_numbers(void **state) {
  (void)state;
  double v;
  assert_true(hp_fmt_parse_number("130e9", &v) && v == 130e9);
  assert_true(hp_fmt_parse_number("-0.25", &v) && v == -0.25);
  assert_false(hp_fmt_parse_number("1,5", &v));
  assert_false(hp_fmt_parse_number("0x10", &v));
  assert_false(hp_fmt_parse_number("nan", &v));
  assert_false(hp_fmt_parse_number("inf", &v));
  assert_false(hp_fmt_parse_number("1e999", &v));
  assert_false(hp_fmt_parse_number(" 1", &v));
  assert_false(hp_fmt_parse_number("", &v));
  /* Round trip: every double formats and reads back exactly, whatever
   * the process locale says about the decimal point. */
  const char *locales[] = {"C", "de_DE.UTF-8", "fr_FR.UTF-8"};
  uint64_t x = 88172645463325252ull;
  for (int l = 0; l < 3; l++) {
    setlocale(LC_NUMERIC, locales[l]);
    for (int i = 0; i < 20000; i++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      double r;
      uint64_t bits = x;
      memcpy(&r, &bits, sizeof r);
      if (!isfinite(r))
        continue;
      char buf[40];
      hp_fmt_number(r, buf, sizeof buf);
      assert_null(strchr(buf, ','));
      double back;
      assert_true(hp_fmt_parse_number(buf, &back));
      assert_memory_equal(&back, &r, sizeof r);
    }
  }
  setlocale(LC_NUMERIC, "C");
  char buf[40];
  /* Whole numbers take a shortcut; it prints what %.15g prints, on both
   * sides of its limit (1e15) and for minus zero. */
  for (int i = 0; i < 20000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    double w = (double)(x % 2000000000000000ull) - 1e15;
    if (i % 4 == 1)
      w = (double)(long long)(w / (1 + (double)(x % 1000000ull)));
    else if (i % 4 == 2)
      w = (double)(x % 1000);
    char want[40];
    snprintf(want, sizeof want, "%.15g", w);
    assert_string_equal(hp_fmt_number(w, buf, sizeof buf), want);
  }
  const double edge[] = {0,
                         -0.0,
                         1,
                         -1,
                         999999999999999,
                         -999999999999999,
                         1e15,
                         -1e15,
                         1e15 + 2,
                         123456789012345678.0};
  for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
    char want[40];
    for (int prec = 15; prec <= 17; prec++) {
      snprintf(want, sizeof want, "%.*g", prec, edge[i]);
      if (strtod(want, NULL) == edge[i])
        break;
    }
    assert_string_equal(hp_fmt_number(edge[i], buf, sizeof buf), want);
  }
  assert_string_equal(hp_fmt_number(-0.0, buf, sizeof buf), "-0");
  assert_string_equal(hp_fmt_number(0.1, buf, sizeof buf), "0.1");
  assert_string_equal(hp_fmt_number(840000, buf, sizeof buf), "840000");
}

/* A FIFO, a directory, a device and a loop of symbolic links are refused
 * at once, each named, with what it is: a FIFO used to block the read
 * forever (no writer), and a link loop gave "Too many levels of symbolic
 * links" only where it was opened, not where a model file was looked up. */
static void yamlx_only_regular_files(void **state) {
  (void)state;
  char dir[] = "/tmp/hp-yamlx.XXXXXX";
  assert_non_null(mkdtemp(dir));
  char fifo[64], loop[64], sub[64];
  snprintf(fifo, sizeof fifo, "%s/x.yaml", dir);
  snprintf(loop, sizeof loop, "%s/loop.yaml", dir);
  snprintf(sub, sizeof sub, "%s/d.yaml", dir);
  assert_int_equal(mkfifo(fifo, 0600), 0);
  assert_int_equal(symlink("loop.yaml", loop), 0);
  assert_int_equal(mkdir(sub, 0700), 0);
  /* The test fails by timeout (ctest) if the FIFO blocks; alarm makes it
   * fail fast when run by hand. */
  alarm(20);
  hp_ynode *root = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  assert_int_equal(hp_yaml_load_file(fifo, &root, &d), HP_EIO);
  assert_string_equal(d.file, fifo);
  assert_non_null(strstr(d.msg, "is a FIFO (named pipe), not a regular file"));
  hp_diag_clear(&d);
  assert_int_equal(hp_yaml_load_file(sub, &root, &d), HP_EIO);
  assert_non_null(strstr(d.msg, "is a directory, not a regular file"));
  hp_diag_clear(&d);
  assert_int_equal(hp_yaml_load_file("/dev/zero", &root, &d), HP_EIO);
  assert_non_null(strstr(d.msg, "is a character device"));
  hp_diag_clear(&d);
  assert_int_equal(hp_yaml_load_file(loop, &root, &d), HP_EIO);
  assert_string_equal(d.file, loop);
  assert_non_null(strstr(d.msg, "a loop of symbolic links"));
  alarm(0);
  assert_null(root);
  unlink(fifo);
  unlink(loop);
  rmdir(sub);
  rmdir(dir);
}

/* A scalar tagged !!str is text (it was read as a number); core-schema
 * tags that fit are accepted; any other tag is refused at its mark (they
 * were ignored). */
static void yamlx_tags(void **state) {
  (void)state;
  hp_ynode *root;
  hp_diag d;
  double v;
  assert_int_equal(parse("a: !!str 0.5\nb: ! 0.5\nc: !!float 0.5\n"
                         "e: !!map {x: 1}\nf: !!seq [1]\ng: !!int 3\n",
                         &root, &d),
                   HP_OK);
  assert_int_equal(
      hp_yaml_get_number(hp_yaml_map_get(root, "a"), "a", "t.yaml", &v, &d),
      HP_ETYPE);
  assert_non_null(strstr(d.msg, "expected a number, got the string '0.5'"));
  assert_int_equal(
      hp_yaml_get_number(hp_yaml_map_get(root, "b"), "b", "t.yaml", &v, &d),
      HP_ETYPE);
  assert_int_equal(
      hp_yaml_get_number(hp_yaml_map_get(root, "c"), "c", "t.yaml", &v, &d),
      HP_OK);
  assert_true(v == 0.5);
  const char *str;
  assert_int_equal(
      hp_yaml_get_string(hp_yaml_map_get(root, "a"), "a", "t.yaml", &str, &d),
      HP_OK);
  assert_string_equal(str, "0.5");
  hp_yaml_node_free(root);
  root = NULL;
  assert_int_equal(parse("a: 1\nb: !money 5\n", &root, &d), HP_ETYPE);
  assert_null(root);
  assert_int_equal(d.line, 2);
  assert_int_equal(d.column, 4);
  assert_non_null(strstr(d.msg, "unknown tag '!money'"));
  assert_int_equal(parse("a: !<tag:example.com,2024:x> {k: 1}\n", &root, &d),
                   HP_ETYPE);
  assert_non_null(strstr(d.msg, "unknown tag 'tag:example.com,2024:x'"));
  assert_int_equal(parse("a: !!binary aGk=\n", &root, &d), HP_ETYPE);
  assert_non_null(strstr(d.msg, "the tag '!!binary' does not fit a scalar"));
  assert_int_equal(parse("a: !!map [1]\n", &root, &d), HP_ETYPE);
  assert_non_null(strstr(d.msg, "the tag '!!map' does not fit a sequence"));
  assert_int_equal(parse("!!str k: 1\n!foo j: 2\n", &root, &d), HP_ETYPE);
  assert_int_equal(d.line, 2);
}

/* A NUL character in any string (the "\0" escape) is refused at its mark:
 * it used to cut a name short where it was printed. */
static void yamlx_nul_refused(void **state) {
  (void)state;
  hp_ynode *root = NULL;
  hp_diag d;
  assert_int_equal(parse("name: ok\nscenario: \"a\\0b\"\n", &root, &d),
                   HP_EPARSE);
  assert_null(root);
  assert_int_equal(d.line, 2);
  assert_int_equal(d.column, 11);
  assert_non_null(strstr(d.msg, "a NUL character ('\\0') in a value"));
  assert_int_equal(parse("\"k\\0\": 1\n", &root, &d), HP_EPARSE);
  assert_non_null(strstr(d.msg, "in a key"));
  assert_int_equal(parse("- [x, \"\\x00\"]\n", &root, &d), HP_EPARSE);
  assert_int_equal(d.column, 7);
}

/* hp_yaml_is_null: what reads as an empty mapping where one is expected. */
static void yamlx_null(void **state) {
  (void)state;
  hp_ynode *root;
  hp_diag d;
  assert_int_equal(parse("a:\nb: ~\nc: null\nd: ''\ne: {}\nf: 0\n"
                         "g: NULL\nh: !!str\n",
                         &root, &d),
                   HP_OK);
  assert_true(hp_yaml_is_null(hp_yaml_map_get(root, "a")));
  assert_true(hp_yaml_is_null(hp_yaml_map_get(root, "b")));
  assert_true(hp_yaml_is_null(hp_yaml_map_get(root, "c")));
  assert_true(hp_yaml_is_null(hp_yaml_map_get(root, "g")));
  assert_false(hp_yaml_is_null(hp_yaml_map_get(root, "d")));
  assert_false(hp_yaml_is_null(hp_yaml_map_get(root, "e")));
  assert_false(hp_yaml_is_null(hp_yaml_map_get(root, "f")));
  assert_false(hp_yaml_is_null(hp_yaml_map_get(root, "h")));
  assert_false(hp_yaml_is_null(NULL));
  hp_yaml_node_free(root);
}

static void status_table_matches_docs(void **state) {
  (void)state;
  FILE *f = fopen(HP_SOURCE_DIR "/docs/limits.md", "r");
  assert_non_null(f);
  char line[512];
  int rows = 0;
  while (fgets(line, sizeof line, f)) {
    int code;
    char name[64], msg[256];
    if (sscanf(line, "| %d | %63s | %255[^|]|", &code, name, msg) != 3 ||
        strncmp(name, "HP_", 3) != 0)
      continue;
    size_t n = strlen(msg);
    while (n && msg[n - 1] == ' ')
      msg[--n] = '\0';
    assert_string_equal(hp_status_name(code), name);
    assert_string_equal(hp_strerror(code), msg);
    rows++;
  }
  fclose(f);
  /* Every code of the X-macro is documented. */
  int codes = 0;
#define XX(name, value, msg) codes++;
  HP_STATUS_MAP(XX)
#undef XX
  assert_int_equal(rows, codes);
  assert_string_equal(hp_status_name(-999), "HP_UNKNOWN");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(yamlx_marks_are_one_based),
      cmocka_unit_test(yamlx_alias_bomb_refused),
      cmocka_unit_test(yamlx_aliases_expand_within_limits),
      cmocka_unit_test(yamlx_depth_limit),
      cmocka_unit_test(yamlx_scalar_limit),
      cmocka_unit_test(yamlx_duplicates_and_keys),
      cmocka_unit_test(yamlx_did_you_mean),
      cmocka_unit_test(yamlx_numbers),
      cmocka_unit_test(yamlx_only_regular_files),
      cmocka_unit_test(yamlx_tags),
      cmocka_unit_test(yamlx_nul_refused),
      cmocka_unit_test(yamlx_null),
      cmocka_unit_test(status_table_matches_docs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
