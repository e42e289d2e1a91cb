/* ocl_host.c - what the host lets the probe have, read here and nowhere
 * else in the backend: the memory headroom under the process's limits
 * (RLIMIT_AS, RLIMIT_DATA) and the host's MemAvailable; why no OpenCL
 * platform loaded when the ICD loader lists drivers; and the capture of
 * what a driver's compiler writes to stderr during a kernel build (PoCL's
 * clang prints "1 error generated." there, past its build log). */
#define _POSIX_C_SOURCE 200809L /* dup, fileno, opendir */

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "mem.h"
#include "ocl.h"
#include "status.h"

/* ---- Memory headroom ----------------------------------------------------- */

/* The value of "Key:   123 kB" in a /proc file, in bytes; 0 if absent. */
static unsigned long long proc_kb(const char *path, const char *key) {
  char line[256];
  unsigned long long v = 0;
  size_t n = strlen(key);
  FILE *f = fopen(path, "r");
  if (!f)
    return 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, key, n) == 0 && line[n] == ':') {
      v = strtoull(line + n + 1, NULL, 10) * 1024ull;
      break;
    }
  }
  fclose(f);
  return v;
}

/* Sets h to the limit if it leaves less room than what h holds. */
static void consider(hp_ocl_headroom *h, const char *key, const char *limit,
                     unsigned long long limit_bytes,
                     unsigned long long used_bytes) {
  unsigned long long room =
      limit_bytes > used_bytes ? limit_bytes - used_bytes : 0;
  if (room < h->bytes) {
    h->bytes = room;
    h->limit = limit;
    h->key = key;
    h->limit_bytes = limit_bytes;
    h->used_bytes = used_bytes;
  }
}

void hp_ocl_headroom_get(hp_ocl_headroom *h) {
  struct rlimit rl;
  memset(h, 0, sizeof *h);
  h->bytes = HP_OCL_UNLIMITED;
  /* The address space counts every mapping: the driver's libraries, its
   * threads' stacks and malloc arenas, and each buffer. */
  if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    consider(h, "RLIMIT_AS", "address-space limit (RLIMIT_AS, ulimit -v)",
             (unsigned long long)rl.rlim_cur,
             proc_kb("/proc/self/status", "VmSize"));
  /* Since Linux 4.7 the data limit counts private writable mappings, which
   * is what a CPU driver's buffers are. */
  if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    consider(h, "RLIMIT_DATA", "data limit (RLIMIT_DATA, ulimit -d)",
             (unsigned long long)rl.rlim_cur,
             proc_kb("/proc/self/status", "VmData"));
  unsigned long long avail = proc_kb("/proc/meminfo", "MemAvailable");
  if (avail)
    consider(h, "MemAvailable",
             "host's available memory (MemAvailable, /proc/meminfo)", avail, 0);
}

void hp_ocl_headroom_describe(const hp_ocl_headroom *h, char *buf,
                              size_t size) {
  if (!h->limit) {
    snprintf(buf, size, "no memory limit");
    return;
  }
  if (h->used_bytes)
    snprintf(
        buf, size, "the %s of %llu MiB, %llu MiB of it in use, leaves %llu MiB",
        h->limit, h->limit_bytes >> 20, h->used_bytes >> 20, h->bytes >> 20);
  else
    snprintf(buf, size, "the %s is %llu MiB", h->limit, h->bytes >> 20);
}

/* What one figure's host-resident buffers may take: half of the headroom
 * after HP_OCL_RESERVE_BYTES. The reserve and the half are for what the driver
 * allocates beside the buffers while the figure runs: PoCL's LLVM compiles
 * a kernel on first use (tens of MiB), CLBlast compiles its GEMM kernels,
 * and each PoCL buffer is aligned and may be shadowed for migration. Under
 * `ulimit -v 1000000` on a two-core PoCL device this leaves about 190 MiB
 * per figure, and every figure completes (tests/opencl/probe_limits.sh). */
unsigned long long hp_ocl_host_budget(const hp_ocl_headroom *h) {
  if (h->bytes == HP_OCL_UNLIMITED)
    return HP_OCL_UNLIMITED;
  return h->bytes > HP_OCL_RESERVE_BYTES ? (h->bytes - HP_OCL_RESERVE_BYTES) / 2
                                         : 0;
}

/* ---- Why no platform loaded ---------------------------------------------- */

/* The library named in an .icd file (its first line), into lib. */
static int icd_library(const char *path, char *lib, size_t size) {
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  int ok = fgets(lib, (int)size, f) != NULL;
  fclose(f);
  if (!ok)
    return -1;
  lib[strcspn(lib, "\r\n")] = '\0';
  return lib[0] ? 0 : -1;
}

/* Tries to load the driver of one .icd file; on failure appends the reason
 * to why and returns 1. */
static int icd_fails(const char *path, hp_buf *why) {
  char lib[512];
  if (icd_library(path, lib, sizeof lib) != 0)
    return 0;
  void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  if (h) {
    dlclose(h);
    return 0;
  }
  const char *e = dlerror();
  hp_buf_printf(why, "%s%s (listed in %s): %s", why->len ? "; " : "", lib, path,
                e ? e : "unknown error");
  return 1;
}

static int ends_with(const char *s, const char *tail) {
  size_t n = strlen(s), m = strlen(tail);
  return n >= m && strcmp(s + n - m, tail) == 0;
}

int hp_ocl_why_no_platform(hp_diag *d) {
  /* ocl-icd reads OCL_ICD_VENDORS (a directory or one .icd file), else
   * OPENCL_VENDOR_PATH, else /etc/OpenCL/vendors. */
  const char *vendors = getenv("OCL_ICD_VENDORS");
  int failed = 0;
  hp_buf why;
  if (!vendors || !*vendors)
    vendors = getenv("OPENCL_VENDOR_PATH");
  if (!vendors || !*vendors)
    vendors = "/etc/OpenCL/vendors";
  hp_buf_init(&why);
  if (ends_with(vendors, ".icd")) {
    failed += icd_fails(vendors, &why);
  } else {
    DIR *dir = opendir(vendors);
    struct dirent *e;
    while (dir && (e = readdir(dir)) != NULL) {
      char path[1024];
      if (!ends_with(e->d_name, ".icd"))
        continue;
      snprintf(path, sizeof path, "%s/%s", vendors, e->d_name);
      failed += icd_fails(path, &why);
    }
    if (dir)
      closedir(dir);
  }
  if (!failed || why.oom) {
    int rc = why.oom ? hp_diag_oom(d) : HP_OK;
    hp_buf_cleanup(&why);
    return rc;
  }
  hp_ocl_headroom h;
  char lim[256];
  hp_ocl_headroom_get(&h);
  int rc;
  if (h.key && strcmp(h.key, "MemAvailable") != 0) { /* a process limit */
    hp_ocl_headroom_describe(&h, lim, sizeof lim);
    rc = hp_diag_set(d, HP_ENOMEM, NULL, 0, 0,
                     "no OpenCL driver could be loaded: %s; %s: the driver "
                     "needs more room to load, raise the limit",
                     why.data, lim);
  } else {
    rc = hp_diag_set(d, HP_EBACKEND, NULL, 0, 0,
                     "no OpenCL driver could be loaded: %s", why.data);
  }
  hp_buf_cleanup(&why);
  return rc;
}

/* ---- Driver stderr during a build ---------------------------------------- */

void hp_ocl_capture_begin(hp_ocl_capture *c) {
  c->saved_fd = -1;
  c->tmp = NULL;
  fflush(stderr);
  c->tmp = tmpfile();
  if (!c->tmp)
    return;
  c->saved_fd = dup(STDERR_FILENO);
  if (c->saved_fd < 0 || dup2(fileno(c->tmp), STDERR_FILENO) < 0) {
    if (c->saved_fd >= 0)
      close(c->saved_fd);
    c->saved_fd = -1;
    fclose(c->tmp);
    c->tmp = NULL;
  }
}

void hp_ocl_capture_end(hp_ocl_capture *c, hp_buf *into) {
  char chunk[512];
  size_t n;
  if (!c->tmp)
    return;
  fflush(stderr);
  dup2(c->saved_fd, STDERR_FILENO);
  close(c->saved_fd);
  rewind(c->tmp);
  while (into && (n = fread(chunk, 1, sizeof chunk, c->tmp)) > 0)
    hp_buf_append(into, chunk, n);
  fclose(c->tmp);
  c->tmp = NULL;
  c->saved_fd = -1;
}
