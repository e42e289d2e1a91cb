/* batch.h - the batch run: every scenario of several plan files, each plan
 * loaded and solved in turn; a plan that does not load is recorded and the
 * rest go on. The engine of `hetplan batch`; the CLI only prints. */
#ifndef HP_BATCH_H
#define HP_BATCH_H

#include <stddef.h>

#include "hetplan.h"

/* One plan of a batch. */
typedef struct hp_batch_item {
  const char *path; /* plan file as given (borrowed from the caller) */
  hp_planfile *pf;  /* the bound plan (owned), NULL when it did not load */
  hp_plan *plan;    /* its solved scenarios (owned), NULL on failure */
  int status;       /* HP_OK, or the HP_E* of the failure */
  hp_diag diag;     /* why it failed (status != HP_OK) */
} hp_batch_item;

/* Called after each plan is loaded and solved, or has failed, in order:
 * where the CLI prints that plan's warnings and errors and writes its rows
 * (hp_report_whatif_batch_out_add). HP_OK goes on; another status stops the
 * run, which returns it. */
typedef int (*hp_batch_fn)(const hp_batch_item *it, void *ud);

/** Loads and solves paths[0..n) with cat, calling done (may be NULL) after
 * each. keep = 1: *out gets n items (free with hp_batch_free), whatever
 * each plan's fate, each with its plan (pf, plan) for after the run (a
 * workbook or a chart drawn from every plan); set only on HP_OK.
 * keep = 0: nothing is held: each plan is freed as soon as done returns,
 * so memory holds one plan at a time, and *out is set to NULL. HP_OK,
 * HP_ENOMEM when the items cannot be allocated, or done's status (the run
 * stops there). */
int hp_batch_run(const char *const *paths, size_t n, const hp_catalog *cat,
                 int keep, hp_batch_fn done, void *ud, hp_batch_item **out);
/** Frees the items of hp_batch_run; NULL is a no-op. */
void hp_batch_free(hp_batch_item *items, size_t n);

#endif
