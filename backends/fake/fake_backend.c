/* fake_backend.c - a deterministic backend that serves devices and figures
 * from a probe profile (the YAML that `hetplan probe --format yaml` writes,
 * docs/probe.md), named by hp_backend_config.fake_file. It keeps the
 * backend interface honest (SQLite's memdb.c idea) and lets tests, CI and
 * demos run `hetplan probe` without any OpenCL device. A figure the file
 * does not give comes back as skipped. */
#include <string.h>

#include "backend.h"
#include "mem.h"
#include "profile.h"
#include "status.h"

typedef struct fake_state {
  hp_backend_config cfg; /* copy of the open() argument */
  hp_profile *prof;      /* the served profile */
} fake_state;

static int fake_open(const hp_backend_config *cfg, void **state, hp_diag *d) {
  fake_state *st;
  int rc;
  if (!cfg || !cfg->fake_file || !cfg->fake_file[0])
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "the fake backend needs a file (--fake-file FILE)");
  st = hp_calloc(1, sizeof *st);
  if (!st)
    return hp_diag_oom(d);
  st->cfg = *cfg;
  rc = hp_profile_load(cfg->fake_file, &st->prof, d);
  if (rc != HP_OK) {
    hp_free(st);
    return rc;
  }
  *state = st;
  return HP_OK;
}

static int fake_probe(void *state, hp_device_info **devs, size_t *n,
                      hp_diag *d) {
  fake_state *st = state;
  size_t count = hp_profile_count(st->prof);
  hp_device_info *out = NULL;
  if (count == 0) {
    *devs = NULL;
    *n = 0;
    return HP_OK;
  }
  out = hp_calloc(count, sizeof *out);
  if (!out)
    return hp_diag_oom(d);
  for (size_t i = 0; i < count; i++) {
    hp_device_info view;
    hp_profile_device(st->prof, i, &view);
    out[i] = view;
    out[i].id = hp_strdup(view.id);
    out[i].platform = hp_strdup(view.platform);
    out[i].name = hp_strdup(view.name);
    out[i].vendor = hp_strdup(view.vendor);
    out[i].driver_version = hp_strdup(view.driver_version);
    /* The handle is the index in the profile, plus one so that it is
     * never NULL. */
    out[i].handle = (void *)(i + 1);
    if (!out[i].id || !out[i].platform || !out[i].name || !out[i].vendor ||
        !out[i].driver_version) {
      hp_device_info_free(out, i + 1);
      return hp_diag_oom(d);
    }
  }
  *devs = out;
  *n = count;
  return HP_OK;
}

static int fake_bench(void *state, const hp_device_info *dev,
                      const hp_bench_spec *spec, hp_bench_result *result,
                      hp_diag *d) {
  fake_state *st = state;
  size_t i = (size_t)dev->handle;
  if (i == 0 || i > hp_profile_count(st->prof))
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "device %s was not found by the fake backend",
                       dev->id ? dev->id : "?");
  if ((unsigned)spec->kind >= HP_BENCH_COUNT)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0, "unknown benchmark %d",
                       (int)spec->kind);
  hp_profile_result(st->prof, i - 1, spec->kind, result);
  if (result->status == HP_BENCH_SKIPPED && !result->reason[0])
    strcpy(result->reason, "not in the fake file");
  if (result->status == HP_BENCH_OK && result->repeats == 0)
    result->repeats = spec->repeats;
  return HP_OK;
}

static void fake_close(void *state) {
  fake_state *st = state;
  if (!st)
    return;
  hp_profile_free(st->prof);
  hp_free(st);
}

const hp_backend hp_fake_backend = {
    HP_BACKEND_ABI_VERSION, /* abi_version */
    "fake",                 /* name */
    fake_open,              /* open: loads cfg->fake_file as a profile */
    fake_probe,             /* probe: the profile's devices */
    fake_bench,             /* bench: the profile's figures */
    fake_close,             /* close: frees the profile */
};
