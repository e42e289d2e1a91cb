/* mem.h - the library's allocator seam. Every allocation goes through these
 * so that tests can fail the Nth one (see tests/test_fault.c). */
#ifndef HP_MEM_H
#define HP_MEM_H

#include <stddef.h>

void *hp_malloc(size_t size);
void *hp_calloc(size_t n, size_t size);
void *hp_realloc(void *p, size_t size);
/* hp_free is public (hetplan.h). */
void hp_free(void *p);
/* Returns a copy of s (NULL if s is NULL or on OOM: check s first). */
char *hp_strdup(const char *s);
char *hp_strndup(const char *s, size_t n);

#endif
