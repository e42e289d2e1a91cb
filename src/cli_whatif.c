/* cli_whatif.c - `hetplan batch`, `hetplan sweep` and `hetplan montecarlo`.
 *
 * A thin client of whatif.h and chart.h: parses arguments, reads the plan,
 * runs the engine, renders, and writes the report (stdout or -o FILE) and
 * the chart (--chart FILE) only once both are complete, each atomically,
 * the chart first (emit() says why).
 * Diagnostics go to stderr as "hetplan: file:line:col: message".
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "chart.h"
#include "cli.h"
#include "fileio.h"
#include "hetplan.h"
#include "whatif.h"
#include "yamlx.h"

static int usage_error(const char *cmd, const char *fmt, const char *arg) {
  fprintf(stderr, "hetplan: %s: ", cmd);
  fprintf(stderr, fmt, arg ? arg : "");
  fprintf(stderr, "\n(run `hetplan %s --help` for usage)\n", cmd);
  return HP_EXIT_USAGE;
}

/* Exit code of an input-side status. */
static int exit_of(int status) {
  switch (status) {
  case HP_ENOMEM:
  case HP_ESOLVER:
    return HP_EXIT_SOLVER;
  case HP_EINFEASIBLE:
    return HP_EXIT_INFEASIBLE;
  default:
    return HP_EXIT_INPUT;
  }
}

/* "Worst wins" for batch: ok < infeasible < bad input < solver error. */
static int worse(int a, int b) {
  static const int rank[8] = {0, 0, 0, 2, 1, 3, 0, 0};
  int ra = a >= 0 && a < 8 ? rank[a] : 3, rb = b >= 0 && b < 8 ? rank[b] : 3;
  return rb > ra ? b : a;
}

typedef struct opts {
  const char *catalog;
  const char *out;
  const char *chart;
  const char *scenario;
  hp_format format;
  int format_given; /* else -o FILE's extension decides */
  unsigned threads;
  size_t samples;
  uint64_t seed;
  int help;
  int quiet;
  const char *vary[HP_WI_MAX_KEYS];
  size_t n_vary;
} opts;

enum {
  OPT_CATALOG = 1000,
  OPT_FORMAT,
  OPT_CHART,
  OPT_SCENARIO,
  OPT_THREADS,
  OPT_VARY,
  OPT_SAMPLES,
  OPT_SEED,
  OPT_QUIET
};

static const struct option long_opts[] = {
    {"catalog", required_argument, NULL, OPT_CATALOG},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"chart", required_argument, NULL, OPT_CHART},
    {"scenario", required_argument, NULL, OPT_SCENARIO},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"vary", required_argument, NULL, OPT_VARY},
    {"samples", required_argument, NULL, OPT_SAMPLES},
    {"seed", required_argument, NULL, OPT_SEED},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* The usage error for an option given last, without its value. */
static int missing_value(const char *cmd, const char *opt, int which) {
  const char *what;
  switch (which) {
  case OPT_CATALOG:
    what = "a directory";
    break;
  case OPT_FORMAT:
    what = "table, json, csv, md, xlsx or html";
    break;
  case 'o':
    what = "a FILE name";
    break;
  case OPT_CHART:
    what = "FILE.png or FILE.svg";
    break;
  case OPT_SCENARIO:
    what = "a scenario NAME";
    break;
  case OPT_THREADS:
    what = "1 to 64";
    break;
  case OPT_VARY:
    what = "KEY=START:STOP:STEP";
    break;
  case OPT_SAMPLES:
    what = "1 to 1000000";
    break;
  case OPT_SEED:
    what = "a whole number >= 0";
    break;
  default:
    what = "see --help";
    break;
  }
  fprintf(stderr,
          "hetplan: %s: option '%s' needs a value (%s)\n"
          "(run `hetplan %s --help` for usage)\n",
          cmd, opt, what, cmd);
  return HP_EXIT_USAGE;
}

/* Parses a whole non-negative integer, digits only (no sign, no blank,
 * which strtoull would skip); 1 on success. */
static int parse_count(const char *s, uint64_t max, uint64_t *out) {
  if (!s || !isdigit((unsigned char)*s))
    return 0;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (*end || errno || v > max)
    return 0;
  *out = v;
  return 1;
}

/* Parses the options of `cmd` (the ones in `allowed`, a string of the
 * OPT_* letters below); returns -1 to go on, or an exit code. */
static int parse_opts(const char *cmd, int argc, char **argv, opts *o) {
  int c;
  uint64_t v;
  optind = 1;
  opterr = 0;
  o->samples = 1000;
  o->seed = 1;
  /* The leading ':' makes a missing value come back as ':', not '?'. */
  while ((c = getopt_long(argc, argv, ":o:h", long_opts, NULL)) != -1) {
    switch (c) {
    case OPT_CATALOG:
      o->catalog = optarg;
      break;
    case OPT_FORMAT:
      if (hp_format_parse(optarg, &o->format) != HP_OK)
        return usage_error(cmd,
                           "--format: expected table, json, csv, md, xlsx or "
                           "html, got '%s'",
                           optarg);
      o->format_given = 1;
      break;
    case 'o':
      if (!*optarg)
        return usage_error(cmd, "-o: expected a FILE name, got ''%s", "");
      o->out = optarg;
      break;
    case OPT_CHART:
      o->chart = optarg;
      break;
    case OPT_SCENARIO:
      o->scenario = optarg;
      break;
    case OPT_THREADS:
      if (!parse_count(optarg, HP_WI_MAX_THREADS, &v) || v == 0)
        return usage_error(cmd, "--threads: expected 1 to 64, got '%s'",
                           optarg);
      o->threads = (unsigned)v;
      break;
    case OPT_VARY:
      if (strcmp(cmd, "sweep") != 0)
        return usage_error(cmd, "--vary is an option of `sweep`%s", "");
      if (o->n_vary == HP_WI_MAX_KEYS)
        return usage_error(cmd, "more --vary keys than the limit of 8 (%s)",
                           "HP_WI_MAX_KEYS");
      o->vary[o->n_vary++] = optarg;
      break;
    case OPT_SAMPLES:
      if (!parse_count(optarg, HP_WI_MAX_POINTS, &v) || v == 0)
        return usage_error(cmd,
                           "--samples: expected 1 to 1000000 "
                           "(HP_WI_MAX_POINTS), got '%s'",
                           optarg);
      o->samples = (size_t)v;
      break;
    case OPT_SEED:
      if (!parse_count(optarg, UINT64_MAX, &v))
        return usage_error(cmd,
                           "--seed: expected a whole number >= 0, got "
                           "'%s'",
                           optarg);
      o->seed = v;
      break;
    case OPT_QUIET:
      o->quiet = 1;
      break;
    case 'h':
      o->help = 1;
      break;
    case ':':
      return missing_value(cmd, argv[optind - 1], optopt);
    default:
      return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
    }
  }
  int rc = hp_cli_output_format(cmd, o->out, o->format_given, &o->format);
  return rc ? rc : -1;
}

static int load_catalog(const opts *o, hp_catalog **cat) {
  hp_diag d;
  hp_diag_clear(&d);
  if (hp_catalog_load(o->catalog ? o->catalog : hp_cli_default_catalog(), cat,
                      &d) != HP_OK) {
    hp_cli_print_diag(&d);
    return HP_EXIT_INPUT;
  }
  return HP_EXIT_OK;
}

/* Rejects -o and --chart naming one file (the chart would silently replace
 * the report); called before any work. */
static int check_outputs(const char *cmd, const opts *o) {
  if (o->out && o->chart && hp_cli_same_output(o->out, o->chart))
    return usage_error(cmd, "-o and --chart name the same file '%s'", o->out);
  return -1;
}

/* Writes the report and the chart, both complete in memory already, so
 * that a failure leaves no output file created or changed in the common
 * cases:
 *  1. with both -o and --chart, both targets are checked first (directory
 *     there and writable, not a directory, not a dangling link);
 *  2. the chart is written next: the report may go to stdout, which cannot
 *     be taken back, so it is not printed when the chart fails;
 *  3. the report last. Should it still fail (a full disk), a chart that
 *     did not exist before is removed again; one that did stays replaced.
 * Each file is written atomically (hp_write_file_atomic). */
static int emit(const opts *o, const char *text, size_t len, const char *chart,
                size_t chart_len) {
  hp_diag d;
  hp_diag_clear(&d);
  struct stat st;
  int chart_is_new = 0;
  if (chart && o->out) {
    if (hp_cli_check_output(o->chart) != HP_EXIT_OK ||
        hp_cli_check_output(o->out) != HP_EXIT_OK)
      return HP_EXIT_IO;
    chart_is_new = lstat(o->chart, &st) != 0 && errno == ENOENT;
  }
  if (chart && hp_write_file_atomic(o->chart, chart, chart_len, &d) != HP_OK) {
    hp_cli_print_diag(&d);
    return HP_EXIT_IO;
  }
  if (o->out) {
    if (hp_write_file_atomic(o->out, text, len, &d) != HP_OK) {
      hp_cli_print_diag(&d);
      if (chart_is_new)
        unlink(o->chart);
      return HP_EXIT_IO;
    }
  } else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
    fprintf(stderr, "hetplan: cannot write to standard output\n");
    return HP_EXIT_IO;
  }
  return HP_EXIT_OK;
}

/* Where a streamed table goes: the output file, or standard output. */
typedef struct sink {
  hp_out_stream *s; /* -o FILE, or NULL for standard output */
  hp_diag d;
} sink;

static int sink_write(const char *data, size_t len, void *ud) {
  sink *k = ud;
  if (k->s)
    return hp_fileio_stream_write(k->s, data, len, &k->d);
  return fwrite(data, 1, len, stdout) == len ? HP_OK : HP_EIO;
}

/* Writes a spooled table as it is rendered (hp_report_whatif_to): the output
 * never sits whole in memory. A file appears whole or not at all, as with
 * emit. */
static int stream_out(const opts *o, const hp_wi_table *t) {
  sink k = {NULL, {0}};
  hp_diag_clear(&k.d);
  if (o->out && hp_fileio_stream_open(o->out, &k.s, &k.d) != HP_OK) {
    hp_cli_print_diag(&k.d);
    return HP_EXIT_IO;
  }
  int rc = hp_report_whatif_to(t, o->format, sink_write, &k);
  if (!k.s && rc == HP_OK && fflush(stdout) != 0)
    rc = HP_EIO;
  int crc = hp_fileio_stream_close(k.s, rc == HP_OK, &k.d);
  if (rc == HP_ENOMEM) {
    fprintf(stderr, "hetplan: out of memory\n");
    return HP_EXIT_SOLVER;
  }
  if (rc != HP_OK || crc != HP_OK) {
    if (k.s)
      hp_cli_print_diag(&k.d);
    else
      fprintf(stderr, "hetplan: cannot write to standard output\n");
    return HP_EXIT_IO;
  }
  return HP_EXIT_OK;
}

/* A progress bar on stderr, drawn only when stderr is a terminal. */
static void progress_bar(size_t done, size_t total, void *ud) {
  (void)ud;
  int width = 40;
  int fill = total ? (int)((double)done / (double)total * width) : width;
  fprintf(stderr, "\r[%.*s%*s] %3d%% %zu/%zu points", fill,
          "########################################", width - fill, "",
          total ? (int)(100.0 * (double)done / (double)total) : 100, done,
          total);
  if (done >= total)
    fputc('\n', stderr);
  fflush(stderr);
}

/* ----------------------------------------------------------------------------
 * sweep and montecarlo
 * ------------------------------------------------------------------------- */

static const char *const sweep_usage =
    "usage: hetplan sweep PLAN --vary KEY=START:STOP:STEP [--vary ...]\n"
    "                     [--scenario NAME] [--threads N] [--chart FILE.png|"
    "FILE.svg]\n"
    "                     [--catalog DIR] [--format "
    "table|json|csv|md|xlsx|html]\n"
    "                     "
    "[-o FILE]\n"
    "                     [--quiet]\n"
    "KEY is a numeric plan key by its dotted path, e.g.\n"
    "constraints.domestic_share.min, workload.tokens_per_day,\n"
    "overrides.nvidia-h20.price_server_cny, constraints.caps.nvidia-h20.\n"
    "The last --vary varies fastest; at most 1,000,000 rows.\n"
    "--chart needs exactly one --vary KEY: it draws capex against KEY (TCO\n"
    "when capex is the same at every point and TCO is not) for one\n"
    "scenario, the first unless --scenario names one.\n"
    "A progress bar is drawn on stderr when it is a terminal; --quiet hides "
    "it.\n";

static const char *const mc_usage =
    "usage: hetplan montecarlo PLAN [--samples N] [--seed S] [--scenario "
    "NAME]\n"
    "                          [--threads N] [--chart FILE.png|FILE.svg]\n"
    "                          [--catalog DIR] [--format "
    "table|json|csv|md|xlsx|html]\n"
    "                          "
    "[-o FILE]\n"
    "                          [--quiet]\n"
    "The plan's uncertain: block gives a distribution per key path\n"
    "(uniform, normal, triangular, lognormal; see docs/whatif.md).\n"
    "Defaults: 1000 samples, seed 1. Results do not depend on --threads.\n"
    "--chart draws the capex histogram of one scenario, the first unless\n"
    "--scenario names one.\n"
    "A progress bar is drawn on stderr when it is a terminal; --quiet hides "
    "it.\n";

static int run_engine(const char *cmd, int argc, char **argv) {
  int mc = strcmp(cmd, "montecarlo") == 0;
  opts o;
  memset(&o, 0, sizeof o);
  int rc = parse_opts(cmd, argc, argv, &o);
  if (rc >= 0)
    return rc;
  if (o.help) {
    fputs(mc ? mc_usage : sweep_usage, stdout);
    return HP_EXIT_OK;
  }
  if (optind >= argc)
    return usage_error(cmd, "missing the PLAN file%s", "");
  if (optind + 1 < argc)
    return usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
  if (!mc && o.n_vary == 0)
    return usage_error(cmd, "give at least one --vary KEY=START:STOP:STEP%s",
                       "");
  hp_chart_format cf = HP_CHART_PNG;
  hp_diag d;
  hp_diag_clear(&d);
  if (o.chart && hp_chart_format_of(o.chart, &cf, &d) != HP_OK) {
    hp_cli_print_diag(&d);
    return HP_EXIT_USAGE;
  }
  if ((rc = check_outputs(cmd, &o)) >= 0)
    return rc;
  const char *path = argv[optind];
  hp_wi_axis axes[HP_WI_MAX_KEYS];
  size_t n_axes = 0;
  hp_catalog *cat = NULL;
  hp_wi_table *t = NULL;
  hp_planfile *pf = NULL;
  hp_plan *base = NULL;
  char *text = NULL, *chart = NULL, *doc_text = NULL;
  size_t len = 0, chart_len = 0, doc_len = 0;
  hp_buf b;
  hp_buf_init(&b);
  for (size_t i = 0; i < o.n_vary; i++) {
    if (hp_wi_axis_parse(o.vary[i], &axes[n_axes], &d) != HP_OK) {
      hp_cli_print_diag(&d);
      rc = HP_EXIT_USAGE;
      goto out;
    }
    n_axes++;
  }
  if (!mc && o.chart && n_axes != 1) {
    char given[24];
    snprintf(given, sizeof given, "%zu", n_axes);
    rc = usage_error(cmd,
                     "--chart needs exactly one --vary key (%s given): it "
                     "draws capex against that key",
                     given);
    goto out;
  }
  if ((rc = load_catalog(&o, &cat)) != HP_EXIT_OK)
    goto out;
  if (hp_yaml_read_file(path, HP_YAML_MAX_BYTES, &text, &len, &d) != HP_OK) {
    hp_cli_print_diag(&d);
    rc = HP_EXIT_INPUT;
    goto out;
  }
  /* Keys that change nothing are warned of before a long run, not after
   * it (a plan that does not parse is reported by the run itself). */
  hp_diag pd;
  if (hp_planfile_parse(text, len, path, cat, &pf, &pd) == HP_OK) {
    hp_cli_warn_unused(pf);
    hp_cli_warn_market(pf);
    hp_cli_periods_warn(pf, mc ? "montecarlo" : "sweep");
  }
  /* Without a chart (which draws every row), a workbook or a page (which
   * read the rows back), rows stream through a temporary file: memory does
   * not grow with the run. */
  hp_wi_opts wo = {o.threads, o.scenario, NULL, NULL,
                   o.chart == NULL && o.format != HP_FORMAT_XLSX &&
                       o.format != HP_FORMAT_HTML};
  if (!o.quiet && isatty(STDERR_FILENO))
    wo.progress = progress_bar;
  /* The run binds copies of the plan loaded here (no file is read
   * again); one that does not load is loaded by the run, which says why. */
  int st =
      mc   ? pf ? hp_wi_montecarlo_plan(pf, cat, o.samples, o.seed, &wo, &t, &d)
                : hp_wi_montecarlo(text, len, path, cat, o.samples, o.seed, &wo,
                                   &t, &d)
        : pf ? hp_wi_sweep_plan(pf, cat, axes, n_axes, &wo, &t, &d)
           : hp_wi_sweep(text, len, path, cat, axes, n_axes, &wo, &t, &d);
  if (st != HP_OK) {
    hp_cli_print_diag(&d);
    /* A bad --vary key, an unknown --scenario or too many points is a
     * command-line error (no line to point at); a limit or a missing
     * file inside the plan is bad input, as for plan and batch. */
    rc = st == HP_ENOMEM              ? HP_EXIT_SOLVER
         : st == HP_EIO && !d.file[0] ? HP_EXIT_IO /* the row spool */
         : st == HP_ELIMIT ? (d.file[0] ? HP_EXIT_INPUT : HP_EXIT_USAGE)
         : d.line == 0 && (!mc || st == HP_ENOTFOUND) ? HP_EXIT_USAGE
                                                      : exit_of(st);
    goto out;
  }
  if (o.format == HP_FORMAT_XLSX || o.format == HP_FORMAT_HTML) {
    /* The workbook and the page also show the plan as written (its SKUs,
     * classes, inputs and card sources), solved once. */
    hp_diag bd;
    hp_diag_clear(&bd);
    if (pf && hp_plan_solve(pf, cat, &base, &bd) != HP_OK)
      base = NULL;
    hp_doc_plan dp = {path, pf, base, NULL};
    hp_doc doc = {cmd, &dp, pf ? 1 : 0, t, cat};
    if ((rc = hp_cli_render_doc(&doc, o.format, &doc_text, &doc_len)) !=
        HP_EXIT_OK)
      goto out;
  } else if (t->spool && !o.chart) {
    rc = stream_out(&o, t);
    goto done;
  } else if (hp_report_whatif(t, o.format, &b) != HP_OK) {
    fprintf(stderr, "hetplan: out of memory\n");
    rc = HP_EXIT_SOLVER;
    goto out;
  }
  if (o.chart) {
    int cr = mc ? hp_chart_montecarlo(t, 0, cf, &chart, &chart_len, &d)
                : hp_chart_sweep(t, 0, cf, &chart, &chart_len, &d);
    if (cr != HP_OK) {
      hp_cli_print_diag(&d);
      rc = cr == HP_EINVAL ? HP_EXIT_USAGE : HP_EXIT_SOLVER;
      goto out;
    }
  }
  rc = doc_text ? emit(&o, doc_text, doc_len, chart, chart_len)
                : emit(&o, b.data ? b.data : "", b.len, chart, chart_len);
done:;
  /* The chart draws one scenario; its subtitle says which, and so does
   * this note, since the table shows them all. */
  char v1[1024], v2[4 * HP_DIAG_MSG_MAX];
  if (rc == HP_EXIT_OK && o.chart && t->n_scenarios > 1)
    fprintf(stderr,
            "hetplan: %s: the chart shows scenario '%s' only (1 of %zu); "
            "--scenario NAME picks another\n",
            cmd, hp_cli_vis(t->scenarios[0], v1, sizeof v1), t->n_scenarios);
  if (rc == HP_EXIT_OK && t->n_error) {
    fprintf(stderr,
            "hetplan: %s: %zu of %zu rows could not be solved; the "
            "first: %s\n",
            hp_cli_vis(path, v1, sizeof v1), t->n_error, t->n_rows,
            hp_cli_vis(t->first_error ? t->first_error : "(no message)", v2,
                       sizeof v2));
    rc = t->n_error_solver ? HP_EXIT_SOLVER : HP_EXIT_INPUT;
  }
out:
  for (size_t i = 0; i < n_axes; i++)
    hp_wi_axis_cleanup(&axes[i]);
  hp_buf_cleanup(&b);
  hp_free(chart);
  hp_free(doc_text);
  hp_plan_free(base);
  hp_planfile_free(pf);
  if (o.chart || o.format == HP_FORMAT_HTML) /* the page draws one too */
    hp_chart_shutdown();
  hp_wi_table_free(t);
  hp_free(text);
  hp_catalog_free(cat);
  return rc;
}

int hp_cli_whatif_sweep(int argc, char **argv) {
  return run_engine("sweep", argc, argv);
}

int hp_cli_whatif_montecarlo(int argc, char **argv) {
  return run_engine("montecarlo", argc, argv);
}

/* ----------------------------------------------------------------------------
 * batch
 * ------------------------------------------------------------------------- */

static const char *const batch_usage =
    "usage: hetplan batch PLAN... [--chart FILE.png|FILE.svg] [--catalog "
    "DIR]\n"
    "                    [--format table|json|csv|md|xlsx|html] [-o FILE]\n"
    "Solves every scenario of every plan into one summary. A plan that does\n"
    "not load, or a scenario that cannot be met, is reported and the rest\n"
    "go on; the exit code is the worst outcome (4 infeasible < 3 bad input\n"
    "< 5 solver error).\n";

/* What batch does as each plan finishes: prints its unused keys, why it
 * did not load and each scenario that was not solved, keeps the worst
 * outcome so far, and, when streaming, writes the plan's rows. */
typedef struct batch_ctx {
  int worst;            /* the exit code so far */
  hp_wi_batch_out *out; /* the summary written as plans finish, or NULL */
} batch_ctx;

static int batch_done(const hp_batch_item *it, void *ud) {
  batch_ctx *bc = ud;
  if (it->pf) {
    hp_cli_warn_unused(it->pf);
    hp_cli_periods_warn(it->pf, "batch");
  }
  if (!it->plan) {
    hp_cli_print_diag(&it->diag);
    bc->worst = worse(bc->worst, exit_of(it->status));
  }
  for (size_t j = 0; it->plan && j < hp_plan_count(it->plan); j++) {
    const hp_scenario_result *r = hp_plan_at(it->plan, j);
    hp_cli_warn_unproven(it->path, r);
    if (r->status == HP_RESULT_OPTIMAL)
      continue;
    bc->worst =
        worse(bc->worst, r->status == HP_RESULT_INFEASIBLE ? HP_EXIT_INFEASIBLE
                                                           : HP_EXIT_SOLVER);
    char v1[1024], v2[1024], v3[4096];
    fprintf(stderr, "hetplan: %s: scenario '%s' is %s: %s\n",
            hp_cli_vis(it->path, v1, sizeof v1),
            hp_cli_vis(r->name, v2, sizeof v2),
            r->status == HP_RESULT_INFEASIBLE ? "infeasible" : "an error",
            hp_cli_vis(r->explanation ? r->explanation : "", v3, sizeof v3));
  }
  if (!bc->out)
    return HP_OK;
  hp_wi_batch_entry e = {it->path, it->plan, &it->diag, it->status};
  return hp_report_whatif_batch_out_add(bc->out, &e);
}

/* The summary written as each plan finishes (no chart, workbook or page,
 * which draw on every plan): memory holds one plan at a time. A file
 * appears whole or not at all, as with emit. */
static int batch_stream(const opts *o, const char *const *paths, size_t n,
                        const hp_catalog *cat) {
  sink k = {NULL, {0}};
  hp_diag_clear(&k.d);
  if (o->out && hp_fileio_stream_open(o->out, &k.s, &k.d) != HP_OK) {
    hp_cli_print_diag(&k.d);
    return HP_EXIT_IO;
  }
  batch_ctx bc = {HP_EXIT_OK, NULL};
  hp_batch_item *items = NULL;
  int rc = hp_report_whatif_batch_out_new(o->format, sink_write, &k, &bc.out);
  if (rc == HP_OK)
    rc = hp_batch_run(paths, n, cat, 0, batch_done, &bc, &items);
  if (rc == HP_OK)
    rc = hp_report_whatif_batch_out_finish(bc.out);
  if (!k.s && rc == HP_OK && fflush(stdout) != 0)
    rc = HP_EIO;
  int crc = hp_fileio_stream_close(k.s, rc == HP_OK, &k.d);
  hp_report_whatif_batch_out_free(bc.out);
  hp_batch_free(items, n);
  if (rc == HP_ENOMEM) {
    fprintf(stderr, "hetplan: out of memory\n");
    return HP_EXIT_SOLVER;
  }
  if (rc != HP_OK || crc != HP_OK) {
    if (k.s && k.d.msg[0])
      hp_cli_print_diag(&k.d);
    else
      fprintf(stderr, "hetplan: cannot write %s\n",
              k.s ? "the output" : "to standard output");
    return HP_EXIT_IO;
  }
  return bc.worst;
}

int hp_cli_whatif_batch(int argc, char **argv) {
  opts o;
  memset(&o, 0, sizeof o);
  int rc = parse_opts("batch", argc, argv, &o);
  if (rc >= 0)
    return rc;
  if (o.help) {
    fputs(batch_usage, stdout);
    return HP_EXIT_OK;
  }
  if (optind >= argc)
    return usage_error("batch", "missing the PLAN files%s", "");
  if (o.scenario || o.threads)
    return usage_error("batch",
                       "--scenario and --threads are options of "
                       "sweep and montecarlo%s",
                       "");
  hp_chart_format cf = HP_CHART_PNG;
  hp_diag cd;
  hp_diag_clear(&cd);
  if (o.chart && hp_chart_format_of(o.chart, &cf, &cd) != HP_OK) {
    hp_cli_print_diag(&cd);
    return HP_EXIT_USAGE;
  }
  if ((rc = check_outputs("batch", &o)) >= 0)
    return rc;
  hp_catalog *cat = NULL;
  if ((rc = load_catalog(&o, &cat)) != HP_EXIT_OK)
    return rc;
  size_t n = (size_t)(argc - optind);
  const char *const *paths = (const char *const *)argv + optind;
  if (!o.chart && o.format != HP_FORMAT_XLSX && o.format != HP_FORMAT_HTML) {
    rc = batch_stream(&o, paths, n, cat);
    hp_catalog_free(cat);
    return rc;
  }
  hp_batch_item *items = NULL;
  hp_wi_batch_entry *e = calloc(n, sizeof *e);
  hp_doc_plan *dp = calloc(n, sizeof *dp);
  char *chart = NULL, *text = NULL;
  size_t chart_len = 0, len = 0;
  hp_buf b;
  hp_buf_init(&b);
  batch_ctx bc = {HP_EXIT_OK, NULL};
  if (!e || !dp ||
      hp_batch_run(paths, n, cat, 1, batch_done, &bc, &items) != HP_OK) {
    fprintf(stderr, "hetplan: out of memory\n");
    rc = HP_EXIT_SOLVER;
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    e[i] = (hp_wi_batch_entry){items[i].path, items[i].plan, &items[i].diag,
                               items[i].status};
    dp[i] = (hp_doc_plan){items[i].path, items[i].pf, items[i].plan,
                          &items[i].diag};
  }
  if (o.format == HP_FORMAT_XLSX || o.format == HP_FORMAT_HTML) {
    hp_doc doc = {"batch", dp, n, NULL, cat};
    if ((rc = hp_cli_render_doc(&doc, o.format, &text, &len)) != HP_EXIT_OK)
      goto out;
  } else if (hp_report_whatif_batch(e, n, o.format, &b) != HP_OK) {
    fprintf(stderr, "hetplan: out of memory\n");
    rc = HP_EXIT_SOLVER;
    goto out;
  }
  if (o.chart && hp_chart_batch(e, n, cf, &chart, &chart_len, &cd) != HP_OK) {
    hp_cli_print_diag(&cd);
    rc = HP_EXIT_SOLVER;
    goto out;
  }
  rc = text ? emit(&o, text, len, chart, chart_len)
            : emit(&o, b.data ? b.data : "", b.len, chart, chart_len);
  if (rc == HP_EXIT_OK)
    rc = bc.worst;
out:
  hp_buf_cleanup(&b);
  hp_free(chart);
  hp_free(text);
  if (o.chart || o.format == HP_FORMAT_HTML) /* the page draws one too */
    hp_chart_shutdown();
  hp_batch_free(items, n);
  free(dp);
  free(e);
  hp_catalog_free(cat);
  return rc;
}
