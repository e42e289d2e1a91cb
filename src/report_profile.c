/* report_profile.c - renderers of device profiles (profile.h): YAML,
 * JSON and table, and the comparison of two profiles. Renderers only
 * format what the profile holds; loading and efficiency are profile.c's.
 */
#include "profile.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "mem.h"
#include "numfmt.h"
#include "profile_int.h"
#include "status.h"

/* ---- Rendering
 * ------------------------------------------------------------------- */

/* A YAML double-quoted scalar. */
/* A YAML string that libyaml reads back, whatever the driver named its
 * device (buf.h). */
static void yq(hp_buf *b, const char *s) { hp_buf_yaml_str(b, s); }

static void render_yaml(const hp_profile *p, hp_buf *b) {
  char num[64];
  hp_buf_puts(b, "# hetplan probe profile; format in docs/probe.md\n");
  hp_buf_printf(b, "schema_version: %d\nhost: ", p->schema_version);
  yq(b, p->host);
  hp_buf_puts(b, "\ndate: ");
  yq(b, p->date);
  hp_buf_puts(b, "\nbackend: ");
  yq(b, p->backend);
  hp_buf_puts(b, p->n_devices ? "\ndevices:\n" : "\ndevices: []\n");
  for (size_t i = 0; i < p->n_devices; i++) {
    const pdev *v = &p->devices[i];
    hp_buf_puts(b, "  - id: ");
    yq(b, v->id);
    hp_buf_puts(b, "\n    platform: ");
    yq(b, v->platform);
    hp_buf_puts(b, "\n    name: ");
    yq(b, v->name);
    hp_buf_puts(b, "\n    vendor: ");
    yq(b, v->vendor);
    hp_buf_puts(b, "\n    driver_version: ");
    yq(b, v->driver_version);
    hp_buf_printf(b,
                  "\n    class: %s\n    compute_units: %u\n"
                  "    clock_mhz: %u\n    memory_bytes: %llu\n"
                  "    max_alloc_bytes: %llu\n    fp16: %s\n",
                  hp_profile_class_names[v->devclass], v->compute_units,
                  v->clock_mhz, v->memory_bytes, v->max_alloc_bytes,
                  v->fp16 ? "true" : "false");
    if (v->fp16_how)
      hp_buf_printf(b, "    fp16_how: \"%s\"\n", v->fp16_how);
    hp_buf_printf(b, "    fp64: %s\n    int8_dot: %s\n    figures:\n",
                  v->fp64 ? "true" : "false", v->int8_dot ? "true" : "false");
    for (int k = 0; k < HP_BENCH_COUNT; k++) {
      const pfig *f = &v->fig[k];
      hp_buf_printf(b, "      %s:\n", hp_profile_figure_key(k));
      if (f->status == HP_BENCH_OK)
        hp_buf_printf(b, "        value: %s\n",
                      hp_fmt_number(f->value, num, sizeof num));
      else
        hp_buf_puts(b, "        value: null\n");
      hp_buf_printf(b, "        unit: \"%s\"\n        status: %s\n",
                    hp_profile_figure_unit(k),
                    hp_profile_status_names[f->status]);
      if (f->status == HP_BENCH_OK && f->best > 0)
        hp_buf_printf(b, "        best: %s\n",
                      hp_fmt_number(f->best, num, sizeof num));
      if (f->repeats > 0)
        hp_buf_printf(b, "        repeats: %d\n", f->repeats);
      if (f->reason) {
        hp_buf_puts(b, "        reason: ");
        yq(b, f->reason);
        hp_buf_putc(b, '\n');
      }
      if (f->detail) {
        hp_buf_puts(b, "        detail: ");
        yq(b, f->detail);
        hp_buf_putc(b, '\n');
      }
    }
  }
}

/* jansson allocates through the library's hooks, as in report_json.c, so
 * that fault injection reaches it. */
static void use_hp_alloc(void) { json_set_alloc_funcs(hp_malloc, hp_free); }

static json_t *jstr(const char *s) { return json_string(s ? s : ""); }

/* Sets o[k] = v, taking v: a NULL o or v, or a failed set, marks *bad, and
 * v is freed either way. */
static void put(json_t *o, const char *k, json_t *v, int *bad) {
  if (!o)
    json_decref(v);
  if (!o || !v || json_object_set_new(o, k, v) != 0)
    *bad = 1;
}

/* Appends v to a, taking it; as put. */
static void add(json_t *a, json_t *v, int *bad) {
  if (!a)
    json_decref(v);
  if (!a || !v || json_array_append_new(a, v) != 0)
    *bad = 1;
}

static json_t *json_profile(const hp_profile *p) {
  int bad = 0;
  json_t *root = json_object(), *devs = json_array();
  put(root, "schema_version", json_integer(p->schema_version), &bad);
  put(root, "host", jstr(p->host), &bad);
  put(root, "date", jstr(p->date), &bad);
  put(root, "backend", jstr(p->backend), &bad);
  put(root, "devices", devs, &bad);
  for (size_t i = 0; !bad && i < p->n_devices; i++) {
    const pdev *v = &p->devices[i];
    json_t *o = json_object(), *st = json_object();
    put(o, "id", jstr(v->id), &bad);
    put(o, "platform", jstr(v->platform), &bad);
    put(o, "name", jstr(v->name), &bad);
    put(o, "vendor", jstr(v->vendor), &bad);
    put(o, "driver_version", jstr(v->driver_version), &bad);
    put(o, "class", json_string(hp_profile_class_names[v->devclass]), &bad);
    put(o, "compute_units", json_integer(v->compute_units), &bad);
    put(o, "clock_mhz", json_integer(v->clock_mhz), &bad);
    put(o, "memory_bytes", json_integer((json_int_t)v->memory_bytes), &bad);
    put(o, "max_alloc_bytes", json_integer((json_int_t)v->max_alloc_bytes),
        &bad);
    put(o, "fp16", json_boolean(v->fp16), &bad);
    put(o, "fp16_how", jstr(v->fp16_how ? v->fp16_how : ""), &bad);
    put(o, "fp64", json_boolean(v->fp64), &bad);
    put(o, "int8_dot", json_boolean(v->int8_dot), &bad);
    for (int k = 0; k < HP_BENCH_COUNT; k++) {
      const pfig *f = &v->fig[k];
      put(o, hp_profile_figure_key(k),
          f->status == HP_BENCH_OK ? json_real(f->value) : json_null(), &bad);
      json_t *s = json_object();
      put(s, "status", json_string(hp_profile_status_names[f->status]), &bad);
      put(s, "unit", json_string(hp_profile_figure_unit(k)), &bad);
      if (f->status == HP_BENCH_OK && f->best > 0)
        put(s, "best", json_real(f->best), &bad);
      if (f->repeats > 0)
        put(s, "repeats", json_integer(f->repeats), &bad);
      if (f->reason)
        put(s, "reason", jstr(f->reason), &bad);
      if (f->detail)
        put(s, "detail", jstr(f->detail), &bad);
      put(st, hp_profile_figure_key(k), s, &bad);
    }
    put(o, "status", st, &bad);
    add(devs, o, &bad);
  }
  if (bad) {
    json_decref(root);
    return NULL;
  }
  return root;
}

/* jansson writes straight into the buffer, as report_json.c's does: a
 * failed append anywhere fails the whole report (hp_buf's failure is
 * sticky), and 17 significant digits read back as the same double. */
static int dump_cb(const char *buffer, size_t size, void *data) {
  hp_buf *b = data;
  hp_buf_append(b, buffer, size);
  return b->oom ? -1 : 0;
}

/* Writes j (taken; NULL: out of memory) to b; b->oom on failure. */
static void dump_json(json_t *j, hp_buf *b) {
  if (!j || json_dump_callback(j, dump_cb, b,
                               JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                   JSON_REAL_PRECISION(17)) != 0)
    b->oom = 1;
  else
    hp_buf_putc(b, '\n');
  json_decref(j);
}

/* Bytes in GiB with the exact count, so that every number has a unit. */
static void put_bytes(hp_buf *b, unsigned long long v) {
  hp_buf_printf(b, "%.1f GiB (%llu bytes)", (double)v / (1024.0 * 1024 * 1024),
                v);
}

static void render_table(const hp_profile *p, hp_buf *b) {
  if (p->n_devices == 0) {
    hp_buf_puts(b, "no device\n");
    return;
  }
  for (size_t i = 0; i < p->n_devices; i++) {
    const pdev *v = &p->devices[i];
    /* Names from the driver as visible text (buf.h). */
    hp_buf_printf(b, "%sdevice ", i ? "\n" : "");
    hp_buf_text(b, v->id);
    hp_buf_puts(b, ": ");
    hp_buf_text(b, v->name);
    hp_buf_printf(b, "\n  class %s, vendor ",
                  hp_profile_class_names[v->devclass]);
    hp_buf_text(b, v->vendor);
    hp_buf_puts(b, ", platform ");
    hp_buf_text(b, v->platform);
    hp_buf_puts(b, ", driver ");
    hp_buf_text(b, v->driver_version);
    hp_buf_putc(b, '\n');
    hp_buf_printf(b, "  %u compute units at %u MHz, memory ", v->compute_units,
                  v->clock_mhz);
    put_bytes(b, v->memory_bytes);
    hp_buf_puts(b, ", largest buffer ");
    put_bytes(b, v->max_alloc_bytes);
    hp_buf_printf(b, "\n  fp16 %s%s%s%s, fp64 %s, int8 dot %s\n",
                  v->fp16 ? "yes" : "no", v->fp16_how ? " (" : "",
                  v->fp16_how ? v->fp16_how : "", v->fp16_how ? ")" : "",
                  v->fp64 ? "yes" : "no", v->int8_dot ? "yes" : "no");
    hp_buf_printf(b, "  %-14s %14s %-7s %-12s %s\n", "figure", "value", "unit",
                  "status", "how / why");
    for (int k = 0; k < HP_BENCH_COUNT; k++) {
      const pfig *f = &v->fig[k];
      if (f->status == HP_BENCH_OK)
        hp_buf_printf(
            b, "  %-14s %14.2f %-7s %-12s %s\n", hp_profile_figure_key(k),
            f->value, hp_profile_figure_unit(k),
            hp_profile_status_names[f->status], f->detail ? f->detail : "");
      else
        hp_buf_printf(b, "  %-14s %14s %-7s %-12s %s\n",
                      hp_profile_figure_key(k), "-", hp_profile_figure_unit(k),
                      hp_profile_status_names[f->status],
                      f->reason ? f->reason : "");
    }
  }
}

static int finish(hp_buf *b, char **out, size_t *len, hp_diag *d) {
  if (hp_buf_detach(b, out, len) != HP_OK)
    return hp_diag_oom(d);
  return HP_OK;
}

int hp_report_profile(const hp_profile *p, hp_profile_format fmt, char **out,
                      size_t *len, hp_diag *d) {
  hp_buf b;
  hp_buf_init(&b);
  if (fmt == HP_PROFILE_YAML) {
    render_yaml(p, &b);
  } else if (fmt == HP_PROFILE_JSON) {
    use_hp_alloc();
    dump_json(json_profile(p), &b);
  } else {
    render_table(p, &b);
  }
  /* The safety net under the driver's names (buf.h). */
  if (fmt == HP_PROFILE_JSON)
    hp_buf_json_guard(&b, 0);
  else if (fmt != HP_PROFILE_YAML)
    hp_buf_guard(&b, 0);
  return finish(&b, out, len, d);
}

/* ---- Comparison
 * ------------------------------------------------------------------ */

/* Pairs each device of cur with one of old, or -1: same name always, and
 * of those the same platform and id first, so that two identical cards
 * keep their own ids, then same platform, then same id, then any. A device
 * is never compared with different hardware that happens to share its id.
 * pair[i] is for cur's device i; used[j] is 1 for a paired old device j. */
static void match_devices(const hp_profile *old, const hp_profile *cur,
                          long *pair, unsigned char *used) {
  for (size_t i = 0; i < cur->n_devices; i++)
    pair[i] = -1;
  for (int pass = 0; pass < 4; pass++) {
    int same_platform = pass < 2, same_id = pass == 0 || pass == 2;
    for (size_t i = 0; i < cur->n_devices; i++) {
      const pdev *v = &cur->devices[i];
      for (size_t j = 0; pair[i] < 0 && j < old->n_devices; j++) {
        const pdev *o = &old->devices[j];
        if (used[j] || strcmp(o->name, v->name) != 0 ||
            (same_platform && strcmp(o->platform, v->platform) != 0) ||
            (same_id && strcmp(o->id, v->id) != 0))
          continue;
        pair[i] = (long)j;
        used[j] = 1;
      }
    }
  }
}

static json_t *jfig(const pfig *f) {
  return f->status == HP_BENCH_OK ? json_real(f->value) : json_null();
}

int hp_report_profile_compare(const hp_profile *old, const hp_profile *cur,
                              hp_profile_format fmt, char **out, size_t *len,
                              hp_diag *d) {
  hp_buf b;
  int bad = 0;
  if (fmt == HP_PROFILE_JSON)
    use_hp_alloc();
  json_t *root = fmt == HP_PROFILE_JSON ? json_array() : NULL;
  long *pair = hp_calloc(cur->n_devices ? cur->n_devices : 1, sizeof *pair);
  unsigned char *used = hp_calloc(old->n_devices ? old->n_devices : 1, 1);
  const char *old_name =
      hp_profile_src(old) ? hp_profile_src(old) : "the old profile";
  hp_buf_init(&b);
  if (!pair || !used || (fmt == HP_PROFILE_JSON && !root)) {
    hp_free(pair);
    hp_free(used);
    json_decref(root);
    return hp_diag_oom(d);
  }
  match_devices(old, cur, pair, used);
  if (fmt != HP_PROFILE_JSON) {
    hp_buf_puts(&b, "comparing ");
    hp_buf_text(&b, old->date);
    hp_buf_puts(&b, " (");
    hp_buf_text(&b, old->host);
    hp_buf_puts(&b, ") with ");
    hp_buf_text(&b, cur->date);
    hp_buf_puts(&b, " (");
    hp_buf_text(&b, cur->host);
    hp_buf_puts(&b, ")\n");
  }
  for (size_t i = 0; i < cur->n_devices; i++) {
    const pdev *v = &cur->devices[i];
    long oi = pair[i];
    json_t *jf = NULL;
    if (root) {
      json_t *jd = json_object();
      jf = json_object();
      put(jd, "id", jstr(v->id), &bad);
      put(jd, "name", jstr(v->name), &bad);
      put(jd, "old_id", oi >= 0 ? jstr(old->devices[oi].id) : json_null(),
          &bad);
      put(jd, "match", json_string(oi >= 0 ? "compared" : "not_in_old"), &bad);
      put(jd, "figures", jf, &bad);
      add(root, jd, &bad);
      if (bad) /* jf may be freed with jd: nothing more goes in */
        jf = NULL;
    } else {
      hp_buf_puts(&b, "\ndevice ");
      hp_buf_text(&b, v->id);
      hp_buf_puts(&b, ": ");
      hp_buf_text(&b, v->name);
      if (oi < 0) {
        hp_buf_puts(&b, ": no device named '");
        hp_buf_text(&b, v->name);
        hp_buf_puts(&b, "' in ");
        hp_buf_text(&b, old_name);
        hp_buf_puts(&b, ": not compared\n");
        continue;
      }
      hp_buf_puts(&b, " (old: ");
      hp_buf_text(&b, old->devices[oi].id);
      hp_buf_puts(&b, ")\n");
      hp_buf_printf(&b, "  %-14s %20s %20s %10s\n", "figure", "old", "new",
                    "change");
    }
    if (oi < 0)
      continue;
    const pdev *o = &old->devices[oi];
    for (int k = 0; k < HP_BENCH_COUNT; k++) {
      const pfig *fo = &o->fig[k], *fn = &v->fig[k];
      int both = fo->status == HP_BENCH_OK && fn->status == HP_BENCH_OK;
      double pct = both && fo->value > 0
                       ? (fn->value - fo->value) / fo->value * 100.0
                       : 0.0;
      if (root) {
        json_t *x = json_object();
        put(x, "unit", json_string(hp_profile_figure_unit(k)), &bad);
        put(x, "old", jfig(fo), &bad);
        put(x, "new", jfig(fn), &bad);
        put(x, "change_pct", both ? json_real(pct) : json_null(), &bad);
        if (jf)
          put(jf, hp_profile_figure_key(k), x, &bad);
        else
          json_decref(x);
        continue;
      }
      char so[48], sn[48], sc[24];
      if (fo->status == HP_BENCH_OK)
        snprintf(so, sizeof so, "%.2f %s", fo->value,
                 hp_profile_figure_unit(k));
      else
        snprintf(so, sizeof so, "%s", hp_profile_status_names[fo->status]);
      if (fn->status == HP_BENCH_OK)
        snprintf(sn, sizeof sn, "%.2f %s", fn->value,
                 hp_profile_figure_unit(k));
      else
        snprintf(sn, sizeof sn, "%s", hp_profile_status_names[fn->status]);
      if (both)
        snprintf(sc, sizeof sc, "%+.1f %%", pct);
      else
        snprintf(sc, sizeof sc, "-");
      hp_buf_printf(&b, "  %-14s %20s %20s %10s\n", hp_profile_figure_key(k),
                    so, sn, sc);
    }
  }
  /* Old devices that nothing matched: gone, renamed, or left out by
   * --device. Said, so that a silent absence is not read as "no change". */
  for (size_t j = 0; j < old->n_devices; j++) {
    const pdev *o = &old->devices[j];
    if (used[j])
      continue;
    if (root) {
      json_t *jd = json_object();
      put(jd, "id", json_null(), &bad);
      put(jd, "name", jstr(o->name), &bad);
      put(jd, "old_id", jstr(o->id), &bad);
      put(jd, "match", json_string("not_in_new"), &bad);
      put(jd, "figures", json_object(), &bad);
      add(root, jd, &bad);
    } else {
      hp_buf_puts(&b, "\nold device ");
      hp_buf_text(&b, o->id);
      hp_buf_puts(&b, ": ");
      hp_buf_text(&b, o->name);
      hp_buf_puts(&b, ": not in the new profile: not compared\n");
    }
  }
  hp_free(pair);
  hp_free(used);
  if (root) {
    if (bad) {
      json_decref(root);
      root = NULL;
    }
    dump_json(root, &b);
    hp_buf_json_guard(&b, 0); /* the safety net (buf.h) */
  } else {
    hp_buf_guard(&b, 0);
  }
  return finish(&b, out, len, d);
}
