/* batch.c - the batch run (batch.h): load, solve, record, go on. */
#include "batch.h"

#include "mem.h"

int hp_batch_run(const char *const *paths, size_t n, const hp_catalog *cat,
                 hp_batch_fn done, void *ud, hp_batch_item **out) {
  hp_batch_item *it = hp_calloc(n ? n : 1, sizeof *it);
  if (!it)
    return HP_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    hp_batch_item *x = &it[i];
    x->path = paths[i];
    hp_diag_clear(&x->diag);
    x->status = hp_planfile_load(x->path, cat, &x->pf, &x->diag);
    if (x->status == HP_OK)
      x->status = hp_plan_solve(x->pf, cat, &x->plan, &x->diag);
    if (x->status != HP_OK)
      x->plan = NULL;
    if (done)
      done(x, ud);
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
