/* numfmt.h - numbers to text and back, at the bottom of the house: the
 * round-trip form files and JSON need (hp_fmt_number, hp_fmt_parse_number,
 * in the C locale whatever the process locale) and the forms people read
 * (grouped, significant digits, SI prefixes; never an exponent). Used by
 * the loaders, the engines, the renderers and the charts alike. Depends on
 * nothing of hetplan; no allocation.
 */
#ifndef HP_NUMFMT_H
#define HP_NUMFMT_H

#include <stddef.h>

/* Parses a locale-independent finite number from a whole string. Returns 1 on
 * success. Used for command-line values too. */
int hp_fmt_parse_number(const char *s, double *out);
/* Formats a double so that it reads back exactly ("%.17g" shortened), in the
 * C locale whatever the process locale. Returns buf. */
char *hp_fmt_number(double v, char *buf, size_t size);

/* "1,234,567.89": a number with thousands separators and `decimals`. */
char *hp_fmt_grouped(double v, int decimals, char *buf, size_t size);
/* v rounded to `sig` significant digits and written without an exponent:
 * "4,000,000,000,000", "0.000123", "12.5". For numbers people read. */
char *hp_fmt_sig(double v, int sig, char *buf, size_t size);
/* A count people read: whole and grouped from 1,000 on ("6,666,666,666,667
 * tokens/day"), else 6 significant digits; never an exponent. */
char *hp_fmt_count(double v, char *buf, size_t size);
/* v with an SI prefix on `unit`, `sig` significant digits: "1.019
 * EFLOP/s", "312 TFLOP". */
char *hp_fmt_si(double v, int sig, const char *unit, char *buf, size_t size);

#endif
