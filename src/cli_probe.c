/* cli_probe.c - `hetplan probe`: opens a backend, probes its devices, runs
 * every measurement on each, and prints or saves the profile (table, JSON
 * or YAML) or its change from an older one. A thin client: the library
 * measures and renders; this file parses, prints, and picks the exit code.
 * Progress goes to stderr when stderr is a terminal. */
#define _POSIX_C_SOURCE 200809L /* gethostname, isatty, gmtime_r */

#include <getopt.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h> /* strcasecmp */
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "cli.h"
#include "hetplan.h"
#include "mem.h"
#include "profile.h"
#include "yamlx.h"

static const char probe_usage[] =
    "usage: hetplan probe [--device ID] [--quick] [--format table|json|yaml]\n"
    "                     [-o FILE] [--compare OLD.yaml]\n"
    "                     [--backend opencl|fake] [--fake-file FILE]\n"
    "                     [--kernel-limit-ms MS] [-v|--verbose]\n"
    "Measures each device: fp32/fp16/fp64 compute roofs (GFLOPS), int8 dot\n"
    "(GOPS), global-memory and host<->device bandwidth (GB/s), kernel launch\n"
    "latency (us), CLBlast SGEMM/HGEMM (GFLOPS). See docs/probe.md.\n"
    "Without --format, -o FILE.yaml or .yml writes YAML, .json JSON, any\n"
    "other name the table. --fake-file implies --backend fake.\n"
    "-v prints the drivers' kernel build logs, buffers cut to fit a memory\n"
    "limit, and the probe's peak resident memory (MiB) to stderr.\n"
    "Exit status: 0 something measured, 2 usage, 3 bad --compare or\n"
    "--fake-file profile, 6 output not written, 7 nothing measured (-o FILE\n"
    "is then left as it was).\n";

static int usage(const char *fmt, const char *arg) {
  fprintf(stderr, "hetplan: probe: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n%s", probe_usage);
  return HP_EXIT_USAGE;
}

static void print_diag(const char *prefix, const hp_diag *d) {
  char msg[HP_DIAG_MSG_MAX + HP_DIAG_FILE_MAX + 32], vis[4 * sizeof msg];
  hp_diag_format(d, msg, sizeof msg);
  fprintf(stderr, "hetplan: %s%s\n", prefix, hp_cli_vis(msg, vis, sizeof vis));
}

typedef struct probe_opts {
  const char *device;     /* --device ID, or NULL for all */
  int quick;              /* --quick */
  hp_profile_format fmt;  /* --format, or what -o's name implies */
  int fmt_given;          /* 1 if --format was given */
  const char *out;        /* -o FILE */
  const char *compare;    /* --compare OLD.yaml */
  const char *backend;    /* --backend */
  const char *fake_file;  /* --fake-file */
  double kernel_limit_ms; /* --kernel-limit-ms */
  int verbose;            /* -v, --verbose */
} probe_opts;

/* The format that FILE's extension names: .yaml/.yml, .json, else table. */
static hp_profile_format format_of(const char *path) {
  const char *dot = strrchr(path, '.');
  if (!dot || strchr(dot, '/'))
    return HP_PROFILE_TABLE;
  if (!strcasecmp(dot, ".yaml") || !strcasecmp(dot, ".yml"))
    return HP_PROFILE_YAML;
  return !strcasecmp(dot, ".json") ? HP_PROFILE_JSON : HP_PROFILE_TABLE;
}

enum {
  OPT_DEVICE = 1000,
  OPT_QUICK,
  OPT_FORMAT,
  OPT_COMPARE,
  OPT_BACKEND,
  OPT_FAKE_FILE,
  OPT_KERNEL_LIMIT
};

/* The backend's log (build logs, buffer cuts): shown with -v only. */
static void print_log(void *user, const char *msg) {
  (void)user;
  fprintf(stderr, "hetplan: probe: %s\n", msg);
}

/* getopt_long, as the other commands: --opt VALUE and --opt=VALUE. Returns
 * 0 to go on, 1 after --help, or HP_EXIT_USAGE. */
static int parse(int argc, char **argv, probe_opts *o) {
  static const struct option longopts[] = {
      {"device", required_argument, NULL, OPT_DEVICE},
      {"quick", no_argument, NULL, OPT_QUICK},
      {"format", required_argument, NULL, OPT_FORMAT},
      {"output", required_argument, NULL, 'o'},
      {"compare", required_argument, NULL, OPT_COMPARE},
      {"backend", required_argument, NULL, OPT_BACKEND},
      {"fake-file", required_argument, NULL, OPT_FAKE_FILE},
      {"kernel-limit-ms", required_argument, NULL, OPT_KERNEL_LIMIT},
      {"verbose", no_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  int c;
  memset(o, 0, sizeof *o);
  o->fmt = HP_PROFILE_TABLE;
  optind = 1;
  opterr = 0;
  /* The leading ':' makes a missing value come back as ':', not '?'. */
  while ((c = getopt_long(argc, argv, ":o:hv", longopts, NULL)) != -1) {
    switch (c) {
    case OPT_DEVICE:
      o->device = optarg;
      break;
    case OPT_QUICK:
      o->quick = 1;
      break;
    case OPT_FORMAT:
      if (!strcmp(optarg, "table"))
        o->fmt = HP_PROFILE_TABLE;
      else if (!strcmp(optarg, "json"))
        o->fmt = HP_PROFILE_JSON;
      else if (!strcmp(optarg, "yaml"))
        o->fmt = HP_PROFILE_YAML;
      else
        return usage("unknown format '%s' (table, json, yaml)", optarg);
      o->fmt_given = 1;
      break;
    case 'o':
      if (!*optarg)
        return usage("-o: expected a FILE name, got ''%s", "");
      o->out = optarg;
      break;
    case OPT_COMPARE:
      o->compare = optarg;
      break;
    case OPT_BACKEND:
      o->backend = optarg;
      break;
    case OPT_FAKE_FILE:
      o->fake_file = optarg;
      break;
    case OPT_KERNEL_LIMIT:
      if (!hp_fmt_parse_number(optarg, &o->kernel_limit_ms) ||
          !(o->kernel_limit_ms > 0))
        return usage("--kernel-limit-ms: expected a number of ms > 0, got "
                     "'%s'",
                     optarg);
      break;
    case 'v':
      o->verbose = 1;
      break;
    case 'h':
      fputs(probe_usage, stdout);
      return 1;
    case ':':
      return usage("option '%s' needs a value", argv[optind - 1]);
    default:
      return usage("unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc)
    return usage("unexpected argument '%s'", argv[optind]);
  /* An explicit other backend would silently ignore the file. */
  if (o->fake_file && o->backend && strcmp(o->backend, "fake") != 0)
    return usage("--fake-file is only for --backend fake (got --backend %s)",
                 o->backend);
  if (!o->backend)
    o->backend = o->fake_file ? "fake" : "opencl";
  if (!o->fmt_given && o->out)
    o->fmt = format_of(o->out);
  return 0;
}

/* The exit code for a backend that did not open: a bad --fake-file (an
 * error that names a file, or a profile's own statuses) is bad input, as a
 * bad --compare file is; a missing --fake-file is usage; anything else
 * means nothing could be measured. */
static int open_exit(int rc, const hp_diag *d) {
  if (d->file[0] || rc == HP_EIO || rc == HP_EPARSE || rc == HP_ETYPE ||
      rc == HP_EKEY || rc == HP_EMISSING || rc == HP_ERANGE || rc == HP_EDUP ||
      rc == HP_EEMPTY || rc == HP_ELIMIT)
    return HP_EXIT_INPUT;
  return rc == HP_EINVAL ? HP_EXIT_USAGE : HP_EXIT_NOTHING;
}

static void now_iso(char *buf, size_t size) {
  time_t t = time(NULL);
  struct tm tm;
  if (gmtime_r(&t, &tm))
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
  else
    snprintf(buf, size, "unknown");
}

/* Writes text to -o FILE (atomically) or stdout. */
static int emit(const char *path, const char *text, size_t len) {
  hp_diag d;
  hp_diag_clear(&d);
  if (!path) {
    fwrite(text, 1, len, stdout);
    return fflush(stdout) == 0 ? HP_EXIT_OK : HP_EXIT_IO;
  }
  if (hp_write_file_atomic(path, text, len, &d) != HP_OK) {
    print_diag("probe: ", &d);
    return HP_EXIT_IO;
  }
  return HP_EXIT_OK;
}

/* The probe run as it goes (hp_profile_probe), on stderr: the figure
 * under way on one line when stderr is a terminal (*ud), each figure that
 * failed, and a device on which nothing could be measured. */
static void show_progress(const hp_probe_progress *p, void *ud) {
  int tty = *(const int *)ud;
  /* The driver's names as visible text (buf.h). */
  char vid[256], vname[1024], vwhy[4 * sizeof((hp_bench_result *)0)->reason];
  hp_cli_vis(p->dev->id, vid, sizeof vid);
  hp_cli_vis(p->dev->name, vname, sizeof vname);
  switch (p->event) {
  case HP_PROBE_FIGURE:
    if (tty)
      fprintf(stderr, "\rprobing %s %.40s: %-14s", vid, vname, p->figure);
    return;
  case HP_PROBE_ERROR:
    if (tty)
      fprintf(stderr, "\r%72s\r", "");
    fprintf(stderr, "hetplan: probe: device %s (%s): %s: %s\n", vid, vname,
            p->figure, hp_cli_vis(p->reason, vwhy, sizeof vwhy));
    return;
  case HP_PROBE_DEVICE:
    if (tty)
      fprintf(stderr, "\r%72s\r", "");
    if (p->figures_ok == 0)
      fprintf(stderr,
              "hetplan: probe: device %s (%s): nothing could be measured\n",
              vid, vname);
    return;
  }
}

int hp_cli_probe(int argc, char **argv) {
  probe_opts o;
  hp_backend_config cfg;
  const hp_backend *be;
  hp_profile *old = NULL, *prof = NULL;
  size_t measured = 0, probed = 0;
  void *state = NULL;
  char *text = NULL;
  size_t len = 0;
  int rc, exit_code = HP_EXIT_NOTHING;
  hp_diag d;

  hp_diag_clear(&d);
  if ((rc = parse(argc, argv, &o)) != 0)
    return rc == 1 ? HP_EXIT_OK : rc;
  be = hp_backend_find(o.backend);
  if (!be) {
    fprintf(stderr,
            "hetplan: probe: no backend '%s' in this build (have:", o.backend);
    for (const hp_backend *const *b = hp_backend_list(); *b; b++)
      fprintf(stderr, " %s", (*b)->name);
    fprintf(stderr, ")\n");
    return HP_EXIT_USAGE;
  }
  if (be->abi_version != HP_BACKEND_ABI_VERSION) {
    fprintf(stderr, "hetplan: probe: backend '%s' has ABI %d, expected %d\n",
            be->name, be->abi_version, HP_BACKEND_ABI_VERSION);
    return HP_EXIT_SOLVER;
  }
  if (o.compare && hp_profile_load(o.compare, &old, &d) != HP_OK) {
    print_diag("probe: ", &d);
    return HP_EXIT_INPUT;
  }

  memset(&cfg, 0, sizeof cfg);
  cfg.quick = o.quick;
  cfg.fake_file = o.fake_file;
  cfg.kernel_limit_ms = o.kernel_limit_ms;
  if (o.verbose)
    cfg.log = print_log;
  /* Testing seam (docs/probe.md): inject a device fault. */
  cfg.fault = getenv("HETPLAN_FAULT");
  if ((rc = be->open(&cfg, &state, &d)) != HP_OK) {
    print_diag("probe: ", &d);
    exit_code = open_exit(rc, &d);
    goto out;
  }
  char host[256] = "unknown", date[32];
  if (gethostname(host, sizeof host) != 0)
    snprintf(host, sizeof host, "unknown");
  host[sizeof host - 1] = '\0';
  now_iso(date, sizeof date);
  int tty = isatty(STDERR_FILENO);
  hp_probe_opts po = {o.device, o.quick, host, date, show_progress, &tty};
  if ((rc = hp_profile_probe(be, state, &po, &prof, &probed, &measured, &d)) !=
      HP_OK) {
    print_diag("probe: ", &d);
    if (rc == HP_ENODEV)
      exit_code = HP_EXIT_USAGE;
    goto out;
  }

  /* With nothing measured, -o FILE is not written: a saved profile is what
   * `measured:` and --compare read, and one of errors only would replace a
   * good earlier one. The reasons are on stderr already. */
  const char *save = measured > 0 ? o.out : NULL;
  rc = HP_OK;
  if (old) {
    /* The comparison goes to stdout; -o saves the new profile, never as a
     * table: --format json or yaml, else JSON for FILE.json, else YAML. */
    rc = hp_report_profile_compare(
        old, prof, o.fmt_given ? o.fmt : HP_PROFILE_TABLE, &text, &len, &d);
  } else if (!o.out || save) {
    rc = hp_report_profile(prof, o.fmt, &text, &len, &d);
  }
  if (rc != HP_OK) {
    print_diag("probe: ", &d);
    goto out;
  }
  if (old) {
    int e = emit(NULL, text, len);
    hp_free(text);
    text = NULL;
    if (e == HP_EXIT_OK && save) {
      hp_profile_format f = o.fmt_given && o.fmt != HP_PROFILE_TABLE ? o.fmt
                            : format_of(save) == HP_PROFILE_JSON
                                ? HP_PROFILE_JSON
                                : HP_PROFILE_YAML;
      if (hp_report_profile(prof, f, &text, &len, &d) != HP_OK) {
        print_diag("probe: ", &d);
        goto out;
      }
      e = emit(save, text, len);
    }
    if (e != HP_EXIT_OK) {
      exit_code = e;
      goto out;
    }
  } else if (!o.out || save) {
    int e = emit(save, text, len);
    if (e != HP_EXIT_OK) {
      exit_code = e;
      goto out;
    }
  }
  exit_code = measured > 0 ? HP_EXIT_OK : HP_EXIT_NOTHING;
  if (measured == 0)
    fprintf(
        stderr, "hetplan: probe: nothing was measured on %zu device%s%s%s%s\n",
        probed, probed == 1 ? "" : "s", o.out ? "; " : "", o.out ? o.out : "",
        o.out ? " not written (a file already there is kept)" : "");
out:
  if (o.verbose) {
    /* ru_maxrss is in KiB on Linux: what /usr/bin/time -v reports. */
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
      fprintf(stderr, "hetplan: probe: peak resident memory %ld MiB\n",
              ru.ru_maxrss / 1024);
  }
  hp_free(text);
  hp_profile_free(prof);
  hp_profile_free(old);
  if (be && state)
    be->close(state);
  return exit_code;
}
