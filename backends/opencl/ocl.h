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

#include "backend.h"

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
/* Builds src for dev; on failure returns the cl_int and copies the first
 * line of the build log into log (may be NULL). */
int hp_ocl_build(hp_ocl_dev *dev, const char *src, const char *options,
                 cl_program *out, char *log, size_t log_size);

/* ---- ocl_bench.c -------------------------------------------------------- */

int hp_ocl_bench(hp_ocl_state *st, const hp_device_info *info,
                 const hp_bench_spec *spec, hp_bench_result *r, hp_diag *d);

#endif
