/* main.c - the hetplan command line: a thin client of the library.
 *
 * It parses arguments (getopt_long from the C library: standard, well
 * known, no dependency), calls the public API, prints diagnostics as
 * "file:line:col: message" on stderr, writes reports to stdout or
 * atomically to -o FILE, and picks the exit code (src/cli.h). Nothing is
 * written to stdout unless the whole report was rendered.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "hetplan.h"

enum { OPT_CATALOG = 1000, OPT_FORMAT };

static const char *const usage_text =
    "usage: hetplan <command> [options]\n"
    "\n"
    "commands:\n"
    "  plan FILE       solve every scenario of a plan file\n"
    "  devices [ID]    the card catalog, or one card with its sources\n"
    "  explain PLAN    how a device's throughput is derived (--device ID)\n"
    "  probe           measure the OpenCL devices of this host\n"
    "  batch PLAN...   every scenario of every plan in one summary\n"
    "  sweep PLAN      a grid over plan keys (--vary KEY=START:STOP:STEP)\n"
    "  montecarlo PLAN percentiles under the plan's uncertain: block\n"
    "\n"
    "common options:\n"
    "  --catalog DIR   device catalog (default: $HETPLAN_CATALOG, ./devices,\n"
    "                  the source tree's devices/, or the installed one)\n"
    "  --format F      table (default), json, csv or md; plan, batch, sweep\n"
    "                  and montecarlo also xlsx (a workbook) and html (one\n"
    "                  self-contained page) (probe: table, json or yaml;\n"
    "                  explain prints its derivation as text only)\n"
    "  -o FILE         write the report to FILE instead of stdout (a file is\n"
    "                  replaced atomically, a FIFO or a device written to);\n"
    "                  its extension (.txt .json .csv .md .xlsx .html) sets\n"
    "                  the format, and an unknown one is a usage error\n"
    "  -h, --help      this text;  --version  the version\n"
    "\n"
    "exit codes: 0 ok, 2 usage, 3 bad input, 4 infeasible scenario,\n"
    "            5 solver error, 6 output error, 7 nothing measured (probe)\n";

/* The usage error for an option given last, without its value. */
static int missing_value(const char *opt, int which) {
  fprintf(stderr,
          "hetplan: option '%s' needs a value (%s)\n"
          "(run `hetplan --help` for usage)\n",
          opt,
          which == OPT_FORMAT    ? "table, json, csv, md, xlsx or html"
          : which == OPT_CATALOG ? "a directory"
                                 : "a FILE name");
  return HP_EXIT_USAGE;
}

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "hetplan: ");
  fprintf(stderr, fmt, arg ? arg : "");
  fprintf(stderr, "\n(run `hetplan --help` for usage)\n");
  return HP_EXIT_USAGE;
}

/* Writes a finished report to stdout or FILE. */
static int emit(const char *out_path, const char *text, size_t len) {
  if (out_path) {
    hp_diag d;
    hp_diag_clear(&d);
    if (hp_write_file_atomic(out_path, text, len, &d) != HP_OK) {
      hp_cli_print_diag(&d);
      return HP_EXIT_IO;
    }
    return HP_EXIT_OK;
  }
  if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
    fprintf(stderr, "hetplan: cannot write to standard output\n");
    return HP_EXIT_IO;
  }
  return HP_EXIT_OK;
}

typedef struct common_opts {
  const char *catalog;
  const char *out;
  hp_format format;
  int format_given; /* else -o FILE's extension decides */
  int help;
} common_opts;

static const struct option common_long[] = {
    {"catalog", required_argument, NULL, OPT_CATALOG},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* Parses the common options; returns -1 to go on, or an exit code. */
static int parse_common(int argc, char **argv, common_opts *o) {
  int c;
  optind = 1;
  opterr = 0;
  /* The leading ':' makes a missing value come back as ':', not '?'. */
  while ((c = getopt_long(argc, argv, ":o:h", common_long, NULL)) != -1) {
    switch (c) {
    case OPT_CATALOG:
      o->catalog = optarg;
      break;
    case OPT_FORMAT:
      if (hp_format_parse(optarg, &o->format) != HP_OK)
        return usage_error("--format: expected table, json, csv, md, xlsx "
                           "or html, got '%s'",
                           optarg);
      o->format_given = 1;
      break;
    case 'o':
      if (!*optarg)
        return usage_error("-o: expected a FILE name, got ''%s", "");
      o->out = optarg;
      break;
    case 'h':
      o->help = 1;
      break;
    case ':':
      return missing_value(argv[optind - 1], optopt);
    default:
      return usage_error("unknown option '%s'", argv[optind - 1]);
    }
  }
  int rc = hp_cli_output_format(argv[0], o->out, o->format_given, &o->format);
  return rc ? rc : -1;
}

static int load_catalog(const char *dir, hp_catalog **cat) {
  hp_diag d;
  hp_diag_clear(&d);
  if (hp_catalog_load(dir, cat, &d) != HP_OK) {
    hp_cli_print_diag(&d);
    return HP_EXIT_INPUT;
  }
  return HP_EXIT_OK;
}

static int cmd_devices(int argc, char **argv) {
  common_opts o = {0};
  int rc = parse_common(argc, argv, &o);
  if (rc >= 0)
    return rc;
  if (o.help) {
    fputs("usage: hetplan devices [ID] [--catalog DIR] "
          "[--format table|json|csv|md] [-o FILE]\n"
          "  with no ID, every card in one table; with an ID, that card in "
          "full:\n  each figure's value, unit, confidence and source, its "
          "market status\n  in China and the date of its prices\n",
          stdout);
    return HP_EXIT_OK;
  }
  if (optind + 1 < argc)
    return usage_error("devices: unexpected argument '%s' (one card ID at "
                       "most)",
                       argv[optind + 1]);
  if (o.format == HP_FORMAT_XLSX || o.format == HP_FORMAT_HTML)
    return usage_error("devices: the catalog is written as table, json, csv "
                       "or md%s (a plan's workbook lists the cards it used, "
                       "in Sources)",
                       "");
  const char *id = optind < argc ? argv[optind] : NULL;
  hp_catalog *cat = NULL;
  if ((rc = load_catalog(o.catalog ? o.catalog : hp_cli_default_catalog(),
                         &cat)))
    return rc;
  char *text = NULL;
  size_t len = 0;
  hp_diag d;
  hp_diag_clear(&d);
  int r = id ? hp_catalog_render_device(cat, id, o.format, &text, &len, &d)
             : hp_catalog_render(cat, o.format, &text, &len, &d);
  if (r == HP_ENODEV) {
    hp_catalog_free(cat);
    return usage_error("devices: %s", d.msg);
  }
  if (r != HP_OK) {
    hp_cli_print_diag(&d);
    hp_catalog_free(cat);
    return HP_EXIT_SOLVER;
  }
  rc = emit(o.out, text, len);
  hp_free(text);
  hp_catalog_free(cat);
  return rc;
}

/* plan --write-lp DIR: DIR/NN-NAME.lp per scenario, NN its place in the
 * plan (names may repeat once made file-safe), NAME its name with any
 * byte but [A-Za-z0-9._-] as '_'. */
static int write_lps(const hp_planfile *pf, const char *dir) {
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    char v[1024];
    fprintf(stderr, "hetplan: --write-lp %s: not a directory\n",
            hp_cli_vis(dir, v, sizeof v));
    return HP_EXIT_IO;
  }
  for (size_t i = 0; i < hp_planfile_count(pf); i++) {
    char name[96], path[4096];
    const char *sn = hp_planfile_scenario_name(pf, i);
    size_t k = 0;
    for (; sn[k] && k < sizeof name - 1; k++) {
      unsigned char c = (unsigned char)sn[k];
      name[k] = (isalnum(c) || c == '.' || c == '_' || c == '-') && c < 128
                    ? (char)c
                    : '_';
    }
    name[k] = '\0';
    snprintf(path, sizeof path, "%s/%02zu-%s.lp", dir, i + 1, name);
    hp_diag d;
    hp_diag_clear(&d);
    if (hp_planfile_write_lp(pf, i, path, &d) != HP_OK) {
      hp_cli_print_diag(&d);
      return d.status == HP_ENOMEM ? HP_EXIT_SOLVER : HP_EXIT_IO;
    }
  }
  return HP_EXIT_OK;
}

static int cmd_plan(int argc, char **argv) {
  common_opts o = {0};
  /* --compare-models is plan's own flag: take it out before the common
   * options are parsed. */
  unsigned flags = 0;
  const char *lp_dir = NULL, *chart_path = NULL, *sched_chart = NULL;
  int n = 0;
  for (int i = 0; i < argc; i++) {
    int after_o = i > 0 && strcmp(argv[i - 1], "-o") == 0;
    if (i > 0 && strcmp(argv[i], "--compare-models") == 0 && !after_o) {
      flags |= HP_SOLVE_COMPARE_MODELS;
      continue;
    }
    if (i > 0 && !after_o && strcmp(argv[i], "--schedule-chart") == 0) {
      if (i + 1 >= argc) /* issue 22: plans with periods */
        return usage_error("plan: --schedule-chart needs a FILE%s", "");
      sched_chart = argv[++i];
      continue;
    }
    if (i > 0 && !after_o && strncmp(argv[i], "--write-lp", 10) == 0 &&
        (argv[i][10] == '\0' || argv[i][10] == '=')) {
      if (argv[i][10] == '=')
        lp_dir = argv[i] + 11;
      else if (i + 1 < argc)
        lp_dir = argv[++i];
      else
        return usage_error("plan: --write-lp needs a DIR%s", "");
      continue;
    }
    if (i > 0 && !after_o && strncmp(argv[i], "--chart", 7) == 0 &&
        (argv[i][7] == '\0' || argv[i][7] == '=')) {
      if (argv[i][7] == '=')
        chart_path = argv[i] + 8;
      else if (i + 1 < argc)
        chart_path = argv[++i];
      else
        return usage_error("plan: --chart needs a FILE.png or FILE.svg%s", "");
      continue;
    }
    argv[n++] = argv[i];
  }
  argc = n;
  int rc = parse_common(argc, argv, &o);
  if (rc >= 0)
    return rc;
  if (o.help) {
    fputs(
        "usage: hetplan plan FILE [--catalog DIR] "
        "[--format table|json|csv|md|xlsx|html] [-o FILE] [--compare-models]\n"
        "                    [--write-lp DIR] [--chart FILE.png|FILE.svg]\n"
        "  --compare-models  also solve each scenario under the other "
        "demand model\n"
        "                    (flops <-> roofline) and show both answers\n"
        "  --write-lp DIR    also write each scenario's integer program "
        "as CPLEX LP,\n"
        "                    DIR/NN-SCENARIO.lp (glpsol --lp, cbc)\n"
        "  --chart FILE      also draw the vendor mix of every scenario "
        "(capex by\n"
        "                    vendor), PNG or SVG by the extension\n"
        "  -o FILE.xlsx      a workbook: Summary, Vendors, SKUs, Classes, "
        "Assumptions,\n"
        "                    Sources, with Excel charts; -o FILE.html: "
        "the same as\n"
        "                    one self-contained page\n"
        "  --schedule-chart FILE  a plan with periods: the fleet by vendor "
        "per period\n"
        "                    (.png or .svg; FILE-SCENARIO.ext with several "
        "scenarios;\n"
        "                    --chart does the same for such a plan)\n",
        stdout);
    return HP_EXIT_OK;
  }
  if (optind >= argc)
    return usage_error("plan: missing the plan FILE%s", "");
  if (optind + 1 < argc)
    return usage_error("plan: unexpected argument '%s'", argv[optind + 1]);
  const char *path = argv[optind];
  hp_catalog *cat = NULL;
  hp_planfile *pf = NULL;
  hp_plan *plan = NULL;
  char *text = NULL, *chart = NULL;
  size_t len = 0, chart_len = 0;
  hp_diag d;
  hp_diag_clear(&d);
  if (chart_path && (rc = hp_cli_chart_check(chart_path, o.out)) != 0)
    return rc;
  if ((rc = load_catalog(o.catalog ? o.catalog : hp_cli_default_catalog(),
                         &cat)))
    return rc;
  if (hp_planfile_load(path, cat, &pf, &d) != HP_OK) {
    hp_cli_print_diag(&d);
    rc = HP_EXIT_INPUT;
    goto out;
  }
  hp_cli_warn_unused(pf);
  if (lp_dir && (rc = write_lps(pf, lp_dir)) != HP_EXIT_OK)
    goto out;
  hp_cli_progress_arm();            /* a terminal sees long solves' progress */
  if (hp_cli_periods_present(pf)) { /* issue 22: the schedule */
    rc = hp_cli_periods_plan(path, pf, o.format,
                             sched_chart ? sched_chart : chart_path, &text,
                             &len);
    int e = text ? emit(o.out, text, len) : HP_EXIT_OK;
    rc = e != HP_EXIT_OK ? e : rc;
    goto out;
  }
  if (sched_chart) {
    rc = usage_error("plan: --schedule-chart needs a plan with periods%s", "");
    goto out;
  }
  if (hp_plan_solve_ex(pf, cat, flags, &plan, &d) != HP_OK) {
    hp_cli_print_diag(&d);
    rc = HP_EXIT_SOLVER;
    goto out;
  }
  if (o.format == HP_FORMAT_XLSX || o.format == HP_FORMAT_HTML) {
    hp_doc_plan dp = {path, pf, plan, NULL};
    hp_doc doc = {"plan", &dp, 1, NULL, cat};
    if ((rc = hp_cli_render_doc(&doc, o.format, &text, &len)) != HP_EXIT_OK)
      goto out;
  } else if (hp_report_render(plan, o.format, &text, &len, &d) != HP_OK) {
    hp_cli_print_diag(&d);
    rc = HP_EXIT_SOLVER;
    goto out;
  }
  if (chart_path) {
    hp_doc_plan dp = {path, pf, plan, NULL};
    if ((rc = hp_cli_plan_chart(&dp, 1, chart_path, &chart, &chart_len)) !=
        HP_EXIT_OK)
      goto out;
  }
  rc = hp_cli_emit_two(o.out, text, len, chart_path, chart, chart_len);
  if (rc == HP_EXIT_OK) {
    for (size_t i = 0; i < hp_plan_count(plan); i++) {
      const hp_scenario_result *r = hp_plan_at(plan, i);
      if (r->status == HP_RESULT_ERROR)
        rc = HP_EXIT_SOLVER;
      else if (r->status == HP_RESULT_INFEASIBLE && rc == HP_EXIT_OK)
        rc = HP_EXIT_INFEASIBLE;
      char v1[1024], v2[1024], v3[4096];
      if (r->status != HP_RESULT_OPTIMAL)
        fprintf(
            stderr, "hetplan: %s: scenario '%s' is %s: %s\n",
            hp_cli_vis(path, v1, sizeof v1), hp_cli_vis(r->name, v2, sizeof v2),
            r->status == HP_RESULT_INFEASIBLE ? "infeasible" : "an error",
            hp_cli_vis(r->explanation ? r->explanation : "", v3, sizeof v3));
      hp_cli_warn_unproven(path, r);
    }
  }
out:
  hp_free(text);
  hp_free(chart);
  if (chart_path || o.format == HP_FORMAT_HTML) /* the page draws one too */
    hp_cli_chart_done();
  hp_plan_free(plan);
  hp_planfile_free(pf);
  hp_catalog_free(cat);
  return rc;
}

#ifndef HETPLAN_HAVE_WHATIF
static int no_whatif(void) {
  fprintf(stderr, "hetplan: this build has no what-if commands\n");
  return HP_EXIT_USAGE;
}
int hp_cli_whatif_batch(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return no_whatif();
}
int hp_cli_whatif_sweep(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return no_whatif();
}
int hp_cli_whatif_montecarlo(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return no_whatif();
}
#endif

#ifndef HETPLAN_HAVE_EXPLAIN
int hp_cli_explain(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "hetplan: this build has no explain command\n");
  return HP_EXIT_USAGE;
}
#endif

#ifndef HETPLAN_HAVE_PROBE
int hp_cli_probe(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "hetplan: probe: this build has no device backends\n");
  return HP_EXIT_USAGE;
}
#endif

int main(int argc, char **argv) {
  /* Under `ulimit -f`, a write past the limit raises SIGXFSZ, which kills
   * the process mid-write; ignored, the write fails with EFBIG, and the
   * output error is reported (exit 6), with no partial file left. */
  signal(SIGXFSZ, SIG_IGN);
  hp_cli_bound_arenas();
  if (argc < 2)
    return usage_error("missing command%s", "");
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    fputs(usage_text, stdout);
    return HP_EXIT_OK;
  }
  if (!strcmp(cmd, "--version")) {
    printf("hetplan %s\n", HP_VERSION);
    return HP_EXIT_OK;
  }
  if (!strcmp(cmd, "plan"))
    return cmd_plan(argc - 1, argv + 1);
  if (!strcmp(cmd, "devices"))
    return cmd_devices(argc - 1, argv + 1);
  if (!strcmp(cmd, "probe"))
    return hp_cli_probe(argc - 1, argv + 1);
  if (!strcmp(cmd, "explain"))
    return hp_cli_explain(argc - 1, argv + 1);
  if (!strcmp(cmd, "batch"))
    return hp_cli_whatif_batch(argc - 1, argv + 1);
  if (!strcmp(cmd, "sweep"))
    return hp_cli_whatif_sweep(argc - 1, argv + 1);
  if (!strcmp(cmd, "montecarlo"))
    return hp_cli_whatif_montecarlo(argc - 1, argv + 1);
  return usage_error("unknown command '%s'", cmd);
}
