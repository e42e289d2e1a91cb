/* status.c - status names and messages, generated from HP_STATUS_MAP, and
 * the hp_diag helpers. Nothing here allocates. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *hp_strerror(int status) {
  switch (status) {
#define XX(name, value, msg)                                                   \
  case value:                                                                  \
    return msg;
    HP_STATUS_MAP(XX)
#undef XX
  }
  return "unknown status";
}

const char *hp_status_name(int status) {
  switch (status) {
#define XX(name, value, msg)                                                   \
  case value:                                                                  \
    return "HP_" #name;
    HP_STATUS_MAP(XX)
#undef XX
  }
  return "HP_UNKNOWN";
}

void hp_diag_clear(hp_diag *d) {
  if (!d)
    return;
  memset(d, 0, sizeof *d);
}

int hp_diag_format(const hp_diag *d, char *buf, size_t size) {
  if (!d)
    return snprintf(buf, size, "%s", "");
  if (d->file[0] && d->line > 0 && d->column > 0)
    return snprintf(buf, size, "%s:%d:%d: %s", d->file, d->line, d->column,
                    d->msg);
  if (d->file[0] && d->line > 0)
    return snprintf(buf, size, "%s:%d: %s", d->file, d->line, d->msg);
  if (d->file[0])
    return snprintf(buf, size, "%s: %s", d->file, d->msg);
  return snprintf(buf, size, "%s", d->msg);
}

int hp_diag_set(hp_diag *d, int status, const char *file, int line, int col,
                const char *fmt, ...) {
  if (!d)
    return status;
  d->status = status;
  snprintf(d->file, sizeof d->file, "%s", file ? file : "");
  d->line = line;
  d->column = col;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(d->msg, sizeof d->msg, fmt, ap);
  va_end(ap);
  return status;
}

int hp_diag_oom(hp_diag *d) {
  return hp_diag_set(d, HP_ENOMEM, NULL, 0, 0, "out of memory");
}
