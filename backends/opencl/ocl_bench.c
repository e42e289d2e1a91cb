/* ocl_bench.c - the measurements of the OpenCL backend. Each one warms up
 * first (the first enqueue compiles or specialises the kernel), fits its
 * iteration count to the time budget, times with device-side events
 * (CL_QUEUE_PROFILING_ENABLE) and reports the median of the timed repeats.
 * A failure becomes the result's status and reason, never a failed call.
 *
 * Layout: timing helpers; generated peak kernels (fp32/fp16/fp64/int8);
 * memory bandwidth; transfers; launch latency; CLBlast GEMM; dispatch. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <clblast_c.h>

#include "buf.h"
#include "mem.h"
#include "ocl.h"
#include "status.h"

/* ---- Timing helpers ------------------------------------------------------ */

typedef struct bench_ctx {
  hp_ocl_dev *dev;              /* device state (context, queue, programs) */
  const hp_device_info *info;   /* what the probe found */
  const hp_backend_config *cfg; /* fault seam and limits */
  double budget_ms;             /* time budget of this figure, ms */
  int repeats;                  /* timed repeats */
  double limit_ms;              /* longest single kernel allowed, ms */
} bench_ctx;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of v[0..n) (sorts v). */
static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Waits for ev and returns its device-side duration in ms, or a negative
 * cl_int. Releases ev. */
static double event_ms(cl_event ev, cl_int *err) {
  cl_ulong t0 = 0, t1 = 0;
  *err = clWaitForEvents(1, &ev);
  if (*err == CL_SUCCESS)
    *err = clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof t0,
                                   &t0, NULL);
  if (*err == CL_SUCCESS)
    *err = clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof t1, &t1,
                                   NULL);
  clReleaseEvent(ev);
  return *err == CL_SUCCESS ? (double)(t1 - t0) * 1e-6 : -1.0;
}

/* Runs k once over gsz/lsz work-items and returns its event time in *ms.
 * A kernel over the per-kernel limit is an error with its own reason. */
static int run_kernel(bench_ctx *c, cl_kernel k, size_t gsz, size_t lsz,
                      double *ms, hp_bench_result *r) {
  cl_event ev = NULL;
  cl_int err = clEnqueueNDRangeKernel(c->dev->q, k, 1, NULL, &gsz,
                                      lsz ? &lsz : NULL, 0, NULL, &ev);
  if (err != CL_SUCCESS) {
    hp_ocl_result_error(r, err, "clEnqueueNDRangeKernel");
    return -1;
  }
  *ms = event_ms(ev, &err);
  if (err != CL_SUCCESS) {
    hp_ocl_result_error(r, err, "kernel run");
    return -1;
  }
  if (*ms > c->limit_ms) {
    r->status = HP_BENCH_ERROR;
    snprintf(r->reason, sizeof r->reason,
             "kernel ran %.3f ms, over the %.3f ms limit per kernel "
             "(--kernel-limit-ms)",
             *ms, c->limit_ms);
    return -1;
  }
  return 0;
}

/* Checks a buffer size against what the device allows in one allocation.
 * The ICD may accept larger requests and fail later, so this is checked
 * before clCreateBuffer. */
static int check_alloc(bench_ctx *c, unsigned long long bytes,
                       hp_bench_result *r) {
  if (c->info->max_alloc_bytes && bytes > c->info->max_alloc_bytes) {
    r->status = HP_BENCH_ERROR;
    snprintf(r->reason, sizeof r->reason,
             "buffer of %llu bytes exceeds the device's largest allocation "
             "(%llu bytes, CL_DEVICE_MAX_MEM_ALLOC_SIZE)",
             bytes, c->info->max_alloc_bytes);
    return -1;
  }
  return 0;
}

static cl_mem make_buffer(bench_ctx *c, cl_mem_flags flags, size_t bytes,
                          hp_bench_result *r) {
  cl_int err = CL_SUCCESS;
  if (check_alloc(c, bytes, r) != 0)
    return NULL;
  cl_mem m = clCreateBuffer(c->dev->ctx, flags, bytes, NULL, &err);
  if (!m) {
    char what[96];
    snprintf(what, sizeof what, "clCreateBuffer(%zu bytes)", bytes);
    hp_ocl_result_error(r, err, what);
  }
  return m;
}

/* ---- Host memory ----------------------------------------------------------
 * A buffer of a device whose memory is host memory (a CPU device, an
 * integrated GPU) is resident in this process, and so is a pinned host
 * buffer on any device. Before allocating, each figure asks how much room
 * the process has (ocl_host.c) and cuts its buffers to fit: PoCL accepts a
 * clCreateBuffer it cannot back and aborts in an assertion at first use
 * (pocl_util.c: pocl_create_migration_commands), so a failed allocation
 * cannot be caught after the fact. A cut is noted in the detail and the
 * log; a figure that cannot get its minimum is an error naming the limit. */

/* Bytes this figure's host-resident buffers may take now (h is set). */
static unsigned long long host_budget(hp_ocl_headroom *h) {
  hp_ocl_headroom_get(h);
  return hp_ocl_host_budget(h);
}

static unsigned long long mib_up(unsigned long long bytes) {
  return (bytes + (1ull << 20) - 1) >> 20;
}

/* The figure needs need bytes of host memory and h's limit leaves less. */
static void fail_limit(hp_bench_result *r, unsigned long long need,
                       const hp_ocl_headroom *h) {
  char lim[160];
  hp_ocl_headroom_describe(h, lim, sizeof lim);
  r->status = HP_BENCH_ERROR;
  snprintf(r->reason, sizeof r->reason,
           "needs %llu MiB of host memory (%llu MiB of buffers and room for "
           "the driver), and %s",
           mib_up(2 * need + HP_OCL_RESERVE_BYTES), mib_up(need), lim);
}

/* Logs a buffer cut from want to got bytes to fit h's limit. */
static void note_cut(bench_ctx *c, const char *figure, unsigned long long want,
                     unsigned long long got, const hp_ocl_headroom *h) {
  char lim[200], msg[400];
  if (!c->cfg->log)
    return;
  hp_ocl_headroom_describe(h, lim, sizeof lim);
  snprintf(msg, sizeof msg,
           "device %s: %s: buffers cut from %llu MiB to %llu MiB: %s",
           c->dev->label, figure, mib_up(want), mib_up(got), lim);
  c->cfg->log(c->cfg->log_user, msg);
}

/* Fills a buffer with a 4-byte pattern so that its pages exist on the device
 * before timing (and GEMM inputs are not all zero). */
static int fill_buffer(bench_ctx *c, cl_mem m, cl_uint pattern, size_t bytes,
                       hp_bench_result *r) {
  cl_int err = clEnqueueFillBuffer(c->dev->q, m, &pattern, sizeof pattern, 0,
                                   bytes, 0, NULL, NULL);
  if (err == CL_SUCCESS)
    err = clFinish(c->dev->q);
  if (err != CL_SUCCESS) {
    hp_ocl_result_error(r, err, "clEnqueueFillBuffer");
    return -1;
  }
  return 0;
}

/* Builds (once per device) a program; a build failure is remembered and
 * reported the same way every time it is asked for. */
static int get_program(bench_ctx *c, cl_program *slot, int *slot_err,
                       const char *what, const char *src, hp_bench_result *r) {
  char log[160];
  hp_buf b;
  if (*slot)
    return 0;
  if (*slot_err) {
    hp_ocl_result_error(r, *slot_err, "kernel build failed earlier");
    return -1;
  }
  hp_buf_init(&b);
  hp_buf_puts(&b, src);
  if (c->cfg->fault && strcmp(c->cfg->fault, "build") == 0)
    hp_buf_puts(&b, "\n#error hetplan fault injection: forced build failure\n");
  if (b.oom) {
    hp_buf_cleanup(&b);
    r->status = HP_BENCH_ERROR;
    snprintf(r->reason, sizeof r->reason, "out of memory");
    return -1;
  }
  int err = hp_ocl_build(c->dev, what, b.data, "", slot, log, sizeof log);
  hp_buf_cleanup(&b);
  if (err != CL_SUCCESS) {
    /* A driver out of address space fails the build with a log that does
     * not say so (PoCL: "Device ... failed to build the program"). */
    hp_ocl_headroom h;
    char lim[64] = "";
    hp_ocl_headroom_get(&h);
    if (h.key && strcmp(h.key, "MemAvailable") != 0)
      snprintf(lim, sizeof lim, " (%s leaves %llu MiB)", h.key, h.bytes >> 20);
    *slot_err = err;
    r->status = HP_BENCH_ERROR;
    snprintf(r->reason, sizeof r->reason,
             "kernel build failed: %s (%d): %.160s%s", hp_ocl_err_name(err),
             err, log[0] ? log : "(no build log)", lim);
    return -1;
  }
  return 0;
}

/* ---- Peak compute kernels -------------------------------------------------
 * One generated kernel per variant. Each work-item runs NACC independent
 * chains x = x * b + c (fma when the device has hardware FMA, else mad), so
 * the pipelines fill instead of waiting on one dependency chain: clpeak's
 * two interleaved chains reach about 43 GFLOPS on a two-core AVX-512 PoCL
 * device where these reach about 450. b is just under 1 so the chains
 * converge to c / (1 - b) and never reach inf or denormals. Vector widths
 * suit CPUs (PoCL maps float16 to one zmm register); the scalar variant
 * suits GPUs, where a wide vector only costs registers. The fastest variant
 * wins, as clpeak keeps the best of float..float16. */

typedef struct peak_variant {
  const char *type; /* OpenCL type of a chain, "float16" */
  int width;        /* lanes per chain */
  int nacc;         /* independent chains per work-item */
} peak_variant;

typedef struct peak_desc {
  const char *scalar;   /* "float" */
  const char *arg;      /* type of the kernel's scalar arguments: half
                           arguments would need cl_khr_fp16, which NVIDIA
                           does not advertise, so fp16 takes floats */
  const char *prefix;   /* kernel-source prelude (pragmas) */
  const char *unit_ops; /* not used for naming; the op of one lane */
  double ops_per_lane;  /* ops counted per lane per step: 2 for fma */
  peak_variant v[3];    /* variants tried, fastest kept */
  int n_v;
} peak_desc;

static const peak_desc peak_descs[4] = {
    {"float",
     "float",
     "",
     "fma",
     2.0,
     {{"float", 1, 16}, {"float4", 4, 8}, {"float16", 16, 16}},
     3},
    {"half",
     "float",
     "#pragma OPENCL EXTENSION cl_khr_fp16 : enable\n",
     "fma",
     2.0,
     {{"half2", 2, 16}, {"half8", 8, 8}, {"half16", 16, 16}},
     3},
    {"double",
     "double",
     "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n",
     "fma",
     2.0,
     {{"double", 1, 16}, {"double4", 4, 8}, {"double8", 8, 16}},
     3},
    /* int8: one dot_4x8packed_uu_uint is 4 multiplies and 4 adds. */
    {"uint", "uint", "", "dot4", 8.0, {{"uint", 1, 16}}, 1},
};

static const char *const peak_names[4] = {
    "fp32 peak kernels", "fp16 peak kernels", "fp64 peak kernels",
    "int8 peak kernels"};

static int peak_index(hp_bench_kind k) {
  switch (k) {
  case HP_BENCH_FP32_PEAK:
    return 0;
  case HP_BENCH_FP16_PEAK:
    return 1;
  case HP_BENCH_FP64_PEAK:
    return 2;
  default:
    return 3;
  }
}

/* 1 if the device's fp config for this precision has a hardware FMA. */
static int has_fma(bench_ctx *c, int pi) {
  cl_device_fp_config cfg = 0;
  cl_device_info param = pi == 0   ? CL_DEVICE_SINGLE_FP_CONFIG
                         : pi == 1 ? 0x1033 /* CL_DEVICE_HALF_FP_CONFIG */
                                   : CL_DEVICE_DOUBLE_FP_CONFIG;
  if (clGetDeviceInfo(c->dev->id, param, sizeof cfg, &cfg, NULL) != CL_SUCCESS)
    cfg = 0;
  /* An unadvertised half (NVIDIA) reports 0 but has native fma. */
  if (pi == 1 && cfg == 0)
    return 1;
  return (cfg & CL_FP_FMA) != 0;
}

static void gen_peak_source(hp_buf *b, const peak_desc *pd, int fma) {
  hp_buf_puts(b, pd->prefix);
  for (int i = 0; i < pd->n_v; i++) {
    const peak_variant *v = &pd->v[i];
    const char *t = v->type;
    int is_int = strcmp(pd->scalar, "uint") == 0;
    hp_buf_printf(b,
                  "__kernel void hp_peak%d(__global %s *out, %s a, %s c, "
                  "int n) {\n  %s b = (%s)((%s)a), d = (%s)((%s)c);\n",
                  i, t, pd->arg, pd->arg, t, t, pd->scalar, t, pd->scalar);
    for (int k = 0; k < v->nacc; k++)
      hp_buf_printf(b, "  %s x%d = (%s)(%s)(%d + (int)get_local_id(0));\n", t,
                    k, t, pd->scalar, k + 1);
    hp_buf_puts(b, "  for (int i = 0; i < n; i++) {\n");
    for (int k = 0; k < v->nacc; k++) {
      if (is_int)
        hp_buf_printf(b, "    x%d = dot_4x8packed_uu_uint(x%d, b) + d;\n", k,
                      k);
      else if (fma && strcmp(pd->scalar, "half") == 0)
        /* NVIDIA's compiler has no fma() for half vectors; a contracted
         * multiply-add (FP_CONTRACT is on by default) gives HFMA. */
        hp_buf_printf(b, "    x%d = x%d * b + d;\n", k, k);
      else if (fma)
        hp_buf_printf(b, "    x%d = fma(x%d, b, d);\n", k, k);
      else
        hp_buf_printf(b, "    x%d = mad(x%d, b, d);\n", k, k);
    }
    hp_buf_puts(b, "  }\n  out[get_global_id(0)] = x0");
    for (int k = 1; k < v->nacc; k++)
      hp_buf_printf(b, " + x%d", k);
    hp_buf_puts(b, ";\n}\n");
  }
}

/* Runs a peak kernel with n steps; returns the rate in G ops/s. */
static int peak_run(bench_ctx *c, cl_kernel k, const peak_desc *pd,
                    const peak_variant *v, size_t gsz, size_t lsz, int n,
                    double *rate, double *ms, hp_bench_result *r) {
  cl_int err = clSetKernelArg(k, 3, sizeof n, &n);
  if (err != CL_SUCCESS) {
    hp_ocl_result_error(r, err, "clSetKernelArg");
    return -1;
  }
  if (run_kernel(c, k, gsz, lsz, ms, r) != 0)
    return -1;
  double ops = (double)gsz * (double)n * v->nacc * v->width * pd->ops_per_lane;
  *rate = *ms > 0 ? ops / (*ms * 1e-3) / 1e9 : 0.0;
  return 0;
}

/* Grows n until one run takes about target_ms (at most 8 runs). */
static int calibrate(bench_ctx *c, cl_kernel k, const peak_desc *pd,
                     const peak_variant *v, size_t gsz, size_t lsz,
                     double target_ms, int *n_io, double *rate,
                     hp_bench_result *r) {
  int n = *n_io;
  double ms = 0;
  for (int step = 0; step < 8; step++) {
    if (peak_run(c, k, pd, v, gsz, lsz, n, rate, &ms, r) != 0)
      return -1;
    if (ms >= 0.5 * target_ms || n >= (1 << 24))
      break;
    double grow = ms > 0 ? target_ms / ms : 64.0;
    if (grow > 64.0)
      grow = 64.0;
    if (grow < 2.0)
      grow = 2.0;
    n = (int)fmin((double)n * grow, (double)(1 << 24));
  }
  *n_io = n;
  return 0;
}

static int bench_peak(bench_ctx *c, hp_bench_kind kind, hp_bench_result *r) {
  int pi = peak_index(kind);
  const peak_desc *pd = &peak_descs[pi];
  cl_kernel kern[3] = {NULL, NULL, NULL};
  cl_mem out = NULL;
  double *rates = NULL;
  int rc = -1;
  hp_buf src;

  if (pi == 1 && !c->info->fp16) {
    r->status = HP_BENCH_UNSUPPORTED;
    snprintf(r->reason, sizeof r->reason, "%s",
             c->info->devclass == HP_DEVCLASS_CPU
                 ? "no fp16: no cl_khr_fp16 and no half fp config (a CPU "
                   "device: no half test kernel is tried)"
                 : "no fp16: no cl_khr_fp16, no half fp config, and a half "
                   "test kernel did not build or run");
    return 0;
  }
  if (pi == 2 && !c->info->fp64) {
    r->status = HP_BENCH_UNSUPPORTED;
    snprintf(r->reason, sizeof r->reason, "no fp64: no cl_khr_fp64");
    return 0;
  }
  if (pi == 3 && !c->info->int8_dot) {
    r->status = HP_BENCH_UNSUPPORTED;
    snprintf(r->reason, sizeof r->reason,
             "no int8 dot product: no cl_khr_integer_dot_product");
    return 0;
  }
  hp_buf_init(&src);
  gen_peak_source(&src, pd, pi == 3 ? 0 : has_fma(c, pi));
  if (src.oom) {
    r->status = HP_BENCH_ERROR;
    snprintf(r->reason, sizeof r->reason, "out of memory");
    goto out;
  }
  if (get_program(c, &c->dev->prog[pi], &c->dev->prog_err[pi], peak_names[pi],
                  src.data, r))
    goto out;

  /* Enough work-items to fill every compute unit several times over; 2048
   * per unit is a full H100 SM and plenty for a CPU core. */
  size_t lsz = 64;
  if (c->info->max_wg_size && c->info->max_wg_size < lsz)
    lsz = c->info->max_wg_size;
  size_t gsz =
      (size_t)(c->info->compute_units ? c->info->compute_units : 1) * 2048;
  gsz = (gsz + lsz - 1) / lsz * lsz;
  out = make_buffer(c, CL_MEM_WRITE_ONLY, gsz * 16 * 8, r);
  if (!out)
    goto out;

  /* Trial of every variant at a tenth of the budget each; the fastest is
   * timed. The first run of each also warms it up (PoCL specialises a
   * kernel for its work-group size at the first enqueue). */
  int best = -1, best_n = 0;
  double best_rate = 0;
  double trial_ms = c->budget_ms / 10.0;
  for (int i = 0; i < pd->n_v; i++) {
    char name[32];
    cl_int err;
    snprintf(name, sizeof name, "hp_peak%d", i);
    kern[i] = clCreateKernel(c->dev->prog[pi], name, &err);
    if (!kern[i]) {
      hp_ocl_result_error(r, err, "clCreateKernel");
      goto out;
    }
    /* Arguments: b just under 1, c small: chains converge to 1. */
    union {
      float f;
      double d;
      cl_uint u;
    } a, cc;
    size_t asz;
    if (pi <= 1) {
      a.f = 0.999f, cc.f = 0.001f, asz = sizeof(float);
    } else if (pi == 2) {
      a.d = 0.999, cc.d = 0.001, asz = sizeof(double);
    } else {
      a.u = 0x01010101u, cc.u = 1u, asz = sizeof(cl_uint);
    }
    err = clSetKernelArg(kern[i], 0, sizeof out, &out);
    if (err == CL_SUCCESS)
      err = clSetKernelArg(kern[i], 1, asz, &a);
    if (err == CL_SUCCESS)
      err = clSetKernelArg(kern[i], 2, asz, &cc);
    if (err != CL_SUCCESS) {
      hp_ocl_result_error(r, err, "clSetKernelArg");
      goto out;
    }
    double rate = 0, ms = 0;
    int n = 16;
    if (peak_run(c, kern[i], pd, &pd->v[i], gsz, lsz, 1, &rate, &ms, r))
      goto out; /* warm-up */
    if (calibrate(c, kern[i], pd, &pd->v[i], gsz, lsz, trial_ms, &n, &rate, r))
      goto out;
    if (rate > best_rate) {
      best_rate = rate;
      best = i;
      best_n = n;
    }
  }
  if (best < 0) {
    r->status = HP_BENCH_ERROR;
    snprintf(r->reason, sizeof r->reason, "no variant ran");
    goto out;
  }
  /* Timed repeats share the rest of the budget. */
  double per_ms = c->budget_ms * 0.6 / c->repeats;
  double est_ms = best_rate > 0 ? (double)gsz * best_n * pd->v[best].nacc *
                                      pd->v[best].width * pd->ops_per_lane /
                                      (best_rate * 1e9) * 1e3
                                : per_ms;
  if (est_ms > 0 && est_ms < per_ms)
    best_n = (int)fmin((double)best_n * per_ms / est_ms, (double)(1 << 24));
  rates = hp_calloc((size_t)c->repeats, sizeof *rates);
  if (!rates) {
    r->status = HP_BENCH_ERROR;
    snprintf(r->reason, sizeof r->reason, "out of memory");
    goto out;
  }
  r->best = 0;
  for (int i = 0; i < c->repeats; i++) {
    double ms;
    if (peak_run(c, kern[best], pd, &pd->v[best], gsz, lsz, best_n, &rates[i],
                 &ms, r))
      goto out;
    if (rates[i] > r->best)
      r->best = rates[i];
  }
  r->value = median(rates, c->repeats);
  r->repeats = c->repeats;
  r->iterations = best_n;
  r->status = HP_BENCH_OK;
  snprintf(r->detail, sizeof r->detail, "%s x%d chains, %s, %zu work-items",
           pd->v[best].type, pd->v[best].nacc,
           pi == 3   ? "dot4"
           : pi == 1 ? (has_fma(c, pi) ? "contracted mul+add" : "mad")
                     : (has_fma(c, pi) ? "fma" : "mad"),
           gsz);
  rc = 0;
out:
  hp_free(rates);
  for (int i = 0; i < 3; i++)
    if (kern[i])
      clReleaseKernel(kern[i]);
  if (out)
    clReleaseMemObject(out);
  hp_buf_cleanup(&src);
  return rc;
}

/* ---- Global-memory bandwidth --------------------------------------------
 * A read-only stream: work-group g reads the PER consecutive blocks of
 * local-size vectors starting at g * lsz * PER, one vector per block per
 * work-item, so a GPU warp reads contiguous memory and a CPU core streams a
 * contiguous chunk. The loop has a constant trip count and is unrolled,
 * which lets PoCL vectorise across work-items. Widths float4 and float16
 * are tried and the faster kept (clpeak's float..float16 idea). The buffer
 * is far larger than any last-level cache. */

#define MEM_PER 16

static const char misc_src[] =
    "#define PER 16\n"
    "__kernel void hp_rd4(__global const float4 *in, __global float *out) {\n"
    "  size_t lsz = get_local_size(0);\n"
    "  size_t id = get_group_id(0) * lsz * PER + get_local_id(0);\n"
    "  float4 s = (float4)(0.0f);\n"
    "  for (int k = 0; k < PER; k++) {\n"
    "    s += in[id];\n"
    "    id += lsz;\n"
    "  }\n"
    "  out[get_global_id(0)] = s.x + s.y + s.z + s.w;\n"
    "}\n"
    "__kernel void hp_rd16(__global const float16 *in, __global float *out) "
    "{\n"
    "  size_t lsz = get_local_size(0);\n"
    "  size_t id = get_group_id(0) * lsz * PER + get_local_id(0);\n"
    "  float16 s = (float16)(0.0f);\n"
    "  for (int k = 0; k < PER; k++) {\n"
    "    s += in[id];\n"
    "    id += lsz;\n"
    "  }\n"
    "  float8 h = s.lo + s.hi;\n"
    "  float4 q = h.lo + h.hi;\n"
    "  out[get_global_id(0)] = q.x + q.y + q.z + q.w;\n"
    "}\n"
    "__kernel void hp_empty(__global float *out) { }\n";

static int bench_mem(bench_ctx *c, hp_bench_result *r) {
  cl_mem in = NULL, out = NULL;
  cl_kernel k[2] = {NULL, NULL};
  double *rates = NULL;
  int rc = -1;
  cl_int err;
  size_t lsz = 256;
  if (c->info->max_wg_size && c->info->max_wg_size < lsz)
    lsz = c->info->max_wg_size;

  if (get_program(c, &c->dev->misc, &c->dev->misc_err,
                  "bandwidth and launch kernels", misc_src, r))
    return -1;
  /* Buffer: up to 1 GiB, an eighth of memory, the largest allocation. On
   * a device whose buffers are host memory, every byte of it is resident
   * in this process: there 256 MiB, or 8 times the device's cache if that
   * is more, is as far outside any cache and reads at the same speed (on a
   * two-core EPYC PoCL device with a 32 MiB L3, 256 MiB and 1 GiB gave the
   * same GB/s: docs/probe.md). A discrete GPU keeps 1 GiB of device memory:
   * its caches reach 256 MiB (MI300X's Infinity Cache). */
  unsigned long long bytes = 1ull << 30;
  if (c->dev->unified) {
    unsigned long long want = 256ull << 20;
    if (c->dev->cache_bytes > want / 8)
      want = c->dev->cache_bytes * 8;
    if (want < bytes)
      bytes = want;
  }
  if (c->info->memory_bytes && c->info->memory_bytes / 8 < bytes)
    bytes = c->info->memory_bytes / 8;
  if (c->info->max_alloc_bytes && c->info->max_alloc_bytes < bytes)
    bytes = c->info->max_alloc_bytes;
  unsigned long long block = (unsigned long long)lsz * MEM_PER * 64;
  bytes = bytes / block * block;
  /* The input and an output of a 64th of it, both host memory on a
   * unified device; cut to the budget, never below 32 MiB. */
  hp_ocl_headroom room;
  unsigned long long budget =
      c->dev->unified ? host_budget(&room) : HP_OCL_UNLIMITED;
  const char *cut = NULL;
  if (budget != HP_OCL_UNLIMITED && bytes + bytes / 64 > budget) {
    unsigned long long fit = budget / 65 * 64 / block * block;
    if (fit < (32ull << 20)) {
      fail_limit(r, (32ull << 20) + (32ull << 20) / 64, &room);
      return -1;
    }
    note_cut(c, "mem_bw_gbps", bytes + bytes / 64, fit + fit / 64, &room);
    bytes = fit;
    cut = room.key;
  }
  if (c->cfg->fault && strcmp(c->cfg->fault, "oversize") == 0)
    bytes = c->info->max_alloc_bytes + 1;
  if (bytes < block) {
    r->status = HP_BENCH_ERROR;
    snprintf(r->reason, sizeof r->reason,
             "device allows too small a buffer (%llu bytes)", bytes);
    return -1;
  }
  in = make_buffer(c, CL_MEM_READ_ONLY, (size_t)bytes, r);
  if (!in)
    goto out;
  if (fill_buffer(c, in, 0x3f800000u, (size_t)bytes, r))
    goto out;
  size_t max_items = (size_t)(bytes / (MEM_PER * 16));
  out = make_buffer(c, CL_MEM_WRITE_ONLY, max_items * sizeof(float), r);
  if (!out)
    goto out;

  static const char *const names[2] = {"hp_rd4", "hp_rd16"};
  static const size_t widths[2] = {16, 64}; /* bytes per vector */
  int best = -1;
  double best_ms = 1e300;
  for (int i = 0; i < 2; i++) {
    k[i] = clCreateKernel(c->dev->misc, names[i], &err);
    if (!k[i]) {
      hp_ocl_result_error(r, err, "clCreateKernel");
      goto out;
    }
    err = clSetKernelArg(k[i], 0, sizeof in, &in);
    if (err == CL_SUCCESS)
      err = clSetKernelArg(k[i], 1, sizeof out, &out);
    if (err != CL_SUCCESS) {
      hp_ocl_result_error(r, err, "clSetKernelArg");
      goto out;
    }
    size_t gsz = (size_t)(bytes / (MEM_PER * widths[i]));
    double ms = 0;
    if (run_kernel(c, k[i], gsz, lsz, &ms, r) ||
        run_kernel(c, k[i], gsz, lsz, &ms, r))
      goto out; /* warm-up, then one trial */
    if (ms < best_ms) {
      best_ms = ms;
      best = i;
    }
  }
  /* Repeats: as many as fit the budget, at least c->repeats. */
  int reps = c->repeats;
  if (best_ms > 0 && (int)(c->budget_ms * 0.6 / best_ms) > reps)
    reps = (int)(c->budget_ms * 0.6 / best_ms);
  if (reps > 101)
    reps = 101;
  rates = hp_calloc((size_t)reps, sizeof *rates);
  if (!rates) {
    r->status = HP_BENCH_ERROR;
    snprintf(r->reason, sizeof r->reason, "out of memory");
    goto out;
  }
  size_t gsz = (size_t)(bytes / (MEM_PER * widths[best]));
  r->best = 0;
  for (int i = 0; i < reps; i++) {
    double ms;
    if (run_kernel(c, k[best], gsz, lsz, &ms, r))
      goto out;
    rates[i] = ms > 0 ? (double)bytes / (ms * 1e-3) / 1e9 : 0;
    if (rates[i] > r->best)
      r->best = rates[i];
  }
  r->value = median(rates, reps);
  r->repeats = reps;
  r->iterations = 1;
  r->status = HP_BENCH_OK;
  snprintf(r->detail, sizeof r->detail, "read %s, %llu MiB buffer%s%s%s",
           best ? "float16" : "float4", bytes >> 20, cut ? " (cut to fit " : "",
           cut ? cut : "", cut ? ")" : "");
  rc = 0;
out:
  hp_free(rates);
  for (int i = 0; i < 2; i++)
    if (k[i])
      clReleaseKernel(k[i]);
  if (in)
    clReleaseMemObject(in);
  if (out)
    clReleaseMemObject(out);
  return rc;
}

/* ---- Host <-> device transfers -------------------------------------------
 * From and to pinned host memory (a CL_MEM_ALLOC_HOST_PTR buffer, mapped),
 * which is how drivers reach full PCIe speed; pageable memory would measure
 * the driver's staging copy instead. */

static int bench_transfer(bench_ctx *c, int to_device, hp_bench_result *r) {
  cl_mem host = NULL, dev = NULL;
  void *ptr = NULL;
  double *rates = NULL;
  int rc = -1;
  cl_int err;
  size_t bytes = 64u << 20;
  if (c->info->max_alloc_bytes && c->info->max_alloc_bytes / 2 < bytes)
    bytes = (size_t)(c->info->max_alloc_bytes / 2);
  /* The pinned host buffer is host memory on any device; the device
   * buffer too on a unified one. Cut to the budget, never below 4 MiB. */
  hp_ocl_headroom room;
  unsigned long long budget = host_budget(&room);
  unsigned long long copies = c->dev->unified ? 2 : 1;
  const char *cut = NULL;
  if (budget != HP_OCL_UNLIMITED && bytes * copies > budget) {
    size_t fit = (size_t)(budget / copies) >> 20 << 20;
    if (fit < (4u << 20)) {
      fail_limit(r, (4ull << 20) * copies, &room);
      return -1;
    }
    note_cut(c, to_device ? "h2d_gbps" : "d2h_gbps", bytes * copies,
             fit * copies, &room);
    bytes = fit;
    cut = room.key;
  }
  if (c->cfg->fault && strcmp(c->cfg->fault, "oversize") == 0)
    bytes = (size_t)c->info->max_alloc_bytes + 1;

  host = make_buffer(c, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, bytes, r);
  if (!host)
    goto out;
  dev = make_buffer(c, CL_MEM_READ_WRITE, bytes, r);
  if (!dev)
    goto out;
  ptr = clEnqueueMapBuffer(c->dev->q, host, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE,
                           0, bytes, 0, NULL, NULL, &err);
  if (!ptr) {
    hp_ocl_result_error(r, err, "clEnqueueMapBuffer");
    goto out;
  }
  memset(ptr, 1, bytes);
  rates = hp_calloc((size_t)c->repeats + 1, sizeof *rates);
  if (!rates) {
    r->status = HP_BENCH_ERROR;
    snprintf(r->reason, sizeof r->reason, "out of memory");
    goto out;
  }
  int reps = c->repeats;
  r->best = 0;
  for (int i = -1; i < reps; i++) { /* i = -1 warms up */
    cl_event ev = NULL;
    double t0 = now_ms();
    if (to_device)
      err = clEnqueueWriteBuffer(c->dev->q, dev, CL_FALSE, 0, bytes, ptr, 0,
                                 NULL, &ev);
    else
      err = clEnqueueReadBuffer(c->dev->q, dev, CL_FALSE, 0, bytes, ptr, 0,
                                NULL, &ev);
    if (err != CL_SUCCESS) {
      hp_ocl_result_error(
          r, err, to_device ? "clEnqueueWriteBuffer" : "clEnqueueReadBuffer");
      goto out;
    }
    double ms = event_ms(ev, &err);
    if (err != CL_SUCCESS) {
      hp_ocl_result_error(r, err, "transfer event");
      goto out;
    }
    if (i < 0)
      continue;
    rates[i] = ms > 0 ? (double)bytes / (ms * 1e-3) / 1e9 : 0;
    if (rates[i] > r->best)
      r->best = rates[i];
    /* Stop early once the budget is spent, keeping at least 3 repeats. */
    if (i >= 2 && now_ms() - t0 > c->budget_ms / reps * 4) {
      reps = i + 1;
      break;
    }
  }
  r->value = median(rates, reps);
  r->repeats = reps;
  r->iterations = 1;
  r->status = HP_BENCH_OK;
  snprintf(r->detail, sizeof r->detail, "%zu MiB %s pinned host memory%s%s%s",
           bytes >> 20, to_device ? "from" : "to", cut ? " (cut to fit " : "",
           cut ? cut : "", cut ? ")" : "");
  rc = 0;
out:
  hp_free(rates);
  if (ptr)
    clEnqueueUnmapMemObject(c->dev->q, host, ptr, 0, NULL, NULL);
  if (c->dev->q)
    clFinish(c->dev->q);
  if (host)
    clReleaseMemObject(host);
  if (dev)
    clReleaseMemObject(dev);
  return rc;
}

/* ---- Launch latency -------------------------------------------------------
 * Host-observed round trip of an empty one-work-item kernel: enqueue, then
 * clFinish. This is what a framework pays per small kernel, driver included,
 * so it is timed on the host clock rather than with events. */

static int bench_launch(bench_ctx *c, hp_bench_result *r) {
  cl_kernel k = NULL;
  cl_mem out = NULL;
  double *t = NULL;
  int rc = -1, n = 0;
  cl_int err;
  size_t one = 1;
  if (get_program(c, &c->dev->misc, &c->dev->misc_err,
                  "bandwidth and launch kernels", misc_src, r))
    return -1;
  k = clCreateKernel(c->dev->misc, "hp_empty", &err);
  if (!k) {
    hp_ocl_result_error(r, err, "clCreateKernel");
    goto out;
  }
  out = make_buffer(c, CL_MEM_WRITE_ONLY, sizeof(float), r);
  if (!out)
    goto out;
  err = clSetKernelArg(k, 0, sizeof out, &out);
  if (err != CL_SUCCESS) {
    hp_ocl_result_error(r, err, "clSetKernelArg");
    goto out;
  }
  int cap = 1000;
  t = hp_calloc((size_t)cap, sizeof *t);
  if (!t) {
    r->status = HP_BENCH_ERROR;
    snprintf(r->reason, sizeof r->reason, "out of memory");
    goto out;
  }
  double start = now_ms();
  for (int i = -3; i < cap; i++) { /* three warm-up launches */
    double t0 = now_ms();
    err = clEnqueueNDRangeKernel(c->dev->q, k, 1, NULL, &one, &one, 0, NULL,
                                 NULL);
    if (err == CL_SUCCESS)
      err = clFinish(c->dev->q);
    if (err != CL_SUCCESS) {
      hp_ocl_result_error(r, err, "empty kernel");
      goto out;
    }
    double dt = now_ms() - t0;
    if (i < 0)
      continue;
    t[n++] = dt * 1e3;
    if (n >= 10 && now_ms() - start > c->budget_ms)
      break;
  }
  double best = t[0];
  for (int i = 1; i < n; i++)
    if (t[i] < best)
      best = t[i];
  r->value = median(t, n);
  r->best = best;
  r->repeats = n;
  r->iterations = 1;
  r->status = HP_BENCH_OK;
  snprintf(r->detail, sizeof r->detail,
           "empty kernel, enqueue to clFinish, host clock");
  rc = 0;
out:
  hp_free(t);
  if (k)
    clReleaseKernel(k);
  if (out)
    clReleaseMemObject(out);
  return rc;
}

/* ---- CLBlast GEMM ----------------------------------------------------------
 * Square column-major C = A * B. The size starts at 512 and doubles while
 * three matrices fit (each under the largest allocation, all under a
 * quarter of memory) and the estimated call stays inside the budget. The
 * first call at a size compiles CLBlast's kernels and is not timed. */

/* CLBlast is loaded on first use, not linked: its static initialisers and
 * libstdc++ cost every hetplan start 1.6 ms (perf stat, an empty program
 * linked with and without it), and only the GEMM bench needs it. */
#ifndef HP_CLBLAST_SONAME /* set by CMake from the library it found */
#define HP_CLBLAST_SONAME "libclblast.so.1"
#endif

static struct {
  __typeof__(CLBlastSgemm) *sgemm;
  __typeof__(CLBlastHgemm) *hgemm;
  char error[200];
} clblast;
static pthread_once_t clblast_once = PTHREAD_ONCE_INIT;

static void clblast_load(void) {
  void *h = dlopen(HP_CLBLAST_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (h) {
    *(void **)&clblast.sgemm = dlsym(h, "CLBlastSgemm");
    *(void **)&clblast.hgemm = dlsym(h, "CLBlastHgemm");
  }
  if (!clblast.sgemm || !clblast.hgemm) {
    const char *e = dlerror();
    snprintf(clblast.error, sizeof clblast.error,
             "CLBlast (%s) could not be loaded: %s (apt-get install "
             "libclblast1)",
             HP_CLBLAST_SONAME, e ? e : "no CLBlastSgemm/CLBlastHgemm");
    clblast.sgemm = NULL;
    clblast.hgemm = NULL;
  }
}

static int gemm_call(bench_ctx *c, int half, size_t n, cl_mem a, cl_mem b,
                     cl_mem cm, double *ms, hp_bench_result *r) {
  cl_event ev = NULL;
  CLBlastStatusCode st;
  if (half)
    st = clblast.hgemm(CLBlastLayoutColMajor, CLBlastTransposeNo,
                       CLBlastTransposeNo, n, n, n, 0x3c00 /* 1.0 */, a, 0, n,
                       b, 0, n, 0 /* 0.0 */, cm, 0, n, &c->dev->q, &ev);
  else
    st = clblast.sgemm(CLBlastLayoutColMajor, CLBlastTransposeNo,
                       CLBlastTransposeNo, n, n, n, 1.0f, a, 0, n, b, 0, n,
                       0.0f, cm, 0, n, &c->dev->q, &ev);
  if (st != CLBlastSuccess) {
    if (st == CLBlastNoHalfPrecision) {
      r->status = HP_BENCH_UNSUPPORTED;
      snprintf(r->reason, sizeof r->reason,
               "CLBlast refuses half precision: the driver does not list "
               "cl_khr_fp16 (fp16 found by %s)",
               c->info->fp16_how ? c->info->fp16_how : "?");
    } else {
      hp_ocl_result_error(r, st, half ? "CLBlastHgemm" : "CLBlastSgemm");
    }
    return -1;
  }
  cl_int err;
  *ms = event_ms(ev, &err);
  if (err != CL_SUCCESS) {
    hp_ocl_result_error(r, err, "GEMM event");
    return -1;
  }
  if (*ms > c->limit_ms) {
    r->status = HP_BENCH_ERROR;
    snprintf(r->reason, sizeof r->reason,
             "GEMM ran %.3f ms, over the %.3f ms limit per kernel "
             "(--kernel-limit-ms)",
             *ms, c->limit_ms);
    return -1;
  }
  return 0;
}

/* Releases m[0..3) and allocates three n x n matrices, A and B filled
 * with 0.5. Buffers are sized to the n being timed, not the largest n that
 * could be: at n = 512 a two-core PoCL device needs 3 MiB, where buffers
 * for n = 16384 took 3 GiB of which 2 GiB was filled and resident. */
static int gemm_buffers(bench_ctx *c, int half, size_t n, cl_mem m[3],
                        hp_bench_result *r) {
  size_t elem = half ? 2 : 4;
  size_t bytes = n * n * elem;
  for (int i = 0; i < 3; i++) {
    if (m[i])
      clReleaseMemObject(m[i]);
    m[i] = NULL;
  }
  if (c->cfg->fault && strcmp(c->cfg->fault, "oversize") == 0)
    bytes = (size_t)c->info->max_alloc_bytes + 1;
  for (int i = 0; i < 3; i++)
    if (!(m[i] = make_buffer(c, CL_MEM_READ_WRITE, bytes, r)))
      return -1;
  cl_uint pat = half ? 0x38003800u /* 0.5, 0.5 */ : 0x3f000000u /* 0.5 */;
  if (fill_buffer(c, m[0], pat, bytes, r) ||
      fill_buffer(c, m[1], pat, bytes, r))
    return -1;
  return 0;
}

/* Room CLBlast's first GEMM call needs under a process limit (below). */
#define HP_OCL_GEMM_ROOM (320ull << 20)

static int bench_gemm(bench_ctx *c, int half, hp_bench_result *r) {
  cl_mem m[3] = {NULL, NULL, NULL};
  double *rates = NULL;
  int rc = -1;
  size_t elem = half ? 2 : 4;
  const char *key = half ? "hgemm_gflops" : "sgemm_gflops";
  if (half && !c->info->fp16) {
    r->status = HP_BENCH_UNSUPPORTED;
    snprintf(r->reason, sizeof r->reason, "no fp16 on this device");
    return 0;
  }
  pthread_once(&clblast_once, clblast_load);
  if (!clblast.sgemm) {
    /* Out of address space, dlopen says "failed to map segment": the
     * install hint would mislead, the limit is the reason. */
    hp_ocl_headroom h;
    hp_ocl_headroom_get(&h);
    const char *hint = strstr(clblast.error, " (apt-get");
    r->status = HP_BENCH_ERROR;
    if (h.key && strcmp(h.key, "MemAvailable") != 0 && hint &&
        strstr(clblast.error, "failed to map"))
      snprintf(r->reason, sizeof r->reason, "%.*s (%s leaves %llu MiB)",
               (int)(hint - clblast.error), clblast.error, h.key,
               h.bytes >> 20);
    else
      snprintf(r->reason, sizeof r->reason, "%s", clblast.error);
    return 0;
  }
  /* CLBlast checks the extension list itself and would refuse (and print
   * to stderr); say why without asking it. */
  if (half &&
      (!c->info->fp16_how || strcmp(c->info->fp16_how, "cl_khr_fp16") != 0)) {
    r->status = HP_BENCH_UNSUPPORTED;
    snprintf(r->reason, sizeof r->reason,
             "CLBlast refuses half precision: the driver does not list "
             "cl_khr_fp16 (fp16 found by %s)",
             c->info->fp16_how ? c->info->fp16_how : "?");
    return 0;
  }
  /* CLBlast compiles its GEMM kernels at the first call, and PoCL 3.1
   * segfaults inside that compile when memory runs out: with a warm kernel
   * cache, under ulimit -v it did with 250 MiB left and not with 270 MiB,
   * under ulimit -d with 261 MiB left and not with 290 MiB. Under a process
   * limit, GEMM runs only with HP_OCL_GEMM_ROOM to spare beside its
   * smallest buffers. */
  hp_ocl_headroom room;
  unsigned long long min_bytes = 3ull * 512 * 512 * elem;
  unsigned long long gemm_need = HP_OCL_GEMM_ROOM + 2 * min_bytes;
  hp_ocl_headroom_get(&room);
  int process_limit = room.key && strcmp(room.key, "MemAvailable") != 0;
  if (process_limit && room.bytes < gemm_need) {
    char lim[160];
    hp_ocl_headroom_describe(&room, lim, sizeof lim);
    r->status = HP_BENCH_ERROR;
    snprintf(r->reason, sizeof r->reason,
             "needs about %llu MiB of memory (CLBlast's kernel "
             "compile %llu MiB, buffers and room for the driver), and %.140s",
             mib_up(gemm_need), HP_OCL_GEMM_ROOM >> 20, lim);
    return 0;
  }
  /* Largest n whose buffers fit, from 512 up to 16384: each under the
   * largest allocation, all three under a quarter of memory and, on a
   * device whose buffers are host memory, under the host budget left
   * past the compile's room. */
  unsigned long long budget = HP_OCL_UNLIMITED;
  if (c->dev->unified)
    budget = process_limit ? (room.bytes - HP_OCL_GEMM_ROOM) / 2
                           : hp_ocl_host_budget(&room);
  if (budget < min_bytes) { /* MemAvailable: no GEMM room was kept */
    fail_limit(r, min_bytes, &room);
    return 0;
  }
  size_t n_max = 512, n_fit = 512;
  unsigned long long mem_cap =
      c->info->memory_bytes ? c->info->memory_bytes / 4 : (1ull << 30);
  while (n_max < 16384) {
    unsigned long long one =
        (unsigned long long)(2 * n_max) * (2 * n_max) * elem;
    if ((c->info->max_alloc_bytes && one > c->info->max_alloc_bytes) ||
        3 * one > mem_cap)
      break;
    n_max *= 2;
    if (3 * one <= budget)
      n_fit = n_max;
  }
  int cut = 0; /* 1 if the budget, not the time, stopped n growing */

  size_t n = 512;
  double ms = 0;
  if (gemm_buffers(c, half, n, m, r))
    goto out;
  if (gemm_call(c, half, n, m[0], m[1], m[2], &ms, r)) /* compiles kernels */
    goto out;
  double per_ms = c->budget_ms / (c->repeats + 2);
  for (;;) {
    if (gemm_call(c, half, n, m[0], m[1], m[2], &ms, r))
      goto out;
    /* Doubling n costs eight times the time. */
    if (n * 2 > n_max || ms * 8 > per_ms)
      break;
    if (n * 2 > n_fit) {
      note_cut(c, key, 3ull * (2 * n) * (2 * n) * elem, 3ull * n * n * elem,
               &room);
      cut = 1;
      break;
    }
    n *= 2;
    if (gemm_buffers(c, half, n, m, r))
      goto out;
    if (gemm_call(c, half, n, m[0], m[1], m[2], &ms, r)) /* warm up */
      goto out;
  }
  rates = hp_calloc((size_t)c->repeats, sizeof *rates);
  if (!rates) {
    r->status = HP_BENCH_ERROR;
    snprintf(r->reason, sizeof r->reason, "out of memory");
    goto out;
  }
  double flop = 2.0 * (double)n * (double)n * (double)n;
  r->best = 0;
  for (int i = 0; i < c->repeats; i++) {
    if (gemm_call(c, half, n, m[0], m[1], m[2], &ms, r))
      goto out;
    rates[i] = ms > 0 ? flop / (ms * 1e-3) / 1e9 : 0;
    if (rates[i] > r->best)
      r->best = rates[i];
  }
  r->value = median(rates, c->repeats);
  r->repeats = c->repeats;
  r->iterations = 1;
  r->status = HP_BENCH_OK;
  snprintf(r->detail, sizeof r->detail, "CLBlast %s, n=%zu%s%s%s",
           half ? "HGEMM" : "SGEMM", n, cut ? " (cut to fit " : "",
           cut ? room.key : "", cut ? ")" : "");
  rc = 0;
out:
  hp_free(rates);
  for (int i = 0; i < 3; i++)
    if (m[i])
      clReleaseMemObject(m[i]);
  return rc;
}

/* ---- Dispatch --------------------------------------------------------------
 */

int hp_ocl_bench(hp_ocl_state *st, const hp_device_info *info,
                 const hp_bench_spec *spec, hp_bench_result *r, hp_diag *d) {
  bench_ctx c;
  memset(r, 0, sizeof *r);
  c.dev = info->handle;
  c.info = info;
  c.cfg = &st->cfg;
  c.budget_ms = spec->budget_ms > 0 ? spec->budget_ms : 400.0;
  c.repeats = spec->repeats > 0 ? spec->repeats : 5;
  c.limit_ms = st->cfg.kernel_limit_ms > 0 ? st->cfg.kernel_limit_ms : 2000.0;
  if (st->cfg.fault && strcmp(st->cfg.fault, "slow") == 0)
    c.limit_ms = 0.001;
  if (!c.dev)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "device %s was not found by this backend's probe",
                       info->id ? info->id : "?");
  int rc = hp_ocl_dev_open(c.dev, NULL);
  if (rc != HP_OK) {
    hp_ocl_result_error(r, CL_DEVICE_NOT_AVAILABLE, "no context or queue");
    return HP_OK;
  }
  if (st->cfg.log) {
    /* Under a process limit, say how much room each figure starts with. */
    hp_ocl_headroom h;
    hp_ocl_headroom_get(&h);
    if (h.key && strcmp(h.key, "MemAvailable") != 0) {
      char lim[160], msg[300];
      hp_ocl_headroom_describe(&h, lim, sizeof lim);
      snprintf(msg, sizeof msg, "device %s: %s: starts where %s", c.dev->label,
               spec->name ? spec->name : "?", lim);
      st->cfg.log(st->cfg.log_user, msg);
    }
  }
  switch (spec->kind) {
  case HP_BENCH_FP32_PEAK:
  case HP_BENCH_FP16_PEAK:
  case HP_BENCH_FP64_PEAK:
  case HP_BENCH_INT8_PEAK:
    bench_peak(&c, spec->kind, r);
    break;
  case HP_BENCH_MEM_BW:
    bench_mem(&c, r);
    break;
  case HP_BENCH_H2D:
    bench_transfer(&c, 1, r);
    break;
  case HP_BENCH_D2H:
    bench_transfer(&c, 0, r);
    break;
  case HP_BENCH_LAUNCH:
    bench_launch(&c, r);
    break;
  case HP_BENCH_SGEMM:
    bench_gemm(&c, 0, r);
    break;
  case HP_BENCH_HGEMM:
    bench_gemm(&c, 1, r);
    break;
  default:
    r->status = HP_BENCH_UNSUPPORTED;
    snprintf(r->reason, sizeof r->reason, "unknown benchmark %d",
             (int)spec->kind);
    break;
  }
  /* After an error the queue may hold failed work; drain it so the next
   * figure starts clean. */
  clFinish(c.dev->q);
  if (r->status != HP_BENCH_OK)
    r->value = 0;
  return HP_OK;
}
