/* backend.h - the device-backend seam: a versioned table of function
 * pointers (SQLite's sqlite3_io_methods shape) and a static registry.
 *
 * Two implementations keep the interface honest: backends/opencl (the real
 * probe, through the Khronos ICD loader) and backends/fake (numbers served
 * from a YAML file, for tests and CI without a GPU).
 */
#ifndef HP_BACKEND_H
#define HP_BACKEND_H

#include <stddef.h>

#include "hetplan.h"

#define HP_BACKEND_ABI_VERSION 1

/* Device class, from CL_DEVICE_TYPE or the fake file. */
typedef enum {
  HP_DEVCLASS_CPU = 0,
  HP_DEVCLASS_GPU,
  HP_DEVCLASS_ACCELERATOR, /* FPGA / ASIC: CL_DEVICE_TYPE_ACCELERATOR */
  HP_DEVCLASS_CUSTOM,      /* NPU-like: CL_DEVICE_TYPE_CUSTOM */
  HP_DEVCLASS_OTHER
} hp_devclass;

/* Returns "cpu", "gpu", "accelerator", "custom", "other". */
const char *hp_devclass_name(hp_devclass c);

/* A device as a backend found it; neutral of any API. Owned by the array
 * that hp_backend.probe returned: free with hp_device_info_free. */
typedef struct hp_device_info {
  char *id;               /* stable id within this host, "0:1" (platform:dev) */
  char *platform;         /* platform name */
  char *name;             /* device name */
  char *vendor;           /* device vendor */
  char *driver_version;   /* driver version string */
  hp_devclass devclass;   /* class */
  unsigned compute_units; /* CL_DEVICE_MAX_COMPUTE_UNITS */
  unsigned clock_mhz;     /* CL_DEVICE_MAX_CLOCK_FREQUENCY, MHz */
  unsigned long long memory_bytes;    /* global memory, bytes */
  unsigned long long max_alloc_bytes; /* largest single buffer, bytes */
  int fp16;     /* 1 if half precision works (tested, not advertised) */
  int fp64;     /* 1 if double precision is supported */
  int int8_dot; /* 1 if an int8 dot-product extension is present */
  void *handle; /* backend-private handle (cl_device_id), borrowed */
  /* Fields below were added after the first layout; zero means unknown. */
  const char *fp16_how;               /* how fp16 was decided: "cl_khr_fp16",
                                         "half fp config", "test kernel", "none"; static */
  unsigned long long local_mem_bytes; /* CL_DEVICE_LOCAL_MEM_SIZE, bytes */
  size_t max_wg_size; /* CL_DEVICE_MAX_WORK_GROUP_SIZE, work-items */
} hp_device_info;

void hp_device_info_free(hp_device_info *devs, size_t n);

/* Outcome of one measurement (clpeak ResultStatus). */
typedef enum {
  HP_BENCH_OK = 0,
  HP_BENCH_UNSUPPORTED, /* the device cannot do it (no fp16, ...) */
  HP_BENCH_SKIPPED,     /* not run (--quick, user choice) */
  HP_BENCH_ERROR        /* it failed; reason says why */
} hp_bench_status;

const char *hp_bench_status_name(hp_bench_status s);

/* What to measure: declarative data, like CLBlast's tuner settings. */
typedef enum {
  HP_BENCH_FP32_PEAK = 0,
  HP_BENCH_FP16_PEAK,
  HP_BENCH_FP64_PEAK,
  HP_BENCH_INT8_PEAK,
  HP_BENCH_MEM_BW,
  HP_BENCH_H2D,
  HP_BENCH_D2H,
  HP_BENCH_LAUNCH,
  HP_BENCH_SGEMM,
  HP_BENCH_HGEMM,
  HP_BENCH_COUNT
} hp_bench_kind;

typedef struct hp_bench_spec {
  hp_bench_kind kind; /* which figure */
  const char *name;   /* "fp32_gflops", the JSON key */
  const char *unit;   /* "GFLOPS", "GB/s", "us" */
  double budget_ms;   /* time budget for the timed repeats, ms */
  int repeats;        /* timed repeats; the median is reported */
} hp_bench_spec;

typedef struct hp_bench_result {
  hp_bench_status status; /* ok/unsupported/skipped/error */
  double value;           /* in spec.unit; 0 unless ok */
  double best;            /* best (max rate / min time) of the repeats */
  int repeats;            /* repeats actually timed */
  long long iterations;   /* iterations per repeat after calibration */
  char reason[256];       /* why, unless ok */
  /* Added after the first layout. */
  char detail[128]; /* how it was measured: kernel variant, size */
} hp_bench_result;

typedef struct hp_backend_config {
  int quick;             /* 1: smaller budgets, fewer repeats */
  const char *fake_file; /* fake backend: the YAML file to serve */
  /* Testing seam (SQLite aSyscall idea): NULL in production. "build" makes
   * every benchmark kernel fail to compile, "oversize" asks for a buffer one
   * byte over the device's largest allocation, "slow" sets the per-kernel
   * limit to 1 us. Set by the CLI from HETPLAN_FAULT (docs/probe.md). */
  const char *fault;
  double kernel_limit_ms; /* longest single kernel allowed, ms; 0 = 2000 */
  /* Added after the first layout; zero means none. The library never
   * prints: a driver's kernel build log (and what its compiler wrote to
   * stderr, which the backend captures) and notes on buffers cut to fit a
   * memory limit go to log, one message per call, no trailing newline.
   * hetplan probe --verbose prints them. */
  void (*log)(void *user, const char *msg);
  void *log_user; /* passed to log */
} hp_backend_config;

typedef struct hp_backend {
  int abi_version;  /* HP_BACKEND_ABI_VERSION at build time; valid since 1 */
  const char *name; /* registry key: "opencl", "fake"; valid since 1 */
  /* Allocates backend state; *state is set only on success. Since 1. */
  int (*open)(const hp_backend_config *cfg, void **state, hp_diag *d);
  /* Enumerates devices; no platform or no device gives n = 0 and HP_OK.
   * Caller frees with hp_device_info_free. Since 1. */
  int (*probe)(void *state, hp_device_info **devs, size_t *n, hp_diag *d);
  /* Runs one measurement on one device. A per-device failure is reported
   * in result->status, and the function still returns HP_OK; an error return
   * means the backend itself is broken. Since 1. */
  int (*bench)(void *state, const hp_device_info *dev,
               const hp_bench_spec *spec, hp_bench_result *result, hp_diag *d);
  /* Frees state; NULL-safe, cannot fail. Since 1. */
  void (*close)(void *state);
} hp_backend;

/* Finds a compiled-in backend by name; NULL if absent. */
const hp_backend *hp_backend_find(const char *name);
/* The compiled-in backends, NULL-terminated. */
const hp_backend *const *hp_backend_list(void);

#endif
