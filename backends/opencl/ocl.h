/* ocl.h - internals of the OpenCL backend, shared by its four files and
 * nothing else: ocl_err.c (cl_int and CLBlastStatusCode to names and
 * hp_status, in that one place), ocl_probe.c (enumeration with two-call
 * queries), ocl_bench.c (kernels, CLBlast, event timing) and ocl_backend.c
 * (the vtable instance). */
#ifndef HP_OCL_H
#define HP_OCL_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 300
#endif
#include <CL/cl.h>

#include <stdio.h>

#include "backend.h"
#include "buf.h"

/* Per-device state kept between the benchmarks of one probe: the context,
 * the profiling queue and the compiled programs (the first build of a
 * program is the slow part, so it is done once). */
typedef struct hp_ocl_dev {
  cl_device_id id;    /* the device; borrowed from the ICD */
  cl_context ctx;     /* NULL until the first benchmark */
  cl_command_queue q; /* in-order queue with CL_QUEUE_PROFILING_ENABLE */
  cl_program prog[4]; /* peak programs: fp32, fp16, fp64, int8; lazily */
  int prog_err[4];    /* cl_int of a failed build, 0 if none yet */
  cl_program misc;    /* memory-bandwidth and launch kernels */
  int misc_err;       /* cl_int of a failed build of misc */
  const hp_backend_config *cfg; /* the state's config: the log callback */
  char label[96];               /* "0:0 (device name)", for logs */
  int unified; /* 1 if buffers live in host memory: a CPU device, or
                  CL_DEVICE_HOST_UNIFIED_MEMORY */
  unsigned long long cache_bytes; /* CL_DEVICE_GLOBAL_MEM_CACHE_SIZE, bytes */
} hp_ocl_dev;

/* The backend's private state. Starts with what the core sees (the config
 * it was opened with). */
typedef struct hp_ocl_state {
  hp_backend_config cfg; /* copy of the open() argument (strings borrowed) */
  hp_ocl_dev *devs;      /* one per device found by the last probe */
  size_t n_devs;
} hp_ocl_state;

/* ---- ocl_err.c ---------------------------------------------------------- */

/* "CL_OUT_OF_RESOURCES", "CLBlastNoHalfPrecision", or "error -1234". The
 * unknown case formats into a static buffer (not thread-safe). */
const char *hp_ocl_err_name(int code);
/* The hp_status for an OpenCL or CLBlast code (HP_OK for 0). */
int hp_ocl_status(int code);
/* Sets d to "<what>: <name> (<code>)" with the mapped status; returns it. */
int hp_ocl_fail(hp_diag *d, int code, const char *what);
/* Fills a result as an error with reason "<what>: <name> (<code>)". */
void hp_ocl_result_error(hp_bench_result *r, int code, const char *what);

/* ---- ocl_probe.c -------------------------------------------------------- */

/* Enumerates every device of every platform into devs (see backend.h);
 * also fills st->devs. No platform or no device: n = 0 and HP_OK. */
int hp_ocl_probe(hp_ocl_state *st, hp_device_info **devs, size_t *n,
                 hp_diag *d);
/* Creates dev's context and queue if not done yet. */
int hp_ocl_dev_open(hp_ocl_dev *dev, hp_diag *d);
/* Releases everything dev holds; keeps dev->id. */
void hp_ocl_dev_close(hp_ocl_dev *dev);
/* Builds src (what names it in logs: "fp32 peak kernels") for dev; on
 * failure returns the cl_int and copies the first error line of the build
 * log into log (may be NULL). Whatever the driver's compiler writes to
 * stderr meanwhile is captured, not shown; the full build log and that
 * text go to dev->cfg->log when set (hetplan probe --verbose). */
int hp_ocl_build(hp_ocl_dev *dev, const char *what, const char *src,
                 const char *options, cl_program *out, char *log,
                 size_t log_size);

/* ---- ocl_host.c --------------------------------------------------------- */

#define HP_OCL_UNLIMITED (~0ull)

/* How much more memory the process can get, and which limit says so. */
typedef struct hp_ocl_headroom {
  unsigned long long bytes; /* room left, bytes; HP_OCL_UNLIMITED if none */
  const char *limit;        /* the binding limit, "address-space limit
                               (RLIMIT_AS, ulimit -v)"; NULL if none; static */
  const char *key;          /* its short name: "RLIMIT_AS", "RLIMIT_DATA",
                               "MemAvailable"; NULL if none; static */
  unsigned long long limit_bytes; /* that limit, bytes */
  unsigned long long used_bytes;  /* already used against it, bytes (0 for
                                     MemAvailable, which is room itself) */
} hp_ocl_headroom;

/* The smallest room left under RLIMIT_AS (limit - VmSize), RLIMIT_DATA
 * (limit - VmData) and MemAvailable, read now. Cannot fail: an unreadable
 * figure is left out. */
void hp_ocl_headroom_get(hp_ocl_headroom *h);
/* "the address-space limit (RLIMIT_AS, ulimit -v) of 976 MiB, 455 MiB of
 * it in use, leaves 521 MiB", into buf. */
void hp_ocl_headroom_describe(const hp_ocl_headroom *h, char *buf, size_t size);
/* Bytes that one figure's host-resident buffers may take under h: half of
 * what is left past this reserve (ocl_host.c says why). */
#define HP_OCL_RESERVE_BYTES (96ull << 20)
unsigned long long hp_ocl_host_budget(const hp_ocl_headroom *h);
/* Called when the ICD loader found no platform: loads each driver that the
 * vendor files (OCL_ICD_VENDORS, /etc/OpenCL/vendors) list, and if one
 * fails, sets d to why, naming a process memory limit when one is set
 * (HP_ENOMEM), else HP_EBACKEND. HP_OK when no listed driver fails. */
int hp_ocl_why_no_platform(hp_diag *d);

/* Points fd 2 at a temporary file until hp_ocl_capture_end, which puts it
 * back and appends what was written to into (may be NULL). Not thread-safe:
 * another thread's stderr output in between is captured too. */
typedef struct hp_ocl_capture {
  int saved_fd; /* the original fd 2, dup'ed; -1 if not capturing */
  FILE *tmp;    /* where fd 2 points meanwhile */
} hp_ocl_capture;
void hp_ocl_capture_begin(hp_ocl_capture *c);
void hp_ocl_capture_end(hp_ocl_capture *c, hp_buf *into);

/* ---- ocl_bench.c -------------------------------------------------------- */

int hp_ocl_bench(hp_ocl_state *st, const hp_device_info *info,
                 const hp_bench_spec *spec, hp_bench_result *r, hp_diag *d);

#endif
