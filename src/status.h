/* status.h - internal helpers to fill an hp_diag. */
#ifndef HP_STATUS_H
#define HP_STATUS_H

#include "hetplan.h"

#if defined(__GNUC__)
#define HP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define HP_PRINTF(a, b)
#endif

/* Fills d (if not NULL) and returns status, so callers can write
 * `return hp_diag_set(d, HP_ETYPE, file, line, col, "...")`. */
int hp_diag_set(hp_diag *d, int status, const char *file, int line, int col,
                const char *fmt, ...) HP_PRINTF(6, 7);
/* Sets "out of memory" and returns HP_ENOMEM. */
int hp_diag_oom(hp_diag *d);

#endif
