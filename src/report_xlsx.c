/* report_xlsx.c - the Excel workbook of a plan, batch, sweep or Monte Carlo
 * run, written with libxlsxwriter (libxlsxwriter-dev), the only file that
 * includes its header.
 *
 * One worksheet per sheet of report_doc.c. Numbers are written as numbers
 * with a number format, and every text as a string cell
 * (worksheet_write_string), so a scenario named "=HYPERLINK(...)" stays
 * text and never becomes a formula. Charts are Excel's own, drawn from the
 * cells. libxlsxwriter writes to a file only (1.1.4 has no memory output):
 * the workbook is written to a private temporary file, read back and
 * removed, so that the CLI writes it atomically like every other report.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "mem.h"
#include "report_doc.h"
#include "yamlx.h" /* hp_yaml_read_file */

/* A workbook is at most this large (a million-row sweep is ~40 MB). */
#define XLSX_MAX_BYTES (512u * 1024 * 1024)

typedef struct fmts {
  lxw_format *head, *title, *note, *fmt[6];
} fmts;

static void make_formats(lxw_workbook *wb, fmts *f) {
  f->head = workbook_add_format(wb);
  format_set_bold(f->head);
  format_set_bg_color(f->head, 0xDDE4EE);
  format_set_text_wrap(f->head);
  f->title = workbook_add_format(wb);
  format_set_bold(f->title);
  f->note = workbook_add_format(wb);
  format_set_italic(f->note);
  static const char *const num[] = {"@",       "#,##0", "#,##0.00",
                                    "#,##0.0", "0.0%",  "#,##0.######"};
  for (int i = 0; i < 6; i++) {
    f->fmt[i] = workbook_add_format(wb);
    format_set_num_format(f->fmt[i], num[i]);
  }
}

/* Excel's own chart of a table whose data starts at row r0 (its header),
 * placed at column col, right of the sheet's widest table (a chart beside a
 * narrow table would cover a wider one below it). */
static void add_chart(lxw_workbook *wb, lxw_worksheet *ws, const char *sheet,
                      const hp_doc_table *t, lxw_row_t r0, lxw_col_t col) {
  if (t->chart == HP_DOC_CHART_NONE || t->n_rows == 0)
    return;
  uint8_t type = t->chart == HP_DOC_CHART_STACKED ? LXW_CHART_COLUMN_STACKED
                 : t->chart == HP_DOC_CHART_STEPS
                     ? LXW_CHART_SCATTER_STRAIGHT_WITH_MARKERS
                     : LXW_CHART_COLUMN;
  lxw_chart *c = workbook_add_chart(wb, type);
  if (!c)
    return;
  lxw_row_t first = r0 + 1, last = r0 + (lxw_row_t)t->n_rows;
  for (size_t k = t->first_series; k <= t->last_series; k++) {
    lxw_chart_series *s = chart_add_series(c, NULL, NULL);
    if (!s)
      return;
    chart_series_set_categories(s, sheet, first, 0, last, 0);
    chart_series_set_values(s, sheet, first, (lxw_col_t)k, last, (lxw_col_t)k);
    chart_series_set_name_range(s, sheet, r0, (lxw_col_t)k);
  }
  chart_title_set_name(c, t->chart_title);
  chart_axis_set_name(c->x_axis, t->x_title);
  chart_axis_set_name(c->y_axis, t->y_title);
  chart_axis_set_num_format(c->y_axis, "#,##0");
  if (t->chart != HP_DOC_CHART_STEPS) /* bars start at zero */
    chart_axis_set_min(c->y_axis, 0);
  if (t->chart != HP_DOC_CHART_STACKED)
    chart_axis_set_num_format(c->x_axis, "#,##0.####");
  if (t->chart == HP_DOC_CHART_COLUMNS)
    chart_legend_set_position(c, LXW_CHART_LEGEND_NONE);
  else
    chart_legend_set_position(c, LXW_CHART_LEGEND_BOTTOM);
  lxw_chart_options o = {0};
  o.x_scale = 1.6;
  o.y_scale = 1.5;
  worksheet_insert_chart_opt(ws, r0, col, c, &o);
}

static int write_sheet(lxw_workbook *wb, const hp_doc_sheet *sh,
                       const char *doc_title, const fmts *f) {
  lxw_worksheet *ws = workbook_add_worksheet(wb, sh->name);
  if (!ws)
    return HP_ENOMEM;
  lxw_row_t r = 0;
  worksheet_write_string(ws, r++, 0, doc_title, f->title);
  if (sh->note && *sh->note)
    worksheet_write_string(ws, r++, 0, sh->note, f->note);
  size_t widest = 0;
  for (size_t k = 0; k < sh->n_tables; k++)
    if (sh->tables[k].n_cols > widest)
      widest = sh->tables[k].n_cols;
  for (size_t k = 0; k < sh->n_tables; k++) {
    const hp_doc_table *t = &sh->tables[k];
    r++;
    worksheet_write_string(ws, r++, 0, t->title, f->title);
    lxw_row_t r0 = r;
    for (size_t c = 0; c < t->n_cols; c++)
      worksheet_write_string(ws, r, (lxw_col_t)c, t->head[c], f->head);
    r++;
    for (size_t i = 0; i < t->n_rows; i++, r++)
      for (size_t c = 0; c < t->n_cols; c++) {
        const hp_doc_cell *x = &t->cells[i * t->n_cols + c];
        lxw_error e = LXW_NO_ERROR;
        if (x->kind == 1)
          e = worksheet_write_number(ws, r, (lxw_col_t)c, x->v,
                                     f->fmt[t->fmt[c]]);
        else if (x->kind == 2)
          e = worksheet_write_string(ws, r, (lxw_col_t)c, x->s, NULL);
        if (e == LXW_ERROR_MEMORY_MALLOC_FAILED)
          return HP_ENOMEM;
      }
    add_chart(wb, ws, sh->name, t, r0, (lxw_col_t)(widest + 1));
  }
  worksheet_set_column(ws, 0, (lxw_col_t)(widest ? widest - 1 : 0), 16, NULL);
  /* Printed: A4 landscape, each sheet one page wide. */
  worksheet_set_paper(ws, 9);
  worksheet_set_landscape(ws);
  worksheet_fit_to_pages(ws, 1, 0);
  return HP_OK;
}

int hp_report_xlsx(const hp_doc *doc, char **out, size_t *len, hp_diag *d) {
  hp_doc_sheets s;
  int rc = hp_report_doc_build(doc, &s, d);
  if (rc != HP_OK)
    return rc;
  const char *dir = getenv("TMPDIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/hetplan-xlsx-XXXXXX",
           dir && *dir ? dir : "/tmp");
  int fd = mkstemp(path);
  if (fd < 0) {
    hp_report_doc_sheets_cleanup(&s);
    return hp_diag_set(d, HP_EIO, NULL, 0, 0,
                       "cannot create a temporary file for the workbook in "
                       "%.200s (set TMPDIR)",
                       dir && *dir ? dir : "/tmp");
  }
  close(fd);
  lxw_workbook *wb = workbook_new(path);
  if (!wb) {
    rc = hp_diag_oom(d);
    goto out;
  }
  fmts f;
  make_formats(wb, &f);
  for (int i = 0; i < s.n_sheets && rc == HP_OK; i++)
    rc = write_sheet(wb, &s.sheet[i], s.title, &f);
  lxw_error e = workbook_close(wb);
  if (rc != HP_OK) {
    rc = hp_diag_oom(d);
    goto out;
  }
  if (e != LXW_NO_ERROR) {
    rc = hp_diag_set(
        d, e == LXW_ERROR_MEMORY_MALLOC_FAILED ? HP_ENOMEM : HP_EIO, NULL, 0, 0,
        "cannot write the workbook: %s", lxw_strerror(e));
    goto out;
  }
  rc = hp_yaml_read_file(path, XLSX_MAX_BYTES, out, len, d);
out:
  unlink(path);
  hp_report_doc_sheets_cleanup(&s);
  return rc;
}
