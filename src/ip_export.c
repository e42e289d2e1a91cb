/* ip_export.c - an hp_ip written as a CPLEX LP file, for another solver
 * (glpsol --lp, cbc, HiGHS, SCIP, CPLEX, Gurobi) or a person to read.
 *
 * The text is built in memory and written through hp_write_file_atomic, so
 * a failed export leaves no half file. Names follow the LP rules that all
 * those readers share: at most 255 characters of letters, digits, '_' and
 * '.', not starting with a digit, '.' or 'e'/'E' (read as an exponent),
 * not a section keyword.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mem.h"
#include "solver_cbc.h"
#include "status.h"

/* Longest name written, under LP's 255 so that a _NNN suffix fits. */
#define NAME_MAX_LEN 240
/* Terms per line: CPLEX reads lines of up to 560 characters. */
#define TERMS_PER_LINE 4

/* CPLEX allows more punctuation (!"#$%&()/,;?@`'{}|~), but CBC's reader
 * drops every name of a file with a '/' or '|' in one: letters, digits, '_'
 * and '.' read the same everywhere. */
static int lp_char_ok(int c) { return isalnum(c) || c == '_' || c == '.'; }

/* Words an LP reader takes as a section or a bound keyword. */
static int lp_keyword(const char *s) {
  static const char *const kw[] = {
      "minimize", "minimise", "minimum", "min",     "maximize",
      "maximise", "maximum",  "max",     "subject", "such",
      "st",       "s.t.",     "st.",     "bounds",  "bound",
      "general",  "generals", "gen",     "integer", "integers",
      "binary",   "binaries", "bin",     "end",     "free",
      "inf",      "infinity", "semi",    "semis",   "semi-continuous",
      "sos",      "to",       "that"};
  for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
    if (strcasecmp(s, kw[i]) == 0)
      return 1;
  return 0;
}

/* Writes name as an LP name into out (NAME_MAX_LEN + 1 bytes); fallback
 * (e.g. "x12") when name is NULL or empty. */
static void lp_name(const char *name, const char *fallback, char *out) {
  if (!name || !*name)
    name = fallback;
  size_t k = 0;
  if (isdigit((unsigned char)name[0]) || name[0] == '.' || name[0] == 'e' ||
      name[0] == 'E' || lp_keyword(name))
    out[k++] = '_';
  for (const char *p = name; *p && k < NAME_MAX_LEN; p++)
    out[k++] = lp_char_ok((unsigned char)*p) ? *p : '_';
  out[k] = 0;
}

/* Names made unique: a name seen before gets _2, _3, ... (a linear scan:
 * programs have hundreds of names, not millions). */
typedef struct names {
  char (*v)[NAME_MAX_LEN + 16];
  size_t n;
} names;

static int seen(const names *ns, const char *s) {
  for (size_t i = 0; i < ns->n; i++)
    if (strcmp(ns->v[i], s) == 0)
      return 1;
  return 0;
}

static void add_name(names *ns, const char *base) {
  char *dst = ns->v[ns->n];
  snprintf(dst, sizeof ns->v[0], "%s", base);
  for (unsigned k = 2; seen(ns, dst); k++)
    snprintf(dst, sizeof ns->v[0], "%s_%u", base, k);
  ns->n++;
}

/* A number at 17 significant digits: the reader gets the same double. */
static void put_num(hp_buf *b, double v) {
  char s[40];
  snprintf(s, sizeof s, "%.17g", v);
  hp_buf_puts(b, s);
}

/* " + 3 x1 - 2 x2" over the nonzero coefficients, wrapped. */
static void put_expr(hp_buf *b, const double *a, size_t n, const names *cols) {
  size_t terms = 0;
  for (size_t j = 0; j < n; j++) {
    if (a[j] == 0.0)
      continue;
    if (terms && terms % TERMS_PER_LINE == 0)
      hp_buf_puts(b, "\n  ");
    hp_buf_puts(b, a[j] < 0 ? " - " : " + ");
    put_num(b, fabs(a[j]));
    hp_buf_putc(b, ' ');
    hp_buf_puts(b, cols->v[j]);
    terms++;
  }
  /* An empty expression: LP wants a term, and 0 x1 is one. */
  if (!terms && n) {
    hp_buf_puts(b, " 0 ");
    hp_buf_puts(b, cols->v[0]);
  }
}

static int ranged(const hp_ip_row *r) {
  return r->lo > -HUGE_VAL && r->hi < HUGE_VAL && r->lo != r->hi;
}

int hp_ip_export_format_lp(const hp_ip *ip, const char *const *col_names,
                           char **out, size_t *len, hp_diag *d) {
  size_t n = ip->n_cols, m = ip->n_rows;
  if (n == 0)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "an integer program without columns has no LP form");
  names cols = {hp_malloc((n ? n : 1) * sizeof *cols.v), 0};
  /* the objective's and the filler row's names, then one per row, two
   * per ranged row */
  names rows = {hp_malloc((2 * m + 2) * sizeof *rows.v), 0};
  size_t *first = hp_malloc((m ? m : 1) * sizeof *first);
  hp_buf b;
  hp_buf_init(&b);
  if (!cols.v || !rows.v || !first) {
    hp_free(cols.v);
    hp_free(rows.v);
    hp_free(first);
    return hp_diag_oom(d);
  }
  char nm[NAME_MAX_LEN + 1], fb[32];
  for (size_t j = 0; j < n; j++) {
    snprintf(fb, sizeof fb, "x%zu", j + 1);
    lp_name(col_names ? col_names[j] : NULL, fb, nm);
    add_name(&cols, nm);
  }
  add_name(&rows, "obj");
  add_name(&rows, "no_rows"); /* the filler row of a program without any */
  for (size_t i = 0; i < m; i++) {
    snprintf(fb, sizeof fb, "r%zu", i + 1);
    lp_name(ip->rows[i].name, fb, nm);
    first[i] = rows.n;
    if (ranged(&ip->rows[i])) {
      /* A ranged row as two, name_lo and name_hi: glpsol reads no
       * double inequality, and CBC misreads one. */
      char two[NAME_MAX_LEN + 4];
      snprintf(two, sizeof two, "%s_lo", nm);
      add_name(&rows, two);
      snprintf(two, sizeof two, "%s_hi", nm);
      add_name(&rows, two);
    } else {
      add_name(&rows, nm);
    }
  }

  hp_buf_printf(&b,
                "\\ hetplan integer program: %zu columns, %zu rows "
                "(CPLEX LP format)\n",
                n, m);
  hp_buf_puts(&b, ip->maximize ? "Maximize\n" : "Minimize\n");
  hp_buf_puts(&b, " obj:");
  put_expr(&b, ip->obj, n, &cols);
  hp_buf_puts(&b, "\nSubject To\n");
  size_t written = 0;
  for (size_t i = 0; i < m; i++) {
    const hp_ip_row *r = &ip->rows[i];
    int has_lo = r->lo > -HUGE_VAL, has_hi = r->hi < HUGE_VAL;
    if (!has_lo && !has_hi)
      continue; /* a free row constrains nothing */
    if (ranged(r)) {
      hp_buf_printf(&b, " %s:", rows.v[first[i]]);
      put_expr(&b, r->a, n, &cols);
      hp_buf_puts(&b, " >= "), put_num(&b, r->lo);
      hp_buf_printf(&b, "\n %s:", rows.v[first[i] + 1]);
      put_expr(&b, r->a, n, &cols);
      hp_buf_puts(&b, " <= "), put_num(&b, r->hi);
    } else {
      hp_buf_printf(&b, " %s:", rows.v[first[i]]);
      put_expr(&b, r->a, n, &cols);
      if (has_lo && has_hi)
        hp_buf_puts(&b, " = "), put_num(&b, r->lo);
      else if (has_hi)
        hp_buf_puts(&b, " <= "), put_num(&b, r->hi);
      else
        hp_buf_puts(&b, " >= "), put_num(&b, r->lo);
    }
    hp_buf_putc(&b, '\n');
    written++;
  }
  /* glpsol wants a constraint; one that holds for every x will do. */
  if (!written)
    hp_buf_printf(&b, " %s: 0 %s >= 0\n", rows.v[1], cols.v[0]);
  /* Every column's bounds, the default [0, inf) included: a reader then
   * needs no rule to know them. */
  hp_buf_puts(&b, "Bounds\n");
  for (size_t j = 0; j < n; j++) {
    double lo = ip->lb[j], hi = ip->ub[j];
    int has_lo = lo > -HUGE_VAL, has_hi = hi < HUGE_VAL;
    hp_buf_putc(&b, ' ');
    if (!has_lo && !has_hi) {
      hp_buf_printf(&b, "%s free\n", cols.v[j]);
      continue;
    }
    if (has_lo && has_hi && lo == hi) {
      hp_buf_printf(&b, "%s = ", cols.v[j]);
      put_num(&b, lo);
      hp_buf_putc(&b, '\n');
      continue;
    }
    if (has_lo)
      put_num(&b, lo);
    else
      hp_buf_puts(&b, "-inf");
    hp_buf_printf(&b, " <= %s", cols.v[j]);
    if (has_hi)
      hp_buf_puts(&b, " <= "), put_num(&b, hi);
    hp_buf_putc(&b, '\n');
  }
  size_t n_int = 0;
  for (size_t j = 0; j < n; j++)
    if (ip->is_int[j]) {
      if (n_int++ == 0)
        hp_buf_puts(&b, "General\n");
      hp_buf_printf(&b, " %s\n", cols.v[j]);
    }
  hp_buf_puts(&b, "End\n");
  hp_free(cols.v);
  hp_free(rows.v);
  hp_free(first);
  if (hp_buf_detach(&b, out, len) != HP_OK)
    return hp_diag_oom(d);
  return HP_OK;
}

int hp_ip_export_write_lp(const hp_ip *ip, const char *const *col_names,
                          const char *path, hp_diag *d) {
  char *text;
  size_t len;
  int rc = hp_ip_export_format_lp(ip, col_names, &text, &len, d);
  if (rc != HP_OK)
    return rc;
  rc = hp_write_file_atomic(path, text, len, d);
  hp_free(text);
  return rc;
}
