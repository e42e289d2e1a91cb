/* cli_periods.c - `hetplan plan` on a plan whose scenarios have periods
 * (issue 22): solves each one's periods (periods.c) and renders the
 * schedule (report_periods.c; a workbook or HTML page through report_doc.c,
 * issue 24). main.c calls it and writes the text.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "chart.h"
#include "cli.h"
#include "mem.h"
#include "periods.h"
#include "scenario.h"

int hp_cli_periods_present(const hp_planfile *pf) {
  for (size_t i = 0; i < hp_planfile_count(pf); i++)
    if (hp_planfile_periods(pf, i))
      return 1;
  return 0;
}

void hp_cli_periods_warn(const hp_planfile *pf, const char *cmd) {
  char v1[1024], v2[1024];
  for (size_t i = 0; i < hp_planfile_count(pf); i++)
    if (hp_planfile_periods(pf, i))
      fprintf(stderr,
              "hetplan: %s: warning: scenario '%s' has periods; %s plans it "
              "as one purchase, without them (`hetplan plan` gives its "
              "schedule)\n",
              hp_cli_vis(hp_planfile_path(pf), v1, sizeof v1),
              hp_cli_vis(hp_planfile_scenario_name(pf, i), v2, sizeof v2), cmd);
}

/* Writes scenario r's chart to chart, or to chart-NAME.ext when several
 * scenarios have periods. Returns an exit code. */
static int write_chart(const char *chart, const hp_periods_result *r,
                       size_t several) {
  char path[4096];
  const char *dot = strrchr(chart, '.');
  if (several && dot)
    snprintf(path, sizeof path, "%.*s-%s%s", (int)(dot - chart), chart, r->name,
             dot);
  else
    snprintf(path, sizeof path, "%s", chart);
  hp_chart_format cf;
  hp_diag d;
  hp_diag_clear(&d);
  char *img = NULL;
  size_t n = 0;
  if (hp_chart_format_of(path, &cf, &d) != HP_OK) {
    hp_cli_print_diag(&d);
    return HP_EXIT_USAGE;
  }
  if (hp_chart_periods(r, cf, &img, &n, &d) != HP_OK ||
      hp_write_file_atomic(path, img, n, &d) != HP_OK) {
    hp_free(img);
    hp_cli_print_diag(&d);
    return HP_EXIT_IO;
  }
  hp_free(img);
  return HP_EXIT_OK;
}

int hp_cli_periods_plan(const char *path, const hp_planfile *pf, hp_format fmt,
                        const char *chart, char **text, size_t *len) {
  size_t n = hp_planfile_count(pf), m = 0;
  hp_periods_result *r = hp_calloc(n ? n : 1, sizeof *r);
  int rc = HP_EXIT_OK;
  char v1[1024], v2[1024], v3[4096];
  *text = NULL;
  if (!r) {
    fprintf(stderr, "hetplan: out of memory\n");
    return HP_EXIT_SOLVER;
  }
  for (size_t i = 0; i < n; i++) {
    const hp_periods *P = hp_planfile_periods(pf, i);
    const char *name = hp_planfile_scenario_name(pf, i);
    if (!P) {
      fprintf(stderr,
              "hetplan: %s: scenario '%s' has no periods: left out of the "
              "schedule (plan it in a plan file without periods)\n",
              hp_cli_vis(path, v1, sizeof v1), hp_cli_vis(name, v2, sizeof v2));
      continue;
    }
    hp_diag d;
    hp_diag_clear(&d);
    hp_periods_opts o = {HP_PER_FORM_BOTH, 1};
    if (hp_periods_solve(P, name, &o, &r[m], &d) != HP_OK) {
      hp_cli_print_diag(&d);
      rc = HP_EXIT_SOLVER;
      goto out;
    }
    if (r[m].status != HP_RESULT_OPTIMAL) {
      fprintf(
          stderr, "hetplan: %s: scenario '%s' is %s: %s\n",
          hp_cli_vis(path, v1, sizeof v1), hp_cli_vis(name, v2, sizeof v2),
          r[m].status == HP_RESULT_INFEASIBLE ? "infeasible" : "an error",
          hp_cli_vis(r[m].explanation ? r[m].explanation : "", v3, sizeof v3));
      if (rc == HP_EXIT_OK)
        rc = HP_EXIT_INFEASIBLE;
    } else if (!r[m].proven) {
      fprintf(stderr,
              "hetplan: %s: scenario '%s': the plan over periods is not "
              "proven optimal (solver.node_limit)\n",
              hp_cli_vis(path, v1, sizeof v1), hp_cli_vis(name, v2, sizeof v2));
    }
    m++;
  }
  if (fmt == HP_FORMAT_XLSX || fmt == HP_FORMAT_HTML) { /* issue 24 */
    hp_doc_plan dp = {path, pf, NULL, NULL};
    hp_doc_schedule doc = {{"schedule", &dp, 1, NULL, NULL}, r, m};
    int e = hp_cli_render_doc(&doc.doc, fmt, text, len);
    if (e != HP_EXIT_OK) {
      rc = e;
      goto out;
    }
  } else {
    hp_buf b;
    hp_buf_init(&b);
    if (hp_report_periods(hp_planfile_name(pf), r, m, fmt, &b) != HP_OK ||
        hp_buf_detach(&b, text, len) != HP_OK) {
      hp_buf_cleanup(&b);
      fprintf(stderr, "hetplan: out of memory\n");
      rc = HP_EXIT_SOLVER;
      goto out;
    }
  }
  for (size_t i = 0; chart && i < m; i++) {
    if (r[i].status != HP_RESULT_OPTIMAL)
      continue;
    int e = write_chart(chart, &r[i], m > 1);
    if (e != HP_EXIT_OK) {
      hp_free(*text);
      *text = NULL;
      rc = e;
      break;
    }
  }
  if (chart)
    hp_chart_shutdown();
out:
  for (size_t i = 0; i < n; i++)
    hp_periods_result_cleanup(&r[i]);
  hp_free(r);
  return rc;
}
