/* cli_explain.c - `hetplan explain PLAN [--scenario NAME] --device ID`:
 * how one SKU's throughput per server is derived, step by step (the broker
 * formula, then the roofline model: memory fit, TP degree, KV bytes per
 * token, prefill, decode step, batch limit, tokens/s), every number with
 * its unit. It only parses, calls the library and prints (src/roofline.c
 * does the arithmetic).
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "catalog.h"
#include "cli.h"
#include "hetplan.h"
#include "mem.h"
#include "report.h"
#include "roofline.h"
#include "scenario.h"

static const char *const explain_usage =
    "usage: hetplan explain PLAN --device ID [--scenario NAME] "
    "[--phase prefill|decode] [--catalog DIR] [-o FILE]\n";

/* Names in messages as visible text: a terminal escape or a newline in a
 * plan's scenario name or an argument shows as \x1b or \n (buf.h). */
#define VIS_MAX 1024
static const char *vis(const char *s, char buf[VIS_MAX]) {
  hp_buf_text_escape(s, buf, VIS_MAX);
  return buf;
}

static int usage(const char *msg, const char *arg) {
  char v[VIS_MAX];
  fprintf(stderr, "hetplan: explain: ");
  fprintf(stderr, msg, vis(arg ? arg : "", v));
  fprintf(stderr, "\n%s", explain_usage);
  return HP_EXIT_USAGE;
}

enum { OPT_CATALOG = 1000, OPT_SCENARIO, OPT_DEVICE, OPT_FORMAT, OPT_PHASE };

/* The usage error for an option given last, without its value. */
static int missing_value(const char *opt, int which) {
  const char *what = which == OPT_DEVICE ? "a device ID; see `hetplan devices`"
                     : which == OPT_SCENARIO ? "a scenario NAME"
                     : which == OPT_CATALOG  ? "a directory"
                     : which == OPT_PHASE    ? "prefill or decode"
                                             : "a FILE name";
  char v[VIS_MAX];
  fprintf(stderr, "hetplan: explain: option '%s' needs a value (%s)\n%s",
          vis(opt, v), what, explain_usage);
  return HP_EXIT_USAGE;
}

int hp_cli_explain(int argc, char **argv) {
  static const struct option longopts[] = {
      {"catalog", required_argument, NULL, OPT_CATALOG},
      {"scenario", required_argument, NULL, OPT_SCENARIO},
      {"device", required_argument, NULL, OPT_DEVICE},
      {"output", required_argument, NULL, 'o'},
      {"format", required_argument, NULL, OPT_FORMAT},
      {"phase", required_argument, NULL, OPT_PHASE},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *cat_dir = NULL, *scen = NULL, *dev = NULL, *out = NULL;
  hp_phase phase = HP_PHASE_BOTH;
  int c;
  optind = 1;
  opterr = 0;
  /* The leading ':' makes a missing value come back as ':', not '?'. */
  while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
    switch (c) {
    case OPT_CATALOG:
      cat_dir = optarg;
      break;
    case OPT_SCENARIO:
      scen = optarg;
      break;
    case OPT_DEVICE:
      dev = optarg;
      break;
    case 'o':
      if (!*optarg)
        return usage("-o: expected a FILE name, got ''%s", "");
      out = optarg;
      break;
    case OPT_FORMAT:
      /* Known, so that it is not called unknown: the derivation is prose
       * with units, and has no json, csv or md form. */
      return usage("explain prints its derivation as text only; it has no "
                   "--format (got '%s')",
                   optarg);
    case OPT_PHASE: /* a server that runs one phase (docs/roofline.md) */
      if (strcmp(optarg, "prefill") == 0)
        phase = HP_PHASE_PREFILL;
      else if (strcmp(optarg, "decode") == 0)
        phase = HP_PHASE_DECODE;
      else
        return usage("--phase: expected prefill or decode, got '%s'", optarg);
      break;
    case 'h':
      fputs(explain_usage, stdout);
      return HP_EXIT_OK;
    case ':':
      return missing_value(argv[optind - 1], optopt);
    default:
      return usage("unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind >= argc)
    return usage("missing the PLAN file%s", "");
  if (optind + 1 < argc)
    return usage("unexpected argument '%s'", argv[optind + 1]);
  if (!dev)
    return usage("--device ID is required (see `hetplan devices`)%s", "");
  const char *path = argv[optind];
  hp_catalog *cat = NULL;
  hp_planfile *pf = NULL;
  hp_buf b;
  hp_buf_init(&b);
  hp_diag d;
  hp_diag_clear(&d);
  int rc = HP_EXIT_OK;
  if (hp_catalog_load(cat_dir ? cat_dir : hp_cli_default_catalog(), &cat, &d) !=
          HP_OK ||
      hp_planfile_load(path, cat, &pf, &d) != HP_OK) {
    hp_cli_print_diag(&d);
    rc = HP_EXIT_INPUT;
    goto out;
  }
  const hp_scenario *s = NULL;
  for (size_t i = 0; i < hp_planfile_count(pf); i++) {
    const hp_scenario *x = hp_planfile_scenario(pf, i);
    if (!scen || strcmp(x->name, scen) == 0) {
      s = x;
      break;
    }
  }
  if (!s) {
    char v1[VIS_MAX], v2[VIS_MAX];
    fprintf(stderr, "hetplan: explain: %s has no scenario '%s'\n",
            vis(path, v1), vis(scen, v2));
    rc = HP_EXIT_USAGE;
    goto out;
  }
  size_t k = 0;
  while (k < s->n_cands && strcmp(s->cands[k].spec.id, dev) != 0)
    k++;
  if (k == s->n_cands) {
    const hp_device_spec *known = hp_catalog_find(cat, dev);
    char v1[VIS_MAX], v2[VIS_MAX], v3[VIS_MAX];
    fprintf(stderr,
            "hetplan: explain: scenario '%s' of %s does not list device "
            "'%s'%s\n",
            vis(s->name, v1), vis(path, v2), vis(dev, v3),
            known ? "" : " (and the catalog has no such device)");
    rc = HP_EXIT_USAGE;
    goto out;
  }
  hp_report_phase(s, k, phase, &b);
  if (b.oom) {
    fprintf(stderr, "hetplan: out of memory\n");
    rc = HP_EXIT_SOLVER;
    goto out;
  }
  if (out) {
    if (hp_write_file_atomic(out, b.data, b.len, &d) != HP_OK) {
      hp_cli_print_diag(&d);
      rc = HP_EXIT_IO;
    }
  } else if (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout)) {
    fprintf(stderr, "hetplan: cannot write to standard output\n");
    rc = HP_EXIT_IO;
  }
out:
  hp_buf_cleanup(&b);
  hp_planfile_free(pf);
  hp_catalog_free(cat);
  return rc;
}
