/* scenario.c - plans/ *.yaml into validated scenarios.
 *
 * A plan has `name`, optional `defaults` and a sequence `scenarios`. Each
 * scenario is defaults deep-merged with its entry (the entry wins; maps merge
 * key by key, anything else is replaced), then bound against a schema of
 * known keys with types and ranges. Every error names file:line:column.
 *
 * Layout: names of enums, merge, binding (workload, constraints, devices),
 * the plan file, numeric edits by path (sweeps).
 */
#define _POSIX_C_SOURCE 200809L
#include "scenario.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "buf.h"
#include "catalog.h"
#include "mem.h"
#include "model_hf.h"
#include "profile.h"
#include "numfmt.h"
#include "solver_cbc.h"
#include "status.h"

/* An enum value from a string; error lists the choices. */
static int get_enum(const hp_ynode *n, const char *key, const char *file,
                    const char *const *choices, int *out, hp_diag *d) {
  const char *s;
  int rc = hp_yaml_get_string(n, key, file, &s, d);
  if (rc != HP_OK)
    return rc;
  hp_buf b;
  hp_buf_init(&b);
  for (int i = 0; choices[i]; i++) {
    if (strcmp(s, choices[i]) == 0) {
      hp_buf_cleanup(&b);
      *out = i;
      return HP_OK;
    }
    hp_buf_printf(&b, "%s%s", i ? ", " : "", choices[i]);
  }
  rc = hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                   "%s: expected one of %s, got '%.100s'", key,
                   b.data ? b.data : "", s);
  hp_buf_cleanup(&b);
  return rc;
}

/* ----------------------------------------------------------------------------
 * Merge
 * ------------------------------------------------------------------------- */

/* Keys that are alternatives: an overlay that sets one hides the other
 * inherited from the base (tokens/day or users x tokens/user/day). */
static const char *const alternatives[][2] = {
    {"tokens_per_day", "users"},
    {"tokens_per_day", "requests_per_s"},
    {"users", "requests_per_s"},
};

/* Deep-merges overlay into base (base is modified). */
static int merge_into(hp_ynode *base, const hp_ynode *overlay);
int hp_scenario_merge(hp_ynode *base, const hp_ynode *overlay) {
  return merge_into(base, overlay);
}
static int merge_into(hp_ynode *base, const hp_ynode *overlay) {
  for (size_t a = 0; a < sizeof alternatives / sizeof alternatives[0]; a++) {
    for (int side = 0; side < 2; side++)
      if (hp_yaml_map_get(overlay, alternatives[a][side]) &&
          !hp_yaml_map_get(overlay, alternatives[a][!side]))
        hp_yaml_map_remove(base, alternatives[a][!side]);
  }
  for (size_t i = 0; i < overlay->n; i++) {
    const hp_ynode *ov = overlay->items[i];
    hp_ynode *bv = (hp_ynode *)hp_yaml_map_get(base, overlay->keys[i]);
    if (bv && bv->kind == HP_Y_MAP && hp_yaml_is_null(ov))
      continue; /* null is an empty mapping: it adds nothing */
    if (bv && bv->kind == HP_Y_MAP && ov->kind == HP_Y_MAP) {
      int rc = merge_into(bv, ov);
      if (rc != HP_OK)
        return rc;
      continue;
    }
    hp_ynode *copy = hp_yaml_node_clone(ov);
    if (!copy)
      return HP_ENOMEM;
    if (hp_yaml_map_set(base, overlay->keys[i], copy, overlay->key_line[i],
                        overlay->key_col[i]) != HP_OK) {
      hp_yaml_node_free(copy);
      return HP_ENOMEM;
    }
  }
  return HP_OK;
}

/* ----------------------------------------------------------------------------
 * Binding
 * ------------------------------------------------------------------------- */

void hp_scenario_cleanup(hp_scenario *s) {
  if (!s)
    return;
  hp_free(s->name);
  hp_free(s->file);
  hp_free(s->model.name);
  hp_free(s->model.file);
  for (size_t i = 0; i < s->n_classes; i++)
    hp_free(s->classes[i].name);
  hp_free(s->classes);
  for (size_t i = 0; i < s->n_cands; i++) {
    hp_free(s->cands[i].mfu_from);
    hp_free(s->cands[i].price_as_of);
  }
  hp_free(s->cands);
  for (size_t i = 0; i < s->n_caps; i++)
    hp_free(s->caps[i].key);
  hp_free(s->caps);
  for (size_t i = 0; i < s->n_exclude_vendors; i++)
    hp_free(s->exclude_vendors[i]);
  hp_free(s->exclude_vendors);
  hp_scenario_services_cleanup(s);
  memset(s, 0, sizeof *s);
}

static const char *const scenario_keys[] = {"name",
                                            "description",
                                            "workload",
                                            "demand_model",
                                            "mfu",
                                            "mbu",
                                            "granularity",
                                            "devices",
                                            "overrides",
                                            "measured",
                                            "objective",
                                            "constraints",
                                            "pue",
                                            "years",
                                            "power_price_cny_per_kwh",
                                            "utilisation",
                                            "token_price_cny_per_mtok",
                                            "roofline",
                                            "solver",
                                            "services",
                                            "throughput",
                                            NULL};
static const char *const workload_keys[] = {"model",
                                            "model_file",
                                            "tokens_per_day",
                                            "users",
                                            "tokens_per_user_per_day",
                                            "requests_per_s",
                                            "seconds_per_day",
                                            "peak_factor",
                                            "requests",
                                            "slo",
                                            NULL};
static const char *const constraint_keys[] = {"headroom",
                                              "domestic_share",
                                              "caps",
                                              "exclude_vendors",
                                              "power_mw",
                                              "budget_cny",
                                              "max_vendor_share",
                                              "min_servers_per_sku",
                                              "max_skus",
                                              NULL};
static const char *const share_keys[] = {"min", "max", "basis", NULL};

/* Optional number at key with a range; *out untouched when absent. */
static int opt_num(const hp_ynode *map, const char *key, const char *where,
                   const char *file, hp_numrange r, double *out, hp_diag *d) {
  const hp_ynode *n = hp_yaml_map_get(map, key);
  if (!n)
    return HP_OK;
  char full[160];
  snprintf(full, sizeof full, "%s%s%s", where ? where : "", where ? "." : "",
           key);
  return hp_yaml_get_number_in(n, full, file, r, out, d);
}

/* A null value ("constraints:" with every child commented out) reads as
 * an empty mapping: it has no keys, and hp_yaml_map_get finds none. */
static int expect_map(const hp_ynode *n, const char *key, const char *file,
                      hp_diag *d) {
  if (n->kind != HP_Y_MAP && !hp_yaml_is_null(n))
    return hp_diag_set(d, HP_ETYPE, file, n->line, n->col,
                       "%s: expected a mapping, got %s", key,
                       hp_yaml_kind_name(n->kind));
  return HP_OK;
}

/* ----------------------------------------------------------------------------
 * The model: inline under workload.model, from a models/ file named by
 * workload.model_file or by workload.model.name (when params is absent), or
 * both (inline keys override the file's).
 * ------------------------------------------------------------------------- */

/* Numeric model keys; `whole` ones must be integers. */
static const struct model_num {
  const char *key;
  size_t off;
  int whole;
  hp_numrange range;
} model_nums[] = {
    {"params", offsetof(hp_model_desc, params), 0, HP_NUM_POSITIVE},
    {"active_params", offsetof(hp_model_desc, active_params), 0,
     HP_NUM_POSITIVE},
    {"layers", offsetof(hp_model_desc, layers), 1, HP_NUM_POSITIVE},
    {"hidden_size", offsetof(hp_model_desc, hidden_size), 1, HP_NUM_POSITIVE},
    {"heads", offsetof(hp_model_desc, heads), 1, HP_NUM_POSITIVE},
    {"kv_heads", offsetof(hp_model_desc, kv_heads), 1, HP_NUM_POSITIVE},
    {"head_dim", offsetof(hp_model_desc, head_dim), 1, HP_NUM_POSITIVE},
    {"vocab", offsetof(hp_model_desc, vocab), 1, HP_NUM_POSITIVE},
    {"intermediate_size", 0, 1, HP_NUM_POSITIVE}, /* informational */
    {"kv_lora_rank", offsetof(hp_model_desc, kv_lora_rank), 1, HP_NUM_NONNEG},
    {"qk_rope_head_dim", offsetof(hp_model_desc, qk_rope_head_dim), 1,
     HP_NUM_NONNEG},
    {"experts", offsetof(hp_model_desc, experts), 1, HP_NUM_NONNEG},
    {"experts_per_token", offsetof(hp_model_desc, experts_per_token), 1,
     HP_NUM_NONNEG},
    {"moe_intermediate_size", offsetof(hp_model_desc, moe_intermediate_size), 1,
     HP_NUM_POSITIVE},
    {"shared_experts", offsetof(hp_model_desc, shared_experts), 1,
     HP_NUM_NONNEG},
    {"dense_layers", offsetof(hp_model_desc, dense_layers), 1, HP_NUM_NONNEG},
    {"sparse_attention_topk", offsetof(hp_model_desc, sparse_attention_topk), 1,
     HP_NUM_NONNEG},
};
#define N_MODEL_NUMS (sizeof model_nums / sizeof model_nums[0])

/* The keys an inline model and a model file share; each adds its own. */
#define MODEL_SHARED_KEYS                                                      \
  "name", "params", "active_params", "layers", "hidden_size", "heads",         \
      "kv_heads", "head_dim", "vocab", "intermediate_size", "kv_lora_rank",    \
      "qk_rope_head_dim", "experts", "experts_per_token",                      \
      "moe_intermediate_size", "shared_experts", "dense_layers",               \
      "sparse_attention_topk", "weight_dtype", "kv_dtype"
static const char *const model_keys[] = {MODEL_SHARED_KEYS, "config", NULL};
static const char *const model_file_keys[] = {MODEL_SHARED_KEYS, "description",
                                              "notes", "sources", NULL};
static const char *const dtypes[] = {"fp16", "bf16", "fp8", "int8",
                                     "int4", "fp4",  NULL};

/* Where each model figure was set, for cross-key messages. */
typedef struct model_marks {
  const char *file[N_MODEL_NUMS];
  int line[N_MODEL_NUMS], col[N_MODEL_NUMS];
  int have[N_MODEL_NUMS];
} model_marks;

static long model_num_index(const char *key) {
  for (size_t i = 0; i < N_MODEL_NUMS; i++)
    if (strcmp(model_nums[i].key, key) == 0)
      return (long)i;
  return -1;
}

/* Applies the keys of one model mapping (a file's or the inline one). */
static int apply_model_map(const hp_ynode *map, const char *file,
                           const char *where, hp_model_desc *md,
                           model_marks *mk, hp_diag *d) {
  int rc;
  char full[200];
  for (size_t i = 0; i < map->n; i++) {
    const char *k = map->keys[i];
    const hp_ynode *v = map->items[i];
    snprintf(full, sizeof full, "%s.%s", where, k);
    long j = model_num_index(k);
    if (j >= 0) {
      double x;
      if ((rc = hp_yaml_get_number_in(v, full, file, model_nums[j].range, &x,
                                      d)) != HP_OK)
        return rc;
      if (model_nums[j].whole && x != floor(x))
        return hp_diag_set(d, HP_ERANGE, file, v->line, v->col,
                           "%s: expected a whole number, got %g", full, x);
      if (model_nums[j].off)
        *(double *)((char *)md + model_nums[j].off) = x;
      mk->have[j] = 1;
      mk->file[j] = file;
      mk->line[j] = v->line;
      mk->col[j] = v->col;
    } else if (strcmp(k, "weight_dtype") == 0 || strcmp(k, "kv_dtype") == 0) {
      int e;
      if ((rc = get_enum(v, full, file, dtypes, &e, d)) != HP_OK)
        return rc;
      if (k[0] == 'w') {
        md->weight_dtype = (hp_dtype)e;
      } else {
        md->kv_dtype = (hp_dtype)e;
        md->kv_dtype_file = file;
        md->kv_dtype_line = v->line;
        md->kv_dtype_col = v->col;
      }
    } else if (strcmp(k, "name") == 0) {
      const char *str;
      if ((rc = hp_yaml_get_string(v, full, file, &str, d)) != HP_OK)
        return rc;
      char *dup = hp_strdup(str);
      if (!dup)
        return hp_diag_oom(d);
      hp_free(md->name);
      md->name = dup;
    }
  }
  return HP_OK;
}

/* The plan being bound on this thread reads its model files and profiles
 * through its cache (set by bind_all, so that every binder under it,
 * scenarios, services and periods alike, reads each file once without
 * each signature carrying the cache); NULL reads them afresh. Per thread:
 * sweeps bind on several. */
static _Thread_local hp_file_cache *bind_files;

/* The tree of a file the binder reads, through the plan's cache when
 * there is one; *owned is what the caller frees (NULL when cached). */
static int read_tree(hp_fc_kind kind, const char *path, const hp_ynode **out,
                     hp_ynode **owned, hp_diag *d) {
  *owned = NULL;
  if (bind_files)
    return hp_file_cache_tree(bind_files, kind, path, out, d);
  int rc = kind == HP_FC_HF ? hp_model_hf_load(path, owned, d)
                            : hp_yaml_load_file(path, owned, d);
  *out = *owned;
  return rc;
}

/* A model file: keys checked, every figure with a source. */
static int load_model_file(const char *path, hp_model_desc *md, model_marks *mk,
                           hp_diag *d) {
  hp_ynode *own = NULL;
  const hp_ynode *root = NULL;
  int rc = read_tree(HP_FC_YAML, path, &root, &own, d);
  if (rc != HP_OK)
    return rc;
  if (root->kind != HP_Y_MAP) {
    rc = hp_diag_set(d, HP_ETYPE, path, root->line, root->col,
                     "expected a model mapping (name, params, layers, ...), "
                     "got %s",
                     hp_yaml_kind_name(root->kind));
    goto out;
  }
  if ((rc = hp_yaml_check_keys(root, model_file_keys, "model", path, d)) !=
      HP_OK)
    goto out;
  const hp_ynode *src = hp_yaml_map_get(root, "sources");
  if (!src) {
    rc = hp_diag_set(d, HP_EMISSING, path, root->line, root->col,
                     "model: required key 'sources' is missing (a source "
                     "for every figure, e.g. the model card's config.json)");
    goto out;
  }
  if ((rc = expect_map(src, "sources", path, d)) != HP_OK)
    goto out;
  for (size_t i = 0; i < src->n; i++) {
    if (model_num_index(src->keys[i]) < 0 &&
        strcmp(src->keys[i], "weight_dtype") != 0 &&
        strcmp(src->keys[i], "kv_dtype") != 0) {
      rc = hp_yaml_check_keys(src, model_keys, "sources", path, d);
      if (rc == HP_OK)
        rc = hp_diag_set(d, HP_EKEY, path, src->key_line[i], src->key_col[i],
                         "sources: '%s' is not a figure", src->keys[i]);
      goto out;
    }
    if (!hp_yaml_map_get(root, src->keys[i])) {
      rc = hp_diag_set(d, HP_EKEY, path, src->key_line[i], src->key_col[i],
                       "sources: '%s' is not a figure given in this file",
                       src->keys[i]);
      goto out;
    }
    char where[96];
    snprintf(where, sizeof where, "sources.%.60s", src->keys[i]);
    const char *str;
    if ((rc = hp_yaml_get_string(src->items[i], where, path, &str, d)) != HP_OK)
      goto out;
  }
  for (size_t i = 0; i < root->n; i++)
    if (model_num_index(root->keys[i]) >= 0 &&
        !hp_yaml_map_get(src, root->keys[i])) {
      rc = hp_diag_set(
          d, HP_EMISSING, path, root->key_line[i], root->key_col[i],
          "%s: no source given (add it under 'sources:')", root->keys[i]);
      goto out;
    }
  rc = apply_model_map(root, path, "model", md, mk, d);
out:
  hp_yaml_node_free(own);
  return rc;
}

/* Whether a name is there, whatever it is: opening it here would block on
 * a FIFO, and the loader says what is wrong with one that is not a file
 * (a FIFO, a loop of symbolic links). */
static int file_exists(const char *p) {
  struct stat st;
  return lstat(p, &st) == 0;
}

/* Finds models/<name>.yaml: next to the plan's directory, inside it,
 * $HETPLAN_MODELS, ./models. *out is owned by the caller (hp_free). */
static int find_model(const char *plan, const hp_catalog *cat, const char *name,
                      char **out, hp_buf *tried) {
  char dir[1024];
  const char *slash = strrchr(plan, '/');
  if (slash)
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - plan), plan);
  else
    snprintf(dir, sizeof dir, ".");
  const char *env = getenv("HETPLAN_MODELS");
  char cands[5][1200];
  int n = 0;
  snprintf(cands[n++], sizeof cands[0], "%s/../models", dir);
  snprintf(cands[n++], sizeof cands[0], "%s/models", dir);
  if (env && *env)
    snprintf(cands[n++], sizeof cands[0], "%s", env);
  /* Beside the catalog: DIR/devices/x.yaml -> DIR/models. */
  const hp_device_spec *any =
      cat && hp_catalog_count(cat) ? hp_catalog_at(cat, 0) : NULL;
  if (any && any->path) {
    const char *s1 = strrchr(any->path, '/');
    if (s1)
      snprintf(cands[n++], sizeof cands[0], "%.*s/../models",
               (int)(s1 - any->path), any->path);
    else
      snprintf(cands[n++], sizeof cands[0], "../models");
  }
  snprintf(cands[n++], sizeof cands[0], "models");
  for (int i = 0; i < n; i++) {
    hp_buf b;
    hp_buf_init(&b);
    hp_buf_printf(&b, "%s/%s.yaml", cands[i], name);
    if (b.oom) {
      hp_buf_cleanup(&b);
      return HP_ENOMEM;
    }
    if (file_exists(b.data)) {
      *out = b.data;
      return HP_OK;
    }
    hp_buf_cleanup(&b);
    hp_buf_printf(tried, "%s%s", i ? ", " : "", cands[i]);
  }
  return HP_ENOTFOUND;
}

static int bind_model(const hp_ynode *w, const char *file,
                      const hp_catalog *cat, hp_scenario *s, hp_diag *d) {
  hp_model_desc *md = &s->model;
  model_marks mk;
  int rc;
  memset(&mk, 0, sizeof mk);
  md->weight_dtype = md->kv_dtype = HP_DTYPE_BF16;
  const hp_ynode *model = hp_yaml_map_get(w, "model");
  const hp_ynode *mf = hp_yaml_map_get(w, "model_file");
  if (!model && !mf)
    return hp_diag_set(d, HP_EMISSING, file, w->line, w->col,
                       "workload: required key 'model' is missing (e.g. "
                       "model: {params: 130e9}, or model: {name: "
                       "llama-3-70b} for models/llama-3-70b.yaml)");
  if (model && ((rc = expect_map(model, "workload.model", file, d)) != HP_OK ||
                (rc = hp_yaml_check_keys(model, model_keys, "workload.model",
                                         file, d)) != HP_OK))
    return rc;
  const hp_ynode *mname = model ? hp_yaml_map_get(model, "name") : NULL;
  const hp_ynode *cfg = model ? hp_yaml_map_get(model, "config") : NULL;
  char *path = NULL;
  if (cfg) {
    /* A Hugging Face config.json (src/model_hf.c), relative to the plan. */
    const char *rel;
    if (mf)
      return hp_diag_set(d, HP_EINVAL, file, cfg->line, cfg->col,
                         "workload.model.config: give a config.json or "
                         "workload.model_file, not both");
    if ((rc = hp_yaml_get_string(cfg, "workload.model.config", file, &rel,
                                 d)) != HP_OK)
      return rc;
    if (!(path = hp_catalog_resolve_path(file, rel)))
      return hp_diag_oom(d);
    md->file = path; /* owned by the scenario from here on */
    if (!file_exists(path))
      return hp_diag_set(d, HP_ENOTFOUND, file, cfg->line, cfg->col,
                         "workload.model.config: cannot open '%.300s'", path);
    hp_ynode *own = NULL;
    const hp_ynode *hfm;
    if ((rc = read_tree(HP_FC_HF, path, &hfm, &own, d)) != HP_OK)
      return rc;
    rc = apply_model_map(hfm, path, "config", md, &mk, d);
    hp_yaml_node_free(own);
    if (rc != HP_OK)
      return rc;
    path = NULL; /* loaded */
  } else if (mf) {
    const char *rel;
    if ((rc = hp_yaml_get_string(mf, "workload.model_file", file, &rel, d)) !=
        HP_OK)
      return rc;
    if (!(path = hp_catalog_resolve_path(file, rel)))
      return hp_diag_oom(d);
    if (!file_exists(path)) {
      rc = hp_diag_set(d, HP_ENOTFOUND, file, mf->line, mf->col,
                       "workload.model_file: cannot open '%.300s'", path);
      hp_free(path);
      return rc;
    }
  } else if (mname && !hp_yaml_map_get(model, "params")) {
    const char *nm;
    if ((rc = hp_yaml_get_string(mname, "workload.model.name", file, &nm, d)) !=
        HP_OK)
      return rc;
    for (const char *p = nm; *p; p++)
      if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
            *p == '_' || *p == '.') ||
          (p == nm && *p == '.'))
        return hp_diag_set(d, HP_ERANGE, file, mname->line, mname->col,
                           "workload.model.name: '%.100s' is not a model "
                           "file name (lower case letters, digits, '-', "
                           "'_', '.')",
                           nm);
    hp_buf tried;
    hp_buf_init(&tried);
    rc = find_model(file, cat, nm, &path, &tried);
    if (rc == HP_ENOTFOUND)
      rc = hp_diag_set(d, HP_ENOTFOUND, file, mname->line, mname->col,
                       "workload.model: no params given and no model file "
                       "'%.100s.yaml' found (looked in %s; or give params "
                       "and the architecture inline)",
                       nm, tried.data ? tried.data : "");
    else if (rc == HP_ENOMEM)
      rc = hp_diag_oom(d);
    hp_buf_cleanup(&tried);
    if (rc != HP_OK)
      return rc;
  }
  if (path) {
    md->file = path; /* owned by the scenario from here on */
    if ((rc = load_model_file(path, md, &mk, d)) != HP_OK)
      return rc;
  }
  /* Inline keys override a model file's, but not its name: a label that
   * disagrees with the file would size one model under another's name. */
  if (mf && mname && md->name) {
    const char *nm;
    if ((rc = hp_yaml_get_string(mname, "workload.model.name", file, &nm, d)) !=
        HP_OK)
      return rc;
    if (strcmp(nm, md->name) != 0)
      return hp_diag_set(d, HP_EINVAL, file, mname->line, mname->col,
                         "workload.model.name '%.100s' disagrees with "
                         "workload.model_file, whose model is '%.100s': "
                         "give one of them",
                         nm, md->name);
  }
  if (model && (rc = apply_model_map(model, file, "workload.model", md, &mk,
                                     d)) != HP_OK)
    return rc;
  const hp_ynode *at = model ? model : mf;
  const char *atfile = file;
  enum { P = 0, A, L, H, NH, KV, HD };
  if (!mk.have[P])
    return hp_diag_set(d, HP_EMISSING, atfile, at->line, at->col,
                       "workload.model: required key 'params' is missing "
                       "(total parameters, e.g. 130e9)");
  if (!mk.have[A])
    md->active_params = md->params;
  if (md->active_params > md->params)
    return hp_diag_set(d, HP_ERANGE, mk.file[A], mk.line[A], mk.col[A],
                       "workload.model.active_params: expected at most params "
                       "(%g), got %g",
                       md->params, md->active_params);
  int any = 0;
  for (size_t i = L; i < N_MODEL_NUMS; i++)
    any |= mk.have[i];
  if (any) {
    static const char *const need[] = {"layers", "hidden_size", "heads"};
    for (int i = 0; i < 3; i++)
      if (!mk.have[L + i])
        return hp_diag_set(d, HP_EMISSING, atfile, at->line, at->col,
                           "workload.model: an architecture needs layers, "
                           "hidden_size and heads; '%s' is missing",
                           need[i]);
    md->has_arch = 1;
    if (!mk.have[KV])
      md->kv_heads = md->heads;
    if (!mk.have[HD])
      md->head_dim = floor(md->hidden_size / md->heads);
    if (md->kv_heads > md->heads || fmod(md->heads, md->kv_heads) != 0)
      return hp_diag_set(d, HP_ERANGE, mk.file[KV], mk.line[KV], mk.col[KV],
                         "workload.model.kv_heads: expected a divisor of "
                         "heads (%g), got %g",
                         md->heads, md->kv_heads);
    long e = model_num_index("experts"),
         k = model_num_index("experts_per_token");
    if (md->experts_per_token > md->experts ||
        (md->experts > 0 && md->experts_per_token == 0))
      return hp_diag_set(d, HP_ERANGE, mk.file[mk.have[k] ? k : e],
                         mk.line[mk.have[k] ? k : e],
                         mk.col[mk.have[k] ? k : e],
                         "workload.model.experts_per_token: expected between "
                         "1 and experts (%g), got %g",
                         md->experts, md->experts_per_token);
    /* The MoE shape keys describe experts: without them they mean nothing,
     * and a model with no MoE layer is a dense one. */
    static const char *const moe_only[] = {"moe_intermediate_size",
                                           "shared_experts", "dense_layers"};
    for (int i = 0; i < 3; i++) {
      long j = model_num_index(moe_only[i]);
      if (mk.have[j] && md->experts == 0 &&
          *(double *)((char *)md + model_nums[j].off) > 0)
        return hp_diag_set(d, HP_EINVAL, mk.file[j], mk.line[j], mk.col[j],
                           "workload.model.%s: only for a mixture-of-experts "
                           "model; give experts and experts_per_token too",
                           moe_only[i]);
    }
    long dl = model_num_index("dense_layers");
    if (md->dense_layers >= md->layers)
      return hp_diag_set(d, HP_ERANGE, mk.file[dl], mk.line[dl], mk.col[dl],
                         "workload.model.dense_layers: expected fewer than "
                         "layers (%g), got %g",
                         md->layers, md->dense_layers);
  }
  return HP_OK;
}

/* workload.requests (the mix) and workload.slo (their default SLOs). */
static int bind_requests(const hp_ynode *w, const char *file, hp_scenario *s,
                         hp_diag *d) {
  static const char *const slo_keys[] = {"ttft_ms", "tpot_ms", NULL};
  static const char *const class_keys[] = {
      "name",    "share", "input_tokens", "output_tokens", "ttft_ms",
      "tpot_ms", NULL};
  double ttft = 0, tpot = 0;
  int rc;
  const hp_ynode *slo = hp_yaml_map_get(w, "slo");
  if (slo) {
    if ((rc = expect_map(slo, "workload.slo", file, d)) != HP_OK ||
        (rc = hp_yaml_check_keys(slo, slo_keys, "workload.slo", file, d)) !=
            HP_OK ||
        (rc = opt_num(slo, "ttft_ms", "workload.slo", file, HP_NUM_POSITIVE,
                      &ttft, d)) != HP_OK ||
        (rc = opt_num(slo, "tpot_ms", "workload.slo", file, HP_NUM_POSITIVE,
                      &tpot, d)) != HP_OK)
      return rc;
  }
  const hp_ynode *rq = hp_yaml_map_get(w, "requests");
  if (!rq)
    return HP_OK;
  if (rq->kind != HP_Y_SEQ || rq->n == 0)
    return hp_diag_set(d, HP_ETYPE, file, rq->line, rq->col,
                       "workload.requests: expected a non-empty sequence of "
                       "request classes ({name, share, input_tokens, "
                       "output_tokens}), got %s",
                       rq->kind == HP_Y_SEQ ? "an empty sequence"
                                            : hp_yaml_kind_name(rq->kind));
  if (rq->n > HP_MAX_CLASSES)
    return hp_diag_set(d, HP_ELIMIT, file, rq->line, rq->col,
                       "workload.requests: %zu classes, more than the limit "
                       "of %d (HP_MAX_CLASSES)",
                       rq->n, HP_MAX_CLASSES);
  s->classes = hp_calloc(rq->n, sizeof *s->classes);
  if (!s->classes)
    return hp_diag_oom(d);
  double total = 0;
  for (size_t i = 0; i < rq->n; i++) {
    const hp_ynode *e = rq->items[i];
    hp_request_class *k = &s->classes[i];
    char where[64];
    snprintf(where, sizeof where, "workload.requests[%zu]", i);
    if ((rc = expect_map(e, where, file, d)) != HP_OK ||
        (rc = hp_yaml_check_keys(e, class_keys, where, file, d)) != HP_OK)
      return rc;
    s->n_classes++;
    const hp_ynode *nm = hp_yaml_map_get(e, "name");
    char def[32];
    const char *str = def;
    snprintf(def, sizeof def, "class-%zu", i + 1);
    if (nm && (rc = hp_yaml_get_string(nm, "workload.requests.name", file, &str,
                                       d)) != HP_OK)
      return rc;
    if (!(k->name = hp_strdup(str)))
      return hp_diag_oom(d);
    for (size_t j = 0; j < i; j++)
      if (strcmp(s->classes[j].name, k->name) == 0)
        return hp_diag_set(
            d, HP_EDUP, file, nm ? nm->line : e->line, nm ? nm->col : e->col,
            "workload.requests: class name '%s' is used twice", k->name);
    k->share = 1;
    k->ttft_ms = ttft;
    k->tpot_ms = tpot;
    static const char *const need[] = {"input_tokens", "output_tokens"};
    for (int j = 0; j < 2; j++)
      if (!hp_yaml_map_get(e, need[j]))
        return hp_diag_set(d, HP_EMISSING, file, e->line, e->col,
                           "%s: required key '%s' is missing (tokens per "
                           "request)",
                           where, need[j]);
    if ((rc = opt_num(e, "share", where, file, HP_NUM_POSITIVE, &k->share,
                      d)) != HP_OK ||
        (rc = opt_num(e, "input_tokens", where, file, HP_NUM_POSITIVE,
                      &k->input_tokens, d)) != HP_OK ||
        (rc = opt_num(e, "output_tokens", where, file, HP_NUM_GE1,
                      &k->output_tokens, d)) != HP_OK ||
        (rc = opt_num(e, "ttft_ms", where, file, HP_NUM_POSITIVE, &k->ttft_ms,
                      d)) != HP_OK ||
        (rc = opt_num(e, "tpot_ms", where, file, HP_NUM_POSITIVE, &k->tpot_ms,
                      d)) != HP_OK)
      return rc;
    total += k->share;
  }
  for (size_t i = 0; i < s->n_classes; i++)
    s->classes[i].share /= total;
  return HP_OK;
}

/* The scenario's `roofline:` knobs. */
static int bind_roofline(const hp_ynode *m, const char *file, hp_scenario *s,
                         hp_diag *d) {
  static const char *const keys[] = {"memory_fraction",
                                     "min_batch",
                                     "max_batch",
                                     "pcie_gbps",
                                     "allreduce_latency_us",
                                     "tp",
                                     "batch",
                                     "attention",
                                     "overlap",
                                     "kv_mbu",
                                     "reread_hit",
                                     "stack",
                                     "batching",
                                     "prefill_chunk",
                                     "ep",
                                     "scaleout_gbps",
                                     "w8a8",
                                     NULL};
  static const char *const kernels[] = {"grouped", "per_query_head", NULL};
  static const char *const stacks[] = {"card",   "trtllm", "vllm",
                                       "sglang", "mindie", NULL};
  static const char *const batchings[] = {"static", "continuous", NULL};
  hp_model_roof_opts_default(&s->roof);
  const hp_ynode *r = hp_yaml_map_get(m, "roofline");
  int rc;
  if (!r)
    return HP_OK;
  if ((rc = expect_map(r, "roofline", file, d)) != HP_OK ||
      (rc = hp_yaml_check_keys(r, keys, "roofline", file, d)) != HP_OK)
    return rc;
  hp_roof_opts *o = &s->roof;
  if ((rc = opt_num(r, "memory_fraction", "roofline", file, HP_NUM_UNIT_OPEN,
                    &o->memory_fraction, d)) != HP_OK ||
      (rc = opt_num(r, "pcie_gbps", "roofline", file, HP_NUM_POSITIVE,
                    &o->pcie_gbps, d)) != HP_OK ||
      (rc = opt_num(r, "allreduce_latency_us", "roofline", file, HP_NUM_NONNEG,
                    &o->allreduce_us, d)) != HP_OK ||
      (rc = opt_num(r, "overlap", "roofline", file, HP_NUM_FRACTION,
                    &o->overlap, d)) != HP_OK ||
      (rc = opt_num(r, "kv_mbu", "roofline", file, HP_NUM_UNIT_OPEN, &o->kv_mbu,
                    d)) != HP_OK ||
      (rc = opt_num(r, "reread_hit", "roofline", file, HP_NUM_FRACTION,
                    &o->reread_hit, d)) != HP_OK ||
      (rc = opt_num(r, "scaleout_gbps", "roofline", file, HP_NUM_POSITIVE,
                    &o->scaleout_gbps, d)) != HP_OK)
    return rc;
  static const char *const yesno[] = {"false", "true", NULL};
  const hp_ynode *wn = hp_yaml_map_get(r, "w8a8");
  if (wn &&
      (rc = get_enum(wn, "roofline.w8a8", file, yesno, &o->w8a8, d)) != HP_OK)
    return rc;
  const hp_ynode *sn = hp_yaml_map_get(r, "stack"),
                 *bn = hp_yaml_map_get(r, "batching");
  if ((sn && (rc = get_enum(sn, "roofline.stack", file, stacks, &o->stack,
                            d)) != HP_OK) ||
      (bn && (rc = get_enum(bn, "roofline.batching", file, batchings,
                            &o->batching, d)) != HP_OK))
    return rc;
  const hp_ynode *an = hp_yaml_map_get(r, "attention");
  if (an && (rc = get_enum(an, "roofline.attention", file, kernels,
                           &o->attention, d)) != HP_OK)
    return rc;
  static const char *const whole[] = {"min_batch", "max_batch",     "tp",
                                      "batch",     "prefill_chunk", "ep"};
  double *dst[] = {&o->min_batch, &o->max_batch,     &o->tp,
                   &o->batch,     &o->prefill_chunk, &o->ep};
  for (int i = 0; i < 6; i++) {
    const hp_ynode *n = hp_yaml_map_get(r, whole[i]);
    if (!n)
      continue;
    char full[64];
    snprintf(full, sizeof full, "roofline.%s", whole[i]);
    double v;
    if ((rc = hp_yaml_get_number_in(n, full, file, HP_NUM_GE1, &v, d)) != HP_OK)
      return rc;
    if (v != floor(v) || v > 1e6)
      return hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                         "%s: expected a whole number from 1 to 1000000, got "
                         "%g",
                         full, v);
    if (i == 2 && ((long)v & ((long)v - 1)) != 0)
      return hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                         "%s: expected a power of two (1, 2, 4, 8, ...), got "
                         "%g",
                         full, v);
    *dst[i] = v;
  }
  return HP_OK;
}

/* The scenario's `solver:` settings. */
static int bind_solver(const hp_ynode *m, const char *file, hp_scenario *s,
                       hp_diag *d) {
  static const char *const keys[] = {"mip_gap", "node_limit", "engine", NULL};
  static const char *const engines[] = {"glpk", "cbc", "auto", NULL};
  const hp_ynode *r = hp_yaml_map_get(m, "solver");
  int rc;
  if (!r)
    return HP_OK;
  if ((rc = expect_map(r, "solver", file, d)) != HP_OK ||
      (rc = hp_yaml_check_keys(r, keys, "solver", file, d)) != HP_OK ||
      (rc = opt_num(r, "mip_gap", "solver", file, HP_NUM_FRACTION, &s->mip_gap,
                    d)) != HP_OK)
    return rc;
  const hp_ynode *e = hp_yaml_map_get(r, "engine");
  if (e) {
    if ((rc = get_enum(e, "solver.engine", file, engines, &s->engine, d)) !=
        HP_OK)
      return rc;
    s->engine_given = 1;
    if (s->engine == HP_IP_CBC && !hp_solver_cbc_available())
      return hp_diag_set(d, HP_ENOTSUP, file, e->line, e->col,
                         "solver.engine: this build has no CBC (built "
                         "without coinor-libcbc-dev): expected glpk or auto");
  }
  const hp_ynode *n = hp_yaml_map_get(r, "node_limit");
  double v;
  if (!n)
    return HP_OK;
  if ((rc = hp_yaml_get_number_in(n, "solver.node_limit", file, HP_NUM_GE1, &v,
                                  d)) != HP_OK)
    return rc;
  if (v != floor(v) || v > HP_MAX_NODE_LIMIT)
    return hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                       "solver.node_limit: expected a whole number of nodes "
                       "from 1 to %.0f, got %g",
                       HP_MAX_NODE_LIMIT, v);
  s->node_limit = v;
  return HP_OK;
}

static int bind_workload(const hp_ynode *m, const char *file,
                         const hp_catalog *cat, hp_scenario *s, hp_diag *d) {
  const hp_ynode *w = hp_yaml_map_get(m, "workload");
  const hp_ynode *sv = hp_yaml_map_get(m, "services");
  int rc;
  s->seconds_per_day = 86400;
  s->peak_factor = 1;
  if (w && sv)
    return hp_diag_set(d, HP_EDUP, file, sv->line, sv->col,
                       "scenario '%s': give workload or services, not both "
                       "(workload is at line %d)",
                       s->name, w->line);
  if (!w) {
    if (s->objective == HP_OBJ_MAX_TOKENS || sv)
      return HP_OK; /* services: bound by hp_scenario_services_bind */
    return hp_diag_set(d, HP_EMISSING, file, s->line, s->col,
                       "scenario '%s': required key 'workload' is missing "
                       "(in the scenario or in defaults)",
                       s->name);
  }
  if ((rc = expect_map(w, "workload", file, d)) != HP_OK ||
      (rc = hp_yaml_check_keys(w, workload_keys, "workload", file, d)) != HP_OK)
    return rc;
  return hp_scenario_bind_volume(w, file, cat, s, d);
}

int hp_scenario_bind_volume(const hp_ynode *w, const char *file,
                            const hp_catalog *cat, hp_scenario *s, hp_diag *d) {
  int rc;
  s->seconds_per_day = 86400;
  s->peak_factor = 1;
  s->has_workload = 1;
  if ((rc = bind_model(w, file, cat, s, d)) != HP_OK)
    return rc;
  const hp_ynode *tpd = hp_yaml_map_get(w, "tokens_per_day");
  const hp_ynode *users = hp_yaml_map_get(w, "users");
  const hp_ynode *tpu = hp_yaml_map_get(w, "tokens_per_user_per_day");
  const hp_ynode *rps = hp_yaml_map_get(w, "requests_per_s");
  if ((rc = bind_requests(w, file, s, d)) != HP_OK)
    return rc;
  if (rps && (tpd || users)) {
    const hp_ynode *other = tpd ? tpd : users;
    return hp_diag_set(d, HP_EDUP, file, rps->line, rps->col,
                       "workload: give one of tokens_per_day, users or "
                       "requests_per_s; %s is at line %d",
                       tpd ? "tokens_per_day" : "users", other->line);
  }
  if (rps) {
    if ((rc = hp_yaml_get_number_in(rps, "workload.requests_per_s", file,
                                    HP_NUM_POSITIVE, &s->requests_per_s, d)) !=
        HP_OK)
      return rc;
    if (s->n_classes == 0)
      return hp_diag_set(d, HP_EMISSING, file, rps->line, rps->col,
                         "workload.requests_per_s needs workload.requests "
                         "(request classes with input_tokens and "
                         "output_tokens)");
  }
  if (tpd && users)
    return hp_diag_set(d, HP_EDUP, file, users->line, users->col,
                       "workload: give either tokens_per_day or users (with "
                       "tokens_per_user_per_day), not both; tokens_per_day is "
                       "at line %d",
                       tpd->line);
  if (tpd) {
    if ((rc = hp_yaml_get_number_in(tpd, "workload.tokens_per_day", file,
                                    HP_NUM_POSITIVE, &s->tokens_per_day, d)) !=
        HP_OK)
      return rc;
  } else if (users) {
    if ((rc = hp_yaml_get_number_in(users, "workload.users", file,
                                    HP_NUM_POSITIVE, &s->users, d)) != HP_OK)
      return rc;
    if (!tpu)
      return hp_diag_set(d, HP_EMISSING, file, users->line, users->col,
                         "workload.users needs tokens_per_user_per_day (in "
                         "the scenario or in defaults)");
    if ((rc = hp_yaml_get_number_in(tpu, "workload.tokens_per_user_per_day",
                                    file, HP_NUM_POSITIVE,
                                    &s->tokens_per_user_per_day, d)) != HP_OK)
      return rc;
    s->tokens_per_day = s->users * s->tokens_per_user_per_day;
  } else if (!rps && s->objective != HP_OBJ_MAX_TOKENS) {
    /* Under max_tokens the volume is optional: the budget sets it. */
    return hp_diag_set(d, HP_EMISSING, file, w->line, w->col,
                       "workload: needs tokens_per_day, or users with "
                       "tokens_per_user_per_day, or requests_per_s with "
                       "requests");
  }
  if (tpu && !users) {
    if ((rc = hp_yaml_get_number_in(tpu, "workload.tokens_per_user_per_day",
                                    file, HP_NUM_POSITIVE,
                                    &s->tokens_per_user_per_day, d)) != HP_OK)
      return rc;
  }
  if ((rc = opt_num(w, "seconds_per_day", "workload", file, HP_NUM_POSITIVE,
                    &s->seconds_per_day, d)) != HP_OK)
    return rc;
  if (s->seconds_per_day > 864000) {
    const hp_ynode *n = hp_yaml_map_get(w, "seconds_per_day");
    return hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                       "workload.seconds_per_day: expected at most 864000 "
                       "(10 days), got %g",
                       s->seconds_per_day);
  }
  if ((rc = opt_num(w, "peak_factor", "workload", file, HP_NUM_GE1,
                    &s->peak_factor, d)) != HP_OK)
    return rc;
  /* One rate drives both models: tokens/day (input + output tokens, as the
   * broker counts them) and requests/s over the mix. */
  if (s->n_classes) {
    double per_req = 0;
    for (size_t i = 0; i < s->n_classes; i++)
      per_req += s->classes[i].share *
                 (s->classes[i].input_tokens + s->classes[i].output_tokens);
    if (rps)
      s->tokens_per_day = s->requests_per_s * s->seconds_per_day * per_req;
    else
      s->requests_per_s = s->tokens_per_day / s->seconds_per_day / per_req;
  }
  return HP_OK;
}

static int add_cap(hp_scenario *s, const char *key, int is_vendor,
                   double cards) {
  hp_cap *c = hp_realloc(s->caps, (s->n_caps + 1) * sizeof *c);
  if (!c)
    return HP_ENOMEM;
  s->caps = c;
  char *k = hp_strdup(key);
  if (!k)
    return HP_ENOMEM;
  s->caps[s->n_caps].key = k;
  s->caps[s->n_caps].is_vendor = is_vendor;
  s->caps[s->n_caps++].cards = cards;
  return HP_OK;
}

static int vendor_known(const hp_catalog *cat, const char *v) {
  for (size_t i = 0; i < hp_catalog_count(cat); i++)
    if (strcmp(hp_catalog_at(cat, i)->vendor, v) == 0)
      return 1;
  return 0;
}

static int unknown_device(const hp_catalog *cat, const char *id,
                          const char *what, const char *file, int line, int col,
                          hp_diag *d) {
  const char *sug = hp_catalog_suggest(cat, id);
  if (sug)
    return hp_diag_set(d, HP_ENODEV, file, line, col,
                       "%s: unknown device '%.100s' (did you mean '%s'?)", what,
                       id, sug);
  return hp_diag_set(d, HP_ENODEV, file, line, col,
                     "%s: unknown device '%.100s' (see `hetplan devices`)",
                     what, id);
}

static int bind_constraints(const hp_ynode *m, const char *file,
                            const hp_catalog *cat, hp_scenario *s, hp_diag *d) {
  const hp_ynode *c = hp_yaml_map_get(m, "constraints");
  int rc;
  if (!c)
    return HP_OK;
  if ((rc = expect_map(c, "constraints", file, d)) != HP_OK ||
      (rc = hp_yaml_check_keys(c, constraint_keys, "constraints", file, d)) !=
          HP_OK)
    return rc;
  if ((rc = opt_num(c, "headroom", "constraints", file, HP_NUM_NONNEG,
                    &s->headroom, d)) != HP_OK ||
      (rc = opt_num(c, "power_mw", "constraints", file, HP_NUM_POSITIVE,
                    &s->power_mw, d)) != HP_OK ||
      (rc = opt_num(c, "budget_cny", "constraints", file, HP_NUM_POSITIVE,
                    &s->budget_cny, d)) != HP_OK ||
      (rc = opt_num(c, "max_vendor_share", "constraints", file,
                    HP_NUM_UNIT_OPEN, &s->max_vendor_share, d)) != HP_OK ||
      (rc = hp_scenario_services_bind_orders(c, file, s, d)) != HP_OK)
    return rc;
  const hp_ynode *ds = hp_yaml_map_get(c, "domestic_share");
  if (ds) {
    if ((rc = expect_map(ds, "constraints.domestic_share", file, d)) != HP_OK ||
        (rc = hp_yaml_check_keys(ds, share_keys, "constraints.domestic_share",
                                 file, d)) != HP_OK)
      return rc;
    const hp_ynode *n;
    if ((n = hp_yaml_map_get(ds, "min"))) {
      if ((rc = hp_yaml_get_number_in(n, "constraints.domestic_share.min", file,
                                      HP_NUM_FRACTION, &s->dom_min, d)) !=
          HP_OK)
        return rc;
      s->has_dom_min = 1;
    }
    if ((n = hp_yaml_map_get(ds, "max"))) {
      if ((rc = hp_yaml_get_number_in(n, "constraints.domestic_share.max", file,
                                      HP_NUM_FRACTION, &s->dom_max, d)) !=
          HP_OK)
        return rc;
      s->has_dom_max = 1;
    }
    if ((n = hp_yaml_map_get(ds, "basis"))) {
      static const char *const bases[] = {"compute", "cards", "capex", NULL};
      int b;
      if ((rc = get_enum(n, "constraints.domestic_share.basis", file, bases, &b,
                         d)) != HP_OK)
        return rc;
      s->dom_basis = (hp_share_basis)b;
    }
    if (s->has_dom_min && s->has_dom_max && s->dom_min > s->dom_max) {
      n = hp_yaml_map_get(ds, "max");
      return hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                         "constraints.domestic_share.max: expected at least "
                         "min (%g), got %g",
                         s->dom_min, s->dom_max);
    }
  }
  const hp_ynode *caps = hp_yaml_map_get(c, "caps");
  if (caps) {
    if ((rc = expect_map(caps, "constraints.caps", file, d)) != HP_OK)
      return rc;
    for (size_t i = 0; i < caps->n; i++) {
      const char *k = caps->keys[i];
      double v;
      char where[200];
      snprintf(where, sizeof where, "constraints.caps.%.100s", k);
      if ((rc = hp_yaml_get_number_in(caps->items[i], where, file,
                                      HP_NUM_NONNEG, &v, d)) != HP_OK)
        return rc;
      /* Caps a plan writes are whole cards, unless the scenario buys
       * fractions of cards (granularity: fractional). A value a sweep or a
       * Monte Carlo sample sets (no line in the file) applies as given. */
      char got[40];
      if (v != floor(v) && s->gran != HP_GRAN_FRACTIONAL &&
          caps->items[i]->line > 0)
        return hp_diag_set(d, HP_ERANGE, file, caps->items[i]->line,
                           caps->items[i]->col,
                           "%s: expected a whole number of cards, got %s",
                           where, hp_fmt_number(v, got, sizeof got));
      int is_vendor = strncmp(k, "vendor.", 7) == 0;
      const char *key = is_vendor ? k + 7 : k;
      if (is_vendor && !vendor_known(cat, key))
        return hp_diag_set(d, HP_ENODEV, file, caps->key_line[i],
                           caps->key_col[i],
                           "constraints.caps: unknown vendor '%.100s' (vendor "
                           "names are case-sensitive, as in `hetplan "
                           "devices`)",
                           key);
      if (!is_vendor && !hp_catalog_find(cat, key))
        return unknown_device(cat, key, "constraints.caps", file,
                              caps->key_line[i], caps->key_col[i], d);
      if (add_cap(s, key, is_vendor, v) != HP_OK)
        return hp_diag_oom(d);
    }
  }
  const hp_ynode *ex = hp_yaml_map_get(c, "exclude_vendors");
  if (ex) {
    if (ex->kind != HP_Y_SEQ)
      return hp_diag_set(d, HP_ETYPE, file, ex->line, ex->col,
                         "constraints.exclude_vendors: expected a sequence of "
                         "vendor names, got %s",
                         hp_yaml_kind_name(ex->kind));
    s->exclude_vendors = hp_calloc(ex->n ? ex->n : 1, sizeof(char *));
    if (!s->exclude_vendors)
      return hp_diag_oom(d);
    for (size_t i = 0; i < ex->n; i++) {
      const char *v;
      if ((rc = hp_yaml_get_string(ex->items[i], "constraints.exclude_vendors",
                                   file, &v, d)) != HP_OK)
        return rc;
      if (!vendor_known(cat, v))
        return hp_diag_set(d, HP_ENODEV, file, ex->items[i]->line,
                           ex->items[i]->col,
                           "constraints.exclude_vendors: unknown vendor "
                           "'%.100s'",
                           v);
      if (!(s->exclude_vendors[s->n_exclude_vendors++] = hp_strdup(v)))
        return hp_diag_oom(d);
    }
  }
  return HP_OK;
}

/* Applies `overrides.<id>` to a candidate. */
/* 1 if s is a calendar date YYYY-MM-DD (Gregorian, 1900-2199). */
static int valid_date(const char *s) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int i = 0; i < 10; i++)
    if (i == 4 || i == 7 ? s[i] != '-' : !(s[i] >= '0' && s[i] <= '9'))
      return 0;
  if (s[10])
    return 0;
  int y = atoi(s), m = atoi(s + 5), dd = atoi(s + 8);
  if (y < 1900 || y > 2199 || m < 1 || m > 12 || dd < 1 || dd > mdays[m - 1])
    return 0;
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && dd == 29 && !leap);
}

static int apply_override(const hp_ynode *o, const char *id, const char *file,
                          hp_candidate *c, int *mfu_set, hp_diag *d) {
  int rc;
  char where[160];
  snprintf(where, sizeof where, "overrides.%.100s", id);
  if ((rc = expect_map(o, where, file, d)) != HP_OK)
    return rc;
  for (size_t i = 0; i < o->n; i++) {
    const char *k = o->keys[i];
    char full[300];
    snprintf(full, sizeof full, "%s.%s", where, k);
    hp_figure f;
    if (strcmp(k, "price_as_of") == 0) {
      const char *date;
      if ((rc = hp_yaml_get_string(o->items[i], full, file, &date, d)) != HP_OK)
        return rc;
      if (!valid_date(date))
        return hp_diag_set(d, HP_ERANGE, file, o->items[i]->line,
                           o->items[i]->col,
                           "%s: expected a date YYYY-MM-DD (the day the "
                           "price was quoted), got '%.40s'",
                           full, date);
      char *dup = hp_strdup(date);
      if (!dup)
        return hp_diag_oom(d);
      hp_free(c->price_as_of);
      c->price_as_of = dup;
      c->spec.price_as_of = dup;
      continue;
    }
    if (strcmp(k, "price_hour_cny") == 0) {
      if ((rc = hp_yaml_get_number_in(o->items[i], full, file, HP_NUM_POSITIVE,
                                      &c->spec.price_hour_cny, d)) != HP_OK)
        return rc;
      c->spec.fig[HP_FIG_price_hour_cny] = c->spec.price_hour_cny;
      c->spec.conf[HP_FIG_price_hour_cny] = HP_CONF_E;
      continue;
    }
    if (strcmp(k, "mfu") == 0 || strcmp(k, "mbu") == 0) {
      double v;
      if ((rc = hp_yaml_get_number_in(o->items[i], full, file, HP_NUM_UNIT_OPEN,
                                      &v, d)) != HP_OK)
        return rc;
      if (k[1] == 'f') {
        c->mfu = v;
        *mfu_set = 1;
      } else {
        c->mbu = v;
      }
      continue;
    }
    if (hp_figure_find(k, &f) != HP_OK) {
      const char *allowed[HP_FIG_COUNT + 5];
      int j = 0;
      for (; j < HP_FIG_COUNT; j++)
        allowed[j] = hp_figure_key((hp_figure)j);
      allowed[j++] = "mfu";
      allowed[j++] = "mbu";
      allowed[j++] = "price_as_of";
      allowed[j++] = "price_hour_cny";
      allowed[j] = NULL;
      return hp_yaml_check_keys(o, allowed, where, file, d);
    }
    double v;
    if ((rc = hp_yaml_get_number_in(o->items[i], full, file, HP_NUM_POSITIVE,
                                    &v, d)) != HP_OK)
      return rc;
    if (v < HP_MIN_FIGURE)
      return hp_diag_set(d, HP_ERANGE, file, o->items[i]->line,
                         o->items[i]->col,
                         "%s: expected at least %g (HP_MIN_FIGURE), got %g",
                         full, HP_MIN_FIGURE, v);
    if (f == HP_FIG_cards_per_server &&
        (v != floor(v) || v > HP_MAX_CARDS_PER_SERVER))
      return hp_diag_set(d, HP_ERANGE, file, o->items[i]->line,
                         o->items[i]->col,
                         "%s: expected a whole number of cards from 1 to %d "
                         "(HP_MAX_CARDS_PER_SERVER), got %g",
                         full, HP_MAX_CARDS_PER_SERVER, v);
    c->spec.fig[f] = v;
    c->spec.conf[f] = HP_CONF_E;
  }
  /* A date belongs to a price: the catalog's date does not date the plan's
   * price, and a date without a price dates nothing. */
  const hp_ynode *pd = hp_yaml_map_get(o, "price_as_of");
  int priced = hp_yaml_map_get(o, "price_server_cny") ||
               hp_yaml_map_get(o, "price_card_cny");
  if (pd && !priced)
    return hp_diag_set(d, HP_EINVAL, file, pd->line, pd->col,
                       "%s.price_as_of: dates a price, but the override gives "
                       "no price_server_cny or price_card_cny",
                       where);
  if (priced && !pd)
    c->spec.price_as_of = NULL;
  return HP_OK;
}

/* A plan's measured: entry for one card: a profile path, or {file: PATH,
 * device: ID} to name the device of a profile with several. */
static int measured_entry(const hp_ynode *e, const char *id, const char *file,
                          const char **rel, const char **dev, hp_diag *d) {
  static const char *const keys[] = {"file", "device", NULL};
  *dev = NULL;
  if (e->kind != HP_Y_MAP)
    return hp_yaml_get_string(e, "measured", file, rel, d);
  char where[160];
  snprintf(where, sizeof where, "measured.%s", id);
  int rc = hp_yaml_check_keys(e, keys, where, file, d);
  if (rc != HP_OK)
    return rc;
  const hp_ynode *f = hp_yaml_map_get(e, "file"),
                 *v = hp_yaml_map_get(e, "device");
  if (!f)
    return hp_diag_set(d, HP_EMISSING, file, e->line, e->col,
                       "%s: 'file' is missing (expected {file: PROFILE, "
                       "device: ID})",
                       where);
  if ((rc = hp_yaml_get_string(f, "file", file, rel, d)) != HP_OK)
    return rc;
  return v ? hp_yaml_get_string(v, "device", file, dev, d) : HP_OK;
}

/* 1 if device i of p has an ok GEMM (the figure an MFU comes from). */
static int profile_has_gemm(const hp_profile *p, size_t i) {
  static const hp_bench_kind k[] = {HP_BENCH_HGEMM, HP_BENCH_SGEMM};
  for (size_t j = 0; j < 2; j++) {
    hp_bench_result r;
    hp_profile_result(p, i, k[j], &r);
    if (r.status == HP_BENCH_OK && r.value > 0)
      return 1;
  }
  return 0;
}

/* Whether an OpenCL vendor string (CL_DEVICE_VENDOR, or the platform's
 * name) is the card's vendor: the catalog's name in it, or the name the
 * vendor's runtime reports (AMD's ROCm, which Hygon's DCUs also run). */
static int vendor_matches(const char *card, const char *cl) {
  static const struct {
    const char *card, *cl;
  } alias[] = {{"AMD", "Advanced Micro Devices"},
               {"Hygon", "Advanced Micro Devices"}};
  if (!card || !cl)
    return 0;
  size_t n = strlen(card);
  for (const char *q = cl; *q; q++)
    if (strncasecmp(q, card, n) == 0)
      return 1;
  for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
    if (strcasecmp(card, alias[i].card) == 0 && strstr(cl, alias[i].cl))
      return 1;
  return 0;
}

/* Uses a probe profile for a candidate's efficiency. The profile must be
 * of the card itself: the achieved bandwidth becomes the card's MBU over
 * its catalog peak, so another device's figures would price the plan on
 * the wrong hardware (a CI host's PoCL CPU gave an H20 an MBU of 0.01
 * and quadrupled the plan). Without dev_id the first device that is not
 * a CPU and has a GEMM is used; a CPU, or a device of another vendor, is
 * refused (a profile that gives no vendor is taken at its word). */
static int apply_measured(hp_candidate *c, const char *profile_path,
                          const char *dev_id, hp_diag *d) {
  hp_profile *own = NULL;
  const hp_profile *p = NULL;
  int rc = bind_files ? hp_file_cache_profile(bind_files, profile_path, &p, d)
                      : hp_profile_load(profile_path, &own, d);
  if (rc != HP_OK)
    return rc;
  if (own)
    p = own;
  long pick = dev_id ? hp_profile_find(p, dev_id) : -1;
  long cpu = -1;
  for (size_t i = 0; !dev_id && pick < 0 && i < hp_profile_count(p); i++) {
    hp_device_info info;
    hp_profile_device(p, i, &info);
    if (!profile_has_gemm(p, i))
      continue;
    if (info.devclass == HP_DEVCLASS_CPU) {
      if (cpu < 0)
        cpu = (long)i;
    } else {
      pick = (long)i;
    }
  }
  if (pick < 0 && cpu >= 0)
    pick = cpu; /* refused below, by name */
  if (pick >= 0) {
    hp_device_info info;
    hp_profile_device(p, (size_t)pick, &info);
    const char *why = NULL;
    if (info.devclass == HP_DEVCLASS_CPU)
      why = "is a CPU (OpenCL class cpu)";
    else if (info.vendor && info.vendor[0] &&
             !vendor_matches(c->spec.vendor, info.vendor) &&
             !vendor_matches(c->spec.vendor, info.platform))
      why = "is not of the card's vendor";
    if (why) {
      rc = hp_diag_set(d, HP_EINVAL, profile_path, 0, 0,
                       "device %s of the probe profile ('%s', vendor '%s') "
                       "%s: a measured profile stands in for %s (%s %s) only "
                       "if it was measured on that card; probe the card's "
                       "own host, or name another device",
                       info.id, info.name ? info.name : "",
                       info.vendor ? info.vendor : "", why, c->spec.id,
                       c->spec.vendor, c->spec.name ? c->spec.name : "");
      hp_profile_free(own);
      return rc;
    }
    if (!dev_id)
      dev_id = info.id;
  }
  double mfu, bw_gbps;
  rc = hp_profile_efficiency(p, dev_id, &mfu, &bw_gbps, d);
  hp_profile_free(own);
  if (rc != HP_OK)
    return rc;
  c->mfu = mfu;
  /* The achieved bandwidth as a share of the catalog's peak is the card's
   * MBU, as GEMM over the roof is its MFU: both then scale the peak once.
   * (Replacing the peak by the achieved figure and keeping the default MBU
   * of 0.8 would discount the measurement a second time.) */
  double peak = c->spec.fig[HP_FIG_memory_bw_tbps];
  if (bw_gbps > 0 && peak > 0)
    c->mbu = fmin(1.0, bw_gbps / 1000.0 / peak);
  c->measured = 1;
  return HP_OK;
}

static int set_from(hp_candidate *c, const char *from) {
  hp_free(c->mfu_from);
  c->mfu_from = hp_strdup(from);
  return c->mfu_from ? HP_OK : HP_ENOMEM;
}

static int bind_devices(const hp_ynode *m, const char *file,
                        const hp_catalog *cat, hp_scenario *s, double plan_mfu,
                        int has_plan_mfu, double plan_mbu, int has_plan_mbu,
                        hp_diag *d) {
  const hp_ynode *dv = hp_yaml_map_get(m, "devices");
  int rc;
  size_t n = 0;
  const hp_device_spec **pick = NULL;
  if (!dv)
    return hp_diag_set(d, HP_EMISSING, file, s->line, s->col,
                       "scenario '%s': required key 'devices' is missing (a "
                       "list of device ids, or 'all')",
                       s->name);
  s->devices_line = dv->line;
  s->devices_col = dv->col;
  if (dv->kind == HP_Y_SCALAR && dv->plain &&
      (strcmp(dv->scalar, "all") == 0 ||
       strcmp(dv->scalar, "available") == 0)) {
    /* available: every SKU that can be ordered new in China, as far as the
     * catalog knows; an unknown status counts as available and is warned
     * of when bought (hp_scenario_market_warnings). */
    s->devices_available = dv->scalar[1] == 'v';
    size_t all = hp_catalog_count(cat);
    pick = hp_calloc(all ? all : 1, sizeof *pick);
    if (!pick)
      return hp_diag_oom(d);
    for (size_t i = 0; i < all; i++) {
      const hp_device_spec *sp = hp_catalog_at(cat, i);
      if (!s->devices_available || sp->market_china != HP_MARKET_UNAVAILABLE)
        pick[n++] = sp;
    }
    if (n == 0) {
      rc = hp_diag_set(d, HP_EINVAL, file, dv->line, dv->col,
                       "devices: available: every SKU of the catalog is "
                       "unavailable in China (market.china); list the cards "
                       "to plan a what-if");
      goto out;
    }
  } else if (dv->kind == HP_Y_SEQ) {
    if (dv->n == 0)
      return hp_diag_set(d, HP_ERANGE, file, dv->line, dv->col,
                         "devices: expected at least one device id");
    pick = hp_calloc(dv->n, sizeof *pick);
    if (!pick)
      return hp_diag_oom(d);
    for (size_t i = 0; i < dv->n; i++) {
      const char *id;
      if ((rc = hp_yaml_get_string(dv->items[i], "devices", file, &id, d)) !=
          HP_OK)
        goto out;
      const hp_device_spec *sp = hp_catalog_find(cat, id);
      if (!sp) {
        rc = unknown_device(cat, id, "devices", file, dv->items[i]->line,
                            dv->items[i]->col, d);
        goto out;
      }
      for (size_t j = 0; j < n; j++)
        if (pick[j] == sp) {
          rc = hp_diag_set(d, HP_EDUP, file, dv->items[i]->line,
                           dv->items[i]->col, "devices: '%s' is listed twice",
                           id);
          goto out;
        }
      pick[n++] = sp;
    }
  } else {
    return hp_diag_set(d, HP_ETYPE, file, dv->line, dv->col,
                       "devices: expected a sequence of device ids, 'all' or "
                       "'available', got %s",
                       dv->kind == HP_Y_MAP ? "a mapping" : "a scalar");
  }

  const hp_ynode *ov = hp_yaml_map_get(m, "overrides");
  const hp_ynode *ms = hp_yaml_map_get(m, "measured");
  if (ov && (rc = expect_map(ov, "overrides", file, d)) != HP_OK)
    goto out;
  if (ms && (rc = expect_map(ms, "measured", file, d)) != HP_OK)
    goto out;
  for (int pass = 0; pass < 2; pass++) {
    const hp_ynode *map = pass ? ms : ov;
    for (size_t i = 0; map && i < map->n; i++) {
      if (!hp_catalog_find(cat, map->keys[i])) {
        rc = unknown_device(cat, map->keys[i], pass ? "measured" : "overrides",
                            file, map->key_line[i], map->key_col[i], d);
        goto out;
      }
      /* A profile must exist even for a card this scenario does not buy:
       * another scenario, or the next edit, will. */
      const char *rel, *dev;
      if (pass && (rc = measured_entry(map->items[i], map->keys[i], file, &rel,
                                       &dev, d)) != HP_OK)
        goto out;
      if (pass) {
        char *path = hp_catalog_resolve_path(file, rel);
        if (!path) {
          rc = hp_diag_oom(d);
          goto out;
        }
        int there = file_exists(path);
        if (!there)
          rc = hp_diag_set(
              d, HP_ENOTFOUND, file, map->items[i]->line, map->items[i]->col,
              "measured.%s: cannot open '%.300s'", map->keys[i], path);
        hp_free(path);
        if (!there)
          goto out;
      }
    }
  }
  s->cands = hp_calloc(n ? n : 1, sizeof *s->cands);
  if (!s->cands) {
    rc = hp_diag_oom(d);
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    hp_candidate *c = &s->cands[s->n_cands];
    c->spec = *pick[i]; /* figures copied, strings borrowed */
    s->n_cands++;
    /* Efficiency precedence: override > measured > plan > device > 0.5. */
    const char *from = "default 0.5";
    c->mfu = 0.5;
    /* MBU as MFU: the plan's, else the device file's, else 0.8. */
    c->mbu = has_plan_mbu || !(pick[i]->mbu > 0) ? plan_mbu : pick[i]->mbu;
    if (pick[i]->mfu > 0) {
      c->mfu = pick[i]->mfu;
      from = "device file";
    }
    if (has_plan_mfu) {
      c->mfu = plan_mfu;
      from = "plan";
    }
    const char *prof = pick[i]->measured;
    char *plan_prof = NULL;
    const hp_ynode *mp = ms ? hp_yaml_map_get(ms, pick[i]->id) : NULL;
    const char *plan_dev = NULL;
    if (mp) {
      const char *rel;
      if ((rc = measured_entry(mp, pick[i]->id, file, &rel, &plan_dev, d)) !=
          HP_OK)
        goto out;
      if (!(plan_prof = hp_catalog_resolve_path(file, rel))) {
        rc = hp_diag_oom(d);
        goto out;
      }
      prof = plan_prof;
    }
    if (prof) {
      rc = apply_measured(c, prof, mp ? plan_dev : pick[i]->measured_device, d);
      hp_free(plan_prof);
      if (rc != HP_OK) {
        /* The profile's own position is in d; add where it was named. */
        if (d && rc != HP_ENOMEM) {
          char more[HP_DIAG_MSG_MAX];
          if (mp)
            snprintf(more, sizeof more, " (measured: for %s at %s:%d:%d)",
                     pick[i]->id, file, mp->line, mp->col);
          else
            snprintf(more, sizeof more, " (measured: in the device file %s)",
                     pick[i]->path ? pick[i]->path : pick[i]->id);
          size_t l = strlen(d->msg);
          snprintf(d->msg + l, sizeof d->msg - l, "%s", more);
        }
        goto out;
      }
      from = "measured";
    }
    int mfu_set = 0;
    const hp_ynode *o = ov ? hp_yaml_map_get(ov, pick[i]->id) : NULL;
    if (o &&
        (rc = apply_override(o, pick[i]->id, file, c, &mfu_set, d)) != HP_OK)
      goto out;
    if (mfu_set)
      from = "override";
    c->mbu_plan =
        has_plan_mbu && !c->measured && !(o && hp_yaml_map_get(o, "mbu"));
    /* Neither set: the roofline takes its card and stack table. */
    c->eff_default = (strcmp(from, "default 0.5") == 0) |
                     (!has_plan_mbu && !(pick[i]->mbu > 0) && !c->measured &&
                      !(o && hp_yaml_map_get(o, "mbu")))
                         << 1;
    if (set_from(c, from) != HP_OK) {
      rc = hp_diag_oom(d);
      goto out;
    }
  }
  rc = HP_OK;
out:
  hp_free(pick);
  return rc;
}

/* A KV cache format the model or a card cannot take (docs/roofline.md,
 * "Number formats"). An fp4 KV cache needs hardware FP4 to be read at
 * decode speed (TensorRT-LLM's NVFP4 KV cache runs on Blackwell only), so
 * every card listed must have an FP4 roof; and MLA's latent cache has no
 * fp4 kernel (FlashMLA takes bf16 and fp8), so an MLA model cannot take
 * it at all. */
static int check_kv_dtype(const hp_scenario *s, hp_diag *d) {
  const hp_model_desc *m = &s->model;
  if (m->kv_dtype != HP_DTYPE_FP4)
    return HP_OK;
  const char *f = m->kv_dtype_file ? m->kv_dtype_file : s->file;
  /* "model" in a models/ file, "workload.model" in the plan */
  const char *key =
      m->file && f && strcmp(f, m->file) == 0 ? "model" : "workload.model";
  if (m->kv_lora_rank > 0)
    return hp_diag_set(d, HP_EINVAL, f, m->kv_dtype_line, m->kv_dtype_col,
                       "%s.kv_dtype: fp4: model %s keeps an MLA latent cache "
                       "(kv_lora_rank %g), which no serving stack stores in "
                       "fp4; use fp8 or bf16",
                       key, m->name ? m->name : "(unnamed)", m->kv_lora_rank);
  for (size_t i = 0; i < s->n_cands; i++)
    if (!(s->cands[i].spec.fig[HP_FIG_fp4_tflops] > 0))
      return hp_diag_set(d, HP_EINVAL, f, m->kv_dtype_line, m->kv_dtype_col,
                         "%s.kv_dtype: fp4: card %s has no FP4 roof "
                         "(fp4_tflops), and an fp4 KV cache is read at "
                         "decode speed only on FP4 hardware; use fp8, or "
                         "list only cards with fp4_tflops",
                         key, s->cands[i].spec.id);
  return HP_OK;
}

int hp_scenario_bind(const hp_ynode *m, const char *file, const hp_catalog *cat,
                     hp_scenario *out, hp_diag *d) {
  hp_scenario s;
  memset(&s, 0, sizeof s);
  int rc;
  s.line = m->line;
  s.col = m->col;
  s.gran = HP_GRAN_SERVER;
  s.pue = 1.3;
  s.years = 5;
  s.power_price_cny_per_kwh = 0.4;
  s.utilisation = 1.0;
  s.node_limit = HP_DEFAULT_NODE_LIMIT;
  if (!(s.file = hp_strdup(file))) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  if ((rc = hp_yaml_check_keys(m, scenario_keys, "scenario", file, d)) != HP_OK)
    goto fail;
  const hp_ynode *n = hp_yaml_map_get(m, "name");
  const char *str;
  if (!n) {
    rc = hp_diag_set(d, HP_EMISSING, file, m->line, m->col,
                     "scenario: required key 'name' is missing");
    goto fail;
  }
  if ((rc = hp_yaml_get_string(n, "name", file, &str, d)) != HP_OK)
    goto fail;
  if (!(s.name = hp_strdup(str))) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  int e;
  static const char *const objectives[] = {"capex", "max_tokens", "tco", "rent",
                                           NULL};
  static const char *const grans[] = {"fractional", "card", "server", NULL};
  static const char *const models[] = {"flops", "roofline", NULL};
  if ((n = hp_yaml_map_get(m, "objective"))) {
    if ((rc = get_enum(n, "objective", file, objectives, &e, d)) != HP_OK)
      goto fail;
    s.objective = (hp_objective)e;
  }
  if ((n = hp_yaml_map_get(m, "granularity"))) {
    if ((rc = get_enum(n, "granularity", file, grans, &e, d)) != HP_OK)
      goto fail;
    s.gran = (hp_granularity)e;
  }
  if ((n = hp_yaml_map_get(m, "demand_model"))) {
    if ((rc = get_enum(n, "demand_model", file, models, &e, d)) != HP_OK)
      goto fail;
    s.demand_model = (hp_demand_model)e;
  }
  if ((rc = bind_workload(m, file, cat, &s, d)) != HP_OK)
    goto fail;
  if ((rc = bind_roofline(m, file, &s, d)) != HP_OK ||
      (rc = bind_solver(m, file, &s, d)) != HP_OK)
    goto fail;
  if (s.demand_model == HP_DEMAND_ROOFLINE && s.has_workload) {
    const hp_ynode *w = hp_yaml_map_get(m, "workload");
    const hp_ynode *mo = hp_yaml_map_get(w, "model");
    if (!mo)
      mo = hp_yaml_map_get(w, "model_file");
    if (!s.model.has_arch) {
      rc = hp_diag_set(d, HP_EMISSING, file, mo->line, mo->col,
                       "demand_model roofline needs the model's "
                       "architecture: workload.model has no layers, "
                       "hidden_size and heads (name a models/ file, e.g. "
                       "model: {name: llama-3-70b})");
      goto fail;
    }
    if (s.n_classes == 0) {
      rc = hp_diag_set(d, HP_EMISSING, file, w->line, w->col,
                       "demand_model roofline needs workload.requests (request "
                       "classes with input_tokens and output_tokens)");
      goto fail;
    }
  }
  if ((rc = bind_constraints(m, file, cat, &s, d)) != HP_OK)
    goto fail;
  if (s.objective == HP_OBJ_MAX_TOKENS && s.budget_cny <= 0) {
    rc = hp_diag_set(d, HP_EMISSING, file, s.line, s.col,
                     "scenario '%s': objective max_tokens needs "
                     "constraints.budget_cny",
                     s.name);
    goto fail;
  }
  double plan_mfu = 0, plan_mbu = 0.8;
  int has_plan_mfu = hp_yaml_map_get(m, "mfu") != NULL;
  int has_plan_mbu = hp_yaml_map_get(m, "mbu") != NULL;
  if ((rc = opt_num(m, "mfu", NULL, file, HP_NUM_UNIT_OPEN, &plan_mfu, d)) !=
          HP_OK ||
      (rc = opt_num(m, "mbu", NULL, file, HP_NUM_UNIT_OPEN, &plan_mbu, d)) !=
          HP_OK ||
      (rc = opt_num(m, "pue", NULL, file, HP_NUM_GE1, &s.pue, d)) != HP_OK ||
      (rc = opt_num(m, "years", NULL, file, HP_NUM_POSITIVE, &s.years, d)) !=
          HP_OK ||
      (rc = opt_num(m, "power_price_cny_per_kwh", NULL, file, HP_NUM_NONNEG,
                    &s.power_price_cny_per_kwh, d)) != HP_OK ||
      (rc = opt_num(m, "utilisation", NULL, file, HP_NUM_FRACTION,
                    &s.utilisation, d)) != HP_OK ||
      (rc = opt_num(m, "token_price_cny_per_mtok", NULL, file, HP_NUM_POSITIVE,
                    &s.token_price_cny_per_mtok, d)) != HP_OK)
    goto fail;
  if ((rc = bind_devices(m, file, cat, &s, plan_mfu, has_plan_mfu, plan_mbu,
                         has_plan_mbu, d)) != HP_OK ||
      (rc = check_kv_dtype(&s, d)) != HP_OK ||
      (rc = hp_scenario_services_bind(m, file, cat, &s, d)) != HP_OK)
    goto fail;
  *out = s;
  return HP_OK;
fail:
  hp_scenario_cleanup(&s);
  return rc;
}

/* ----------------------------------------------------------------------------
 * The plan file
 * ------------------------------------------------------------------------- */

static const char *const plan_keys[] = {"name",      "description", "defaults",
                                        "scenarios", "uncertain",   NULL};

static void free_periods(hp_periods **per, size_t n) {
  for (size_t i = 0; per && i < n; i++)
    hp_scenario_periods_free(per[i]);
  hp_free(per);
}

void hp_planfile_free(hp_planfile *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->n; i++) {
    if (p->merged)
      hp_yaml_node_free(p->merged[i]);
    if (p->scen)
      hp_scenario_cleanup(&p->scen[i]);
  }
  free_periods(p->periods, p->n);
  hp_file_cache_unref(p->files);
  hp_free(p->merged);
  hp_free(p->scen);
  hp_yaml_node_free(p->root);
  hp_free(p->path);
  hp_free(p->name);
  hp_free(p);
}

/* Binds every merged tree into fresh arrays (scenarios, and each one's
 * periods or NULL); *out and *per set only on success. */
static int bind_all(hp_planfile *p, hp_scenario **out, hp_periods ***per_out,
                    hp_diag *d) {
  hp_scenario *sc = hp_calloc(p->n ? p->n : 1, sizeof *sc);
  hp_periods **per = hp_calloc(p->n ? p->n : 1, sizeof *per);
  if (!sc || !per) {
    hp_free(sc);
    hp_free(per);
    return hp_diag_oom(d);
  }
  int rc = HP_OK;
  size_t i = 0;
  hp_file_cache *outer = bind_files; /* restored below */
  bind_files = p->files;
  for (; i < p->n; i++) {
    if ((rc = hp_scenario_periods_present(p->merged[i])
                  ? hp_scenario_periods_bind(p->merged[i], p->path, p->cat,
                                             &sc[i], &per[i], d)
                  : hp_scenario_bind(p->merged[i], p->path, p->cat, &sc[i],
                                     d)) != HP_OK)
      break;
    for (size_t j = 0; j < i; j++)
      if (strcmp(sc[j].name, sc[i].name) == 0) {
        const hp_ynode *nn = hp_yaml_map_get(p->merged[i], "name");
        rc = hp_diag_set(d, HP_EDUP, p->path, nn->line, nn->col,
                         "scenario name '%s' is used twice", sc[i].name);
        i++;
        goto done;
      }
  }
done:
  bind_files = outer;
  if (rc != HP_OK) {
    for (size_t j = 0; j < i && j < p->n; j++)
      hp_scenario_cleanup(&sc[j]);
    hp_free(sc);
    free_periods(per, p->n);
    return rc;
  }
  *out = sc;
  *per_out = per;
  return HP_OK;
}

int hp_planfile_parse(const char *text, size_t len, const char *name,
                      const hp_catalog *cat, hp_planfile **out, hp_diag *d) {
  assert((text || len == 0) && out);
  hp_planfile *p = hp_calloc(1, sizeof *p);
  int rc;
  if (!p)
    return hp_diag_oom(d);
  p->cat = cat;
  if (hp_file_cache_new(&p->files) != HP_OK || !(p->path = hp_strdup(name))) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  if ((rc = hp_yaml_parse(text, len, name, &p->root, d)) != HP_OK)
    goto fail;
  const hp_ynode *r = p->root;
  if (r->kind != HP_Y_MAP) {
    rc = hp_diag_set(d, HP_ETYPE, name, r->line, r->col,
                     "expected a plan mapping (name, defaults, scenarios), "
                     "got %s",
                     hp_yaml_kind_name(r->kind));
    goto fail;
  }
  if ((rc = hp_yaml_check_keys(r, plan_keys, "plan", name, d)) != HP_OK)
    goto fail;
  const hp_ynode *nm = hp_yaml_map_get(r, "name");
  const char *s;
  if (!nm) {
    rc = hp_diag_set(d, HP_EMISSING, name, r->line, r->col,
                     "plan: required key 'name' is missing");
    goto fail;
  }
  if ((rc = hp_yaml_get_string(nm, "name", name, &s, d)) != HP_OK)
    goto fail;
  if (!(p->name = hp_strdup(s))) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  const hp_ynode *defs = hp_yaml_map_get(r, "defaults");
  if (defs && (rc = expect_map(defs, "defaults", name, d)) != HP_OK)
    goto fail;
  const hp_ynode *sc = hp_yaml_map_get(r, "scenarios");
  if (!sc) {
    rc = hp_diag_set(d, HP_EMISSING, name, r->line, r->col,
                     "plan: required key 'scenarios' is missing (a sequence "
                     "of scenarios, each with a name)");
    goto fail;
  }
  if (sc->kind != HP_Y_SEQ || sc->n == 0) {
    rc = hp_diag_set(d, HP_ETYPE, name, sc->line, sc->col,
                     "scenarios: expected a non-empty sequence of scenario "
                     "mappings, got %s",
                     sc->kind == HP_Y_SEQ ? "an empty sequence"
                                          : hp_yaml_kind_name(sc->kind));
    goto fail;
  }
  if (sc->n > HP_MAX_SCENARIOS) {
    rc = hp_diag_set(d, HP_ELIMIT, name, sc->line, sc->col,
                     "scenarios: %zu scenarios, more than the limit of %d "
                     "(HP_MAX_SCENARIOS)",
                     sc->n, HP_MAX_SCENARIOS);
    goto fail;
  }
  p->merged = hp_calloc(sc->n, sizeof *p->merged);
  if (!p->merged) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  p->n = sc->n;
  for (size_t i = 0; i < sc->n; i++) {
    const hp_ynode *e = sc->items[i];
    if ((rc = expect_map(e, "scenarios[]", name, d)) != HP_OK)
      goto fail;
    hp_ynode *m = defs && defs->kind == HP_Y_MAP
                      ? hp_yaml_node_clone(defs)
                      : hp_yaml_node_new(HP_Y_MAP, NULL, e->line, e->col);
    if (!m) {
      rc = hp_diag_oom(d);
      goto fail;
    }
    p->merged[i] = m;
    m->line = e->line;
    m->col = e->col;
    if (merge_into(m, e) != HP_OK) {
      rc = hp_diag_oom(d);
      goto fail;
    }
  }
  if ((rc = bind_all(p, &p->scen, &p->periods, d)) != HP_OK ||
      (rc = hp_scenario_set_uncertain_parse(hp_yaml_map_get(r, "uncertain"),
                                            name, NULL, NULL, d)) != HP_OK)
    goto fail;
  *out = p;
  return HP_OK;
fail:
  hp_planfile_free(p);
  return rc;
}

int hp_planfile_load(const char *path, const hp_catalog *cat, hp_planfile **out,
                     hp_diag *d) {
  assert(path && out);
  char *text;
  size_t len;
  int rc = hp_yaml_read_file(path, HP_YAML_MAX_BYTES, &text, &len, d);
  if (rc != HP_OK)
    return rc;
  rc = hp_planfile_parse(text, len, path, cat, out, d);
  hp_free(text);
  return rc;
}

int hp_planfile_dup(const hp_planfile *p, hp_planfile **out, hp_diag *d) {
  hp_planfile *q = hp_calloc(1, sizeof *q);
  int rc;
  if (!q)
    return hp_diag_oom(d);
  q->cat = p->cat;
  q->files = hp_file_cache_ref(p->files);
  if (!(q->path = hp_strdup(p->path)) || !(q->name = hp_strdup(p->name)) ||
      !(q->root = hp_yaml_node_clone(p->root)) ||
      !(q->merged = hp_calloc(p->n ? p->n : 1, sizeof *q->merged)))
    goto oom;
  for (; q->n < p->n; q->n++)
    if (!(q->merged[q->n] = hp_yaml_node_clone(p->merged[q->n])))
      goto oom;
  if ((rc = bind_all(q, &q->scen, &q->periods, d)) != HP_OK)
    goto fail;
  *out = q;
  return HP_OK;
oom:
  rc = hp_diag_oom(d);
fail:
  hp_planfile_free(q);
  return rc;
}

const char *hp_planfile_name(const hp_planfile *p) {
  assert(p);
  return p->name;
}
const hp_ynode *hp_planfile_uncertain(const hp_planfile *p) {
  return hp_yaml_map_get(p->root, "uncertain");
}
/* 1 if scenario s can buy the card called id. */
static int lists_card(const hp_scenario *s, const char *id) {
  for (size_t c = 0; c < s->n_cands; c++)
    if (strcmp(s->cands[c].spec.id, id) == 0)
      return 1;
  return 0;
}

/* The card keys of a merged scenario: overrides, measured, per-card caps. */
static const hp_ynode *card_keys(const hp_ynode *m, int which,
                                 const char **where) {
  static const char *const names[] = {"overrides", "measured",
                                      "constraints.caps"};
  *where = names[which];
  if (which < 2)
    return hp_yaml_map_get(m, names[which]);
  const hp_ynode *c = hp_yaml_map_get(m, "constraints");
  return c && c->kind == HP_Y_MAP ? hp_yaml_map_get(c, "caps") : NULL;
}

/* 1 if map has key `id` at line:col. */
static int has_key_at(const hp_ynode *map, const char *id, int line, int col) {
  for (size_t q = 0; map && map->kind == HP_Y_MAP && q < map->n; q++)
    if (map->key_line[q] == line && map->key_col[q] == col &&
        strcmp(map->keys[q], id) == 0)
      return 1;
  return 0;
}

size_t hp_planfile_unused_keys(const hp_planfile *p, hp_diag *w, size_t cap) {
  assert(p && (w || cap == 0));
  size_t n = 0;
  const hp_ynode *defs = hp_yaml_map_get(p->root, "defaults");
  for (size_t i = 0; i < p->n; i++)
    for (int which = 0; which < 3; which++) {
      const char *where;
      const hp_ynode *map = card_keys(p->merged[i], which, &where);
      const hp_ynode *dmap = defs && defs->kind == HP_Y_MAP
                                 ? card_keys(defs, which, &where)
                                 : NULL;
      for (size_t k = 0; map && map->kind == HP_Y_MAP && k < map->n; k++) {
        const char *id = map->keys[k];
        int line = map->key_line[k], col = map->key_col[k];
        if (which == 2 && strncmp(id, "vendor.", 7) == 0)
          continue;
        /* A key of the scenario's own reaches it alone; a default reaches
         * every scenario, and is judged once, at the first. */
        int used = lists_card(&p->scen[i], id);
        if (!used && has_key_at(dmap, id, line, col)) {
          if (i > 0)
            continue;
          for (size_t j = 1; j < p->n && !used; j++)
            used = lists_card(&p->scen[j], id) &&
                   has_key_at(card_keys(p->merged[j], which, &where), id, line,
                              col);
        }
        if (used)
          continue;
        if (n < cap) {
          hp_diag_clear(&w[n]);
          hp_diag_set(&w[n], HP_EINVAL, p->path, line, col,
                      "%s.%s: no scenario it applies to lists card '%s' among "
                      "its devices, so it changes nothing",
                      where, id, id);
        }
        n++;
      }
    }
  return n;
}

/* ----------------------------------------------------------------------------
 * Market warnings (issue 20): a plan may buy a card that cannot be ordered,
 * as a what-if, but never silently.
 * ------------------------------------------------------------------------- */

/* 1 if candidate c of s deserves a market warning. */
static int market_warns(const hp_scenario *s, const hp_candidate *c) {
  hp_market m = c->spec.market_china;
  return m == HP_MARKET_RESTRICTED || m == HP_MARKET_UNAVAILABLE ||
         (m == HP_MARKET_UNKNOWN && s->devices_available);
}

/* "unavailable in China as of 2025-08-24" and the like, into b. */
static void market_status(const hp_device_spec *sp, hp_buf *b) {
  if (sp->market_china == HP_MARKET_UNKNOWN) {
    hp_buf_puts(b, "whose market status in China is unknown (its device "
                   "file has no market.china)");
    return;
  }
  hp_buf_printf(b, "%s in China", hp_market_name(sp->market_china));
  if (sp->market_as_of)
    hp_buf_printf(b, " as of %s", sp->market_as_of);
  /* market.ref's sources are in the device file (`hetplan devices ID`):
   * a warning names the card, its status and date. */
}

int hp_scenario_market_warnings(const hp_scenario *s, hp_scenario_result *r) {
  size_t n = 0;
  for (size_t i = 0; i < r->n_lines; i++)
    for (size_t k = 0; k < s->n_cands; k++)
      if (strcmp(s->cands[k].spec.id, r->lines[i].device) == 0 &&
          market_warns(s, &s->cands[k]))
        n++;
  if (n == 0)
    return HP_OK;
  char **w = hp_calloc(n, sizeof *w);
  if (!w)
    return HP_ENOMEM;
  size_t got = 0;
  for (size_t i = 0; i < r->n_lines; i++)
    for (size_t k = 0; k < s->n_cands; k++) {
      const hp_candidate *c = &s->cands[k];
      if (strcmp(c->spec.id, r->lines[i].device) != 0 || !market_warns(s, c))
        continue;
      char cards[48];
      hp_buf b;
      hp_buf_init(&b);
      hp_buf_printf(
          &b, "scenario '%s' buys %s cards of %s (%s), ", s->name,
          hp_fmt_grouped(r->lines[i].cards,
                         r->lines[i].cards == floor(r->lines[i].cards) ? 0 : 1,
                         cards, sizeof cards),
          c->spec.id, c->spec.name ? c->spec.name : c->spec.vendor);
      market_status(&c->spec, &b);
      hp_buf_puts(&b, c->spec.market_china == HP_MARKET_UNKNOWN
                          ? ": check that it can be ordered"
                          : ": a what-if, not an order that can be placed");
      if (b.oom || hp_buf_detach(&b, &w[got], NULL) != HP_OK) {
        hp_buf_cleanup(&b);
        for (size_t j = 0; j < got; j++)
          hp_free(w[j]);
        hp_free(w);
        return HP_ENOMEM;
      }
      got++;
    }
  r->warnings = w;
  r->n_warnings = got;
  return HP_OK;
}

size_t hp_planfile_market_warnings(const hp_planfile *p, hp_diag *w,
                                   size_t cap) {
  assert(p && (w || cap == 0));
  size_t n = 0;
  for (size_t i = 0; i < p->n; i++) {
    const hp_scenario *s = &p->scen[i];
    for (size_t k = 0; k < s->n_cands; k++) {
      const hp_candidate *c = &s->cands[k];
      if (!market_warns(s, c))
        continue;
      int seen = 0; /* once per card over the whole plan */
      for (size_t j = 0; j < i && !seen; j++)
        for (size_t q = 0; q < p->scen[j].n_cands && !seen; q++)
          seen = strcmp(p->scen[j].cands[q].spec.id, c->spec.id) == 0 &&
                 market_warns(&p->scen[j], &p->scen[j].cands[q]);
      if (seen)
        continue;
      if (n < cap) {
        hp_buf b;
        hp_buf_init(&b);
        hp_buf_printf(&b, "devices: %s (%s) is ", c->spec.id,
                      c->spec.name ? c->spec.name : c->spec.vendor);
        if (c->spec.market_china == HP_MARKET_UNKNOWN)
          hp_buf_puts(&b, "of unknown market status in China (its device "
                          "file has no market.china)");
        else
          market_status(&c->spec, &b);
        hp_buf_puts(&b, ": a plan that buys it is a what-if");
        hp_diag_clear(&w[n]);
        hp_diag_set(&w[n], HP_EINVAL, p->path, s->devices_line, s->devices_col,
                    "%s", b.data ? b.data : "");
        hp_buf_cleanup(&b);
      }
      n++;
    }
  }
  return n;
}

const char *hp_planfile_path(const hp_planfile *p) { return p->path; }
size_t hp_planfile_count(const hp_planfile *p) {
  assert(p);
  return p->n;
}
const char *hp_planfile_scenario_name(const hp_planfile *p, size_t i) {
  assert(p);
  return i < p->n ? p->scen[i].name : NULL;
}
const hp_periods *hp_planfile_periods(const hp_planfile *p, size_t i) {
  return p->periods && i < p->n ? p->periods[i] : NULL;
}

const hp_scenario *hp_planfile_scenario(const hp_planfile *p, size_t i) {
  return i < p->n ? &p->scen[i] : NULL;
}

/* ----------------------------------------------------------------------------
 * Numeric edits by path (sweeps, Monte Carlo)
 * ------------------------------------------------------------------------- */

/* Sets the scalar at a dotted path in tree m to text, creating maps on the
 * way. A path segment "vendor" under "caps" joins the next one
 * ("vendor.NVIDIA"). */
static int set_path(hp_ynode *m, const char *path, const char *text,
                    hp_diag *d) {
  char buf[512];
  if (strlen(path) >= sizeof buf)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0, "path too long: '%.100s'",
                       path);
  memcpy(buf, path, strlen(path) + 1);
  hp_ynode *cur = m;
  char *save = NULL;
  char *seg = strtok_r(buf, ".", &save);
  const char *prev = NULL;
  while (seg) {
    char *next = strtok_r(NULL, ".", &save);
    char joined[300];
    if (prev && strcmp(prev, "caps") == 0 && strcmp(seg, "vendor") == 0 &&
        next) {
      snprintf(joined, sizeof joined, "vendor.%s", next);
      seg = joined;
      next = strtok_r(NULL, ".", &save);
    }
    if (cur->kind != HP_Y_MAP)
      return hp_diag_set(d, HP_ETYPE, NULL, 0, 0,
                         "path '%s': '%s' is inside %s, not a mapping", path,
                         seg, hp_yaml_kind_name(cur->kind));
    hp_ynode *child = (hp_ynode *)hp_yaml_map_get(cur, seg);
    if (!next) {
      hp_ynode *val = hp_yaml_node_new(HP_Y_SCALAR, text, 0, 0);
      if (!val || hp_yaml_map_set(cur, seg, val, 0, 0) != HP_OK) {
        hp_yaml_node_free(val);
        return hp_diag_oom(d);
      }
      return HP_OK;
    }
    if (!child || hp_yaml_is_null(child)) { /* null: an empty mapping */
      child = hp_yaml_node_new(HP_Y_MAP, NULL, 0, 0);
      if (!child || hp_yaml_map_set(cur, seg, child, 0, 0) != HP_OK) {
        hp_yaml_node_free(child);
        return hp_diag_oom(d);
      }
    }
    prev = seg == joined ? "vendor" : seg;
    cur = child;
    seg = next;
  }
  return hp_diag_set(d, HP_EINVAL, NULL, 0, 0, "empty path");
}

static int set_text(hp_planfile *p, const char *path, const char *text,
                    hp_diag *d);

int hp_planfile_set_number(hp_planfile *p, const char *path, double value,
                           hp_diag *d) {
  assert(p && path);
  char num[40];
  return set_text(p, path, hp_fmt_number(value, num, sizeof num), d);
}

int hp_planfile_takes_text(const hp_planfile *p, const char *path) {
  assert(p && path);
  /* Names are text whatever binding says: one text set in every scenario
   * would make their names clash, and binding fail for that reason. */
  const char *last = strrchr(path, '.');
  if (strcmp(last ? last + 1 : path, "name") == 0)
    return 1;
  hp_ynode **copies = hp_calloc(p->n ? p->n : 1, sizeof *copies);
  int rc = copies ? HP_OK : HP_ENOMEM;
  for (size_t i = 0; rc == HP_OK && i < p->n; i++)
    if (!(copies[i] = hp_yaml_node_clone(p->merged[i])))
      rc = HP_ENOMEM;
    else
      rc = set_path(copies[i], path, "hetplan: not a number", NULL);
  int takes = 0;
  if (rc == HP_OK) {
    hp_planfile q = *p;
    q.merged = copies;
    hp_scenario *sc = NULL;
    hp_periods **per = NULL;
    rc = bind_all(&q, &sc, &per, NULL);
    takes = rc == HP_OK;
    for (size_t i = 0; takes && i < p->n; i++)
      hp_scenario_cleanup(&sc[i]);
    if (takes) {
      hp_free(sc);
      free_periods(per, p->n);
    }
  }
  for (size_t i = 0; copies && i < p->n; i++)
    hp_yaml_node_free(copies[i]);
  hp_free(copies);
  return rc == HP_ENOMEM ? HP_ENOMEM : takes;
}

static int set_text(hp_planfile *p, const char *path, const char *text,
                    hp_diag *d) {
  hp_ynode **copies = hp_calloc(p->n, sizeof *copies);
  int rc = HP_OK;
  if (!copies)
    return hp_diag_oom(d);
  for (size_t i = 0; i < p->n; i++) {
    if (!(copies[i] = hp_yaml_node_clone(p->merged[i]))) {
      rc = hp_diag_oom(d);
      goto out;
    }
    if ((rc = set_path(copies[i], path, text, d)) != HP_OK)
      goto out;
  }
  hp_ynode **old = p->merged;
  p->merged = copies;
  hp_scenario *sc;
  hp_periods **per;
  if ((rc = bind_all(p, &sc, &per, d)) != HP_OK) {
    p->merged = old;
    if (d) {
      char msg[HP_DIAG_MSG_MAX];
      snprintf(msg, sizeof msg, "%s", d->msg);
      hp_diag_set(d, rc, p->path, 0, 0, "setting '%s': %s", path, msg);
    }
    goto out;
  }
  for (size_t i = 0; i < p->n; i++) {
    hp_yaml_node_free(old[i]);
    hp_scenario_cleanup(&p->scen[i]);
  }
  hp_free(old);
  hp_free(p->scen);
  p->scen = sc;
  free_periods(p->periods, p->n);
  p->periods = per;
  return HP_OK;
out:
  for (size_t i = 0; i < p->n; i++)
    hp_yaml_node_free(copies[i]);
  hp_free(copies);
  return rc;
}
