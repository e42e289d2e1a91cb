/* probe_run.c - the probe run (`hetplan probe`, hp_profile_probe in
 * profile.h): every figure of every device of an opened backend, through
 * its vtable, into a new profile. In the backends library because it
 * frees the backend's device list (hp_device_info_free, registry.c).
 * Never prints: the caller sees the run go by through a callback. */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "buf.h"
#include "profile.h"

static void report(const hp_probe_opts *o, hp_probe_event ev,
                   const hp_device_info *dev, const char *figure,
                   const char *reason, int ok) {
  if (!o->progress)
    return;
  hp_probe_progress p = {ev, dev, figure, reason, ok};
  o->progress(&p, o->ud);
}

int hp_profile_probe(const hp_backend *be, void *state, const hp_probe_opts *o,
                     hp_profile **out, size_t *probed, size_t *measured,
                     hp_diag *d) {
  hp_device_info *devs = NULL;
  hp_profile *prof = NULL;
  size_t n = 0, np = 0, nm = 0;
  int rc = be->probe(state, &devs, &n, d);
  if (rc != HP_OK)
    return rc;
  if (n == 0) {
    rc = hp_diag_set(d, HP_EEMPTY, NULL, 0, 0,
                     "no %s device found: no OpenCL platform is installed, "
                     "or none has a device (the ICD loader reads "
                     "/etc/OpenCL/vendors, or OCL_ICD_VENDORS)",
                     be->name);
    goto out;
  }
  if (o->device) {
    size_t i;
    for (i = 0; i < n && strcmp(devs[i].id, o->device) != 0; i++)
      ;
    if (i == n) {
      hp_buf b;
      hp_buf_init(&b);
      for (i = 0; i < n; i++)
        hp_buf_printf(&b, " %s", devs[i].id);
      rc = hp_diag_set(d, HP_ENODEV, NULL, 0, 0, "no device '%s' (found:%s)",
                       o->device, b.data ? b.data : "");
      hp_buf_cleanup(&b);
      goto out;
    }
  }
  if ((rc = hp_profile_new(o->host, o->date, be->name, &prof, d)) != HP_OK)
    goto out;
  for (size_t i = 0; i < n; i++) {
    hp_bench_result res[HP_BENCH_COUNT];
    int ok = 0;
    if (o->device && strcmp(devs[i].id, o->device) != 0)
      continue;
    np++;
    for (int k = 0; k < HP_BENCH_COUNT; k++) {
      hp_bench_spec spec;
      spec.kind = (hp_bench_kind)k;
      spec.name = hp_profile_figure_key(spec.kind);
      spec.unit = hp_profile_figure_unit(spec.kind);
      /* 400 ms per figure keeps a whole probe of a PoCL CPU device under
       * 10 s with a warm kernel cache; --quick trades precision for time. */
      spec.budget_ms = o->quick ? 120.0 : 400.0;
      spec.repeats = o->quick ? 3 : 5;
      report(o, HP_PROBE_FIGURE, &devs[i], spec.name, NULL, 0);
      memset(&res[k], 0, sizeof res[k]);
      hp_diag bd;
      hp_diag_clear(&bd);
      if (be->bench(state, &devs[i], &spec, &res[k], &bd) != HP_OK) {
        res[k].status = HP_BENCH_ERROR;
        snprintf(res[k].reason, sizeof res[k].reason, "%.200s", bd.msg);
      }
      if (res[k].status == HP_BENCH_OK)
        ok++;
      else if (res[k].status == HP_BENCH_ERROR)
        report(o, HP_PROBE_ERROR, &devs[i], spec.name, res[k].reason, 0);
    }
    report(o, HP_PROBE_DEVICE, &devs[i], NULL, NULL, ok);
    nm += ok > 0;
    if ((rc = hp_profile_add_device(prof, &devs[i], res, d)) != HP_OK)
      goto out;
  }
  *out = prof;
  prof = NULL;
  *probed = np;
  *measured = nm;
out:
  hp_profile_free(prof);
  hp_device_info_free(devs, n);
  return rc;
}
