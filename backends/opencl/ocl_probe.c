/* ocl_probe.c - device enumeration through the ICD loader: every platform,
 * every device, each property read with the two-call (size, then data)
 * query, clinfo's shape. A property that cannot be read becomes an empty
 * or zero value, never a failure of the probe. Also owns the per-device
 * context, queue and program builds that ocl_bench.c uses. */
#include <stdio.h>
#include <string.h>

#include <CL/cl_ext.h>

#include "mem.h"
#include "ocl.h"
#include "status.h"

/* ---- Two-call queries ---------------------------------------------------- */

/* A device string property, NUL-terminated; "" when the query fails. NULL
 * only on OOM. Caller frees with hp_free. */
static char *dev_str(cl_device_id dev, cl_device_info param) {
  size_t size = 0;
  if (clGetDeviceInfo(dev, param, 0, NULL, &size) != CL_SUCCESS || size == 0)
    return hp_strdup("");
  char *s = hp_malloc(size + 1);
  if (!s)
    return NULL;
  if (clGetDeviceInfo(dev, param, size, s, NULL) != CL_SUCCESS)
    size = 0;
  s[size] = '\0';
  /* Drivers pad some strings with blanks (PoCL's extension list). */
  size_t len = strlen(s);
  while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\n'))
    s[--len] = '\0';
  return s;
}

static char *plat_str(cl_platform_id p, cl_platform_info param) {
  size_t size = 0;
  if (clGetPlatformInfo(p, param, 0, NULL, &size) != CL_SUCCESS || size == 0)
    return hp_strdup("");
  char *s = hp_malloc(size + 1);
  if (!s)
    return NULL;
  if (clGetPlatformInfo(p, param, size, s, NULL) != CL_SUCCESS)
    size = 0;
  s[size] = '\0';
  return s;
}

/* Fixed-size properties: 0 when the query fails. */
static unsigned long long dev_u64(cl_device_id dev, cl_device_info param) {
  cl_ulong v = 0;
  if (clGetDeviceInfo(dev, param, sizeof v, &v, NULL) != CL_SUCCESS)
    return 0;
  return v;
}

static unsigned dev_u32(cl_device_id dev, cl_device_info param) {
  cl_uint v = 0;
  if (clGetDeviceInfo(dev, param, sizeof v, &v, NULL) != CL_SUCCESS)
    return 0;
  return v;
}

static size_t dev_size(cl_device_id dev, cl_device_info param) {
  size_t v = 0;
  if (clGetDeviceInfo(dev, param, sizeof v, &v, NULL) != CL_SUCCESS)
    return 0;
  return v;
}

/* Whole-word match in a blank-separated extension list. */
static int has_ext(const char *list, const char *ext) {
  size_t n = strlen(ext);
  for (const char *p = list; (p = strstr(p, ext)) != NULL; p += n) {
    int start = p == list || p[-1] == ' ';
    int end = p[n] == '\0' || p[n] == ' ';
    if (start && end)
      return 1;
  }
  return 0;
}

static hp_devclass classify(cl_device_type t) {
  /* GPU first: some drivers set DEFAULT or several bits. */
  if (t & CL_DEVICE_TYPE_GPU)
    return HP_DEVCLASS_GPU;
  if (t & CL_DEVICE_TYPE_ACCELERATOR)
    return HP_DEVCLASS_ACCELERATOR;
  if (t & CL_DEVICE_TYPE_CUSTOM)
    return HP_DEVCLASS_CUSTOM;
  if (t & CL_DEVICE_TYPE_CPU)
    return HP_DEVCLASS_CPU;
  return HP_DEVCLASS_OTHER;
}

/* ---- Context, queue and builds ------------------------------------------ */

int hp_ocl_dev_open(hp_ocl_dev *dev, hp_diag *d) {
  cl_int err = CL_SUCCESS;
  if (dev->ctx)
    return HP_OK;
  dev->ctx = clCreateContext(NULL, 1, &dev->id, NULL, NULL, &err);
  if (!dev->ctx)
    return hp_ocl_fail(d, err, "clCreateContext");
    /* OpenCL 1.2 call: still the one every ICD implements; the 2.0
     * clCreateCommandQueueWithProperties is missing from some runtimes. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
  dev->q =
      clCreateCommandQueue(dev->ctx, dev->id, CL_QUEUE_PROFILING_ENABLE, &err);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
  if (!dev->q) {
    clReleaseContext(dev->ctx);
    dev->ctx = NULL;
    return hp_ocl_fail(d, err, "clCreateCommandQueue");
  }
  return HP_OK;
}

void hp_ocl_dev_close(hp_ocl_dev *dev) {
  for (size_t i = 0; i < sizeof dev->prog / sizeof dev->prog[0]; i++) {
    if (dev->prog[i])
      clReleaseProgram(dev->prog[i]);
    dev->prog[i] = NULL;
    dev->prog_err[i] = 0;
  }
  if (dev->misc)
    clReleaseProgram(dev->misc);
  dev->misc = NULL;
  dev->misc_err = 0;
  if (dev->q)
    clReleaseCommandQueue(dev->q);
  if (dev->ctx)
    clReleaseContext(dev->ctx);
  dev->q = NULL;
  dev->ctx = NULL;
}

/* Sends "device L: what: head" and the text after it to the log. */
static void log_build(hp_ocl_dev *dev, const char *what, const char *head,
                      const char *full, const char *captured) {
  hp_buf b;
  if (!dev->cfg || !dev->cfg->log)
    return;
  hp_buf_init(&b);
  hp_buf_printf(&b, "device %s: %s: %s", dev->label, what, head);
  if (full && full[0])
    hp_buf_printf(&b, "\n--- build log ---\n%s", full);
  if (captured && captured[0])
    hp_buf_printf(&b, "\n--- compiler's stderr ---\n%s", captured);
  while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ' '))
    b.data[--b.len] = '\0';
  if (!b.oom)
    dev->cfg->log(dev->cfg->log_user, b.data);
  hp_buf_cleanup(&b);
}

/* The whole build log of p, or NULL (caller frees with hp_free). */
static char *build_log(hp_ocl_dev *dev, cl_program p) {
  size_t size = 0;
  if (clGetProgramBuildInfo(p, dev->id, CL_PROGRAM_BUILD_LOG, 0, NULL, &size) !=
          CL_SUCCESS ||
      size == 0)
    return NULL;
  char *full = hp_malloc(size + 1);
  if (full && clGetProgramBuildInfo(p, dev->id, CL_PROGRAM_BUILD_LOG, size,
                                    full, NULL) != CL_SUCCESS) {
    hp_free(full);
    return NULL;
  }
  if (full)
    full[size] = '\0';
  return full;
}

int hp_ocl_build(hp_ocl_dev *dev, const char *what, const char *src,
                 const char *options, cl_program *out, char *log,
                 size_t log_size) {
  cl_int err = CL_SUCCESS;
  hp_ocl_capture cap;
  hp_buf captured;
  if (log && log_size)
    log[0] = '\0';
  cl_program p = clCreateProgramWithSource(dev->ctx, 1, &src, NULL, &err);
  if (!p)
    return err;
  /* PoCL's clang prints "1 warning and 5 errors generated." to stderr past
   * the build log; that is ours to show or not, not the driver's. */
  hp_buf_init(&captured);
  hp_ocl_capture_begin(&cap);
  err = clBuildProgram(p, 1, &dev->id, options, NULL, NULL);
  hp_ocl_capture_end(&cap, &captured);
  char *full = build_log(dev, p);
  if (err != CL_SUCCESS) {
    char head[96];
    snprintf(head, sizeof head, "build failed: %s (%d)", hp_ocl_err_name(err),
             err);
    log_build(dev, what, head, full, captured.data);
    if (log && log_size > 1 && full) {
      /* The first line that says "error" is the useful one. */
      char *line = strstr(full, "error");
      if (!line)
        line = full;
      size_t n = strcspn(line, "\n");
      if (n >= log_size)
        n = log_size - 1;
      memcpy(log, line, n);
      log[n] = '\0';
    }
    clReleaseProgram(p);
  } else {
    /* A clean build says nothing; warnings are worth a verbose line. */
    const char *f = full ? full + strspn(full, " \n") : "";
    if (f[0] || (captured.data && captured.data[0]))
      log_build(dev, what, "built with messages", full, captured.data);
    *out = p;
  }
  hp_free(full);
  hp_buf_cleanup(&captured);
  return err;
}

/* ---- fp16 ---------------------------------------------------------------- */

/* NVIDIA's driver does not list cl_khr_fp16 although its compiler accepts
 * half arithmetic, so an unadvertised device that is not a CPU gets a test:
 * build a kernel that computes in half and check its answer (1.5 * 2 + 0.25
 * = 3.25 is exact in half). 1 if it builds and answers right. A CPU driver
 * lists cl_khr_fp16 when it has half (PoCL does), and without it the test
 * only fails to build (PoCL: "1 warning and 5 errors generated."), so CPUs
 * are not tested. */
static const char fp16_test_src[] =
    "#pragma OPENCL EXTENSION cl_khr_fp16 : enable\n"
    "__kernel void hp_fp16_test(__global float *out, float a) {\n"
    "  half x = (half)a;\n"
    "  half y = x * (half)2.0f + (half)0.25f;\n"
    "  out[0] = (float)y;\n"
    "}\n";

static int fp16_test(hp_ocl_dev *dev) {
  int ok = 0;
  cl_program p = NULL;
  cl_kernel k = NULL;
  cl_mem buf = NULL;
  cl_int err;
  float a = 1.5f, got = 0.0f;
  size_t one = 1;
  if (hp_ocl_dev_open(dev, NULL) != HP_OK)
    return 0;
  if (hp_ocl_build(dev, "fp16 test kernel (no cl_khr_fp16 listed)",
                   fp16_test_src, "", &p, NULL, 0) != CL_SUCCESS)
    goto out;
  k = clCreateKernel(p, "hp_fp16_test", &err);
  buf = clCreateBuffer(dev->ctx, CL_MEM_WRITE_ONLY, sizeof(float), NULL, &err);
  if (!k || !buf)
    goto out;
  if (clSetKernelArg(k, 0, sizeof buf, &buf) != CL_SUCCESS ||
      clSetKernelArg(k, 1, sizeof a, &a) != CL_SUCCESS)
    goto out;
  if (clEnqueueNDRangeKernel(dev->q, k, 1, NULL, &one, &one, 0, NULL, NULL) !=
      CL_SUCCESS)
    goto out;
  if (clEnqueueReadBuffer(dev->q, buf, CL_TRUE, 0, sizeof got, &got, 0, NULL,
                          NULL) != CL_SUCCESS)
    goto out;
  ok = got == 3.25f;
out:
  if (buf)
    clReleaseMemObject(buf);
  if (k)
    clReleaseKernel(k);
  if (p)
    clReleaseProgram(p);
  return ok;
}

/* ---- Enumeration ----------------------------------------------------------
 */

static void free_state_devs(hp_ocl_state *st) {
  for (size_t i = 0; i < st->n_devs; i++)
    hp_ocl_dev_close(&st->devs[i]);
  hp_free(st->devs);
  st->devs = NULL;
  st->n_devs = 0;
}

/* Fills one hp_device_info. HP_ENOMEM is the only failure. */
static int describe(hp_ocl_dev *dev, unsigned pi, unsigned di,
                    const char *platform, hp_device_info *info) {
  char idbuf[32];
  cl_device_type type = 0;
  char *ext = NULL;
  int rc = HP_ENOMEM;
  cl_device_id id = dev->id;

  snprintf(idbuf, sizeof idbuf, "%u:%u", pi, di);
  clGetDeviceInfo(id, CL_DEVICE_TYPE, sizeof type, &type, NULL);
  info->id = hp_strdup(idbuf);
  info->platform = hp_strdup(platform);
  info->name = dev_str(id, CL_DEVICE_NAME);
  info->vendor = dev_str(id, CL_DEVICE_VENDOR);
  info->driver_version = dev_str(id, CL_DRIVER_VERSION);
  ext = dev_str(id, CL_DEVICE_EXTENSIONS);
  if (!info->id || !info->platform || !info->name || !info->vendor ||
      !info->driver_version || !ext)
    goto out;
  info->devclass = classify(type);
  snprintf(dev->label, sizeof dev->label, "%s (%.60s)", idbuf, info->name);
  info->compute_units = dev_u32(id, CL_DEVICE_MAX_COMPUTE_UNITS);
  info->clock_mhz = dev_u32(id, CL_DEVICE_MAX_CLOCK_FREQUENCY);
  info->memory_bytes = dev_u64(id, CL_DEVICE_GLOBAL_MEM_SIZE);
  info->max_alloc_bytes = dev_u64(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE);
  info->local_mem_bytes = dev_u64(id, CL_DEVICE_LOCAL_MEM_SIZE);
  info->max_wg_size = dev_size(id, CL_DEVICE_MAX_WORK_GROUP_SIZE);
  info->fp64 = has_ext(ext, "cl_khr_fp64") ||
               dev_u64(id, CL_DEVICE_DOUBLE_FP_CONFIG) != 0;
  info->int8_dot = has_ext(ext, "cl_khr_integer_dot_product");
  if (has_ext(ext, "cl_khr_fp16")) {
    info->fp16 = 1;
    info->fp16_how = "cl_khr_fp16";
  } else if (dev_u64(id, CL_DEVICE_HALF_FP_CONFIG) != 0) {
    info->fp16 = 1;
    info->fp16_how = "half fp config";
  } else if (info->devclass != HP_DEVCLASS_CPU && fp16_test(dev)) {
    info->fp16 = 1;
    info->fp16_how = "test kernel";
  } else {
    info->fp16 = 0;
    info->fp16_how = "none";
  }
  info->handle = dev;
  cl_bool unified = CL_FALSE;
  if (clGetDeviceInfo(id, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified,
                      &unified, NULL) != CL_SUCCESS)
    unified = CL_FALSE;
  dev->unified = info->devclass == HP_DEVCLASS_CPU || unified == CL_TRUE;
  dev->cache_bytes = dev_u64(id, CL_DEVICE_GLOBAL_MEM_CACHE_SIZE);
  rc = HP_OK;
out:
  hp_free(ext);
  return rc;
}

int hp_ocl_probe(hp_ocl_state *st, hp_device_info **devs, size_t *n,
                 hp_diag *d) {
  cl_uint np = 0;
  cl_platform_id *plats = NULL;
  hp_device_info *out = NULL;
  size_t count = 0, cap = 0;
  int rc = HP_OK;
  cl_int err;

  free_state_devs(st);
  err = clGetPlatformIDs(0, NULL, &np);
  /* No ICD at all: the loader says CL_PLATFORM_NOT_FOUND_KHR. Not an error:
   * the host simply has no OpenCL device. */
  if (err == CL_PLATFORM_NOT_FOUND_KHR || (err == CL_SUCCESS && np == 0)) {
    /* ... unless a listed driver failed to load: a memory limit (ulimit
     * -v) that leaves a driver no room is not "no OpenCL installed". */
    if ((rc = hp_ocl_why_no_platform(d)) != HP_OK)
      return rc;
    goto done;
  }
  if (err != CL_SUCCESS)
    return hp_ocl_fail(d, err, "clGetPlatformIDs");
  plats = hp_calloc(np, sizeof *plats);
  if (!plats)
    return hp_diag_oom(d);
  err = clGetPlatformIDs(np, plats, NULL);
  if (err != CL_SUCCESS) {
    rc = hp_ocl_fail(d, err, "clGetPlatformIDs");
    goto fail;
  }
  /* First pass: count devices so that st->devs never moves afterwards
   * (hp_device_info.handle points into it). */
  for (cl_uint p = 0; p < np; p++) {
    cl_uint nd = 0;
    if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, 0, NULL, &nd) ==
        CL_SUCCESS)
      cap += nd;
  }
  if (cap == 0)
    goto done;
  out = hp_calloc(cap, sizeof *out);
  st->devs = hp_calloc(cap, sizeof *st->devs);
  if (!out || !st->devs) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  for (cl_uint p = 0; p < np && count < cap; p++) {
    cl_uint nd = 0;
    cl_device_id *ids = NULL;
    /* CL_DEVICE_NOT_FOUND on one platform just means it has none. */
    if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, 0, NULL, &nd) !=
            CL_SUCCESS ||
        nd == 0)
      continue;
    ids = hp_calloc(nd, sizeof *ids);
    char *pname = plat_str(plats[p], CL_PLATFORM_NAME);
    if (!ids || !pname) {
      hp_free(ids);
      hp_free(pname);
      rc = hp_diag_oom(d);
      goto fail;
    }
    if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, nd, ids, NULL) ==
        CL_SUCCESS) {
      for (cl_uint i = 0; i < nd && count < cap; i++) {
        st->devs[count].id = ids[i];
        st->devs[count].cfg = &st->cfg;
        st->n_devs = count + 1;
        rc = describe(&st->devs[count], p, i, pname, &out[count]);
        count++;
        if (rc != HP_OK) {
          hp_free(ids);
          hp_free(pname);
          hp_diag_oom(d);
          goto fail;
        }
      }
    }
    hp_free(ids);
    hp_free(pname);
  }
done:
  hp_free(plats);
  *devs = out;
  *n = count;
  return HP_OK;
fail:
  hp_free(plats);
  hp_device_info_free(out, count);
  free_state_devs(st);
  return rc;
}
