/* batch.c - the batch run (batch.h): load, solve, hand on, go on. */
#include "batch.h"

#include <string.h>

#include "mem.h"

int hp_batch_run(const char *const *paths, size_t n, const hp_catalog *cat,
                 int keep, hp_batch_fn done, void *ud, hp_batch_item **out) {
  /* Without keep, one item serves every plan in turn. */
  hp_batch_item one, *it = keep ? hp_calloc(n ? n : 1, sizeof *it) : &one;
  if (!it)
    return HP_ENOMEM;
  int rc = HP_OK;
  for (size_t i = 0; i < n && rc == HP_OK; i++) {
    hp_batch_item *x = keep ? &it[i] : &one;
    memset(x, 0, sizeof *x);
    x->path = paths[i];
    hp_diag_clear(&x->diag);
    x->status = hp_planfile_load(x->path, cat, &x->pf, &x->diag);
    if (x->status == HP_OK)
      x->status = hp_plan_solve(x->pf, cat, &x->plan, &x->diag);
    if (x->status != HP_OK)
      x->plan = NULL;
    if (done)
      rc = done(x, ud);
    if (!keep) {
      hp_plan_free(x->plan);
      hp_planfile_free(x->pf);
    }
  }
  if (!keep) {
    *out = NULL;
    return rc;
  }
  if (rc != HP_OK) {
    hp_batch_free(it, n);
    return rc;
  }
  *out = it;
  return HP_OK;
}

void hp_batch_free(hp_batch_item *items, size_t n) {
  if (!items)
    return;
  for (size_t i = 0; i < n; i++) {
    hp_plan_free(items[i].plan);
    hp_planfile_free(items[i].pf);
  }
  hp_free(items);
}
