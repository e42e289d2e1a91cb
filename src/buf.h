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
/* Text for people to read. Names come from plan, device, model and profile
 * files and from drivers, and none of their bytes may act on a terminal, a
 * spreadsheet or a Markdown viewer; every renderer writes them through these
 * functions. What they write is valid UTF-8 with no control characters:
 *   - newline, CR and tab as \n, \r, \t; the other C0 controls and DEL as
 *     \xHH (ESC is \x1b, so an escape sequence shows as text);
 *   - C1 controls (U+0080..U+009F) and the bidirectional and line-separator
 *     controls (U+061C, U+200E/F, U+2028..U+202E, U+2066..U+2069) as
 *     \uHHHH;
 *   - a byte that is not part of valid UTF-8 as \xHH;
 *   - everything else as it is. A backslash stays as it is, so escaping
 *     twice changes nothing. */
void hp_buf_text(hp_buf *b, const char *s);
/* hp_buf_text for Markdown: also backslash-escapes \ | < [ and &, which
 * would end a table cell, start raw HTML, a link or an entity, or undo the
 * escape that follows them. */
void hp_buf_md(hp_buf *b, const char *s);
/* A table cell: hp_buf_md when markdown, else hp_buf_text. hp_buf_cell_len is
 * the terminal columns hp_buf_cell writes (wide CJK characters count 2),
 * for column widths. NULL is the empty cell. */
void hp_buf_cell(hp_buf *b, const char *s, int markdown);
size_t hp_buf_cell_len(const char *s, int markdown);
/* hp_buf_text into out[size] (NUL-terminated), for fixed buffers such as a
 * diagnostic's: whole characters and escapes only, cut short when out is
 * full. Returns the length written. */
size_t hp_buf_text_escape(const char *s, char *out, size_t size);
/* A JSON string, quoted: " and \ escaped, and every character hp_buf_text
 * escapes written as \uHHHH (the same string to a JSON reader, inert on a
 * terminal); a byte that is not valid UTF-8 becomes U+FFFD. NULL is "". */
void hp_buf_json_str(hp_buf *b, const char *s);
/* A YAML double-quoted scalar: " and \ escaped, control characters (C0,
 * DEL, C1: outside YAML's printable set, so libyaml would refuse the file)
 * and the characters hp_buf_text escapes written as YAML escapes; a byte
 * that is not valid UTF-8 becomes U+FFFD. Reads back as the same string
 * wherever s is valid UTF-8. NULL is "". */
void hp_buf_yaml_str(hp_buf *b, const char *s);
/* The safety net under a finished text report: escapes, as hp_buf_text
 * does, every control byte from offset `from` on except the newlines that
 * end its lines (a NUL as \x00). Renderers escape each name as they write
 * it; this catches one they missed. Returns HP_OK, or HP_ENOMEM (b is then
 * emptied and marked oom). */
int hp_buf_guard(hp_buf *b, size_t from);
/* The safety net under JSON written by jansson, which escapes only C0: DEL,
 * C1 and the bidirectional and line-separator controls from offset `from`
 * on become \uHHHH. Those characters can only stand inside JSON strings,
 * so the document reads back the same. Returns HP_OK or HP_ENOMEM (b is
 * then emptied and marked oom). */
int hp_buf_json_guard(hp_buf *b, size_t from);
/* Hands the contents to the caller (hp_free) and resets b. Returns HP_ENOMEM
 * if any append failed (and frees the contents). */
int hp_buf_detach(hp_buf *b, char **out, size_t *len);

#endif
