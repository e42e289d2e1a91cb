/* cli.h - subcommands of the hetplan executable that live outside main.c.
 * Each takes the arguments after the subcommand name (argv[0] is the
 * subcommand) and returns the process exit code (see docs/limits.md). */
#ifndef HP_CLI_H
#define HP_CLI_H

#include "hetplan.h"
#include "report_doc.h"

/* Exit codes of the hetplan executable; one table in docs/limits.md. */
enum {
  HP_EXIT_OK = 0,         /* success */
  HP_EXIT_USAGE = 2,      /* bad command line */
  HP_EXIT_INPUT = 3,      /* bad input file (plan, device, profile) */
  HP_EXIT_INFEASIBLE = 4, /* a scenario has no plan under its constraints */
  HP_EXIT_SOLVER = 5,     /* solver or internal error */
  HP_EXIT_IO = 6,         /* an output could not be written */
  HP_EXIT_NOTHING = 7     /* probe: no device could be measured */
};

/* The catalog directory when --catalog is not given: $HETPLAN_CATALOG,
 * ./devices, the source tree's devices/, or the installed one. */
const char *hp_cli_default_catalog(void);
/* Prints "hetplan: file:line:col: message" on stderr. */
/* s with its control characters as visible escapes (\x1b, \n; buf.h's
 * hp_buf_text_escape), into buf[size], cut short at a whole character: for a
 * name quoted in a message on stderr. Returns buf. */
const char *hp_cli_vis(const char *s, char *buf, size_t size);
void hp_cli_print_diag(const hp_diag *d);
/* Tells stderr when a scenario's plan stopped at solver.node_limit before
 * its optimum was proven, and each market warning of its result (a card
 * bought that cannot be ordered); nothing otherwise. */
void hp_cli_warn_unproven(const char *path, const hp_scenario_result *r);
/* When stderr is a terminal, has long solves report their nodes, best plan
 * and bound there, on one line rewritten in place (hp_set_progress);
 * nothing otherwise. */
void hp_cli_progress_arm(void);
/* Tells stderr of each plan key that names a card no scenario it applies
 * to buys (hp_planfile_unused_keys). */
void hp_cli_warn_unused(const hp_planfile *pf);
/* Prints hp_planfile_market_warnings to stderr (sweep, Monte Carlo: the
 * cards a run may buy that cannot be ordered). */
void hp_cli_warn_market(const hp_planfile *pf);

/* Whether two output paths (-o and --chart) name the same file: the same
 * device and inode when both exist, the same resolved directory and base
 * name when neither does. Returns 1 or 0. */
int hp_cli_same_output(const char *a, const char *b);
/* Checks, before a command writes two files, that path could be written
 * now, so that the common failures (a missing or read-only directory, a
 * directory or a dangling symbolic link as the target) stop it before
 * either file is touched. Returns HP_EXIT_OK, or prints the reason as
 * hp_write_file_atomic would and returns HP_EXIT_IO. */
int hp_cli_check_output(const char *path);

/* Under an address-space or data limit (`ulimit -v`, `ulimit -d`), bounds
 * glibc's malloc arenas to what the limit leaves room for, so that the
 * what-if workers share arenas instead of falling back to one mmap per
 * allocation (docs/limits.md has the figures). Call before any thread
 * starts. Returns the bound set, or 0 when there is no limit, the
 * environment sets MALLOC_ARENA_MAX, or the C library has no such
 * setting. */
int hp_cli_bound_arenas(void);

/* Settles the format of -o FILE (out may be NULL): its extension (.txt,
 * .json, .csv, .md, .xlsx, .html, any case) sets *fmt unless --format was
 * given (`given`). An extension the tool does not know, without --format,
 * or a workbook or page name that contradicts --format, is a usage error:
 * printed, and HP_EXIT_USAGE returned; 0 otherwise. Never writes another
 * format than the name says. */
int hp_cli_output_format(const char *cmd, const char *out, int given,
                         hp_format *fmt);
/* Renders doc as a workbook or an HTML page into *out (caller frees with
 * hp_free). HP_EXIT_OK, or the exit code after printing why. */
int hp_cli_render_doc(const hp_doc *doc, hp_format fmt, char **out,
                      size_t *len);

/* Checks --chart FILE before any work: a .png or .svg name, not the same
 * file as -o. 0, or the usage error's exit code after printing it. */
int hp_cli_chart_check(const char *chart, const char *out);
/* The vendor mix of every scenario of plans[0..n) (capex by vendor, a bar
 * per scenario), as PNG or SVG by path's extension, into *out (hp_free).
 * HP_EXIT_OK, or the exit code after printing why. */
int hp_cli_plan_chart(const hp_doc_plan *plans, size_t n, const char *path,
                      char **out, size_t *len);
/* Frees the chart library's caches after the last chart (hp_chart_shutdown). */
void hp_cli_chart_done(void);
/* Writes a finished report to out (or stdout when NULL) and, when chart is
 * not NULL, the chart to chart_path first: both targets are checked before
 * either is written, and a chart file created here is removed again when
 * the report cannot be written. Each file is written atomically. */
int hp_cli_emit_two(const char *out, const char *text, size_t len,
                    const char *chart_path, const char *chart,
                    size_t chart_len);

/* `hetplan plan` on a plan with periods (src/cli_periods.c): 1 when some
 * scenario has periods; then the schedule into *text (caller frees with
 * hp_free; NULL after an error) and, with chart, the fleet chart of each
 * scenario (FILE, or FILE-SCENARIO.ext with several), returning the exit
 * code. */
int hp_cli_periods_present(const hp_planfile *pf);
/* Tells stderr that command cmd (sweep, montecarlo, batch) plans each
 * scenario with periods as one purchase, without its periods. */
void hp_cli_periods_warn(const hp_planfile *pf, const char *cmd);
int hp_cli_periods_plan(const char *path, const hp_planfile *pf, hp_format fmt,
                        const char *chart, char **text, size_t *len);

/* `hetplan probe ...` (backends/). */
int hp_cli_probe(int argc, char **argv);

/* What-if commands (src/cli_whatif.c): `hetplan batch PLAN...`,
 * `hetplan sweep PLAN --vary ...`, `hetplan montecarlo PLAN ...`. */
int hp_cli_whatif_batch(int argc, char **argv);
int hp_cli_whatif_sweep(int argc, char **argv);
int hp_cli_whatif_montecarlo(int argc, char **argv);

/* `hetplan explain PLAN --device ID` (src/cli_explain.c): the
 * per-SKU derivation of throughput, step by step. */
int hp_cli_explain(int argc, char **argv);

#endif
