/* profile_int.h - the layout of an hp_profile, shared by the profile
 * engine (profile.c: building, loading, efficiency) and its renderers
 * (report_profile.c). Not for other files: they use profile.h.
 */
#ifndef HP_PROFILE_INT_H
#define HP_PROFILE_INT_H

#include "profile.h"

typedef struct pfig {
  hp_bench_status status; /* ok/unsupported/skipped/error */
  double value;           /* in the figure's unit when ok */
  double best;            /* best repeat, same unit; 0 if unknown */
  int repeats;            /* timed repeats; 0 if unknown */
  char *reason;           /* why, unless ok (owned, may be NULL) */
  char *detail;           /* how it was measured (owned, may be NULL) */
} pfig;

typedef struct pdev {
  char *id, *platform, *name, *vendor, *driver_version; /* owned */
  int line, col;                      /* where the file gives it; 0 if built */
  const char *fp16_how;               /* static string from the table below */
  hp_devclass devclass;               /* class */
  unsigned compute_units;             /* CUs */
  unsigned clock_mhz;                 /* MHz */
  unsigned long long memory_bytes;    /* bytes */
  unsigned long long max_alloc_bytes; /* bytes */
  int fp16, fp64, int8_dot;           /* 1 if supported */
  pfig fig[HP_BENCH_COUNT];           /* by hp_bench_kind */
} pdev;

struct hp_profile {
  int schema_version; /* HP_PROFILE_SCHEMA_VERSION */
  char *file;         /* the file it was loaded from; "" if built */
  int devices_line;   /* line of its devices: key; 0 if built */
  int devices_col;    /* column of its devices: key; 0 if built */
  char *host;         /* host name */
  char *date;         /* ISO 8601, UTC */
  char *backend;      /* "opencl", "fake" */
  size_t n_devices;
  pdev *devices;
};

/* Names of hp_bench_status and hp_devclass values, by value. */
extern const char *const hp_profile_status_names[];
extern const char *const hp_profile_class_names[];
/* The file a diagnostic names: NULL for a profile built in memory. */
const char *hp_profile_src(const hp_profile *p);

#endif
