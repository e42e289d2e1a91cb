/* profile.h - probe profiles: what `hetplan probe` measured on one host,
 * saved as YAML (docs/probe.md gives the format) and read back by the
 * planner (`measured: FILE`), by `probe --compare` and by the fake backend.
 *
 * A profile holds devices; each device its properties and one figure per
 * hp_bench_kind with a status (ok/unsupported/skipped/error), a value in the
 * figure's unit when ok, and a reason otherwise. Loading checks every key,
 * unit and status and names file:line:col on error. */
#ifndef HP_PROFILE_H
#define HP_PROFILE_H

#include <stddef.h>

#include "backend.h"
#include "hetplan.h"

#define HP_PROFILE_SCHEMA_VERSION 1

typedef struct hp_profile hp_profile; /* opaque */

/* Output formats of hp_report_profile. */
typedef enum {
  HP_PROFILE_TABLE = 0,
  HP_PROFILE_JSON,
  HP_PROFILE_YAML
} hp_profile_format;

/** The key of a figure in JSON and YAML ("fp32_gflops"), by kind. */
const char *hp_profile_figure_key(hp_bench_kind k);
/** The unit of a figure ("GFLOPS", "GB/s", "us"), by kind. */
const char *hp_profile_figure_unit(hp_bench_kind k);
/** Finds a kind by its key; HP_ENOTFOUND if none. */
int hp_profile_figure_find(const char *key, hp_bench_kind *out);

/** A new empty profile. host, date (ISO 8601) and backend are copied.
 * Sets *out only on success; free with hp_profile_free. */
int hp_profile_new(const char *host, const char *date, const char *backend,
                   hp_profile **out, hp_diag *d);
/** Appends a device and its results (HP_BENCH_COUNT of them, indexed by
 * kind; NULL means every figure skipped). Copies everything; on failure
 * the profile is unchanged. */
int hp_profile_add_device(hp_profile *p, const hp_device_info *info,
                          const hp_bench_result *results, hp_diag *d);

/** Loads a profile written by `hetplan probe --format yaml` or `--format
 * json` (JSON is YAML; a device with a `status` object and no `figures` is
 * read in the JSON report's shape). Errors name file:line:col and are
 * input statuses: HP_EIO, HP_EPARSE, HP_ETYPE, HP_EKEY, HP_EMISSING,
 * HP_ERANGE (a bad value, unit or status), HP_EDUP, HP_EEMPTY, HP_ELIMIT,
 * never HP_EINVAL. Sets *out only on success. */
int hp_profile_load(const char *path, hp_profile **out, hp_diag *d);
/** Same, from memory; name is used in diagnostics, as the path is. */
int hp_profile_parse(const char *text, size_t len, const char *name,
                     hp_profile **out, hp_diag *d);
/** Frees a profile; NULL is a no-op. */
void hp_profile_free(hp_profile *p);

/** Number of devices. */
size_t hp_profile_count(const hp_profile *p);
/** Device i as an hp_device_info whose strings are borrowed from p (valid
 * until hp_profile_free; handle is NULL). */
void hp_profile_device(const hp_profile *p, size_t i, hp_device_info *out);
/** Index of the device whose id is id, or -1. */
long hp_profile_find(const hp_profile *p, const char *id);
/** Figure k of device i as a bench result (reason and detail copied). */
void hp_profile_result(const hp_profile *p, size_t i, hp_bench_kind k,
                       hp_bench_result *out);

/** Efficiency of one probed device (device_id NULL = the first device with
 * an ok GEMM). mfu = achieved GEMM GFLOPS (HGEMM if ok, else SGEMM) / the
 * matching measured compute roof (fp16 or fp32 peak), clamped to (0,1];
 * mem_bw_gbps = measured global-memory bandwidth (achieved, not a fraction
 * of a peak). Returns HP_ENOTFOUND if the device or the figures are absent;
 * d then names the file the profile was loaded from (none if it was built
 * in memory) and the device's line:col, or the devices: key's when no one
 * device is at fault. */
int hp_profile_efficiency(const hp_profile *p, const char *device_id,
                          double *mfu, double *mem_bw_gbps, hp_diag *d);

/** Renders the profile (caller frees *out with hp_free). */
int hp_report_profile(const hp_profile *p, hp_profile_format fmt, char **out,
                      size_t *len, hp_diag *d);
/** Renders the change per figure from old to cur: old, new, % change, with
 * units (table or JSON). A device is compared only with one of the same
 * name (same platform and id preferred); a device of cur with no such
 * match, and one of old that nothing matched, are listed as not compared
 * (JSON: "match" is "compared", "not_in_old" or "not_in_new"). */
int hp_report_profile_compare(const hp_profile *old, const hp_profile *cur,
                              hp_profile_format fmt, char **out, size_t *len,
                              hp_diag *d);

/* ----------------------------------------------------------------------------
 * The probe run (`hetplan probe`): every figure of every device of an
 * opened backend into a new profile. The library never prints: the CLI
 * sees the run go by through a callback. Defined in backends/probe_run.c
 * (the hetplan_backends library: it frees the backend's device list).
 * ------------------------------------------------------------------------- */

/* What a probe run reports as it goes. */
typedef enum {
  HP_PROBE_FIGURE = 0, /* a figure is about to be measured */
  HP_PROBE_ERROR,      /* a figure ended with status error (reason) */
  HP_PROBE_DEVICE      /* a device is done (figures_ok of them measured) */
} hp_probe_event;

typedef struct hp_probe_progress {
  hp_probe_event event;
  const hp_device_info *dev; /* the device (borrowed for the call) */
  const char *figure;        /* FIGURE, ERROR: its key ("fp32_gflops") */
  const char *reason;        /* ERROR: why */
  int figures_ok;            /* DEVICE: figures with status ok */
} hp_probe_progress;

/* Called on the calling thread; the pointers are valid for the call. */
typedef void (*hp_probe_fn)(const hp_probe_progress *p, void *ud);

typedef struct hp_probe_opts {
  const char *device; /* only the device with this id; NULL: every one */
  int quick;          /* 1: 120 ms and 3 repeats a figure, not 400, 5 */
  const char *host;   /* the profile's host and date (ISO 8601), copied */
  const char *date;
  hp_probe_fn progress; /* or NULL */
  void *ud;
} hp_probe_opts;

/** Probes the devices of an opened backend (be, its state) and runs every
 * figure (hp_bench_kind) on each, or on o->device only, into a new profile
 * *out (hp_profile_free; set only on HP_OK). A figure that fails is an
 * error result in the profile and the run goes on. *probed gets the
 * devices probed, *measured those with at least one figure ok (0: nothing
 * could be measured, still HP_OK). HP_EEMPTY when the backend finds no
 * device, HP_ENODEV when o->device names none of those found (d lists
 * them), or the backend's probe error or HP_ENOMEM. */
int hp_profile_probe(const hp_backend *be, void *state, const hp_probe_opts *o,
                     hp_profile **out, size_t *probed, size_t *measured,
                     hp_diag *d);

#endif
