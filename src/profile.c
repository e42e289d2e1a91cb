/* profile.c - probe profiles: building one from probe results, loading
 * with full validation (yamlx), and the efficiency accessor the planner
 * calls. Never prints and writes no text: report_profile.c renders and
 * compares profiles.
 *
 * Layout: figure table; lifecycle; accessors; efficiency; loading. */
#include "profile.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "profile_int.h"
#include "status.h"
#include "yamlx.h"

/* ---- Figure table ---------------------------------------------------------
 */

static const struct {
  const char *key;
  const char *unit;
} figures[HP_BENCH_COUNT] = {
    {"fp32_gflops", "GFLOPS"},  {"fp16_gflops", "GFLOPS"},
    {"fp64_gflops", "GFLOPS"},  {"int8_gops", "GOPS"},
    {"mem_bw_gbps", "GB/s"},    {"h2d_gbps", "GB/s"},
    {"d2h_gbps", "GB/s"},       {"launch_us", "us"},
    {"sgemm_gflops", "GFLOPS"}, {"hgemm_gflops", "GFLOPS"},
};

const char *const hp_profile_status_names[] = {"ok", "unsupported", "skipped",
                                               "error"};
const char *const hp_profile_class_names[] = {"cpu", "gpu", "accelerator",
                                              "custom", "other"};

const char *hp_profile_figure_key(hp_bench_kind k) {
  return (unsigned)k < HP_BENCH_COUNT ? figures[k].key : "?";
}

const char *hp_profile_figure_unit(hp_bench_kind k) {
  return (unsigned)k < HP_BENCH_COUNT ? figures[k].unit : "?";
}

int hp_profile_figure_find(const char *key, hp_bench_kind *out) {
  for (int k = 0; k < HP_BENCH_COUNT; k++)
    if (strcmp(figures[k].key, key) == 0) {
      *out = (hp_bench_kind)k;
      return HP_OK;
    }
  return HP_ENOTFOUND;
}

/* ---- Lifecycle --------------------------------------------------------------
 */

static const char *const fp16_hows[] = {"cl_khr_fp16", "half fp config",
                                        "test kernel", "none", NULL};

static const char *intern_fp16_how(const char *s) {
  for (size_t i = 0; s && fp16_hows[i]; i++)
    if (strcmp(s, fp16_hows[i]) == 0)
      return fp16_hows[i];
  return NULL;
}

static void pdev_cleanup(pdev *v) {
  hp_free(v->id);
  hp_free(v->platform);
  hp_free(v->name);
  hp_free(v->vendor);
  hp_free(v->driver_version);
  for (int k = 0; k < HP_BENCH_COUNT; k++) {
    hp_free(v->fig[k].reason);
    hp_free(v->fig[k].detail);
  }
  memset(v, 0, sizeof *v);
}

void hp_profile_free(hp_profile *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->n_devices; i++)
    pdev_cleanup(&p->devices[i]);
  hp_free(p->devices);
  hp_free(p->file);
  hp_free(p->host);
  hp_free(p->date);
  hp_free(p->backend);
  hp_free(p);
}

static char *dup_or_empty(const char *s) { return hp_strdup(s ? s : ""); }

int hp_profile_new(const char *host, const char *date, const char *backend,
                   hp_profile **out, hp_diag *d) {
  hp_profile *p = hp_calloc(1, sizeof *p);
  if (!p)
    return hp_diag_oom(d);
  p->schema_version = HP_PROFILE_SCHEMA_VERSION;
  p->file = dup_or_empty(NULL);
  p->host = dup_or_empty(host);
  p->date = dup_or_empty(date);
  p->backend = dup_or_empty(backend);
  if (!p->file || !p->host || !p->date || !p->backend) {
    hp_profile_free(p);
    return hp_diag_oom(d);
  }
  *out = p;
  return HP_OK;
}

/* Grows the device array by one zeroed slot; the slot is counted only when
 * the caller commits it. */
static pdev *grow(hp_profile *p) {
  pdev *nv = hp_realloc(p->devices, (p->n_devices + 1) * sizeof *nv);
  if (!nv)
    return NULL;
  p->devices = nv;
  memset(&nv[p->n_devices], 0, sizeof *nv);
  return &nv[p->n_devices];
}

int hp_profile_add_device(hp_profile *p, const hp_device_info *info,
                          const hp_bench_result *results, hp_diag *d) {
  pdev *v = grow(p);
  if (!v)
    return hp_diag_oom(d);
  v->id = dup_or_empty(info->id);
  v->platform = dup_or_empty(info->platform);
  v->name = dup_or_empty(info->name);
  v->vendor = dup_or_empty(info->vendor);
  v->driver_version = dup_or_empty(info->driver_version);
  v->fp16_how = intern_fp16_how(info->fp16_how);
  v->devclass = info->devclass;
  v->compute_units = info->compute_units;
  v->clock_mhz = info->clock_mhz;
  v->memory_bytes = info->memory_bytes;
  v->max_alloc_bytes = info->max_alloc_bytes;
  v->fp16 = info->fp16;
  v->fp64 = info->fp64;
  v->int8_dot = info->int8_dot;
  int oom =
      !v->id || !v->platform || !v->name || !v->vendor || !v->driver_version;
  for (int k = 0; k < HP_BENCH_COUNT && !oom; k++) {
    pfig *f = &v->fig[k];
    if (!results) {
      f->status = HP_BENCH_SKIPPED;
      continue;
    }
    const hp_bench_result *r = &results[k];
    f->status = r->status;
    f->value = r->status == HP_BENCH_OK ? r->value : 0;
    f->best = r->status == HP_BENCH_OK ? r->best : 0;
    f->repeats = r->repeats;
    if (r->status != HP_BENCH_OK && r->reason[0])
      oom |= !(f->reason = hp_strdup(r->reason));
    if (r->detail[0])
      oom |= !(f->detail = hp_strdup(r->detail));
  }
  if (oom) {
    pdev_cleanup(v);
    return hp_diag_oom(d);
  }
  p->n_devices++;
  return HP_OK;
}

/* ---- Accessors
 * ---------------------------------------------------------------- */

size_t hp_profile_count(const hp_profile *p) { return p ? p->n_devices : 0; }

void hp_profile_device(const hp_profile *p, size_t i, hp_device_info *out) {
  const pdev *v = &p->devices[i];
  memset(out, 0, sizeof *out);
  out->id = v->id;
  out->platform = v->platform;
  out->name = v->name;
  out->vendor = v->vendor;
  out->driver_version = v->driver_version;
  out->devclass = v->devclass;
  out->compute_units = v->compute_units;
  out->clock_mhz = v->clock_mhz;
  out->memory_bytes = v->memory_bytes;
  out->max_alloc_bytes = v->max_alloc_bytes;
  out->fp16 = v->fp16;
  out->fp64 = v->fp64;
  out->int8_dot = v->int8_dot;
  out->fp16_how = v->fp16_how;
}

long hp_profile_find(const hp_profile *p, const char *id) {
  for (size_t i = 0; p && id && i < p->n_devices; i++)
    if (strcmp(p->devices[i].id, id) == 0)
      return (long)i;
  return -1;
}

void hp_profile_result(const hp_profile *p, size_t i, hp_bench_kind k,
                       hp_bench_result *out) {
  const pfig *f = &p->devices[i].fig[k];
  memset(out, 0, sizeof *out);
  out->status = f->status;
  out->value = f->value;
  out->best = f->best;
  out->repeats = f->repeats;
  if (f->reason)
    snprintf(out->reason, sizeof out->reason, "%s", f->reason);
  if (f->detail)
    snprintf(out->detail, sizeof out->detail, "%s", f->detail);
}

/* ---- Efficiency -------------------------------------------------------------
 */

static int fig_ok(const pdev *v, hp_bench_kind k) {
  return v->fig[k].status == HP_BENCH_OK && v->fig[k].value > 0;
}

/* The file a diagnostic names: NULL for a profile built in memory. */
const char *hp_profile_src(const hp_profile *p) {
  return p && p->file && p->file[0] ? p->file : NULL;
}

int hp_profile_efficiency(const hp_profile *p, const char *device_id,
                          double *mfu, double *mem_bw_gbps, hp_diag *d) {
  const pdev *v = NULL;
  if (!p || p->n_devices == 0)
    return hp_diag_set(d, HP_ENOTFOUND, hp_profile_src(p),
                       p ? p->devices_line : 0, p ? p->devices_col : 0,
                       "the probe profile has no device");
  if (device_id) {
    long i = hp_profile_find(p, device_id);
    if (i < 0) {
      hp_buf ids;
      hp_buf_init(&ids);
      for (size_t j = 0; j < p->n_devices; j++)
        hp_buf_printf(&ids, "%s%s", j ? ", " : "", p->devices[j].id);
      int rc = hp_diag_set(d, HP_ENOTFOUND, hp_profile_src(p), p->devices_line,
                           p->devices_col,
                           "no device '%s' in the probe profile (it has: %s)",
                           device_id, ids.data ? ids.data : "");
      hp_buf_cleanup(&ids);
      return rc;
    }
    v = &p->devices[i];
  } else {
    for (size_t i = 0; i < p->n_devices && !v; i++)
      if (fig_ok(&p->devices[i], HP_BENCH_HGEMM) ||
          fig_ok(&p->devices[i], HP_BENCH_SGEMM))
        v = &p->devices[i];
    if (!v)
      return hp_diag_set(d, HP_ENOTFOUND, hp_profile_src(p), p->devices_line,
                         p->devices_col,
                         "no device in the probe profile has a measured GEMM "
                         "(sgemm_gflops or hgemm_gflops with status ok)");
  }
  hp_bench_kind gemm, roof;
  if (fig_ok(v, HP_BENCH_HGEMM) && fig_ok(v, HP_BENCH_FP16_PEAK)) {
    gemm = HP_BENCH_HGEMM;
    roof = HP_BENCH_FP16_PEAK;
  } else if (fig_ok(v, HP_BENCH_SGEMM) && fig_ok(v, HP_BENCH_FP32_PEAK)) {
    gemm = HP_BENCH_SGEMM;
    roof = HP_BENCH_FP32_PEAK;
  } else {
    return hp_diag_set(d, HP_ENOTFOUND, hp_profile_src(p), v->line, v->col,
                       "device %s: the profile has no ok GEMM with its "
                       "compute roof (need hgemm_gflops and fp16_gflops, or "
                       "sgemm_gflops and fp32_gflops)",
                       v->id);
  }
  if (!fig_ok(v, HP_BENCH_MEM_BW))
    return hp_diag_set(d, HP_ENOTFOUND, hp_profile_src(p), v->line, v->col,
                       "device %s: the profile has no ok mem_bw_gbps", v->id);
  double e = v->fig[gemm].value / v->fig[roof].value;
  if (e > 1.0)
    e = 1.0;
  if (!(e > 0.0))
    return hp_diag_set(d, HP_ENOTFOUND, hp_profile_src(p), v->line, v->col,
                       "device %s: GEMM efficiency is not positive", v->id);
  *mfu = e;
  *mem_bw_gbps = v->fig[HP_BENCH_MEM_BW].value;
  return HP_OK;
}

/* ---- Loading
 * -------------------------------------------------------------------- */

typedef struct loadctx {
  const char *file; /* name for diagnostics */
  hp_diag *d;
} loadctx;

static int want_map(loadctx *L, const hp_ynode *n, const char *what) {
  if (n->kind != HP_Y_MAP)
    return hp_diag_set(L->d, HP_ETYPE, L->file, n->line, n->col,
                       "%s: expected a mapping, got %s", what,
                       hp_yaml_kind_name(n->kind));
  return HP_OK;
}

static int req(loadctx *L, const hp_ynode *map, const char *key,
               const char *where, const hp_ynode **out) {
  const hp_ynode *n = hp_yaml_map_get(map, key);
  if (!n)
    return hp_diag_set(L->d, HP_EMISSING, L->file, map->line, map->col,
                       "%s: required key '%s' missing", where, key);
  *out = n;
  return HP_OK;
}

static int get_str(loadctx *L, const hp_ynode *map, const char *key,
                   const char *where, int required, char **out) {
  const hp_ynode *n = hp_yaml_map_get(map, key);
  const char *s;
  int rc;
  if (!n) {
    if (required)
      return req(L, map, key, where, &n);
    *out = hp_strdup("");
    return *out ? HP_OK : hp_diag_oom(L->d);
  }
  if ((rc = hp_yaml_get_string(n, key, L->file, &s, L->d)) != HP_OK)
    return rc;
  *out = hp_strdup(s);
  return *out ? HP_OK : hp_diag_oom(L->d);
}

static int get_count(loadctx *L, const hp_ynode *map, const char *key,
                     double max, unsigned long long *out) {
  const hp_ynode *n = hp_yaml_map_get(map, key);
  double v;
  int rc;
  if (!n) {
    *out = 0;
    return HP_OK;
  }
  if ((rc = hp_yaml_get_number_in(n, key, L->file, HP_NUM_NONNEG, &v, L->d)))
    return rc;
  if (v != floor(v) || v > max)
    return hp_diag_set(L->d, HP_ERANGE, L->file, n->line, n->col,
                       "%s: expected a whole number from 0 to %.0f, got %s",
                       key, max, n->scalar);
  *out = (unsigned long long)v;
  return HP_OK;
}

static int get_flag(loadctx *L, const hp_ynode *map, const char *key,
                    int *out) {
  const hp_ynode *n = hp_yaml_map_get(map, key);
  if (!n) {
    *out = 0;
    return HP_OK;
  }
  return hp_yaml_get_bool(n, key, L->file, out, L->d);
}

static int pick(loadctx *L, const hp_ynode *n, const char *key,
                const char *const *names, size_t count, int *out) {
  const char *s;
  int rc = hp_yaml_get_string(n, key, L->file, &s, L->d);
  if (rc)
    return rc;
  for (size_t i = 0; i < count; i++)
    if (strcmp(s, names[i]) == 0) {
      *out = (int)i;
      return HP_OK;
    }
  hp_buf b;
  hp_buf_init(&b);
  for (size_t i = 0; i < count; i++)
    hp_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
  rc = hp_diag_set(L->d, HP_ERANGE, L->file, n->line, n->col,
                   "%s: '%s' is not one of %s", key, s, b.data ? b.data : "");
  hp_buf_cleanup(&b);
  return rc;
}

/* One figure: n is its mapping. In the YAML shape the value is n's 'value';
 * in the JSON shape (dev non-NULL) n is the device's status.KEY object and
 * the value is the device's own KEY, as `--format json` writes them. */
static int load_figure(loadctx *L, const char *key, const hp_ynode *n,
                       const hp_ynode *dev, hp_bench_kind k, pfig *f) {
  static const char *const allowed[] = {"value",   "unit",   "status", "best",
                                        "repeats", "reason", "detail", NULL};
  const hp_ynode *x = NULL;
  int rc, st;
  /* allowed + 1 leaves out "value": in JSON it is the device's KEY. */
  if ((rc = want_map(L, n, key)) ||
      (rc = hp_yaml_check_keys(n, dev ? allowed + 1 : allowed, key, L->file,
                               L->d)))
    return rc;
  if ((rc = req(L, n, "status", key, &x)) ||
      (rc = pick(L, x, "status", hp_profile_status_names, 4, &st)))
    return rc;
  f->status = (hp_bench_status)st;
  if ((x = hp_yaml_map_get(n, "unit")) != NULL) {
    const char *u;
    if ((rc = hp_yaml_get_string(x, "unit", L->file, &u, L->d)))
      return rc;
    if (strcmp(u, figures[k].unit) != 0)
      return hp_diag_set(L->d, HP_ERANGE, L->file, x->line, x->col,
                         "%s: unit '%s', expected '%s'", key, u,
                         figures[k].unit);
  }
  if (f->status == HP_BENCH_OK) {
    if (dev) {
      if ((rc = req(L, dev, key, "device", &x)) ||
          (rc = hp_yaml_get_number_in(x, key, L->file, HP_NUM_POSITIVE,
                                      &f->value, L->d)))
        return rc;
    } else if ((rc = req(L, n, "value", key, &x)) ||
               (rc = hp_yaml_get_number_in(x, "value", L->file, HP_NUM_POSITIVE,
                                           &f->value, L->d))) {
      return rc;
    }
    if ((x = hp_yaml_map_get(n, "best")) != NULL &&
        (rc = hp_yaml_get_number_in(x, "best", L->file, HP_NUM_NONNEG, &f->best,
                                    L->d)))
      return rc;
  }
  unsigned long long reps = 0;
  if ((rc = get_count(L, n, "repeats", 1e9, &reps)))
    return rc;
  f->repeats = (int)reps;
  const char *s;
  if ((x = hp_yaml_map_get(n, "reason")) != NULL) {
    if ((rc = hp_yaml_get_string(x, "reason", L->file, &s, L->d)))
      return rc;
    if (!(f->reason = hp_strdup(s)))
      return hp_diag_oom(L->d);
  }
  if ((x = hp_yaml_map_get(n, "detail")) != NULL) {
    if ((rc = hp_yaml_get_string(x, "detail", L->file, &s, L->d)))
      return rc;
    if (!(f->detail = hp_strdup(s)))
      return hp_diag_oom(L->d);
  }
  return HP_OK;
}

/* A device in either shape: YAML (figures.KEY.{value, unit, status, ...})
 * or the JSON report's (KEY: value beside status.KEY.{unit, status, ...}),
 * told apart by which of 'figures' and 'status' it has. */
static int load_device(loadctx *L, const hp_ynode *n, pdev *v) {
  static const char *const base[] = {
      "id",    "platform",      "name",      "vendor",       "driver_version",
      "class", "compute_units", "clock_mhz", "memory_bytes", "max_alloc_bytes",
      "fp16",  "fp16_how",      "fp64",      "int8_dot",     NULL};
  const char *allowed[sizeof base / sizeof base[0] + HP_BENCH_COUNT + 1];
  const hp_ynode *x = NULL;
  unsigned long long u;
  int rc, cls, json;
  size_t na = 0;
  if ((rc = want_map(L, n, "device")))
    return rc;
  v->line = n->line;
  v->col = n->col;
  json = !hp_yaml_map_get(n, "figures") && hp_yaml_map_get(n, "status");
  while (base[na]) {
    allowed[na] = base[na];
    na++;
  }
  allowed[na++] = json ? "status" : "figures";
  for (int k = 0; json && k < HP_BENCH_COUNT; k++)
    allowed[na++] = figures[k].key;
  allowed[na] = NULL;
  if ((rc = hp_yaml_check_keys(n, allowed, "device", L->file, L->d)))
    return rc;
  if ((rc = get_str(L, n, "id", "device", 1, &v->id)) ||
      (rc = get_str(L, n, "name", "device", 1, &v->name)) ||
      (rc = get_str(L, n, "platform", "device", 0, &v->platform)) ||
      (rc = get_str(L, n, "vendor", "device", 0, &v->vendor)) ||
      (rc = get_str(L, n, "driver_version", "device", 0, &v->driver_version)))
    return rc;
  if ((rc = req(L, n, "class", "device", &x)) ||
      (rc = pick(L, x, "class", hp_profile_class_names, 5, &cls)))
    return rc;
  v->devclass = (hp_devclass)cls;
  if ((rc = get_count(L, n, "compute_units", 4294967295.0, &u)))
    return rc;
  v->compute_units = (unsigned)u;
  if ((rc = get_count(L, n, "clock_mhz", 4294967295.0, &u)))
    return rc;
  v->clock_mhz = (unsigned)u;
  if ((rc = get_count(L, n, "memory_bytes", 9007199254740992.0,
                      &v->memory_bytes)) ||
      (rc = get_count(L, n, "max_alloc_bytes", 9007199254740992.0,
                      &v->max_alloc_bytes)) ||
      (rc = get_flag(L, n, "fp16", &v->fp16)) ||
      (rc = get_flag(L, n, "fp64", &v->fp64)) ||
      (rc = get_flag(L, n, "int8_dot", &v->int8_dot)))
    return rc;
  /* The JSON report writes "" when the backend did not say. */
  if ((x = hp_yaml_map_get(n, "fp16_how")) != NULL &&
      !(x->kind == HP_Y_SCALAR && x->scalar && !x->scalar[0])) {
    int h;
    if ((rc = pick(L, x, "fp16_how", fp16_hows, 4, &h)))
      return rc;
    v->fp16_how = fp16_hows[h];
  }
  for (int k = 0; k < HP_BENCH_COUNT; k++)
    v->fig[k].status = HP_BENCH_SKIPPED;
  if ((x = hp_yaml_map_get(n, json ? "status" : "figures")) == NULL)
    return HP_OK;
  if ((rc = want_map(L, x, json ? "status" : "figures")))
    return rc;
  const char *keys[HP_BENCH_COUNT + 1];
  for (int k = 0; k < HP_BENCH_COUNT; k++)
    keys[k] = figures[k].key;
  keys[HP_BENCH_COUNT] = NULL;
  if ((rc = hp_yaml_check_keys(x, keys, json ? "status" : "figures", L->file,
                               L->d)))
    return rc;
  for (size_t i = 0; i < x->n; i++) {
    hp_bench_kind k;
    hp_profile_figure_find(x->keys[i], &k); /* checked just above */
    if ((rc = load_figure(L, x->keys[i], x->items[i], json ? n : NULL, k,
                          &v->fig[k])))
      return rc;
  }
  /* JSON: a figure's number without its status would be dropped unseen. */
  for (size_t i = 0; json && i < n->n; i++) {
    hp_bench_kind k;
    const hp_ynode *val = n->items[i];
    if (hp_profile_figure_find(n->keys[i], &k) != HP_OK ||
        hp_yaml_map_get(x, n->keys[i]) ||
        (val->kind == HP_Y_SCALAR && val->plain && val->scalar &&
         strcmp(val->scalar, "null") == 0))
      continue;
    return hp_diag_set(L->d, HP_EMISSING, L->file, n->key_line[i],
                       n->key_col[i],
                       "%s: a value without its status (status.%s missing)",
                       n->keys[i], n->keys[i]);
  }
  return HP_OK;
}

static int load_tree(loadctx *L, const hp_ynode *root, hp_profile **out) {
  static const char *const allowed[] = {"schema_version", "host",    "date",
                                        "backend",        "devices", NULL};
  hp_profile *p = NULL;
  const hp_ynode *x = NULL;
  double ver;
  int rc;
  if (root->kind != HP_Y_MAP)
    return hp_diag_set(
        L->d, HP_ETYPE, L->file, root->line, root->col,
        "probe profile: expected a mapping (schema_version, devices, ...), "
        "got %s%s",
        hp_yaml_kind_name(root->kind),
        root->kind == HP_Y_SEQ
            ? " (a `probe --compare --format json` report is not a profile; "
              "-o FILE.yaml saves one)"
            : " (the table `hetplan probe` prints is not a profile; "
              "--format yaml or -o FILE.yaml saves one)");
  if ((rc = hp_yaml_check_keys(root, allowed, "probe profile", L->file, L->d)))
    return rc;
  if ((rc = req(L, root, "schema_version", "probe profile", &x)) ||
      (rc = hp_yaml_get_number(x, "schema_version", L->file, &ver, L->d)))
    return rc;
  if (ver != HP_PROFILE_SCHEMA_VERSION)
    return hp_diag_set(L->d, HP_ERANGE, L->file, x->line, x->col,
                       "schema_version: %s is not supported (this hetplan "
                       "reads %d)",
                       x->scalar, HP_PROFILE_SCHEMA_VERSION);
  p = hp_calloc(1, sizeof *p);
  if (!p)
    return hp_diag_oom(L->d);
  p->schema_version = HP_PROFILE_SCHEMA_VERSION;
  if (!(p->file = dup_or_empty(L->file))) {
    rc = hp_diag_oom(L->d);
    goto fail;
  }
  if ((rc = get_str(L, root, "host", "probe profile", 0, &p->host)) ||
      (rc = get_str(L, root, "date", "probe profile", 0, &p->date)) ||
      (rc = get_str(L, root, "backend", "probe profile", 0, &p->backend)))
    goto fail;
  if ((rc = req(L, root, "devices", "probe profile", &x)))
    goto fail;
  {
    long di = hp_yaml_map_index(root, "devices"); /* present: req passed */
    p->devices_line = root->key_line[di];
    p->devices_col = root->key_col[di];
  }
  if (x->kind != HP_Y_SEQ) {
    rc = hp_diag_set(L->d, HP_ETYPE, L->file, x->line, x->col,
                     "devices: expected a sequence, got %s",
                     hp_yaml_kind_name(x->kind));
    goto fail;
  }
  for (size_t i = 0; i < x->n; i++) {
    pdev *v = grow(p);
    if (!v) {
      rc = hp_diag_oom(L->d);
      goto fail;
    }
    rc = load_device(L, x->items[i], v);
    if (rc == HP_OK && hp_profile_find(p, v->id) >= 0)
      rc = hp_diag_set(L->d, HP_EDUP, L->file, x->items[i]->line,
                       x->items[i]->col, "device id '%s' appears twice", v->id);
    if (rc != HP_OK) {
      pdev_cleanup(v);
      goto fail;
    }
    p->n_devices++;
  }
  *out = p;
  return HP_OK;
fail:
  hp_profile_free(p);
  return rc;
}

int hp_profile_parse(const char *text, size_t len, const char *name,
                     hp_profile **out, hp_diag *d) {
  hp_ynode *root = NULL;
  loadctx L = {name, d};
  int rc = hp_yaml_parse(text, len, name, &root, d);
  if (rc != HP_OK)
    return rc;
  rc = load_tree(&L, root, out);
  hp_yaml_node_free(root);
  return rc;
}

int hp_profile_load(const char *path, hp_profile **out, hp_diag *d) {
  hp_ynode *root = NULL;
  loadctx L = {path, d};
  int rc = hp_yaml_load_file(path, &root, d);
  if (rc != HP_OK)
    return rc;
  rc = load_tree(&L, root, out);
  hp_yaml_node_free(root);
  return rc;
}
