/* test_report.c - the plan renderers' values, in every format, on plans of
 * the test catalog (tests/data/catalog) whose answer is worked out by hand:
 *
 * 5e11 parameters at MFU 0.5: alpha-a serves 8 x 25e12 x 0.5 / (2 x 5e11) =
 * 100 tokens/s per server (1,000,000 CNY; 8 x 800 W, foreign), beta-c
 * 8 x 5e12 x 0.5 / 1e12 = 20 (300,000 CNY; 8 x 100 W, domestic).
 * 8.64e7 tokens/day over 86,400 s is 1,000 tokens/s.
 *
 * "share": at least half the capex domestic (300,000 y >= 1,000,000 x) and
 * 100 x + 20 y >= 1,000 cost least at x = 6 alpha-a, y = 20 beta-c
 * servers: 48 + 160 = 208 cards, 6e6 + 6e6 = 1.2e7 CNY. Domestic shares:
 * compute 400 / 1000 = 0.4, cards 160 / 208 = 0.769..., capex 0.5. Power
 * at PUE 1.3: 48 x 800 x 1.3 = 49.92 kW and 160 x 100 x 1.3 = 20.8 kW;
 * opex 70.72 kW x 8760 h x 0.4 CNY/kWh = 247,802.88 CNY/year; TCO over 5
 * years 13,239,014.4 CNY over 8.64e7 x 365 x 5 = 1.5768e11 tokens =
 * 83.9613 CNY per million tokens.
 *
 * "margin": 10 alpha-a servers; 83.2 kW, opex 291,532.8 CNY/year, TCO
 * 11,457,664 CNY, 72.664 CNY per million tokens; at a price of 100 the
 * margin is 27.3%.
 */
#define _POSIX_C_SOURCE 200809L /* strtok_r */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hetplan.h"
#include "mem.h"
#include "report.h"
#include "report_doc.h"

static hp_catalog *cat;

static const char SHARE[] =
    "name: share\n"
    "defaults:\n"
    "  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}\n"
    "  mfu: 0.5\n"
    "  devices: [alpha-a, beta-c]\n"
    "  constraints: {domestic_share: {min: 0.5, basis: capex}}\n"
    "scenarios:\n"
    "  - name: s\n";

static const char MARGIN[] =
    "name: margin\n"
    "defaults:\n"
    "  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}\n"
    "  mfu: 0.5\n"
    "  devices: [alpha-a]\n"
    "  token_price_cny_per_mtok: 100\n"
    "scenarios:\n"
    "  - name: s\n";

static int setup(void **state) {
  (void)state;
  hp_diag d;
  return hp_catalog_load(HP_TEST_DATA "/catalog", &cat, &d) == HP_OK ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  hp_catalog_free(cat);
  return 0;
}

/* The plan text solved and rendered in fmt; the caller frees with hp_free. */
static char *render(const char *text, hp_format fmt) {
  hp_diag d;
  hp_planfile *pf = NULL;
  hp_plan *plan = NULL;
  char *out = NULL;
  size_t len = 0;
  assert_int_equal(
      hp_planfile_parse(text, strlen(text), "t.yaml", cat, &pf, &d), HP_OK);
  assert_int_equal(hp_plan_solve(pf, cat, &plan, &d), HP_OK);
  assert_int_equal(hp_plan_count(plan), 1);
  assert_int_equal(hp_plan_at(plan, 0)->status, HP_RESULT_OPTIMAL);
  assert_int_equal(hp_report_render(plan, fmt, &out, &len, &d), HP_OK);
  assert_int_equal(strlen(out), len);
  hp_plan_free(plan);
  hp_planfile_free(pf);
  return out;
}

/* A workbook's or page's sheets own their header strings: sheets built for
 * one plan keep their headers while another plan's are built (two
 * documents at once, as on two threads; the vendor columns' headers came
 * from one static buffer before). */
static void doc_sheets_own_headers(void **state) {
  (void)state;
  static const char BETA[] =
      "name: beta\n"
      "defaults:\n"
      "  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}\n"
      "  mfu: 0.5\n"
      "  devices: [beta-c]\n"
      "scenarios:\n"
      "  - name: s\n";
  const char *texts[2] = {SHARE, BETA};
  hp_planfile *pf[2] = {NULL, NULL};
  hp_plan *plan[2] = {NULL, NULL};
  hp_doc_plan dp[2];
  hp_doc doc[2];
  static hp_doc_sheets sh[2];
  hp_diag d;
  for (int k = 0; k < 2; k++) {
    assert_int_equal(hp_planfile_parse(texts[k], strlen(texts[k]), "t.yaml",
                                       cat, &pf[k], &d),
                     HP_OK);
    assert_int_equal(hp_plan_solve(pf[k], cat, &plan[k], &d), HP_OK);
    dp[k] = (hp_doc_plan){"t.yaml", pf[k], plan[k], NULL};
    doc[k] = (hp_doc){"plan", &dp[k], 1, NULL, cat};
  }
  assert_int_equal(hp_report_doc_build(&doc[0], &sh[0], &d), HP_OK);
  /* a snapshot of the first document's headers */
  hp_buf before, after;
  hp_buf_init(&before);
  hp_buf_init(&after);
  for (int i = 0; i < HP_DOC_SHEETS; i++)
    for (size_t t = 0; t < sh[0].sheet[i].n_tables; t++)
      for (size_t c = 0; c < sh[0].sheet[i].tables[t].n_cols; c++)
        hp_buf_printf(&before, "%s|", sh[0].sheet[i].tables[t].head[c]);
  assert_non_null(strstr(before.data, "Beta"));
  assert_int_equal(hp_report_doc_build(&doc[1], &sh[1], &d), HP_OK);
  for (int i = 0; i < HP_DOC_SHEETS; i++)
    for (size_t t = 0; t < sh[0].sheet[i].n_tables; t++)
      for (size_t c = 0; c < sh[0].sheet[i].tables[t].n_cols; c++)
        hp_buf_printf(&after, "%s|", sh[0].sheet[i].tables[t].head[c]);
  assert_string_equal(before.data, after.data);
  hp_buf_cleanup(&before);
  hp_buf_cleanup(&after);
  for (int k = 0; k < 2; k++) {
    hp_report_doc_sheets_cleanup(&sh[k]);
    hp_plan_free(plan[k]);
    hp_planfile_free(pf[k]);
  }
}

/* Splits the first line of text whose first cell is `first` into cells:
 * on runs of spaces (table), or on '|' with the cells trimmed (md).
 * Returns the number of cells. */
static int row_cells(const char *text, const char *first, int md,
                     char cells[][32], int max) {
  for (const char *p = text; p && *p;
       p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
    const char *end = strchr(p, '\n');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    char line[512];
    if (n >= sizeof line)
      continue;
    memcpy(line, p, n);
    line[n] = '\0';
    int k = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, md ? "|" : " ", &save); t && k < max;
         t = strtok_r(NULL, md ? "|" : " ", &save)) {
      while (*t == ' ')
        t++;
      size_t m = strlen(t);
      while (m > 0 && t[m - 1] == ' ')
        t[--m] = '\0';
      if (!*t)
        continue;
      snprintf(cells[k++], 32, "%s", t);
    }
    if (k > 0 && strcmp(cells[0], first) == 0)
      return k;
  }
  return 0;
}

static void check_row(const char *text, int md, const char *const *want,
                      int n) {
  char cells[16][32];
  int k = row_cells(text, want[0], md, cells, 16);
  if (k != n)
    fail_msg("row '%s': %d cells, want %d\n%s", want[0], k, n, text);
  for (int i = 0; i < n; i++)
    if (strcmp(cells[i], want[i]) != 0)
      fail_msg("row '%s' cell %d: '%s', want '%s'", want[0], i, cells[i],
               want[i]);
}

/* The vendor and device tables of "share", as a table or in markdown. */
static void check_share_tables(const char *out, int md) {
  static const char *const alpha_v[] = {"Alpha", "no",           "48",
                                        "6",     "6,000,000.00", "600"};
  static const char *const beta_v[] = {"Beta", "yes",          "160",
                                       "20",   "6,000,000.00", "400"};
  static const char *const alpha_d[] = {"alpha-a",      "Alpha", "48",  "6",
                                        "6,000,000.00", "600",   "100", "49.9"};
  static const char *const beta_d[] = {"beta-c",       "Beta", "160", "20",
                                       "6,000,000.00", "400",  "20",  "20.8"};
  check_row(out, md, alpha_v, 6);
  check_row(out, md, beta_v, 6);
  check_row(out, md, alpha_d, 8);
  check_row(out, md, beta_d, 8);
}

static void check_share_summary(const char *out) {
  assert_non_null(strstr(out, "total: 208 cards (0.02 x10k), 26 servers, "
                              "capex 12,000,000.00 CNY (0.12 x100M CNY)\n"));
  assert_non_null(strstr(out, "delivered: 1,000 tokens/s; power 70.7 kW"));
  assert_non_null(strstr(out, "domestic share: 40.0% of compute, 76.9% of "
                              "cards, 50.0% of capex\n"));
  assert_non_null(strstr(out, "opex 247,803 CNY/year; TCO over 5 years "
                              "13,239,014 CNY; 83.96 CNY per million "
                              "tokens\n"));
}

static void test_table_values(void **state) {
  (void)state;
  char *out = render(SHARE, HP_FORMAT_TABLE);
  check_share_summary(out);
  check_share_tables(out, 0);
  hp_free(out);
}

static void test_md_values(void **state) {
  (void)state;
  char *out = render(SHARE, HP_FORMAT_MD);
  check_share_summary(out);
  check_share_tables(out, 1);
  hp_free(out);
}

static void test_margin(void **state) {
  (void)state;
  for (int md = 0; md < 2; md++) {
    char *out = render(MARGIN, md ? HP_FORMAT_MD : HP_FORMAT_TABLE);
    assert_non_null(strstr(out, "opex 291,533 CNY/year; TCO over 5 years "
                                "11,457,664 CNY; 72.66 CNY per million "
                                "tokens (price 100 CNY per million tokens: "
                                "margin 27.3%)\n"));
    hp_free(out);
  }
}

static int near(double a, double b) {
  return fabs(a - b) <= 1e-9 * fmax(1.0, fabs(b));
}

/* The CSV's field named col in row (a line), by the header's order. */
static double csv_num(const char *header, const char *row, const char *col) {
  char h[1024], r[1024];
  snprintf(h, sizeof h, "%s", header);
  snprintf(r, sizeof r, "%s", row);
  int want = -1, i = 0;
  char *save = NULL;
  for (char *t = strtok_r(h, ",", &save); t;
       t = strtok_r(NULL, ",", &save), i++)
    if (strcmp(t, col) == 0)
      want = i;
  if (want < 0)
    fail_msg("no CSV column %s", col);
  /* Fields may be empty: walk commas by hand. */
  const char *p = r;
  for (i = 0; i < want && p; i++)
    p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
  if (!p || *p == ',' || !*p)
    fail_msg("CSV column %s is empty in %s", col, row);
  return strtod(p, NULL);
}

/* The line of text that contains needle, copied into buf. */
static const char *line_of(const char *text, const char *needle, char *buf,
                           size_t size) {
  const char *p = strstr(text, needle);
  if (!p)
    fail_msg("no line with %s in\n%s", needle, text);
  while (p > text && p[-1] != '\n')
    p--;
  const char *end = strchr(p, '\n');
  snprintf(buf, size, "%.*s", (int)(end ? end - p : (long)strlen(p)), p);
  return buf;
}

static void test_csv_values(void **state) {
  (void)state;
  char *out = render(SHARE, HP_FORMAT_CSV);
  char header[1024], total[1024], alpha[1024], beta[1024];
  line_of(out, "plan,scenario,", header, sizeof header);
  line_of(out, ",total,", total, sizeof total);
  line_of(out, ",device,alpha-a,", alpha, sizeof alpha);
  line_of(out, ",device,beta-c,", beta, sizeof beta);
  struct {
    const char *col;
    double want;
  } tot[] = {{"cards", 208},
             {"servers", 26},
             {"capex_cny", 12e6},
             {"tokens_per_s", 1000},
             {"power_kw", 70.72},
             {"demand_tokens_per_s", 1000},
             {"domestic_share_compute", 0.4},
             {"domestic_share_cards", 160.0 / 208},
             {"domestic_share_capex", 0.5},
             {"opex_cny_per_year", 247802.88},
             {"tco_cny", 13239014.4},
             {"cost_per_mtok_cny", 13239014.4 / 1.5768e11 * 1e6}};
  for (size_t i = 0; i < sizeof tot / sizeof tot[0]; i++)
    if (!near(csv_num(header, total, tot[i].col), tot[i].want))
      fail_msg("total %s: %.17g, want %.17g", tot[i].col,
               csv_num(header, total, tot[i].col), tot[i].want);
  const double a[] = {48, 6, 6e6, 600, 49.92, 100},
               b[] = {160, 20, 6e6, 400, 20.8, 20};
  const char *cols[] = {"cards",        "servers",  "capex_cny",
                        "tokens_per_s", "power_kw", "tokens_per_s_per_server"};
  for (int i = 0; i < 6; i++) {
    if (!near(csv_num(header, alpha, cols[i]), a[i]))
      fail_msg("alpha-a %s: %g, want %g", cols[i],
               csv_num(header, alpha, cols[i]), a[i]);
    if (!near(csv_num(header, beta, cols[i]), b[i]))
      fail_msg("beta-c %s: %g, want %g", cols[i],
               csv_num(header, beta, cols[i]), b[i]);
  }
  hp_free(out);
}

static double jnum(json_t *o, const char *path) {
  char buf[128];
  snprintf(buf, sizeof buf, "%s", path);
  json_t *v = o;
  char *save = NULL;
  for (char *t = strtok_r(buf, ".", &save); t && v;
       t = strtok_r(NULL, ".", &save))
    v = json_is_array(v) ? json_array_get(v, (size_t)atoi(t))
                         : json_object_get(v, t);
  if (!json_is_number(v))
    fail_msg("JSON %s: not a number", path);
  return json_number_value(v);
}

static void test_json_values(void **state) {
  (void)state;
  char *out = render(SHARE, HP_FORMAT_JSON);
  json_error_t err;
  json_t *root = json_loads(out, 0, &err);
  assert_non_null(root);
  json_t *s = json_array_get(json_object_get(root, "scenarios"), 0);
  assert_non_null(s);
  struct {
    const char *path;
    double want;
  } w[] = {{"capex_cny", 12e6},
           {"cards", 208},
           {"servers", 26},
           {"domestic_share", 0.4},
           {"domestic_shares.compute", 0.4},
           {"domestic_shares.cards", 160.0 / 208},
           {"domestic_shares.capex", 0.5},
           {"demand.tokens_per_s", 1000},
           {"delivered_tokens_per_s", 1000},
           {"power_mw", 0.07072},
           {"opex_cny_per_year", 247802.88},
           {"years", 5},
           {"tco_cny", 13239014.4},
           {"cost_per_mtok_cny", 13239014.4 / 1.5768e11 * 1e6},
           {"vendors.0.cards", 48},
           {"vendors.0.capex_cny", 6e6},
           {"vendors.0.tokens_per_s", 600},
           {"vendors.1.cards", 160},
           {"vendors.1.capex_cny", 6e6},
           {"vendors.1.tokens_per_s", 400},
           {"lines.0.servers", 6},
           {"lines.0.tokens_per_s_per_server", 100},
           {"lines.0.power_kw", 49.92},
           {"lines.1.servers", 20},
           {"lines.1.tokens_per_s_per_server", 20},
           {"lines.1.power_kw", 20.8}};
  for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
    if (!near(jnum(s, w[i].path), w[i].want))
      fail_msg("JSON %s: %.17g, want %.17g", w[i].path, jnum(s, w[i].path),
               w[i].want);
  assert_string_equal(
      json_string_value(json_object_get(
          json_array_get(json_object_get(s, "vendors"), 0), "vendor")),
      "Alpha");
  assert_string_equal(
      json_string_value(json_object_get(
          json_array_get(json_object_get(s, "lines"), 1), "device")),
      "beta-c");
  json_decref(root);
  hp_free(out);
  /* The margin plan carries its token price. */
  out = render(MARGIN, HP_FORMAT_JSON);
  root = json_loads(out, 0, &err);
  assert_non_null(root);
  s = json_array_get(json_object_get(root, "scenarios"), 0);
  assert_true(near(jnum(s, "token_price_per_mtok_cny"), 100));
  assert_true(near(jnum(s, "cost_per_mtok_cny"), 11457664.0 / 157680));
  json_decref(root);
  hp_free(out);
}

/* ----------------------------------------------------------------------------
 * Escaping (buf.h, hp_report_csv_field): names that would act on a terminal, a
 * spreadsheet or a Markdown viewer
 * ------------------------------------------------------------------------- */

typedef void (*put_fn)(hp_buf *, const char *);

/* What put writes for s, NUL-terminated; the caller frees with hp_free. */
static char *put_str(put_fn put, const char *s) {
  hp_buf b;
  char *out = NULL;
  hp_buf_init(&b);
  put(&b, s);
  assert_int_equal(hp_buf_detach(&b, &out, NULL), HP_OK);
  return out;
}

static void expect_put(put_fn put, const char *in, const char *want) {
  char *got = put_str(put, in);
  if (strcmp(got, want) != 0)
    fail_msg("escaping \"%s\": got \"%s\", want \"%s\"", in, got, want);
  hp_free(got);
}

static void escape_text_controls(void **state) {
  (void)state;
  static const char *const cases[][2] = {
      {"plain name-1.5 (x)", "plain name-1.5 (x)"},
      /* C0: the three common ones by name, the rest by value. */
      {"a\x1b[31mred\x1b[0m", "a\\x1b[31mred\\x1b[0m"},
      {"l1\nl2\r\tx", "l1\\nl2\\r\\tx"},
      {"\x01\x07\x1f", "\\x01\\x07\\x1f"},
      {"del\x7f", "del\\x7f"},
      /* C1 (U+0080..U+009F in UTF-8): CSI and NEL. */
      {"a\xc2\x9b"
       "2Jb\xc2\x85",
       "a\\u009b2Jb\\u0085"},
      /* Bidirectional overrides and isolates, line separators. */
      {"x\xe2\x80\xaey\xe2\x81\xa6z\xe2\x80\xa8", "x\\u202ey\\u2066z\\u2028"},
      /* Bytes that are not UTF-8: stray, cut short, overlong, surrogate. */
      {"\xff", "\\xff"},
      {"ab\xc3", "ab\\xc3"},
      {"\xc0\xaf", "\\xc0\\xaf"},
      {"\xed\xa0\x80", "\\xed\\xa0\\x80"},
      {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"},
      /* Printable text of any script stays; so do | and \ in plain text. */
      {"\xe5\x8d\x8e\xe4\xb8\xba Ascend", "\xe5\x8d\x8e\xe4\xb8\xba Ascend"},
      {"caf\xc3\xa9 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xf0\x9f\x98\x80"},
      {"a|b\\c", "a|b\\c"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    expect_put(hp_buf_text, cases[i][0], cases[i][1]);
    /* Escaping twice changes nothing (the escapes are printable ASCII and
     * a backslash stays), so a layer may escape what another did. */
    expect_put(hp_buf_text, cases[i][1], cases[i][1]);
  }
  expect_put(hp_buf_text, NULL, "");
}

static void escape_markdown(void **state) {
  (void)state;
  static const char *const cases[][2] = {
      {"Ev|l\nVendor", "Ev\\|l\\nVendor"},
      /* A backslash of the name cannot undo the pipe's escape. */
      {"a\\|b", "a\\\\\\|b"},
      {"<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)>"},
      {"[click](http://x)", "\\[click](http://x)"},
      {"AT&T &#27;", "AT\\&T \\&#27;"},
      {"\x1b]0;title\x07", "\\x1b]0;title\\x07"},
      {"H100_SXM-80GB*", "H100_SXM-80GB*"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    expect_put(hp_buf_md, cases[i][0], cases[i][1]);
}

static void escape_cell_columns(void **state) {
  (void)state;
  /* The columns hp_buf_cell takes, so that tables stay aligned: an escape
   * is as wide as its text, a CJK character two columns, an accented one
   * one, a combining mark none. */
  assert_int_equal(hp_buf_cell_len("abc", 0), 3);
  assert_int_equal(hp_buf_cell_len("a\x1b", 0), 5);
  assert_int_equal(hp_buf_cell_len("a\nb", 0), 4);
  assert_int_equal(hp_buf_cell_len("a|b", 0), 3);
  assert_int_equal(hp_buf_cell_len("a|b", 1), 4);
  assert_int_equal(hp_buf_cell_len("\xe5\x8d\x8e\xe4\xb8\xba", 0), 4);
  assert_int_equal(hp_buf_cell_len("caf\xc3\xa9", 0), 4);
  assert_int_equal(hp_buf_cell_len("e\xcc\x81", 0), 1);
  assert_int_equal(hp_buf_cell_len("\xc2\x9b", 0), 6);
  assert_int_equal(hp_buf_cell_len("\xff", 0), 4);
  assert_int_equal(hp_buf_cell_len(NULL, 0), 0);
  /* hp_buf_cell_len agrees with what hp_buf_cell writes for ASCII output. */
  static const char *const names[] = {"Ev|l\nVendor\x1b[2J\xc2\x9b", "x\\|<",
                                      "\xfe\t"};
  for (size_t i = 0; i < 3; i++)
    for (int md = 0; md < 2; md++) {
      hp_buf b;
      hp_buf_init(&b);
      hp_buf_cell(&b, names[i], md);
      assert_int_equal(b.len, hp_buf_cell_len(names[i], md));
      hp_buf_cleanup(&b);
    }
}

static void escape_fixed_buffer(void **state) {
  (void)state;
  char out[16];
  /* Whole escapes and whole characters only. */
  assert_int_equal(hp_buf_text_escape("\x1b\x1b", out, 6), 4);
  assert_string_equal(out, "\\x1b");
  assert_int_equal(hp_buf_text_escape("a\xc3\xa9", out, 3), 1);
  assert_string_equal(out, "a");
  assert_int_equal(hp_buf_text_escape("a\xc3\xa9", out, 4), 3);
  assert_string_equal(out, "a\xc3\xa9");
  assert_int_equal(hp_buf_text_escape("x\ny", out, sizeof out), 4);
  assert_string_equal(out, "x\\ny");
  assert_int_equal(hp_buf_text_escape(NULL, out, sizeof out), 0);
  assert_string_equal(out, "");
}

static void escape_guard(void **state) {
  (void)state;
  hp_buf b;
  hp_buf_init(&b);
  /* Before `from`: not the guard's. From it on: everything but the line
   * ends, a NUL included. */
  hp_buf_puts(&b, "\x1b|");
  size_t from = b.len;
  hp_buf_puts(&b, "ok\n\x1b[2J\xc2\x9bx\n");
  hp_buf_append(&b, "a\0b\n", 4);
  assert_int_equal(hp_buf_guard(&b, from), HP_OK);
  assert_int_equal(b.len, strlen(b.data));
  assert_string_equal(b.data, "\x1b|ok\n\\x1b[2J\\u009bx\na\\x00b\n");
  /* Clean text is left as it is. */
  hp_buf_cleanup(&b);
  hp_buf_puts(&b, "plain | text\n\xe5\x8d\x8e\n");
  assert_int_equal(hp_buf_guard(&b, 0), HP_OK);
  assert_string_equal(b.data, "plain | text\n\xe5\x8d\x8e\n");
  hp_buf_cleanup(&b);
}

static void escape_csv_field(void **state) {
  (void)state;
  static const char *const cases[][2] = {
      {"plain", "plain"},
      /* OWASP: a cell a spreadsheet would run gets a leading quote. */
      {"=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""},
      {"=1+1", "'=1+1"},
      {"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
      {"-2+3", "'-2+3"},
      {"@SUM(A1)", "'@SUM(A1)"},
      {"\tx", "'\\tx"},
      {"\rx", "'\\rx"},
      {"-", "'-"},
      {"-1e", "'-1e"},
      /* A number in a text cell is still a number: no quote. */
      {"-5", "-5"},
      {"+1.5e-3", "+1.5e-3"},
      {"-.5", "-.5"},
      /* Control characters as escapes: a field never spans lines. */
      {"line\nbreak", "line\\nbreak"},
      {"a\x1b[31mb", "a\\x1b[31mb"},
      /* Quoting as before, after the escaping. */
      {"a,b", "\"a,b\""},
      {"say \"hi\"", "\"say \"\"hi\"\"\""},
      {"", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    hp_buf b;
    hp_buf_init(&b);
    hp_report_csv_field(&b, cases[i][0]);
    const char *got = b.data ? b.data : "";
    if (strcmp(got, cases[i][1]) != 0)
      fail_msg("CSV field \"%s\": got \"%s\", want \"%s\"", cases[i][0], got,
               cases[i][1]);
    hp_buf_cleanup(&b);
  }
}

static void escape_json_string(void **state) {
  (void)state;
  expect_put(hp_buf_json_str, "a\"b\\c", "\"a\\\"b\\\\c\"");
  expect_put(hp_buf_json_str, "\x1b[2J\n\x7f\xc2\x9b\xe2\x80\xae",
             "\"\\u001b[2J\\u000a\\u007f\\u009b\\u202e\"");
  /* JSON text is UTF-8: a stray byte becomes U+FFFD, valid text stays. */
  expect_put(hp_buf_json_str, "x\xffy\xe5\x8d\x8e",
             "\"x\\ufffdy\xe5\x8d\x8e\"");
  /* What it writes reads back as the same string. */
  json_error_t err;
  char *s = put_str(hp_buf_json_str, "=HYPERLINK(\"x\")|\x1b[31m\n");
  json_t *v = json_loads(s, JSON_DECODE_ANY, &err);
  assert_non_null(v);
  assert_string_equal(json_string_value(v), "=HYPERLINK(\"x\")|\x1b[31m\n");
  json_decref(v);
  hp_free(s);
}

static void escape_yaml_string(void **state) {
  (void)state;
  expect_put(hp_buf_yaml_str, "a\"b\\c", "\"a\\\"b\\\\c\"");
  /* C0, DEL and C1 are outside YAML's printable set: escaped, or libyaml
   * would refuse the whole file. */
  expect_put(hp_buf_yaml_str, "\x1b[2J\n\t\r\x7f\xc2\x9b\xc2\x85",
             "\"\\x1b[2J\\n\\t\\r\\x7f\\x9b\\x85\"");
  expect_put(hp_buf_yaml_str, "\xe2\x80\xae\xef\xbf\xbf", "\"\\u202e\\uffff\"");
  expect_put(hp_buf_yaml_str, "x\xffy\xe5\x8d\x8e",
             "\"x\\ufffdy\xe5\x8d\x8e\"");
  expect_put(hp_buf_yaml_str, NULL, "\"\"");
}

static void escape_json_guard(void **state) {
  (void)state;
  hp_buf b;
  hp_buf_init(&b);
  hp_buf_puts(&b, "\x7f");
  size_t from = b.len;
  hp_buf_puts(&b, "{\"a\": \"x\x7fy\xc2\x9bz\xe2\x80\xae\xe5\x8d\x8e\"}");
  assert_int_equal(hp_buf_json_guard(&b, from), HP_OK);
  assert_string_equal(b.data,
                      "\x7f{\"a\": \"x\\u007fy\\u009bz\\u202e\xe5\x8d\x8e\"}");
  json_error_t err;
  json_t *v = json_loads(b.data + from, 0, &err);
  assert_non_null(v);
  assert_string_equal(json_string_value(json_object_get(v, "a")),
                      "x\x7fy\xc2\x9bz\xe2\x80\xae\xe5\x8d\x8e");
  json_decref(v);
  hp_buf_cleanup(&b);
}

/* 1 when s is valid UTF-8 holding no C0 control, DEL or C1 control. */
static int inert_utf8(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    if (*p < 0x20 || *p == 0x7f)
      return 0;
    if (*p < 0x80) {
      p++;
      continue;
    }
    int n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;
    if (n == 0 || *p > 0xf4)
      return 0;
    for (int i = 1; i < n; i++)
      if ((p[i] & 0xc0) != 0x80)
        return 0;
    if (p[0] == 0xc2 && p[1] <= 0x9f)
      return 0;
    p += n;
  }
  return 1;
}

/* Random bytes, mostly the awkward ones: whatever a name holds, the
 * escaped text is inert UTF-8, escaping it again changes nothing, its
 * width is what hp_buf_cell_len says, and the fixed-buffer form is a prefix
 * of it that never overruns. */
static void escape_random_bytes(void **state) {
  (void)state;
  static const unsigned char pool[] = {
      0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1b, 0x7f, 0x80, 0x9b, 0xbf, 0xc0, 0xc2,
      0xe2, 0xe0, 0xf0, 0xf4, 0xf8, 0xff, '|',  '\\', '<',  '[',  '=',  'a'};
  uint64_t x = 0x9e3779b97f4a7c15u;
  for (int round = 0; round < 20000; round++) {
    char in[24];
    size_t n = 0;
    for (; n < sizeof in - 1; n++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      if (x % 11 == 0)
        break;
      in[n] = (char)pool[(x >> 8) % sizeof pool];
      if (in[n] == 0)
        in[n] = 0x1b; /* a C string ends at NUL: names cannot hold one */
    }
    in[n] = '\0';
    for (int md = 0; md < 2; md++) {
      hp_buf b;
      hp_buf_init(&b);
      hp_buf_cell(&b, in, md);
      const char *out = b.data ? b.data : "";
      if (!inert_utf8(out))
        fail_msg("round %d: escaped text is not inert: '%s'", round, out);
      /* One column a character written, two for a wide one (the pool
       * forms some, U+2FC0 for one): exact when all is ASCII. */
      size_t chars = 0, len = hp_buf_cell_len(in, md);
      for (const char *p = out; *p; p++)
        chars += ((unsigned char)*p & 0xc0) != 0x80;
      if (chars == b.len)
        assert_int_equal(len, chars);
      else
        assert_true(len >= chars && len <= 2 * chars);
      if (!md) {
        char *again = put_str(hp_buf_text, out);
        assert_string_equal(again, out);
        hp_free(again);
        char fixed[16];
        memset(fixed, 'Z', sizeof fixed);
        size_t k = hp_buf_text_escape(in, fixed, 12);
        assert_true(k < 12);
        assert_int_equal(fixed[12], 'Z');
        assert_int_equal(strncmp(fixed, out, k), 0);
      }
      hp_buf_cleanup(&b);
    }
  }
}

/* Fails when s holds a byte that would act on a terminal: a C0 control but
 * the newline, DEL, or a C1 control in UTF-8. */
static void no_controls(const char *what, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if ((*p < 0x20 && *p != '\n') || *p == 0x7f ||
        (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
      fail_msg("%s: byte 0x%02x at offset %zu", what, *p,
               (size_t)(p - (const unsigned char *)s));
}

static size_t count_lines(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

/* tests/data/escape: a plan whose names hold an OSC title sequence, a
 * colour sequence, a newline, '|' and a formula, on a device whose vendor
 * holds '|', a newline, a clear-screen sequence and C1's CSI; every
 * format of the plan and of the catalog. */
static void escape_every_format(void **state) {
  (void)state;
  hp_diag d;
  hp_catalog *ec = NULL;
  hp_planfile *pf = NULL;
  hp_plan *plan = NULL;
  assert_int_equal(hp_catalog_load(HP_TEST_DATA "/escape/devices", &ec, &d),
                   HP_OK);
  assert_int_equal(
      hp_planfile_load(HP_TEST_DATA "/escape/evil.yaml", ec, &pf, &d), HP_OK);
  assert_int_equal(hp_plan_solve(pf, ec, &plan, &d), HP_OK);
  static const char *const fmt_names[] = {"table", "json", "csv", "md"};
  /* What each format must hold: the names as visible escapes, the formula
   * made inert, the table cell's '|' escaped. */
  static const char *const want[][2] = {
      {"evil\\x1b]0;pwned\\x07plan / =HYPERLINK(\"x\")|\\x1b[31mred\\nline: "
       "optimal\n",
       "  Ev|l\\nVendor\\x1b[2J\\u009b  no "},
      {"\"name\": \"=HYPERLINK(\\\"x\\\")|\\u001B[31mred\\nline\"",
       "\"vendor\": \"Ev|l\\nVendor\\u001B[2J\\u009b\""},
      {"evil\\x1b]0;pwned\\x07plan,\"'=HYPERLINK(\"\"x\"\")|\\x1b[31mred\\nline"
       "\",optimal,device,evil-v,Ev|l\\nVendor\\x1b[2J\\u009b,false,80,",
       "\n"},
      {"\n## =HYPERLINK(\"x\")\\|\\x1b\\[31mred\\nline (optimal)\n",
       "| Ev\\|l\\nVendor\\x1b\\[2J\\u009b | no "},
  };
  for (int f = 0; f < 4; f++) {
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(hp_report_render(plan, (hp_format)f, &out, &len, &d),
                     HP_OK);
    no_controls(fmt_names[f], out);
    for (int k = 0; k < 2; k++)
      if (!strstr(out, want[f][k]))
        fail_msg("%s lacks '%s':\n%s", fmt_names[f], want[f][k], out);
    if (f == HP_FORMAT_CSV) /* a header and 3 rows a scenario, one line each */
      assert_int_equal(count_lines(out), 7);
    if (f == HP_FORMAT_JSON) {
      json_error_t err;
      json_t *root = json_loads(out, 0, &err);
      assert_non_null(root);
      json_t *s = json_array_get(json_object_get(root, "scenarios"), 0);
      assert_string_equal(json_string_value(json_object_get(s, "name")),
                          "=HYPERLINK(\"x\")|\x1b[31mred\nline");
      assert_string_equal(
          json_string_value(json_object_get(
              json_array_get(json_object_get(s, "vendors"), 0), "vendor")),
          "Ev|l\nVendor\x1b[2J\xc2\x9b");
      json_decref(root);
    }
    hp_free(out);
    assert_int_equal(hp_catalog_render(ec, (hp_format)f, &out, &len, &d),
                     HP_OK);
    no_controls(fmt_names[f], out);
    if (f == HP_FORMAT_CSV && !strstr(out, ",'@SUM(1+1)\\tcard,"))
      fail_msg("catalog csv: the card name is not made inert:\n%s", out);
    hp_free(out);
  }
  hp_plan_free(plan);
  hp_planfile_free(pf);
  hp_catalog_free(ec);
}

/* Numbers people read carry no exponent at any magnitude the inputs allow,
 * and keep their value to the digits shown. */
static void numbers_for_people(void **state) {
  (void)state;
  char b[128];
  assert_string_equal(hp_fmt_sig(4e12, 6, b, sizeof b), "4,000,000,000,000");
  assert_string_equal(hp_fmt_sig(6.666666666e12, 6, b, sizeof b),
                      "6,666,670,000,000");
  assert_string_equal(hp_fmt_sig(0.000123456, 3, b, sizeof b), "0.000123");
  assert_string_equal(hp_fmt_sig(12.5, 4, b, sizeof b), "12.5");
  assert_string_equal(hp_fmt_sig(-2.5e-7, 2, b, sizeof b), "-0.00000025");
  assert_string_equal(hp_fmt_sig(7.338, 4, b, sizeof b), "7.338");
  assert_string_equal(hp_fmt_sig(999999.7, 6, b, sizeof b), "1,000,000");
  assert_string_equal(hp_fmt_count(6666666666666.67, b, sizeof b),
                      "6,666,666,666,667");
  assert_string_equal(hp_fmt_count(86400, b, sizeof b), "86,400");
  assert_string_equal(hp_fmt_count(2.5, b, sizeof b), "2.5");
  assert_string_equal(hp_fmt_si(3.20988e19, 4, "FLOP/s", b, sizeof b),
                      "32.1 EFLOP/s");
  assert_string_equal(hp_fmt_si(1.01852e18, 4, "FLOP/s", b, sizeof b),
                      "1.019 EFLOP/s");
  assert_string_equal(hp_fmt_si(312, 3, "FLOP", b, sizeof b), "312 FLOP");
  assert_string_equal(hp_fmt_si(999960, 4, "FLOP", b, sizeof b), "1 MFLOP");
  assert_string_equal(hp_fmt_grouped(1.5e18, 0, b, sizeof b),
                      "1,500,000,000,000,000,000");
  /* every decade the limits accept: digits only, and the value kept */
  for (int e = -12; e < 29; e++)
    for (int k = 1; k <= 9; k += 4) {
      double v = k * 1.2345678 * pow(10, e);
      hp_fmt_sig(v, 6, b, sizeof b);
      assert_null(strpbrk(b, "eE"));
      char raw[128];
      size_t o = 0;
      for (const char *p = b; *p; p++)
        if (*p != ',')
          raw[o++] = *p;
      raw[o] = '\0';
      double back = strtod(raw, NULL);
      assert_true(fabs(back - v) <= 1e-5 * fabs(v));
    }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table_values),
      cmocka_unit_test(test_md_values),
      cmocka_unit_test(test_margin),
      cmocka_unit_test(test_csv_values),
      cmocka_unit_test(test_json_values),
      cmocka_unit_test(escape_text_controls),
      cmocka_unit_test(escape_markdown),
      cmocka_unit_test(escape_cell_columns),
      cmocka_unit_test(escape_fixed_buffer),
      cmocka_unit_test(escape_guard),
      cmocka_unit_test(escape_csv_field),
      cmocka_unit_test(escape_json_string),
      cmocka_unit_test(escape_yaml_string),
      cmocka_unit_test(escape_json_guard),
      cmocka_unit_test(escape_random_bytes),
      cmocka_unit_test(escape_every_format),
      cmocka_unit_test(numbers_for_people),
      cmocka_unit_test(doc_sheets_own_headers),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
