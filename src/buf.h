/* buf.h - a growable byte buffer for messages and reports (redis sds idea,
 * kept plain). A buffer that failed to grow stays valid and remembers the
 * failure in .oom, so renderers can append freely and check once. */
#ifndef HP_BUF_H
#define HP_BUF_H

#include <stddef.h>

#include "status.h"

typedef struct hp_buf {
  char *data; /* NUL-terminated contents, NULL until the first append */
  size_t len; /* bytes used, without the NUL */
  size_t cap; /* bytes allocated */
  int oom;    /* 1 once an append failed; further appends do nothing */
} hp_buf;

void hp_buf_init(hp_buf *b);
void hp_buf_cleanup(hp_buf *b);
void hp_buf_append(hp_buf *b, const char *s, size_t n);
void hp_buf_puts(hp_buf *b, const char *s);
void hp_buf_printf(hp_buf *b, const char *fmt, ...) HP_PRINTF(2, 3);
void hp_buf_putc(hp_buf *b, char c);
void hp_buf_repeat(hp_buf *b, const char *s, size_t times);
/* A table cell: line breaks and tabs become spaces (they would break any
 * row), and in Markdown '|' is escaped as '\|'. hp_cell_len is the length
 * hp_buf_cell writes, for column widths. */
void hp_buf_cell(hp_buf *b, const char *s, int markdown);
size_t hp_cell_len(const char *s, int markdown);
/* Hands the contents to the caller (hp_free) and resets b. Returns HP_ENOMEM
 * if any append failed (and frees the contents). */
int hp_buf_detach(hp_buf *b, char **out, size_t *len);

#endif
