/* model_hf.c - a Hugging Face config.json into a model mapping.
 *
 * The only file that reads config.json (with jansson). Each model_type
 * names the keys its transformers configuration class uses; the shape they
 * give is turned into the keys of a models/ file, and the total and active
 * parameters are computed from it (docs/roofline.md, "Hugging Face
 * configs"). jansson gives positions only for syntax errors, so a key's
 * line and column are found in the text: the first `"key":` in the file.
 * Layout: families, reading values, the parameter count, the mapping.
 */
#define _POSIX_C_SOURCE 200809L
#include "model_hf.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "mem.h"

/* A config.json is a few kilobytes; anything past this is not one. */
#define HF_MAX_BYTES (4u * 1024u * 1024u)

/* ----------------------------------------------------------------------------
 * Families: the key names of each model_type
 * ------------------------------------------------------------------------- */

typedef enum { ATT_GQA = 0, ATT_MLA } att_kind;
typedef enum {
  MOE_NONE = 0,
  MOE_QWEN,     /* num_experts, moe_intermediate_size, decoder_sparse_step,
                   mlp_only_layers; no shared experts */
  MOE_DEEPSEEK, /* n_routed_experts, n_shared_experts, moe_intermediate_size,
                   first_k_dense_replace (DeepSeek-V3, Kimi K2, GLM-4.5) */
  MOE_MINIMAX   /* num_local_experts; intermediate_size is the expert's */
} moe_kind;

static const struct family {
  const char *type;
  att_kind att;
  moe_kind moe;
  int dsa; /* DeepSeek Sparse Attention: index_topk */
} families[] = {
    {"llama", ATT_GQA, MOE_NONE, 0},
    {"mistral", ATT_GQA, MOE_NONE, 0},
    {"qwen2", ATT_GQA, MOE_NONE, 0},
    {"qwen3", ATT_GQA, MOE_NONE, 0},
    {"qwen3_moe", ATT_GQA, MOE_QWEN, 0},
    {"deepseek_v3", ATT_MLA, MOE_DEEPSEEK, 0},
    {"deepseek_v32", ATT_MLA, MOE_DEEPSEEK, 1},
    {"kimi_k2", ATT_MLA, MOE_DEEPSEEK, 0},
    {"glm4_moe", ATT_GQA, MOE_DEEPSEEK, 0},
    {"minimax_m2", ATT_GQA, MOE_MINIMAX, 0},
    {"seed_oss", ATT_GQA, MOE_NONE, 0},
};
#define N_FAMILIES (sizeof families / sizeof families[0])

const char *const hp_model_hf_types[] = {
    "llama",     "mistral",     "qwen2",        "qwen3",
    "qwen3_moe", "deepseek_v3", "deepseek_v32", "kimi_k2",
    "glm4_moe",  "minimax_m2",  "seed_oss",     NULL};

/* ----------------------------------------------------------------------------
 * Reading values
 * ------------------------------------------------------------------------- */

typedef struct hf {
  const char *path;
  const char *text; /* the file, for key positions */
  json_t *root;
  hp_diag *d;
} hf;

/* Line and column (1-based) of the first `"key"` followed by ':' in the
 * text; 1:1 when it is not there. */
static void key_pos(const hf *h, const char *key, int *line, int *col) {
  size_t kl = strlen(key);
  int ln = 1, cl = 1;
  for (const char *p = h->text; *p; p++) {
    if (*p == '"' && strncmp(p + 1, key, kl) == 0 && p[kl + 1] == '"') {
      const char *q = p + kl + 2;
      while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
        q++;
      if (*q == ':') {
        *line = ln;
        *col = cl;
        return;
      }
    }
    if (*p == '\n') {
      ln++;
      cl = 1;
    } else {
      cl++;
    }
  }
  *line = *col = 1;
}

static const char *json_kind(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
    return "an integer";
  case JSON_REAL:
    return "a real number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  default:
    return "null";
  }
}

static int type_error(const hf *h, const char *key, const char *want,
                      const json_t *v) {
  int line, col;
  key_pos(h, key, &line, &col);
  return hp_diag_set(h->d, HP_ETYPE, h->path, line, col,
                     "%s: expected %s, got %s", key, want, json_kind(v));
}

/* A whole number >= min at key; *out untouched and *have 0 when the key is
 * absent or null and not required. */
static int get_int(const hf *h, const char *key, int required, long long min,
                   double *out, int *have) {
  json_t *v = json_object_get(h->root, key);
  if (have)
    *have = 0;
  if (!v || json_is_null(v)) {
    if (!required)
      return HP_OK;
    return hp_diag_set(h->d, HP_EMISSING, h->path, 1, 1,
                       "config.json: required key '%s' is missing", key);
  }
  if (!json_is_integer(v))
    return type_error(h, key, "a whole number", v);
  long long x = json_integer_value(v);
  if (x < min) {
    int line, col;
    key_pos(h, key, &line, &col);
    return hp_diag_set(h->d, HP_ERANGE, h->path, line, col,
                       "%s: expected at least %lld, got %lld", key, min, x);
  }
  *out = (double)x;
  if (have)
    *have = 1;
  return HP_OK;
}

/* ----------------------------------------------------------------------------
 * The shape and its parameters
 * ------------------------------------------------------------------------- */

typedef struct shape {
  double layers, hidden, heads, kv_heads, head_dim, vocab, inter;
  int tie;
  /* MLA */
  double q_lora, kv_lora, rope, nope, v_dim;
  /* DSA */
  double topk, index_heads, index_dim;
  /* MoE */
  double experts, per_token, shared, moe_inter, dense_layers;
} shape;

/* Total and active parameters (docs/roofline.md, "Hugging Face configs"):
 * embeddings (twice when untied), attention, SwiGLU FFNs of 3 h i, routed
 * and shared experts and the router; norms and biases are left out (under
 * 0.01%), and so are multi-token-prediction layers, which serving does not
 * run for every token. */
static void count_params(const shape *s, double *total, double *active) {
  double h = s->hidden;
  double emb = s->vocab * h * (s->tie ? 1 : 2);
  double attn;
  if (s->kv_lora > 0) {
    double dq = s->nope + s->rope;
    double q = s->q_lora > 0 ? h * s->q_lora + s->q_lora * s->heads * dq
                             : h * s->heads * dq;
    double kv = h * (s->kv_lora + s->rope) +
                s->kv_lora * s->heads * (s->nope + s->v_dim);
    double o = s->heads * s->v_dim * h;
    double idx = 0; /* the DSA indexer's query, key and head weights */
    if (s->index_heads > 0 && s->index_dim > 0)
      idx = (s->q_lora > 0 ? s->q_lora : h) * s->index_heads * s->index_dim +
            h * s->index_dim + h * s->index_heads;
    attn = q + kv + o + idx;
  } else {
    attn = h * s->head_dim * (2 * s->heads + 2 * s->kv_heads);
  }
  double moe_layers = s->experts > 0 ? s->layers - s->dense_layers : 0;
  double dense_layers = s->layers - moe_layers;
  double expert = 3 * h * s->moe_inter;
  double moe = (s->experts + s->shared) * expert + h * s->experts;
  *total = emb + s->layers * attn + dense_layers * 3 * h * s->inter +
           moe_layers * moe;
  *active = *total;
  if (s->experts > 0)
    *active -=
        moe_layers * s->experts * expert * (1 - s->per_token / s->experts);
}

/* ----------------------------------------------------------------------------
 * The mapping
 * ------------------------------------------------------------------------- */

/* Adds key: value (a number) to map at the position of `from` in the file
 * (1:1 for a computed value: from NULL). */
static int put_num(const hf *h, hp_ynode *map, const char *key, double v,
                   const char *from) {
  char txt[64];
  int line = 1, col = 1;
  if (from)
    key_pos(h, from, &line, &col);
  snprintf(txt, sizeof txt, "%.17g", v);
  hp_ynode *n = hp_yaml_node_new(HP_Y_SCALAR, txt, line, col);
  if (!n || hp_yaml_map_set(map, key, n, line, col) != HP_OK) {
    hp_yaml_node_free(n);
    return HP_ENOMEM;
  }
  return HP_OK;
}

static int put_str(hp_ynode *map, const char *key, const char *v, int line,
                   int col) {
  hp_ynode *n = hp_yaml_node_new(HP_Y_SCALAR, v, line, col);
  if (!n || hp_yaml_map_set(map, key, n, line, col) != HP_OK) {
    hp_yaml_node_free(n);
    return HP_ENOMEM;
  }
  return HP_OK;
}

/* Reads the file into a NUL-terminated buffer (caller frees with hp_free):
 * a regular file only, as the YAML loader requires. */
static int read_text(const char *path, char **out, size_t *len, hp_diag *d) {
  struct stat st;
  if (stat(path, &st) != 0)
    return hp_diag_set(d, HP_ENOTFOUND, path, 0, 0, "cannot open: %s",
                       strerror(errno));
  if (!S_ISREG(st.st_mode))
    return hp_diag_set(d, HP_EINVAL, path, 0, 0,
                       "not a regular file (a config.json is read whole, "
                       "once: a directory, FIFO or device is refused)");
  if ((unsigned long long)st.st_size > HF_MAX_BYTES)
    return hp_diag_set(d, HP_ELIMIT, path, 0, 0,
                       "%lld bytes, more than the %u a config.json may have",
                       (long long)st.st_size, HF_MAX_BYTES);
  FILE *f = fopen(path, "rb");
  if (!f)
    return hp_diag_set(d, HP_ENOTFOUND, path, 0, 0, "cannot open: %s",
                       strerror(errno));
  char *buf = hp_malloc((size_t)st.st_size + 1);
  if (!buf) {
    fclose(f);
    return hp_diag_oom(d);
  }
  size_t n = fread(buf, 1, (size_t)st.st_size, f);
  int err = ferror(f);
  fclose(f);
  if (err) {
    hp_free(buf);
    return hp_diag_set(d, HP_EIO, path, 0, 0, "read error");
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return HP_OK;
}

static int build(hf *h, hp_ynode **out) {
  hp_diag *d = h->d;
  int rc, line, col;
  if (!json_is_object(h->root))
    return hp_diag_set(d, HP_ETYPE, h->path, 1, 1,
                       "config.json: expected an object of model settings, "
                       "got %s",
                       json_kind(h->root));
  json_t *mt = json_object_get(h->root, "model_type");
  if (!mt)
    return hp_diag_set(d, HP_EMISSING, h->path, 1, 1,
                       "config.json: required key 'model_type' is missing");
  if (!json_is_string(mt))
    return type_error(h, "model_type", "a string", mt);
  const char *type = json_string_value(mt);
  const struct family *fam = NULL;
  for (size_t i = 0; i < N_FAMILIES; i++)
    if (strcmp(families[i].type, type) == 0)
      fam = &families[i];
  if (!fam) {
    hp_buf b;
    hp_buf_init(&b);
    for (size_t i = 0; i < N_FAMILIES; i++)
      hp_buf_printf(&b, "%s%s", i ? ", " : "", families[i].type);
    key_pos(h, "model_type", &line, &col);
    rc = hp_diag_set(d, HP_ERANGE, h->path, line, col,
                     "model_type: '%.60s' is not a family hetplan reads "
                     "(%s); write a models/ file instead",
                     type, b.data ? b.data : "");
    hp_buf_cleanup(&b);
    return rc;
  }
  shape s;
  memset(&s, 0, sizeof s);
  int have_kv, have_hd;
  if ((rc = get_int(h, "num_hidden_layers", 1, 1, &s.layers, NULL)) ||
      (rc = get_int(h, "hidden_size", 1, 1, &s.hidden, NULL)) ||
      (rc = get_int(h, "num_attention_heads", 1, 1, &s.heads, NULL)) ||
      (rc = get_int(h, "vocab_size", 1, 1, &s.vocab, NULL)) ||
      (rc = get_int(h, "num_key_value_heads", 0, 1, &s.kv_heads, &have_kv)) ||
      (rc = get_int(h, "head_dim", 0, 1, &s.head_dim, &have_hd)))
    return rc;
  if (!have_kv)
    s.kv_heads = s.heads;
  if (!have_hd)
    s.head_dim = floor(s.hidden / s.heads);
  json_t *tie = json_object_get(h->root, "tie_word_embeddings");
  if (tie && !json_is_null(tie)) {
    if (!json_is_boolean(tie))
      return type_error(h, "tie_word_embeddings", "true or false", tie);
    s.tie = json_is_true(tie);
  }
  if (fam->moe != MOE_MINIMAX &&
      (rc = get_int(h, "intermediate_size", 1, 1, &s.inter, NULL)))
    return rc;
  if (fam->att == ATT_MLA) {
    int have_q;
    if ((rc = get_int(h, "kv_lora_rank", 1, 1, &s.kv_lora, NULL)) ||
        (rc = get_int(h, "q_lora_rank", 0, 1, &s.q_lora, &have_q)) ||
        (rc = get_int(h, "qk_rope_head_dim", 1, 1, &s.rope, NULL)) ||
        (rc = get_int(h, "qk_nope_head_dim", 1, 1, &s.nope, NULL)) ||
        (rc = get_int(h, "v_head_dim", 1, 1, &s.v_dim, NULL)))
      return rc;
    s.kv_heads = s.heads; /* the latent serves every head */
    s.head_dim = s.v_dim;
  }
  if (fam->dsa &&
      ((rc = get_int(h, "index_topk", 1, 1, &s.topk, NULL)) ||
       (rc = get_int(h, "index_n_heads", 0, 1, &s.index_heads, NULL)) ||
       (rc = get_int(h, "index_head_dim", 0, 1, &s.index_dim, NULL))))
    return rc;
  const char *ek = NULL, *ik = "moe_intermediate_size", *dk = NULL;
  switch (fam->moe) {
  case MOE_QWEN:
    ek = "num_experts";
    break;
  case MOE_DEEPSEEK:
    ek = "n_routed_experts";
    dk = "first_k_dense_replace";
    if ((rc = get_int(h, "n_shared_experts", 0, 0, &s.shared, NULL)))
      return rc;
    break;
  case MOE_MINIMAX:
    ek = "num_local_experts";
    ik = "intermediate_size";
    break;
  default:
    break;
  }
  if (ek &&
      ((rc = get_int(h, ek, 1, 1, &s.experts, NULL)) ||
       (rc = get_int(h, "num_experts_per_tok", 1, 1, &s.per_token, NULL)) ||
       (rc = get_int(h, ik, 1, 1, &s.moe_inter, NULL)) ||
       (dk && (rc = get_int(h, dk, 0, 0, &s.dense_layers, NULL)))))
    return rc;
  if (s.per_token > s.experts) {
    key_pos(h, "num_experts_per_tok", &line, &col);
    return hp_diag_set(d, HP_ERANGE, h->path, line, col,
                       "num_experts_per_tok: expected at most %s (%g), got %g",
                       ek, s.experts, s.per_token);
  }
  if (fam->moe == MOE_QWEN) {
    /* A layer is dense when listed in mlp_only_layers or off the sparse
     * step (transformers' Qwen3MoeDecoderLayer); only the count matters. */
    double step = 1;
    if ((rc = get_int(h, "decoder_sparse_step", 0, 1, &step, NULL)))
      return rc;
    json_t *only = json_object_get(h->root, "mlp_only_layers");
    if (only && !json_is_null(only) && !json_is_array(only))
      return type_error(h, "mlp_only_layers", "an array of layer numbers",
                        only);
    for (long i = 0; i < (long)s.layers; i++) {
      int dense = (i + 1) % (long)step != 0;
      for (size_t j = 0; only && j < json_array_size(only); j++) {
        json_t *e = json_array_get(only, j);
        if (!json_is_integer(e))
          return type_error(h, "mlp_only_layers", "an array of layer numbers",
                            only);
        dense |= json_integer_value(e) == i;
      }
      s.dense_layers += dense;
    }
  }
  if (s.experts > 0 && s.dense_layers >= s.layers) {
    key_pos(h, dk ? dk : "mlp_only_layers", &line, &col);
    return hp_diag_set(d, HP_ERANGE, h->path, line, col,
                       "%s: leaves no MoE layer of the %g (a dense model "
                       "under an MoE model_type)",
                       dk ? dk : "mlp_only_layers", s.layers);
  }
  double total, active;
  count_params(&s, &total, &active);

  hp_ynode *m = hp_yaml_node_new(HP_Y_MAP, NULL, 1, 1);
  if (!m)
    return hp_diag_oom(d);
  /* The name: the folder the config.json sits in (the repository's name
   * when it was downloaded as one), else the model_type. */
  char name[128];
  const char *slash = strrchr(h->path, '/');
  snprintf(name, sizeof name, "%s", type);
  if (slash && slash > h->path) {
    const char *b = slash - 1;
    while (b > h->path && b[-1] != '/')
      b--;
    if (slash - b > 0 && !(slash - b == 1 && *b == '.'))
      snprintf(name, sizeof name, "%.*s", (int)(slash - b), b);
  }
  key_pos(h, "model_type", &line, &col);
  rc = put_str(m, "name", name, line, col);
  const char *att_key = fam->att == ATT_MLA ? "v_head_dim" : "head_dim";
  if (!rc)
    rc = put_num(h, m, "params", total, NULL);
  if (!rc)
    rc = put_num(h, m, "active_params", active, NULL);
  if (!rc)
    rc = put_num(h, m, "layers", s.layers, "num_hidden_layers");
  if (!rc)
    rc = put_num(h, m, "hidden_size", s.hidden, "hidden_size");
  if (!rc)
    rc = put_num(h, m, "heads", s.heads, "num_attention_heads");
  if (!rc)
    rc = put_num(h, m, "kv_heads", s.kv_heads,
                 have_kv ? "num_key_value_heads" : NULL);
  if (!rc)
    rc = put_num(h, m, "head_dim", s.head_dim,
                 have_hd || fam->att == ATT_MLA ? att_key : NULL);
  if (!rc)
    rc = put_num(h, m, "vocab", s.vocab, "vocab_size");
  if (!rc && fam->att == ATT_MLA) {
    rc = put_num(h, m, "kv_lora_rank", s.kv_lora, "kv_lora_rank");
    if (!rc)
      rc = put_num(h, m, "qk_rope_head_dim", s.rope, "qk_rope_head_dim");
  }
  if (!rc && s.experts > 0) {
    rc = put_num(h, m, "experts", s.experts, ek);
    if (!rc)
      rc = put_num(h, m, "experts_per_token", s.per_token,
                   "num_experts_per_tok");
    if (!rc)
      rc = put_num(h, m, "moe_intermediate_size", s.moe_inter, ik);
    if (!rc && s.shared > 0)
      rc = put_num(h, m, "shared_experts", s.shared, "n_shared_experts");
    if (!rc && s.dense_layers > 0)
      rc = put_num(h, m, "dense_layers", s.dense_layers, dk);
  }
  if (!rc && s.topk > 0)
    rc = put_num(h, m, "sparse_attention_topk", s.topk, "index_topk");
  /* Weights as shipped: an fp8 or mxfp4 quantization_config, else the
   * default (bf16). */
  json_t *q = json_object_get(h->root, "quantization_config");
  json_t *qm = json_is_object(q) ? json_object_get(q, "quant_method") : NULL;
  if (!rc && json_is_string(qm)) {
    const char *w = strcmp(json_string_value(qm), "fp8") == 0     ? "fp8"
                    : strcmp(json_string_value(qm), "mxfp4") == 0 ? "fp4"
                                                                  : NULL;
    key_pos(h, "quant_method", &line, &col);
    if (w)
      rc = put_str(m, "weight_dtype", w, line, col);
  }
  if (rc) {
    hp_yaml_node_free(m);
    return hp_diag_oom(d);
  }
  *out = m;
  return HP_OK;
}

int hp_model_hf_load(const char *path, hp_ynode **out, hp_diag *d) {
  char *text = NULL;
  size_t len = 0;
  int rc = read_text(path, &text, &len, d);
  if (rc != HP_OK)
    return rc;
  json_error_t err;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
  if (!root) {
    rc = hp_diag_set(d, HP_EPARSE, path, err.line > 0 ? err.line : 0,
                     err.column > 0 ? err.column : 0,
                     "config.json: not valid JSON: %s", err.text);
    hp_free(text);
    return rc;
  }
  hf h = {path, text, root, d};
  rc = build(&h, out);
  json_decref(root);
  hp_free(text);
  return rc;
}
