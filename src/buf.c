/* buf.c - growable buffer. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

void hp_buf_init(hp_buf *b) { memset(b, 0, sizeof *b); }

void hp_buf_cleanup(hp_buf *b) {
  hp_free(b->data);
  memset(b, 0, sizeof *b);
}

static int reserve(hp_buf *b, size_t extra) {
  if (b->oom)
    return 0;
  if (b->len + extra + 1 <= b->cap)
    return 1;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *p = hp_realloc(b->data, cap);
  if (!p) {
    b->oom = 1;
    return 0;
  }
  b->data = p;
  b->cap = cap;
  return 1;
}

void hp_buf_append(hp_buf *b, const char *s, size_t n) {
  if (!reserve(b, n))
    return;
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void hp_buf_puts(hp_buf *b, const char *s) { hp_buf_append(b, s, strlen(s)); }

void hp_buf_putc(hp_buf *b, char c) { hp_buf_append(b, &c, 1); }

void hp_buf_repeat(hp_buf *b, const char *s, size_t times) {
  for (size_t i = 0; i < times; i++)
    hp_buf_puts(b, s);
}

void hp_buf_cell(hp_buf *b, const char *s, int markdown) {
  for (; *s; s++) {
    if (*s == '\n' || *s == '\r' || *s == '\t')
      hp_buf_putc(b, ' ');
    else if (*s == '|' && markdown)
      hp_buf_puts(b, "\\|");
    else
      hp_buf_putc(b, *s);
  }
}

size_t hp_cell_len(const char *s, int markdown) {
  size_t n = 0;
  for (; *s; s++)
    n += *s == '|' && markdown ? 2 : 1;
  return n;
}

void hp_buf_printf(hp_buf *b, const char *fmt, ...) {
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n < sizeof small) {
    hp_buf_append(b, small, (size_t)n);
    return;
  }
  if (!reserve(b, (size_t)n))
    return;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

int hp_buf_detach(hp_buf *b, char **out, size_t *len) {
  if (b->oom) {
    hp_buf_cleanup(b);
    return HP_ENOMEM;
  }
  if (!b->data) {
    if (!reserve(b, 0)) {
      hp_buf_cleanup(b);
      return HP_ENOMEM;
    }
    b->data[0] = '\0';
  }
  *out = b->data;
  if (len)
    *len = b->len;
  memset(b, 0, sizeof *b);
  return HP_OK;
}
