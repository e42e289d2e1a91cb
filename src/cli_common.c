/* cli_common.c - what every subcommand of the executable shares: where the
 * catalog is found, how a diagnostic is printed, and the checks made before
 * a command writes two output files. Part of the CLI, not of the library. */
#define _GNU_SOURCE /* mallopt; realpath (POSIX.1-2008) */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chart.h"
#include "cli.h"
#include "fileio.h"
#include "numfmt.h"
#include "report.h"

#ifndef HETPLAN_SOURCE_DIR
#define HETPLAN_SOURCE_DIR "."
#endif
#ifndef HETPLAN_DATA_DIR
#define HETPLAN_DATA_DIR "/usr/local/share/hetplan"
#endif

static int is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *hp_cli_default_catalog(void) {
  const char *env = getenv("HETPLAN_CATALOG");
  if (env && *env)
    return env;
  if (is_dir("devices"))
    return "devices";
  if (is_dir(HETPLAN_SOURCE_DIR "/devices"))
    return HETPLAN_SOURCE_DIR "/devices";
  return HETPLAN_DATA_DIR "/devices";
}

void hp_cli_warn_unproven(const char *path, const hp_scenario_result *r) {
  char why[160], p[1024], n[1024];
  for (size_t i = 0; i < r->n_warnings; i++) { /* market (issue 20) */
    char m[2048];
    fprintf(stderr, "hetplan: %s: warning: %s\n", hp_cli_vis(path, p, sizeof p),
            hp_cli_vis(r->warnings[i], m, sizeof m));
  }
  if (r->node_limited && hp_report_result_unproven(r, why, sizeof why))
    fprintf(stderr,
            "hetplan: %s: scenario '%s' is not proven optimal: %s (raise "
            "solver.node_limit to search further)\n",
            hp_cli_vis(path, p, sizeof p), hp_cli_vis(r->name, n, sizeof n),
            why);
}

/* One line of a long solve's progress on stderr, rewritten in place; the
 * line is cleared when the solve ends. */
static void print_progress(const hp_progress *p, void *arg) {
  (void)arg;
  if (p->done) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
    return;
  }
  char nodes[32], best[48] = "none yet", bound[48] = "none yet", gap[32] = "";
  hp_fmt_grouped((double)p->nodes, 0, nodes, sizeof nodes);
  const char *unit = p->maximize ? " tokens/s" : " CNY";
  if (p->has_incumbent) {
    hp_fmt_grouped(p->incumbent, 0, best, sizeof best - 10);
    strcat(best, unit);
  }
  if (p->has_bound) {
    hp_fmt_grouped(p->bound, 0, bound, sizeof bound - 10);
    strcat(bound, unit);
  }
  if (p->has_incumbent && p->has_bound && p->incumbent != 0)
    snprintf(gap, sizeof gap, ", gap %.4f%%",
             100 * fabs(p->incumbent - p->bound) / fabs(p->incumbent));
  fprintf(stderr,
          "\r\033[Khetplan: solving: %s nodes, best %s, bound %s%s, %.0f s",
          nodes, best, bound, gap, p->elapsed_s);
  fflush(stderr);
}

void hp_cli_progress_arm(void) {
  if (!isatty(STDERR_FILENO))
    return;
  /* HETPLAN_PROGRESS_EVERY_S: seconds before the first line and between
   * two (default 1); tests set it low to see the line on a short solve. */
  const char *e = getenv("HETPLAN_PROGRESS_EVERY_S");
  double every = e && *e ? strtod(e, NULL) : 1.0;
  hp_set_progress(print_progress, NULL, every > 0 ? every : 1.0);
}

/* "file:line:col: warning: msg", as compilers say it, for the first cap of
 * n warnings, then how many more such `what` there are. */
static void print_warnings(const hp_diag *w, size_t n, size_t cap,
                           const char *what) {
  for (size_t i = 0; i < n && i < cap; i++) {
    char f[4 * HP_DIAG_FILE_MAX], m[4 * HP_DIAG_MSG_MAX];
    fprintf(stderr, "hetplan: %s:%d:%d: warning: %s\n",
            hp_cli_vis(w[i].file, f, sizeof f), w[i].line, w[i].column,
            hp_cli_vis(w[i].msg, m, sizeof m));
  }
  if (n > cap) {
    char f[4 * HP_DIAG_FILE_MAX];
    fprintf(stderr, "hetplan: %s: warning: %zu more such %s\n",
            hp_cli_vis(w[0].file, f, sizeof f), n - cap, what);
  }
}

void hp_cli_warn_unused(const hp_planfile *pf) {
  hp_diag w[8];
  size_t n = hp_planfile_unused_keys(pf, w, sizeof w / sizeof *w);
  print_warnings(w, n, sizeof w / sizeof *w, "keys");
}

const char *hp_cli_vis(const char *s, char *buf, size_t size) {
  hp_buf_text_escape(s, buf, size);
  return buf;
}

void hp_cli_warn_market(const hp_planfile *pf) {
  hp_diag w[16];
  size_t n = hp_planfile_market_warnings(pf, w, sizeof w / sizeof *w);
  print_warnings(w, n, sizeof w / sizeof *w, "cards");
}

void hp_cli_print_diag(const hp_diag *d) {
  char buf[HP_DIAG_MSG_MAX + HP_DIAG_FILE_MAX + 64];
  char vis[4 * sizeof buf];
  hp_diag_format(d, buf, sizeof buf);
  /* A diagnostic quotes names from the input: a control character in one
   * shows as an escape (buf.h), never acts on the terminal. */
  fprintf(stderr, "hetplan: %s\n", hp_cli_vis(buf, vis, sizeof vis));
}

/* ----------------------------------------------------------------------------
 * Two outputs at once (-o and --chart). realpath allocates with malloc, so
 * everything here is freed with free().
 * ------------------------------------------------------------------------- */

/* The directory part of path ("." when it has none), malloc'd, or NULL. */
static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash)
    return strdup(".");
  size_t n = slash == path ? 1 : (size_t)(slash - path);
  char *dir = malloc(n + 1);
  if (dir) {
    memcpy(dir, path, n);
    dir[n] = '\0';
  }
  return dir;
}

/* The resolved directory of path joined with its base name, malloc'd, or
 * NULL when the directory cannot be resolved. */
static char *resolved_name(const char *path) {
  char *dir = dir_of(path);
  char *real = dir ? realpath(dir, NULL) : NULL;
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  size_t n = real ? strlen(real) + strlen(base) + 2 : 0;
  char *out = real ? malloc(n) : NULL;
  if (out)
    snprintf(out, n, "%s/%s", real, base);
  free(real);
  free(dir);
  return out;
}

int hp_cli_same_output(const char *a, const char *b) {
  struct stat sa, sb;
  int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
  if (ea && eb)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  if (ea || eb)
    return 0;
  char *ra = resolved_name(a), *rb = resolved_name(b);
  int same = ra && rb ? strcmp(ra, rb) == 0 : strcmp(a, b) == 0;
  free(ra);
  free(rb);
  return same;
}

static int cannot_write(const char *path, const char *what, const char *arg) {
  char vis[4096];
  fprintf(stderr, "hetplan: %s: ", hp_cli_vis(path, vis, sizeof vis));
  fprintf(stderr, what, arg);
  fputc('\n', stderr);
  return HP_EXIT_IO;
}

int hp_cli_check_output(const char *path) {
  hp_out_target t;
  hp_diag d;
  hp_diag_clear(&d);
  int rc = HP_EXIT_OK;
  if (hp_fileio_target(path, &t, &d) != HP_OK) {
    hp_cli_print_diag(&d);
    rc = HP_EXIT_IO;
  } else if (t.kind == HP_OUT_FD) {
    if ((fcntl(t.fd, F_GETFL) & O_ACCMODE) == O_RDONLY)
      rc = cannot_write(path,
                        "cannot write: descriptor %s is not open for "
                        "writing",
                        path);
  } else if (t.kind == HP_OUT_THROUGH) {
    /* Written through: it only needs to be writable (opening a FIFO here
     * would wait for a reader). */
    if (faccessat(AT_FDCWD, t.path, W_OK, AT_EACCESS) != 0)
      rc = cannot_write(t.path, "cannot open output: %s", strerror(errno));
  } else {
    /* A new or a regular file: a temporary file is made beside it. */
    char *dir = dir_of(t.path);
    if (dir && faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0)
      rc = cannot_write(t.path, "cannot create output: %s", strerror(errno));
    free(dir);
  }
  hp_fileio_target_cleanup(&t);
  return rc;
}

/* The extensions -o knows; ".txt" is the terminal table. */
static const struct {
  const char *ext;
  hp_format fmt;
} exts[] = {{".json", HP_FORMAT_JSON}, {".csv", HP_FORMAT_CSV},
            {".md", HP_FORMAT_MD},     {".markdown", HP_FORMAT_MD},
            {".txt", HP_FORMAT_TABLE}, {".xlsx", HP_FORMAT_XLSX},
            {".html", HP_FORMAT_HTML}, {".htm", HP_FORMAT_HTML}};

static int is_doc(hp_format f) {
  return f == HP_FORMAT_XLSX || f == HP_FORMAT_HTML;
}

int hp_cli_output_format(const char *cmd, const char *out, int given,
                         hp_format *fmt) {
  const char *slash = out ? strrchr(out, '/') : NULL;
  const char *base = slash ? slash + 1 : out;
  const char *dot = base ? strrchr(base, '.') : NULL;
  /* No extension (a FIFO, /dev/stdout, "report"): --format decides. */
  if (!dot || dot == base || strncmp(out, "/dev/", 5) == 0)
    return 0;
  for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
    if (strcasecmp(dot, exts[i].ext) != 0)
      continue;
    if (!given) {
      *fmt = exts[i].fmt;
      return 0;
    }
    /* A text format written to a .txt is fine; a workbook or a page must
     * be what the name says. */
    if ((is_doc(exts[i].fmt) || is_doc(*fmt)) && exts[i].fmt != *fmt) {
      char v[1024];
      fprintf(stderr,
              "hetplan: %s: -o %s names a %s, but --format asks for "
              "another format\n(run `hetplan --help` for usage)\n",
              cmd, hp_cli_vis(out, v, sizeof v),
              exts[i].fmt == HP_FORMAT_XLSX   ? "workbook (.xlsx)"
              : exts[i].fmt == HP_FORMAT_HTML ? "page (.html)"
                                              : "text file");
      return HP_EXIT_USAGE;
    }
    return 0;
  }
  if (given && !is_doc(*fmt))
    return 0;
  char v[1024], e[64];
  fprintf(stderr,
          "hetplan: %s: -o %s: unknown extension '%s' (expected .txt, "
          ".json, .csv, .md, .xlsx or .html, or give --format)\n(run "
          "`hetplan --help` for usage)\n",
          cmd, hp_cli_vis(out, v, sizeof v), hp_cli_vis(dot, e, sizeof e));
  return HP_EXIT_USAGE;
}

int hp_cli_render_doc(const hp_doc *doc, hp_format fmt, char **out,
                      size_t *len) {
  hp_diag d;
  hp_diag_clear(&d);
  int rc = fmt == HP_FORMAT_XLSX ? hp_report_xlsx(doc, out, len, &d)
                                 : hp_report_html(doc, out, len, &d);
  if (rc != HP_OK) {
    hp_cli_print_diag(&d);
    return rc == HP_EIO ? HP_EXIT_IO : HP_EXIT_SOLVER;
  }
  return HP_EXIT_OK;
}

/* ----------------------------------------------------------------------------
 * Memory limits
 * ------------------------------------------------------------------------- */

/* glibc gives each thread that allocates its own arena, up to 8 per CPU.
 * A new arena first reserves 128 MiB of address space (to align a 64 MiB
 * heap) and keeps 64 MiB; when that reservation fails, under `ulimit -v`
 * (RLIMIT_AS) or `ulimit -d` (RLIMIT_DATA, which counts private mappings
 * since Linux 4.7), malloc does not fall back to an existing arena but
 * serves every request with its own mmap and munmap, retrying the arena
 * each time: a 100,000-point sweep under `ulimit -v 100000` took 197 s
 * instead of 2.9 s. So under a limit the arenas are bounded to what it
 * leaves room for: one per 256 MiB of the limit (half of it for arenas,
 * the rest for thread stacks and data), at least one, the main arena,
 * which all threads then share. */
#define ARENA_BUDGET_BYTES (256.0 * 1024 * 1024)

int hp_cli_bound_arenas(void) {
#ifdef M_ARENA_MAX
  double limit = -1;
  static const int which[] = {RLIMIT_AS, RLIMIT_DATA};
  for (size_t i = 0; i < sizeof which / sizeof which[0]; i++) {
    struct rlimit rl;
    if (getrlimit(which[i], &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (limit < 0 || (double)rl.rlim_cur < limit))
      limit = (double)rl.rlim_cur;
  }
  if (limit < 0)
    return 0;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  double most = 8.0 * (double)(cpus > 0 ? cpus : 1);
  double n = limit / ARENA_BUDGET_BYTES;
  int arenas = n < 1 ? 1 : n > most ? (int)most : (int)n;
  /* The environment's MALLOC_ARENA_MAX, when set, is the user's choice. */
  const char *env = getenv("MALLOC_ARENA_MAX");
  if (env && *env)
    return 0;
  return mallopt(M_ARENA_MAX, arenas) == 1 ? arenas : 0;
#else
  return 0;
#endif
}

/* ----------------------------------------------------------------------------
 * Charts beside a report (plan --chart)
 * ------------------------------------------------------------------------- */

int hp_cli_chart_check(const char *chart, const char *out) {
  hp_chart_format cf;
  hp_diag d;
  hp_diag_clear(&d);
  if (hp_chart_format_of(chart, &cf, &d) != HP_OK) {
    hp_cli_print_diag(&d);
    return HP_EXIT_USAGE;
  }
  if (out && hp_cli_same_output(out, chart)) {
    char v[1024];
    fprintf(stderr,
            "hetplan: -o and --chart name the same file '%s'\n(run "
            "`hetplan --help` for usage)\n",
            hp_cli_vis(out, v, sizeof v));
    return HP_EXIT_USAGE;
  }
  return 0;
}

int hp_cli_plan_chart(const hp_doc_plan *plans, size_t n, const char *path,
                      char **out, size_t *len) {
  hp_chart_format cf = HP_CHART_PNG;
  hp_diag d;
  hp_diag_clear(&d);
  hp_chart_format_of(path, &cf, &d);
  hp_wi_batch_entry *e = calloc(n ? n : 1, sizeof *e);
  if (!e) {
    fprintf(stderr, "hetplan: out of memory\n");
    return HP_EXIT_SOLVER;
  }
  for (size_t i = 0; i < n; i++) {
    e[i].path = plans[i].path;
    e[i].plan = plans[i].plan;
    e[i].diag = plans[i].diag;
    e[i].status = plans[i].plan ? HP_OK : HP_EINVAL;
  }
  int rc = hp_chart_batch(e, n, cf, out, len, &d);
  free(e);
  if (rc != HP_OK) {
    hp_cli_print_diag(&d);
    return rc == HP_ENOTSUP ? HP_EXIT_USAGE : HP_EXIT_SOLVER;
  }
  return HP_EXIT_OK;
}

void hp_cli_chart_done(void) { hp_chart_shutdown(); }

int hp_cli_emit_two(const char *out, const char *text, size_t len,
                    const char *chart_path, const char *chart,
                    size_t chart_len) {
  hp_diag d;
  hp_diag_clear(&d);
  int chart_is_new = 0;
  if (chart && out) {
    struct stat st;
    if (hp_cli_check_output(chart_path) != HP_EXIT_OK ||
        hp_cli_check_output(out) != HP_EXIT_OK)
      return HP_EXIT_IO;
    chart_is_new = lstat(chart_path, &st) != 0 && errno == ENOENT;
  }
  if (chart &&
      hp_write_file_atomic(chart_path, chart, chart_len, &d) != HP_OK) {
    hp_cli_print_diag(&d);
    return HP_EXIT_IO;
  }
  if (out) {
    if (hp_write_file_atomic(out, text, len, &d) != HP_OK) {
      hp_cli_print_diag(&d);
      if (chart_is_new)
        unlink(chart_path);
      return HP_EXIT_IO;
    }
  } else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
    fprintf(stderr, "hetplan: cannot write to standard output\n");
    return HP_EXIT_IO;
  }
  return HP_EXIT_OK;
}
