/* file_cache.c - the files a plan's binder reads beside the plan (model
 * files, Hugging Face config.json files, probe profiles), each read once
 * and kept parsed for the plan's life, so that binding a scenario again
 * (every scenario of a plan names the same model; sweeps and Monte Carlo
 * bind copies of the plan) opens no file a second time.
 *
 * Shared by a plan and its copies (hp_planfile_dup), which may bind on
 * several threads at once: a mutex guards the entries, which are never
 * changed or removed until the last reference goes. Never prints.
 */
#include <pthread.h>
#include <string.h>

#include "mem.h"
#include "model_hf.h"
#include "profile.h"
#include "scenario.h"
#include "status.h"

typedef struct entry {
  hp_fc_kind kind;
  char *path;      /* as the binder resolved it */
  hp_ynode *tree;  /* HP_FC_YAML, HP_FC_HF */
  hp_profile *prf; /* HP_FC_PROFILE */
} entry;

struct hp_file_cache {
  pthread_mutex_t mu;
  size_t refs; /* plans holding it (under mu) */
  entry *e;
  size_t n, cap;
};

int hp_file_cache_new(hp_file_cache **out) {
  hp_file_cache *c = hp_calloc(1, sizeof *c);
  if (!c)
    return HP_ENOMEM;
  if (pthread_mutex_init(&c->mu, NULL) != 0) {
    hp_free(c);
    return HP_ENOMEM;
  }
  c->refs = 1;
  *out = c;
  return HP_OK;
}

hp_file_cache *hp_file_cache_ref(hp_file_cache *c) {
  pthread_mutex_lock(&c->mu);
  c->refs++;
  pthread_mutex_unlock(&c->mu);
  return c;
}

void hp_file_cache_unref(hp_file_cache *c) {
  if (!c)
    return;
  pthread_mutex_lock(&c->mu);
  size_t left = --c->refs;
  pthread_mutex_unlock(&c->mu);
  if (left)
    return;
  for (size_t i = 0; i < c->n; i++) {
    hp_free(c->e[i].path);
    hp_yaml_node_free(c->e[i].tree);
    hp_profile_free(c->e[i].prf);
  }
  hp_free(c->e);
  pthread_mutex_destroy(&c->mu);
  hp_free(c);
}

/* Reads path as kind into *e (tree or profile); a failed read is not
 * kept, so the next bind reads it again and words the same error. */
static int read_one(hp_fc_kind kind, const char *path, entry *e, hp_diag *d) {
  memset(e, 0, sizeof *e);
  e->kind = kind;
  switch (kind) {
  case HP_FC_YAML:
    return hp_yaml_load_file(path, &e->tree, d);
  case HP_FC_HF:
    return hp_model_hf_load(path, &e->tree, d);
  default:
    return hp_profile_load(path, &e->prf, d);
  }
}

/* The entry of (kind, path), read at the first ask; *out is a copy taken
 * under the lock (the array moves as it grows, its trees do not). */
static int get(hp_file_cache *c, hp_fc_kind kind, const char *path, entry *out,
               hp_diag *d) {
  int rc = HP_OK;
  pthread_mutex_lock(&c->mu);
  for (size_t i = 0; i < c->n; i++)
    if (c->e[i].kind == kind && strcmp(c->e[i].path, path) == 0) {
      *out = c->e[i];
      goto out;
    }
  if (c->n == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 4;
    entry *v = hp_realloc(c->e, cap * sizeof *v);
    if (!v) {
      rc = hp_diag_oom(d);
      goto out;
    }
    c->e = v;
    c->cap = cap;
  }
  entry e;
  if ((rc = read_one(kind, path, &e, d)) != HP_OK)
    goto out;
  if (!(e.path = hp_strdup(path))) {
    hp_yaml_node_free(e.tree);
    hp_profile_free(e.prf);
    rc = hp_diag_oom(d);
    goto out;
  }
  c->e[c->n] = e;
  *out = c->e[c->n++];
out:
  pthread_mutex_unlock(&c->mu);
  return rc;
}

int hp_file_cache_tree(hp_file_cache *c, hp_fc_kind kind, const char *path,
                       const hp_ynode **out, hp_diag *d) {
  entry e;
  int rc = get(c, kind, path, &e, d);
  if (rc == HP_OK)
    *out = e.tree;
  return rc;
}

int hp_file_cache_profile(hp_file_cache *c, const char *path,
                          const hp_profile **out, hp_diag *d) {
  entry e;
  int rc = get(c, HP_FC_PROFILE, path, &e, d);
  if (rc == HP_OK)
    *out = e.prf;
  return rc;
}
