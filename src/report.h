/* report.h - renderers over finished plans and the catalog. Renderers only
 * format: every figure they print was computed by the planner. */
#ifndef HP_REPORT_H
#define HP_REPORT_H

#include "buf.h"
#include "hetplan.h"
#include "model.h"
#include "numfmt.h" /* hp_fmt_*, hp_fmt_number */

void hp_report_text_table(const hp_plan *p, hp_buf *b);
void hp_report_text_md(const hp_plan *p, hp_buf *b);
void hp_report_text_csv(const hp_plan *p, hp_buf *b);
int hp_report_json(const hp_plan *p, hp_buf *b);

void hp_report_text_catalog_table(const hp_catalog *c, hp_buf *b, int markdown);
void hp_report_text_catalog_csv(const hp_catalog *c, hp_buf *b);
int hp_report_json_catalog(const hp_catalog *c, hp_buf *b);
/* One card in full: every figure with its value, unit, confidence and
 * source, its market status and price date (hetplan devices ID). */
void hp_report_text_device_table(const hp_device_spec *s, hp_buf *b,
                                 int markdown);
void hp_report_text_device_csv(const hp_device_spec *s, hp_buf *b);
int hp_report_json_device(const hp_device_spec *s, hp_buf *b);

/* Why an optimal result is not proven optimal, into buf: "within 0.001%
 * (solver.mip_gap 1e-05)" or "stopped at solver.node_limit (200,000
 * nodes), within 0.0123% of the optimum"; NULL when it is proven. */
const char *hp_report_result_unproven(const hp_scenario_result *r, char *buf,
                                      size_t size);
/* A CSV text field: control characters escaped as hp_buf_text does (so a
 * field never spans lines), a leading '\'' before a cell that starts with
 * = + - @ tab or CR and is not a plain number (OWASP's CSV-injection rule:
 * a spreadsheet would run it as a formula), and quoted when it holds a
 * comma or a double quote. NULL writes nothing. Numbers are written with
 * hp_report_buf_number, never through this. */
void hp_report_csv_field(hp_buf *b, const char *s);
/* Appends a round-trip number (hp_fmt_number). */
void hp_report_buf_number(hp_buf *b, double v);

/* Appends the step-by-step derivation of every request class of s on
 * candidate `cand` to b, every number with its unit (`hetplan explain`;
 * report_explain.c). */
void hp_report_explain(const hp_scenario *s, size_t cand, hp_buf *b);
/* The same for a prefill-only or decode-only server of a disaggregated
 * service (`hetplan explain --phase`; report_phase.c); HP_PHASE_BOTH is
 * hp_report_explain. */
void hp_report_phase(const hp_scenario *s, size_t cand, hp_phase ph, hp_buf *b);
/* The heading lines both share (report_explain.c): the card and scenario,
 * "ID (name), scenario 'S'" with no line end, and a request class's line. */
void hp_report_explain_title(const hp_scenario *s, const hp_candidate *c,
                             hp_buf *b);
void hp_report_explain_class_head(const hp_request_class *k, hp_buf *b);

#endif
