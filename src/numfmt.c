/* numfmt.c - numbers to text and back (numfmt.h). The C numeric locale is
 * made once per process; nothing else is kept and nothing is allocated. */
#define _GNU_SOURCE /* strtod_l, newlocale */
#include "numfmt.h"

#include <errno.h>
#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------------------
 * Round-trip numbers
 * ------------------------------------------------------------------------- */

/* The "C" numeric locale, made once for every thread (pthread_once). */
static locale_t c_loc = (locale_t)0;
static pthread_once_t c_loc_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void) {
  c_loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}
static locale_t c_locale(void) {
  pthread_once(&c_loc_once, make_c_locale);
  return c_loc;
}

int hp_fmt_parse_number(const char *s, double *out) {
  if (!s || !*s)
    return 0;
  const char *p = s;
  /* Hexadecimal floats, inf and nan are not YAML numbers here. */
  for (const char *q = s; *q; q++)
    if (*q == 'x' || *q == 'X' || *q == 'n' || *q == 'N' || *q == 'i' ||
        *q == 'I')
      return 0;
  if (isspace((unsigned char)*p))
    return 0;
  char *end;
  errno = 0;
  double v = strtod_l(p, &end, c_locale());
  if (end == p || *end != '\0' || !isfinite(v))
    return 0;
  *out = v;
  return 1;
}

char *hp_fmt_number(double v, char *buf, size_t size) {
  /* A whole number below 1e15 (counts, CNY): its digits, which is what
   * %.15g prints, without the printf and read-back (most of a sweep
   * table's numbers). */
  if (fabs(v) < 1e15 && v == (double)(long long)v && !(v == 0 && signbit(v)) &&
      size >= 18) {
    long long w = (long long)v;
    unsigned long long u =
        w < 0 ? 0 - (unsigned long long)w : (unsigned long long)w;
    char tmp[20];
    size_t k = 0;
    do {
      tmp[k++] = (char)('0' + u % 10);
      u /= 10;
    } while (u);
    size_t o = 0;
    if (w < 0)
      buf[o++] = '-';
    while (k)
      buf[o++] = tmp[--k];
    buf[o] = 0;
    return buf;
  }
  /* Shortest of %.15g, %.16g, %.17g that reads back exactly. */
  locale_t old = uselocale(c_locale());
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, size, "%.*g", prec, v);
    double back = strtod_l(buf, NULL, c_locale());
    if (back == v)
      break;
  }
  uselocale(old);
  return buf;
}

/* ----------------------------------------------------------------------------
 * Numbers people read
 * ------------------------------------------------------------------------- */

char *hp_fmt_grouped(double v, int decimals, char *buf, size_t size) {
  char raw[64];
  if (!isfinite(v)) {
    snprintf(buf, size, "%s", isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
    return buf;
  }
  /* Past a quadrillion a double has no more digits to show: the first 15
   * significant ones, then zeros (people read no exponents). */
  if (fabs(v) >= 1e15)
    return hp_fmt_sig(v, 15, buf, size);
  snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
  const char *dot = strchr(raw, '.');
  size_t int_len = dot ? (size_t)(dot - raw) : strlen(raw);
  char out[96];
  size_t o = 0;
  int neg = v < 0 && strspn(raw, "0.") != strlen(raw);
  if (neg)
    out[o++] = '-';
  for (size_t i = 0; i < int_len; i++) {
    if (i && (int_len - i) % 3 == 0)
      out[o++] = ',';
    out[o++] = raw[i];
  }
  if (dot)
    for (const char *p = dot; *p && o < sizeof out - 1; p++)
      out[o++] = *p;
  out[o] = '\0';
  snprintf(buf, size, "%s", out);
  return buf;
}

char *hp_fmt_sig(double v, int sig, char *buf, size_t size) {
  if (!isfinite(v) || v == 0 || fabs(v) >= 1e30 || fabs(v) < 1e-15) {
    if (isfinite(v) && v != 0)
      snprintf(buf, size, "%.*g", sig, v); /* beyond every input limit */
    else
      return hp_fmt_grouped(v, 0, buf, size);
    return buf;
  }
  if (sig < 1)
    sig = 1;
  if (sig > 15)
    sig = 15;
  /* "%.*e" rounds to sig digits; its mantissa's digits and exponent are
   * then laid out without the exponent. */
  char e[48];
  snprintf(e, sizeof e, "%.*e", sig - 1, fabs(v));
  char digits[20];
  size_t nd = 0;
  const char *p = e;
  for (; *p && *p != 'e'; p++)
    if (*p >= '0' && *p <= '9')
      digits[nd++] = *p;
  int ex = atoi(p + 1);
  while (nd > 1 && digits[nd - 1] == '0' && (int)nd - 1 > ex)
    nd--; /* trailing zeros after the point say nothing */
  char out[96];
  size_t o = 0;
  if (v < 0)
    out[o++] = '-';
  if (ex < 0) {
    out[o++] = '0';
    out[o++] = '.';
    for (int i = -1; i > ex; i--)
      out[o++] = '0';
    for (size_t i = 0; i < nd; i++)
      out[o++] = digits[i];
  } else {
    int int_len = ex + 1;
    for (int i = 0; i < int_len; i++) {
      if (i && (int_len - i) % 3 == 0)
        out[o++] = ',';
      out[o++] = (size_t)i < nd ? digits[i] : '0';
    }
    if ((int)nd > int_len) {
      out[o++] = '.';
      for (size_t i = (size_t)int_len; i < nd; i++)
        out[o++] = digits[i];
    }
  }
  out[o] = '\0';
  snprintf(buf, size, "%s", out);
  return buf;
}

char *hp_fmt_count(double v, char *buf, size_t size) {
  if (isfinite(v) && fabs(v) >= 1000)
    return hp_fmt_grouped(v, 0, buf, size);
  return hp_fmt_sig(v, 6, buf, size);
}

char *hp_fmt_si(double v, int sig, const char *unit, char *buf, size_t size) {
  static const char *const pre[] = {"", "k", "M", "G", "T", "P", "E", "Z", "Y"};
  int k = 0;
  double a = fabs(v);
  while (k < 8 && a >= 999.95) {
    a /= 1000;
    k++;
  }
  char n[64];
  hp_fmt_sig(v < 0 ? -a : a, sig, n, sizeof n);
  snprintf(buf, size, "%s %s%s", n, pre[k], unit);
  return buf;
}
