/* catalog.c - devices/ *.yaml files into an hp_catalog.
 *
 * Each file describes one card SKU. Validation is strict: unknown keys (with
 * a did-you-mean), missing required figures, non-positive figures, an id that
 * differs from the file name, and a figure without a source are all errors
 * that name file:line:column. Strings are copied out of the YAML tree.
 */
#define _POSIX_C_SOURCE 200809L
#include "catalog.h"

#include <assert.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mem.h"
#include "status.h"
#include "yamlx.h"

struct hp_catalog {
  hp_device_spec *devs; /* sorted by vendor, then id */
  size_t n;
};

static const char *const fig_keys[HP_FIG_COUNT] = {
#define XX(field, key, unit, req) key,
    HP_FIGURE_MAP(XX)
#undef XX
};
static const char *const fig_units[HP_FIG_COUNT] = {
#define XX(field, key, unit, req) unit,
    HP_FIGURE_MAP(XX)
#undef XX
};
static const int fig_required[HP_FIG_COUNT] = {
#define XX(field, key, unit, req) req,
    HP_FIGURE_MAP(XX)
#undef XX
};

const char *hp_figure_key(hp_figure f) {
  return f < HP_FIG_COUNT ? fig_keys[f] : "?";
}
const char *hp_figure_unit(hp_figure f) {
  return f < HP_FIG_COUNT ? fig_units[f] : "?";
}
const char *hp_market_name(hp_market m) {
  switch (m) {
  case HP_MARKET_AVAILABLE:
    return "available";
  case HP_MARKET_RESTRICTED:
    return "restricted";
  case HP_MARKET_UNAVAILABLE:
    return "unavailable";
  default:
    return "unknown";
  }
}
int hp_figure_find(const char *key, hp_figure *out) {
  assert(key && out);
  for (int i = 0; i < HP_FIG_COUNT; i++)
    if (strcmp(fig_keys[i], key) == 0) {
      *out = (hp_figure)i;
      return HP_OK;
    }
  return HP_ENOTFOUND;
}

static const char *const device_keys[] = {"id",
                                          "vendor",
                                          "name",
                                          "domestic",
                                          "opencl",
                                          "memory_gb",
                                          "memory_bw_tbps",
                                          "fp16_tflops",
                                          "tdp_w",
                                          "cards_per_server",
                                          "price_server_cny",
                                          "price_card_cny",
                                          "fp8_tflops",
                                          "int8_tops",
                                          "fp32_tflops",
                                          "interconnect_gbps",
                                          "network_gbps",
                                          "server_power_w",
                                          "fp4_tflops",
                                          "mfu",
                                          "mbu",
                                          "notes",
                                          "sources",
                                          "measured",
                                          "measured_device",
                                          "market",
                                          "price_as_of",
                                          "price_hour_cny",
                                          NULL};

void hp_catalog_device_cleanup(hp_device_spec *s) {
  hp_free((char *)s->id);
  hp_free((char *)s->vendor);
  hp_free((char *)s->name);
  hp_free((char *)s->path);
  hp_free((char *)s->notes);
  hp_free((char *)s->measured);
  hp_free((char *)s->measured_device);
  hp_free((char *)s->market_as_of);
  hp_free((char *)s->market_ref);
  hp_free((char *)s->price_as_of);
  for (int i = 0; i < HP_FIG_COUNT; i++)
    hp_free((char *)s->src[i]);
  memset(s, 0, sizeof *s);
}

static int conf_parse(const char *s, hp_confidence *out) {
  static const char *const names = "VSWEM";
  if (strlen(s) != 1 || !strchr(names, s[0]))
    return 0;
  switch (s[0]) {
  case 'V':
    *out = HP_CONF_V;
    break;
  case 'S':
    *out = HP_CONF_S;
    break;
  case 'W':
    *out = HP_CONF_W;
    break;
  case 'E':
    *out = HP_CONF_E;
    break;
  default:
    *out = HP_CONF_M;
    break;
  }
  return 1;
}

const char *hp_catalog_conf_name(hp_confidence c) {
  switch (c) {
  case HP_CONF_V:
    return "V";
  case HP_CONF_S:
    return "S";
  case HP_CONF_W:
    return "W";
  case HP_CONF_E:
    return "E";
  case HP_CONF_M:
    return "M";
  default:
    return "";
  }
}

/* The string at key, copied; *out stays NULL when the key is absent. */
static int get_str(const hp_ynode *root, const char *key, const char *file,
                   int required, char **out, hp_diag *d) {
  const hp_ynode *n = hp_yaml_map_get(root, key);
  if (!n) {
    if (required)
      return hp_diag_set(d, HP_EMISSING, file, root->line, root->col,
                         "required key '%s' is missing", key);
    return HP_OK;
  }
  const char *s;
  int rc = hp_yaml_get_string(n, key, file, &s, d);
  if (rc != HP_OK)
    return rc;
  *out = hp_strdup(s);
  return *out ? HP_OK : hp_diag_oom(d);
}

static int is_lower_id(const char *s) {
  if (!*s)
    return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
          *s == '_'))
      return 0;
  return 1;
}

char *hp_catalog_resolve_path(const char *file, const char *rel) {
  if (rel[0] == '/')
    return hp_strdup(rel);
  const char *slash = strrchr(file, '/');
  if (!slash)
    return hp_strdup(rel);
  hp_buf b;
  hp_buf_init(&b);
  hp_buf_append(&b, file, (size_t)(slash - file) + 1);
  hp_buf_puts(&b, rel);
  char *out = NULL;
  if (hp_buf_detach(&b, &out, NULL) != HP_OK)
    return NULL;
  return out;
}

/* ----------------------------------------------------------------------------
 * Dates and the market block
 * ------------------------------------------------------------------------- */

int hp_catalog_date_check(const char *s, char *why, size_t why_size) {
  static const char *const months[] = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  why[0] = '\0';
  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return 0;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
      return 0;
  int y = atoi(s), m = atoi(s + 5), day = atoi(s + 8);
  if (y < 1970) {
    snprintf(why, why_size, " (the year %d is before 1970)", y);
    return 0;
  }
  if (m < 1 || m > 12) {
    snprintf(why, why_size, " (there is no month %02d)", m);
    return 0;
  }
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int last = mdays[m - 1] + (m == 2 && leap);
  if (day < 1 || day > last) {
    snprintf(why, why_size, " (%s %d has %d days)", months[m - 1], y, last);
    return 0;
  }
  return 1;
}

/* The date at node n (key `where` in messages), copied into *out. */
static int get_date(const hp_ynode *n, const char *where, const char *file,
                    const char **out, hp_diag *d) {
  const char *s;
  int rc = hp_yaml_get_string(n, where, file, &s, d);
  if (rc != HP_OK)
    return rc;
  char why[64];
  if (!hp_catalog_date_check(s, why, sizeof why))
    return hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                       "%s: expected a calendar date YYYY-MM-DD, got "
                       "'%.40s'%s",
                       where, s, why);
  *out = hp_strdup(s);
  return *out ? HP_OK : hp_diag_oom(d);
}

int hp_catalog_market_parse(const char *s, hp_market *out) {
  static const hp_market all[] = {HP_MARKET_AVAILABLE, HP_MARKET_RESTRICTED,
                                  HP_MARKET_UNAVAILABLE};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (strcmp(s, hp_market_name(all[i])) == 0) {
      *out = all[i];
      return HP_OK;
    }
  return HP_ENOTFOUND;
}

/* `market: {china: STATUS, as_of: DATE, ref: "..."}` and `price_as_of`:
 * into s. All three market keys are required once the block is given; the
 * price date is required when the file gives a price. */
static int parse_market(const hp_ynode *root, const char *file,
                        hp_device_spec *s, hp_diag *d) {
  int rc;
  const hp_ynode *m = hp_yaml_map_get(root, "market");
  if (m) {
    static const char *const keys[] = {"china", "as_of", "ref", NULL};
    if (m->kind != HP_Y_MAP)
      return hp_diag_set(d, HP_ETYPE, file, m->line, m->col,
                         "market: expected {china: available|restricted|"
                         "unavailable, as_of: YYYY-MM-DD, ref: \"...\"}, "
                         "got %s",
                         hp_yaml_kind_name(m->kind));
    if ((rc = hp_yaml_check_keys(m, keys, "market", file, d)) != HP_OK)
      return rc;
    for (int i = 0; keys[i]; i++)
      if (!hp_yaml_map_get(m, keys[i]))
        return hp_diag_set(d, HP_EMISSING, file, m->line, m->col,
                           "market: required key '%s' is missing (market "
                           "needs china, as_of and ref)",
                           keys[i]);
    const hp_ynode *c = hp_yaml_map_get(m, "china");
    const char *cs;
    if ((rc = hp_yaml_get_string(c, "market.china", file, &cs, d)) != HP_OK)
      return rc;
    if (hp_catalog_market_parse(cs, &s->market_china) != HP_OK)
      return hp_diag_set(d, HP_ERANGE, file, c->line, c->col,
                         "market.china: expected available, restricted or "
                         "unavailable, got '%.40s'",
                         cs);
    if ((rc = get_date(hp_yaml_map_get(m, "as_of"), "market.as_of", file,
                       &s->market_as_of, d)) != HP_OK)
      return rc;
    const char *rs;
    if ((rc = hp_yaml_get_string(hp_yaml_map_get(m, "ref"), "market.ref", file,
                                 &rs, d)) != HP_OK)
      return rc;
    if (!(s->market_ref = hp_strdup(rs)))
      return hp_diag_oom(d);
  }
  const hp_ynode *p = hp_yaml_map_get(root, "price_as_of");
  if (p)
    return get_date(p, "price_as_of", file, &s->price_as_of, d);
  if (s->fig[HP_FIG_price_server_cny] > 0 || s->fig[HP_FIG_price_card_cny] > 0)
    return hp_diag_set(d, HP_EMISSING, file, root->line, root->col,
                       "required key 'price_as_of' is missing (the date of "
                       "the prices, YYYY-MM-DD)");
  return HP_OK;
}

int hp_catalog_parse_device(const hp_ynode *root, const char *file,
                            hp_device_spec *out, hp_diag *d) {
  hp_device_spec s;
  memset(&s, 0, sizeof s);
  int rc;
  if (root->kind != HP_Y_MAP)
    return hp_diag_set(d, HP_ETYPE, file, root->line, root->col,
                       "expected a mapping of device keys, got %s",
                       hp_yaml_kind_name(root->kind));
  if ((rc = hp_yaml_check_keys(root, device_keys, "device", file, d)) != HP_OK)
    return rc;
  if ((rc = get_str(root, "id", file, 1, (char **)&s.id, d)) != HP_OK)
    goto fail;
  if (!is_lower_id(s.id)) {
    const hp_ynode *n = hp_yaml_map_get(root, "id");
    rc = hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                     "id: expected lower-case letters, digits, '-' or '_', "
                     "got '%.100s'",
                     s.id);
    goto fail;
  }
  if ((rc = get_str(root, "vendor", file, 1, (char **)&s.vendor, d)) != HP_OK)
    goto fail;
  if ((rc = get_str(root, "name", file, 1, (char **)&s.name, d)) != HP_OK)
    goto fail;
  if ((rc = get_str(root, "notes", file, 0, (char **)&s.notes, d)) != HP_OK)
    goto fail;
  const hp_ynode *n = hp_yaml_map_get(root, "domestic");
  if (!n) {
    rc = hp_diag_set(d, HP_EMISSING, file, root->line, root->col,
                     "required key 'domestic' is missing (true for a Chinese "
                     "domestic card)");
    goto fail;
  }
  if ((rc = hp_yaml_get_bool(n, "domestic", file, &s.domestic, d)) != HP_OK)
    goto fail;
  if ((n = hp_yaml_map_get(root, "opencl")) &&
      (rc = hp_yaml_get_bool(n, "opencl", file, &s.opencl, d)) != HP_OK)
    goto fail;

  const hp_ynode *sources = hp_yaml_map_get(root, "sources");
  if (!sources) {
    rc = hp_diag_set(d, HP_EMISSING, file, root->line, root->col,
                     "required key 'sources' is missing (every figure needs "
                     "a source)");
    goto fail;
  }
  if (sources->kind != HP_Y_MAP) {
    rc = hp_diag_set(d, HP_ETYPE, file, sources->line, sources->col,
                     "sources: expected a mapping of figure -> {conf, ref}, "
                     "got %s",
                     hp_yaml_kind_name(sources->kind));
    goto fail;
  }

  for (int f = 0; f < HP_FIG_COUNT; f++) {
    n = hp_yaml_map_get(root, fig_keys[f]);
    if (!n) {
      if (fig_required[f]) {
        rc = hp_diag_set(d, HP_EMISSING, file, root->line, root->col,
                         "required figure '%s' (%s) is missing", fig_keys[f],
                         fig_units[f]);
        goto fail;
      }
      continue;
    }
    if ((rc = hp_yaml_get_number_in(n, fig_keys[f], file, HP_NUM_POSITIVE,
                                    &s.fig[f], d)) != HP_OK)
      goto fail;
    if (s.fig[f] < HP_MIN_FIGURE) {
      rc = hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                       "%s: expected at least %g (HP_MIN_FIGURE), got %g",
                       fig_keys[f], HP_MIN_FIGURE, s.fig[f]);
      goto fail;
    }
    if (f == HP_FIG_cards_per_server &&
        (s.fig[f] != floor(s.fig[f]) || s.fig[f] > HP_MAX_CARDS_PER_SERVER)) {
      rc = hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                       "cards_per_server: expected a whole number of cards "
                       "from 1 to %d (HP_MAX_CARDS_PER_SERVER), got %g",
                       HP_MAX_CARDS_PER_SERVER, s.fig[f]);
      goto fail;
    }
  }
  if ((n = hp_yaml_map_get(root, "mfu")) &&
      (rc = hp_yaml_get_number_in(n, "mfu", file, HP_NUM_UNIT_OPEN, &s.mfu,
                                  d)) != HP_OK)
    goto fail;
  if ((n = hp_yaml_map_get(root, "mbu")) &&
      (rc = hp_yaml_get_number_in(n, "mbu", file, HP_NUM_UNIT_OPEN, &s.mbu,
                                  d)) != HP_OK)
    goto fail;
  /* price_hour_cny is a sourced figure; the field of its own (since 0.5)
   * stays for the programs that read it. */
  s.price_hour_cny = s.fig[HP_FIG_price_hour_cny];

  /* Every figure present needs a source; every source names a figure. */
  static const char *const src_keys[] = {"conf", "ref", NULL};
  for (size_t i = 0; i < sources->n; i++) {
    const char *k = sources->keys[i];
    hp_figure f = HP_FIG_COUNT;
    int is_fig = hp_figure_find(k, &f) == HP_OK;
    int is_eff = strcmp(k, "mfu") == 0 || strcmp(k, "mbu") == 0;
    if ((!is_fig && !is_eff) || !hp_yaml_map_get(root, k)) {
      rc = hp_diag_set(
          d, HP_EKEY, file, sources->key_line[i], sources->key_col[i],
          "sources: '%.100s' is not a figure given in this file", k);
      goto fail;
    }
    const hp_ynode *e = sources->items[i];
    if (e->kind != HP_Y_MAP) {
      rc = hp_diag_set(d, HP_ETYPE, file, e->line, e->col,
                       "sources.%s: expected {conf: V|S|W|E, ref: \"...\"}, "
                       "got %s",
                       k, hp_yaml_kind_name(e->kind));
      goto fail;
    }
    char where[128];
    snprintf(where, sizeof where, "sources.%s", k);
    if ((rc = hp_yaml_check_keys(e, src_keys, where, file, d)) != HP_OK)
      goto fail;
    const hp_ynode *c = hp_yaml_map_get(e, "conf"),
                   *r = hp_yaml_map_get(e, "ref");
    if (!c || !r) {
      rc = hp_diag_set(d, HP_EMISSING, file, e->line, e->col,
                       "sources.%s: needs both 'conf' and 'ref'", k);
      goto fail;
    }
    const char *cs, *rs;
    hp_confidence conf;
    if ((rc = hp_yaml_get_string(c, "conf", file, &cs, d)) != HP_OK)
      goto fail;
    if (!conf_parse(cs, &conf)) {
      rc = hp_diag_set(d, HP_ERANGE, file, c->line, c->col,
                       "sources.%s.conf: expected V, S, W, E or M, got "
                       "'%.20s'",
                       k, cs);
      goto fail;
    }
    if ((rc = hp_yaml_get_string(r, "ref", file, &rs, d)) != HP_OK)
      goto fail;
    if (is_fig) {
      s.conf[f] = conf;
      if (!(s.src[f] = hp_strdup(rs))) {
        rc = hp_diag_oom(d);
        goto fail;
      }
    }
  }
  for (int f = 0; f < HP_FIG_COUNT; f++) {
    if (s.fig[f] > 0 && s.conf[f] == HP_CONF_NONE) {
      const long i = hp_yaml_map_index(root, fig_keys[f]);
      rc =
          hp_diag_set(d, HP_EMISSING, file, root->key_line[i], root->key_col[i],
                      "%s: no entry under 'sources' (every figure needs a "
                      "source)",
                      fig_keys[f]);
      goto fail;
    }
  }
  for (int e = 0; e < 2; e++) {
    const char *k = e ? "mbu" : "mfu";
    long i = hp_yaml_map_index(root, k);
    if (i >= 0 && !hp_yaml_map_get(sources, k)) {
      rc =
          hp_diag_set(d, HP_EMISSING, file, root->key_line[i], root->key_col[i],
                      "%s: no entry under 'sources' (every figure needs a "
                      "source)",
                      k);
      goto fail;
    }
  }
  char *measured = NULL;
  if ((rc = get_str(root, "measured", file, 0, &measured, d)) != HP_OK)
    goto fail;
  if (measured) {
    s.measured = hp_catalog_resolve_path(file, measured);
    hp_free(measured);
    if (!s.measured) {
      rc = hp_diag_oom(d);
      goto fail;
    }
  }
  if ((rc = get_str(root, "measured_device", file, 0,
                    (char **)&s.measured_device, d)) != HP_OK)
    goto fail;
  if (s.measured_device && !s.measured) {
    const hp_ynode *md = hp_yaml_map_get(root, "measured_device");
    rc = hp_diag_set(d, HP_EMISSING, file, md->line, md->col,
                     "measured_device needs measured: (the probe profile "
                     "it picks a device of)");
    goto fail;
  }
  if ((rc = parse_market(root, file, &s, d)) != HP_OK)
    goto fail;
  if (!(s.path = hp_strdup(file))) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  *out = s;
  return HP_OK;
fail:
  hp_catalog_device_cleanup(&s);
  return rc;
}

static int cmp_spec(const void *a, const void *b) {
  const hp_device_spec *x = a, *y = b;
  int c = strcasecmp(x->vendor, y->vendor);
  return c ? c : strcmp(x->id, y->id);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_yaml_ext(const char *name) {
  size_t n = strlen(name);
  return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
         (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

void hp_catalog_free(hp_catalog *c) {
  if (!c)
    return;
  for (size_t i = 0; i < c->n; i++)
    hp_catalog_device_cleanup(&c->devs[i]);
  hp_free(c->devs);
  hp_free(c);
}

int hp_catalog_add(hp_catalog *c, const hp_device_spec *s, hp_diag *d) {
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->devs[i].id, s->id) == 0)
      return hp_diag_set(d, HP_EDUP, s->path, 0, 0,
                         "device id '%s' is already defined in %s", s->id,
                         c->devs[i].path ? c->devs[i].path : "the catalog");
  hp_device_spec *p = hp_realloc(c->devs, (c->n + 1) * sizeof *p);
  if (!p)
    return hp_diag_oom(d);
  c->devs = p;
  c->devs[c->n++] = *s;
  return HP_OK;
}

int hp_catalog_new_empty(hp_catalog **out) {
  hp_catalog *c = hp_calloc(1, sizeof *c);
  if (!c)
    return HP_ENOMEM;
  *out = c;
  return HP_OK;
}

int hp_catalog_load(const char *dir, hp_catalog **out, hp_diag *d) {
  assert(dir && out);
  hp_catalog *c = NULL;
  char **names = NULL;
  size_t n_names = 0;
  int rc = HP_OK;
  DIR *dh = opendir(dir);
  if (!dh)
    return hp_diag_set(d, HP_EIO, dir, 0, 0,
                       "cannot open catalog directory (expected a folder of "
                       "device *.yaml files)");
  if (hp_catalog_new_empty(&c) != HP_OK) {
    rc = hp_diag_oom(d);
    goto out;
  }
  struct dirent *e;
  while ((e = readdir(dh))) {
    if (e->d_name[0] == '.' || !has_yaml_ext(e->d_name))
      continue;
    char **p = hp_realloc(names, (n_names + 1) * sizeof *p);
    if (!p) {
      rc = hp_diag_oom(d);
      goto out;
    }
    names = p;
    size_t len = strlen(dir) + strlen(e->d_name) + 2;
    names[n_names] = hp_malloc(len);
    if (!names[n_names]) {
      rc = hp_diag_oom(d);
      goto out;
    }
    snprintf(names[n_names++], len, "%s/%s", dir, e->d_name);
  }
  if (n_names == 0) {
    rc = hp_diag_set(d, HP_EEMPTY, dir, 0, 0,
                     "catalog directory has no *.yaml device files");
    goto out;
  }
  qsort(names, n_names, sizeof *names, cmp_str);
  for (size_t i = 0; i < n_names; i++) {
    hp_ynode *root = NULL;
    if ((rc = hp_yaml_load_file(names[i], &root, d)) != HP_OK)
      goto out;
    hp_device_spec s;
    rc = hp_catalog_parse_device(root, names[i], &s, d);
    if (rc == HP_OK) {
      /* The id must match the file name, so `--device ID` finds the file. */
      const char *base = strrchr(names[i], '/');
      base = base ? base + 1 : names[i];
      size_t stem = strcspn(base, ".");
      if (strlen(s.id) != stem || strncmp(s.id, base, stem) != 0) {
        const hp_ynode *idn = hp_yaml_map_get(root, "id");
        rc = hp_diag_set(d, HP_ERANGE, names[i], idn->line, idn->col,
                         "id: '%s' does not match the file name '%s' "
                         "(expected '%.*s')",
                         s.id, base, (int)stem, base);
        hp_catalog_device_cleanup(&s);
      } else if ((rc = hp_catalog_add(c, &s, d)) != HP_OK) {
        hp_catalog_device_cleanup(&s);
      }
    }
    hp_yaml_node_free(root);
    if (rc != HP_OK)
      goto out;
  }
  qsort(c->devs, c->n, sizeof *c->devs, cmp_spec);
out:
  closedir(dh);
  for (size_t i = 0; i < n_names; i++)
    hp_free(names[i]);
  hp_free(names);
  if (rc != HP_OK) {
    hp_catalog_free(c);
    return rc;
  }
  *out = c;
  return HP_OK;
}

size_t hp_catalog_count(const hp_catalog *c) { return c ? c->n : 0; }

const hp_device_spec *hp_catalog_at(const hp_catalog *c, size_t i) {
  return c && i < c->n ? &c->devs[i] : NULL;
}

const hp_device_spec *hp_catalog_find(const hp_catalog *c, const char *id) {
  assert(id);
  for (size_t i = 0; c && i < c->n; i++)
    if (strcmp(c->devs[i].id, id) == 0)
      return &c->devs[i];
  return NULL;
}

const char *hp_catalog_suggest(const hp_catalog *c, const char *id) {
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  for (size_t i = 0; c && i < c->n; i++) {
    size_t dd = hp_yaml_levenshtein(id, c->devs[i].id);
    if (dd < best_d) {
      best_d = dd;
      best = c->devs[i].id;
    }
  }
  return best_d <= 4 ? best : NULL;
}
