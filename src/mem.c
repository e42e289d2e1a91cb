/* mem.c - allocation through a settable hook (the fault-injection seam). */
#include "mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hetplan.h"

static void *libc_malloc(size_t size, void *ud) {
  (void)ud;
  return malloc(size);
}
static void *libc_realloc(void *p, size_t size, void *ud) {
  (void)ud;
  return realloc(p, size);
}
static void libc_free(void *p, void *ud) {
  (void)ud;
  free(p);
}

static const hp_allocator libc_allocator = {libc_malloc, libc_realloc,
                                            libc_free, NULL};
static hp_allocator current = {libc_malloc, libc_realloc, libc_free, NULL};

void hp_set_allocator(const hp_allocator *a) {
  current = a ? *a : libc_allocator;
}

void *hp_malloc(size_t size) {
  return current.malloc_fn(size ? size : 1, current.ud);
}

void *hp_calloc(size_t n, size_t size) {
  if (size && n > SIZE_MAX / size)
    return NULL;
  size_t bytes = n * size;
  void *p = hp_malloc(bytes);
  if (p)
    memset(p, 0, bytes ? bytes : 1);
  return p;
}

void *hp_realloc(void *p, size_t size) {
  return current.realloc_fn(p, size ? size : 1, current.ud);
}

void hp_free(void *p) {
  if (p)
    current.free_fn(p, current.ud);
}

char *hp_strndup(const char *s, size_t n) {
  if (!s)
    return NULL;
  char *r = hp_malloc(n + 1);
  if (!r)
    return NULL;
  memcpy(r, s, n);
  r[n] = '\0';
  return r;
}

char *hp_strdup(const char *s) { return s ? hp_strndup(s, strlen(s)) : NULL; }
