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

/* ----------------------------------------------------------------------------
 * Text for people to read
 *
 * One walker serves every escaping entry point, so that what is written and
 * the width counted for it cannot disagree. A "unit" is one byte, one valid
 * UTF-8 sequence, or one of those written as an escape.
 * ------------------------------------------------------------------------- */

enum { ESC_TEXT = 0, ESC_MD = 1, ESC_KEEP_NL = 2 };

/* Code points that reorder or break lines where they are shown: the
 * bidirectional embeddings, overrides and isolates ("Trojan Source"), the
 * LRM/RLM/ALM marks, and U+2028/2029. */
static int bidi_or_separator(unsigned cp) {
  return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
         (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Terminal columns of a printable code point: 2 for East Asian wide and
 * fullwidth forms, 0 for combining marks and zero-width characters, else 1
 * (wcwidth would need the process locale, which a library must not set). */
static size_t cp_columns(unsigned cp) {
  if ((cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x200b && cp <= 0x200d) ||
      (cp >= 0xfe00 && cp <= 0xfe0f) || cp == 0xfeff)
    return 0;
  if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) ||
      (cp >= 0x3041 && cp <= 0x33ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
      (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
      (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd))
    return 2;
  return 1;
}

/* Decodes one UTF-8 sequence at s into *cp; returns its length, or 0 when
 * s does not start a valid one (overlong, surrogate, past U+10FFFF, cut
 * short). */
static size_t utf8_decode(const unsigned char *s, unsigned *cp) {
  unsigned c = s[0];
  size_t n;
  unsigned min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2, min = 0x80, c &= 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3, min = 0x800, c &= 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4, min = 0x10000, c &= 0x07;
  } else {
    return 0;
  }
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0; /* also stops at the NUL */
    c = c << 6 | (s[i] & 0x3f);
  }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
    return 0;
  *cp = c;
  return n;
}

/* The unit at s: sets *n to the bytes it takes and returns the text to
 * write for it in esc (NUL-terminated), or NULL when the bytes are written
 * as they are; *cols is the terminal columns of what is written. */
static const char *unit(const char *str, int mode, size_t *n, char esc[12],
                        size_t *cols) {
  const unsigned char *s = (const unsigned char *)str;
  unsigned cp;
  size_t len = utf8_decode(s, &cp);
  if (len == 0) { /* a byte that is not UTF-8: its value */
    *n = 1;
    snprintf(esc, 12, "\\x%02x", s[0]);
  } else if (cp < 0x20 || cp == 0x7f) {
    *n = 1;
    if (cp == '\n' && (mode & ESC_KEEP_NL)) {
      *cols = 0;
      return NULL;
    }
    if (cp == '\n' || cp == '\r' || cp == '\t')
      snprintf(esc, 12, "\\%c", cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't');
    else
      snprintf(esc, 12, "\\x%02x", cp);
  } else if ((cp >= 0x80 && cp <= 0x9f) || bidi_or_separator(cp)) {
    *n = len;
    snprintf(esc, 12, "\\u%04x", cp);
  } else if ((mode & ESC_MD) &&
             (cp == '\\' || cp == '|' || cp == '<' || cp == '[' || cp == '&')) {
    /* A backslash escape for each character that would end a table cell,
     * start raw HTML, a link or an entity, or undo the escape after it. */
    *n = 1;
    snprintf(esc, 12, "\\%c", cp);
  } else {
    *n = len;
    *cols = cp_columns(cp);
    return NULL;
  }
  *cols = strlen(esc);
  return esc;
}

/* Writes s escaped for mode into b (when b is not NULL); returns the
 * terminal columns of what it writes. */
static size_t walk(hp_buf *b, const char *s, int mode) {
  size_t cols = 0;
  const char *run = s; /* bytes written as they are, not yet appended */
  while (*s) {
    unsigned char c = (unsigned char)*s;
    /* Fast path: printable ASCII that no mode escapes. */
    if (c >= 0x20 && c < 0x7f &&
        !((mode & ESC_MD) &&
          (c == '\\' || c == '|' || c == '<' || c == '[' || c == '&'))) {
      cols++;
      s++;
      continue;
    }
    size_t n, w;
    char esc[12];
    const char *e = unit(s, mode, &n, esc, &w);
    if (e && b) {
      hp_buf_append(b, run, (size_t)(s - run));
      hp_buf_append(b, e, strlen(e));
    }
    cols += w;
    s += n;
    if (e)
      run = s;
  }
  if (b)
    hp_buf_append(b, run, (size_t)(s - run));
  return cols;
}

void hp_buf_text(hp_buf *b, const char *s) { walk(b, s ? s : "", ESC_TEXT); }

void hp_buf_md(hp_buf *b, const char *s) { walk(b, s ? s : "", ESC_MD); }

void hp_buf_cell(hp_buf *b, const char *s, int markdown) {
  walk(b, s ? s : "", markdown ? ESC_MD : ESC_TEXT);
}

size_t hp_buf_cell_len(const char *s, int markdown) {
  return walk(NULL, s ? s : "", markdown ? ESC_MD : ESC_TEXT);
}

size_t hp_buf_text_escape(const char *s, char *out, size_t size) {
  size_t o = 0;
  if (size == 0)
    return 0;
  for (s = s ? s : ""; *s;) {
    size_t n, w;
    char esc[12];
    const char *e = unit(s, ESC_TEXT, &n, esc, &w);
    size_t k = e ? strlen(e) : n;
    if (o + k >= size)
      break; /* whole units only: never half an escape or a character */
    memcpy(out + o, e ? e : s, k);
    o += k;
    s += n;
  }
  out[o] = '\0';
  return o;
}

void hp_buf_json_str(hp_buf *b, const char *s) {
  hp_buf_putc(b, '"');
  for (s = s ? s : ""; *s;) {
    unsigned cp;
    size_t n = utf8_decode((const unsigned char *)s, &cp);
    if (n == 0) {
      hp_buf_puts(b, "\\ufffd"); /* JSON text is UTF-8: a stray byte is not */
      s++;
      continue;
    }
    if (cp == '"' || cp == '\\')
      hp_buf_printf(b, "\\%c", cp);
    else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
             bidi_or_separator(cp))
      hp_buf_printf(b, "\\u%04x", cp);
    else
      hp_buf_append(b, s, n);
    s += n;
  }
  hp_buf_putc(b, '"');
}

void hp_buf_yaml_str(hp_buf *b, const char *s) {
  hp_buf_putc(b, '"');
  for (s = s ? s : ""; *s;) {
    unsigned cp;
    size_t n = utf8_decode((const unsigned char *)s, &cp);
    if (n == 0) {
      hp_buf_puts(b, "\\ufffd"); /* YAML text is Unicode: a stray byte is not */
      s++;
      continue;
    }
    if (cp == '"' || cp == '\\')
      hp_buf_printf(b, "\\%c", cp);
    else if (cp == '\n' || cp == '\t' || cp == '\r')
      hp_buf_printf(b, "\\%c", cp == '\n' ? 'n' : cp == '\t' ? 't' : 'r');
    else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
      hp_buf_printf(b, "\\x%02x", cp); /* outside YAML's printable set */
    else if (bidi_or_separator(cp) || cp == 0xfffe || cp == 0xffff)
      hp_buf_printf(b, "\\u%04x", cp);
    else
      hp_buf_append(b, s, n);
    s += n;
  }
  hp_buf_putc(b, '"');
}

int hp_buf_guard(hp_buf *b, size_t from) {
  if (b->oom || !b->data || from >= b->len)
    return b->oom ? HP_ENOMEM : HP_OK;
  /* Fast path: the renderers' own text needs nothing. */
  const char *p = b->data + from;
  size_t n, w;
  char esc[12];
  for (;;) {
    unsigned char c = (unsigned char)*p;
    if ((c >= 0x20 && c < 0x7f) || c == '\n')
      p++;
    else if (c && !unit(p, ESC_KEEP_NL, &n, esc, &w))
      p += n;
    else
      break;
  }
  if (!*p && (size_t)(p - b->data) == b->len)
    return HP_OK;
  /* A NUL inside the buffer (written with hp_buf_append) is a byte the
   * walker would stop at: it is written as \x00 here. */
  hp_buf t;
  hp_buf_init(&t);
  hp_buf_append(&t, b->data, (size_t)(p - b->data));
  for (size_t i = (size_t)(p - b->data); i < b->len;) {
    if (b->data[i] == '\0') {
      hp_buf_puts(&t, "\\x00");
      i++;
      continue;
    }
    const char *e = unit(b->data + i, ESC_KEEP_NL, &n, esc, &w);
    hp_buf_append(&t, e ? e : b->data + i, e ? strlen(e) : n);
    i += n;
  }
  if (t.oom) {
    hp_buf_cleanup(&t);
    hp_buf_cleanup(b);
    b->oom = 1;
    return HP_ENOMEM;
  }
  hp_buf_cleanup(b);
  *b = t;
  return HP_OK;
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

int hp_buf_json_guard(hp_buf *b, size_t from) {
  if (b->oom || !b->data || from >= b->len)
    return b->oom ? HP_ENOMEM : HP_OK;
  hp_buf t;
  hp_buf_init(&t);
  size_t done = from; /* b->data[from..done) is already in t or kept */
  int changed = 0;
  for (size_t i = from; i < b->len;) {
    unsigned cp;
    size_t n = utf8_decode((const unsigned char *)b->data + i, &cp);
    int esc = n != 0 && (cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
                         bidi_or_separator(cp));
    if (n == 0)
      n = 1; /* not UTF-8 (or a NUL): jansson writes neither */
    if (esc) {
      if (!changed)
        hp_buf_append(&t, b->data, from);
      changed = 1;
      hp_buf_append(&t, b->data + done, i - done);
      hp_buf_printf(&t, "\\u%04x", cp);
      done = i + n;
    }
    i += n;
  }
  if (!changed)
    return HP_OK;
  hp_buf_append(&t, b->data + done, b->len - done);
  hp_buf_cleanup(b);
  if (t.oom) {
    hp_buf_cleanup(&t);
    b->oom = 1;
    return HP_ENOMEM;
  }
  *b = t;
  return HP_OK;
}
