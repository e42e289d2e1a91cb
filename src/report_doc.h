/* report_doc.h - the documents a buyer hands on: an Excel workbook
 * (report_xlsx.c) and a self-contained HTML page (report_html.c) of a plan,
 * a batch, a sweep, a Monte Carlo run or a plan with periods.
 *
 * Both are drawn from one set of sheets (report_doc.c): Summary, Vendors,
 * SKUs, Classes, Assumptions and Sources, each a table whose columns carry
 * their unit in the header and whose cells are numbers or text, never
 * numbers as text. The sheets only lay out figures the engines finished
 * (and bin a Monte Carlo histogram); they never solve.
 */
#ifndef HP_REPORT_DOC_H
#define HP_REPORT_DOC_H

#include <stddef.h>

#include "hetplan.h"
#include "whatif.h"

/* One plan of the document: solved, or failed to load (its diag). */
typedef struct hp_doc_plan {
  const char *path;      /* plan file as given */
  const hp_planfile *pf; /* the bound plan (its inputs), or NULL */
  const hp_plan *plan;   /* the solved plan, or NULL when it failed */
  const hp_diag *diag;   /* why it failed (when plan is NULL), or NULL */
} hp_doc_plan;

/* What a document shows. */
typedef struct hp_doc {
  const char *command;      /* "plan", "batch", "sweep" or "montecarlo" */
  const hp_doc_plan *plans; /* plan, batch: every plan; sweep, Monte Carlo:
                               the plan as written, solved once */
  size_t n_plans;
  const hp_wi_table *table; /* sweep or Monte Carlo rows, else NULL */
  const hp_catalog *cat;    /* the catalog the plans were bound to */
} hp_doc;

/* A plan with periods (issue 22): its scenarios' schedules, solved by
 * periods.c, shown as four sheets (Summary, Schedule, Assumptions,
 * Sources). Pass &x.doc to hp_report_xlsx or hp_report_html, with
 * doc.command "schedule" and doc.plans[0] the plan file (pf) and no plan:
 * hp_report_doc_schedule_of finds the schedules from there. */
typedef struct hp_doc_schedule {
  hp_doc doc;
  const struct hp_periods_result *results; /* n results */
  size_t n;
} hp_doc_schedule;

/** The schedule doc is the first member of, or NULL when doc's command is
 * not "schedule". Borrowed, as doc. */
const hp_doc_schedule *hp_report_doc_schedule_of(const hp_doc *doc);

/* Number formats of a column. */
typedef enum {
  HP_COL_TEXT = 0, /* text */
  HP_COL_INT,      /* grouped, no decimals: "1,234" */
  HP_COL_DEC2,     /* grouped, two decimals: "1,234.50" */
  HP_COL_DEC1,     /* grouped, one decimal */
  HP_COL_PCT,      /* a fraction shown as a percentage: 0.25 -> "25.0%" */
  HP_COL_SIG       /* up to 6 significant digits, no exponent */
} hp_col_fmt;

typedef struct hp_doc_cell {
  int kind; /* 0 empty, 1 number, 2 text */
  double v; /* the number */
  char *s;  /* the text (owned) */
} hp_doc_cell;

#define HP_DOC_MAX_COLS 32

/* A native chart drawn from a sheet's table: the first column gives the
 * categories (or x values), the columns [first_series, last_series] the
 * series. */
typedef enum {
  HP_DOC_CHART_NONE = 0,
  HP_DOC_CHART_STACKED, /* stacked columns: vendor mix per scenario */
  HP_DOC_CHART_STEPS,   /* x-y lines: a sweep's cost curve */
  HP_DOC_CHART_COLUMNS  /* plain columns: a histogram */
} hp_doc_chart_kind;

typedef struct hp_doc_table {
  char title[160]; /* shown above the table */
  size_t n_cols;
  const char *head[HP_DOC_MAX_COLS]; /* header with its unit (in head_text) */
  char *head_text; /* owned: the header strings; NULL only when out of memory */
  hp_col_fmt fmt[HP_DOC_MAX_COLS];
  size_t n_rows, cap;
  hp_doc_cell *cells;               /* n_rows x n_cols */
  hp_doc_chart_kind chart;          /* a chart of this table, or none */
  size_t first_series, last_series; /* its series columns */
  char chart_title[200], x_title[200], y_title[100];
} hp_doc_table;

#define HP_DOC_MAX_TABLES 3

typedef struct hp_doc_sheet {
  const char *name; /* "Summary", ... */
  size_t n_tables;
  hp_doc_table tables[HP_DOC_MAX_TABLES]; /* one below the other */
  char *note;                             /* a sentence under the title */
} hp_doc_sheet;

#define HP_DOC_SHEETS 6

typedef struct hp_doc_sheets {
  char title[400]; /* "Plan doubao-minsheng-2024 (plans/x.yaml)" */
  int n_sheets;    /* sheets in use: 6, or 4 for a schedule (Summary,
                      Schedule, Assumptions, Sources) */
  hp_doc_sheet sheet[HP_DOC_SHEETS];
} hp_doc_sheets;

/** Lays out the sheets of doc (six, or four for a schedule). HP_OK or HP_ENOMEM
 * (with d); free with hp_report_doc_sheets_cleanup either way. */
int hp_report_doc_build(const hp_doc *doc, hp_doc_sheets *out, hp_diag *d);
void hp_report_doc_sheets_cleanup(hp_doc_sheets *s);

/** The workbook of doc, in memory (caller frees *out with hp_free).
 * HP_ENOMEM, or HP_EIO when the temporary file libxlsxwriter needs cannot
 * be written; d says which. */
int hp_report_xlsx(const hp_doc *doc, char **out, size_t *len, hp_diag *d);
/** The HTML page of doc (caller frees *out with hp_free): inline CSS, the
 * charts as inline SVG (none when the build has no cairo), no script and
 * nothing fetched from the network. HP_ENOMEM with d. */
int hp_report_html(const hp_doc *doc, char **out, size_t *len, hp_diag *d);

#endif
