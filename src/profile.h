/* profile.h - probe profiles: what `hetplan probe -o FILE --format yaml`
 * saved, read back so the planner can use measured efficiency.
 * (Contract agreed between the planner and the device layer; the format is
 * documented in docs/probe.md.) */
#ifndef HP_PROFILE_H
#define HP_PROFILE_H

#include "hetplan.h"

typedef struct hp_profile hp_profile; /* opaque */

/* Loads a profile file; errors name file:line:col. *out set on success. */
int hp_profile_load(const char *path, hp_profile **out, hp_diag *d);
/* NULL-safe. */
void hp_profile_free(hp_profile *p);
/* Efficiency of one probed device (device_id NULL: the first device with an
 * ok GEMM). mfu = achieved GEMM GFLOPS (HGEMM if ok, else SGEMM) / the
 * matching measured compute roof, clamped to (0,1]; mem_bw_gbps = measured
 * global-memory bandwidth. HP_ENOTFOUND (with a message) if the device or
 * the figures are absent. */
int hp_profile_efficiency(const hp_profile *p, const char *device_id,
                          double *mfu, double *mem_bw_gbps, hp_diag *d);

#endif
