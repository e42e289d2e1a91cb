/* catalog.h - internals of the device catalog shared with the planner. */
#ifndef HP_CATALOG_H
#define HP_CATALOG_H

/* Most cards in one server: a rack-scale "server" (NVL72, Huawei's
 * CM384 supernode) stays well below it (docs/limits.md). */
#define HP_MAX_CARDS_PER_SERVER 4096
/* Smallest card figure (TFLOPS, TB/s, GB, W, CNY): anything below is a
 * typo, and would print as hundreds of digits downstream. */
#define HP_MIN_FIGURE 1e-6

#include "hetplan.h"
#include "yamlx.h"

/* Parses one device mapping (already loaded) into *out (strings owned by
 * out; release with hp_catalog_device_cleanup). */
int hp_catalog_parse_device(const hp_ynode *root, const char *file,
                            hp_device_spec *out, hp_diag *d);
void hp_catalog_device_cleanup(hp_device_spec *s);
/* Closest id for a did-you-mean, or NULL. */
const char *hp_catalog_suggest(const hp_catalog *c, const char *id);
/* `rel` resolved against the directory of `file` (an absolute `rel` is
 * kept). Caller frees with hp_free; NULL on OOM. */
char *hp_catalog_resolve_path(const char *file, const char *rel);
/* 1 if s is a real calendar date "YYYY-MM-DD" (year 1970 or later), else
 * 0 with why set to " (February 2025 has 28 days)" or "" for a string of
 * the wrong shape. */
int hp_catalog_date_check(const char *s, char *why, size_t why_size);
/* "available", "restricted", "unavailable" into *out; HP_ENOTFOUND for any
 * other word ("unknown" too: a file says what it knows or omits market). */
int hp_catalog_market_parse(const char *s, hp_market *out);
/* "V", "S", ... */
const char *hp_catalog_conf_name(hp_confidence c);
int hp_catalog_new_empty(hp_catalog **out);
/* Takes ownership of *s on success. */
int hp_catalog_add(hp_catalog *c, const hp_device_spec *s, hp_diag *d);

#endif
