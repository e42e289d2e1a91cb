/* solver_cbc.h - a second solver behind the seam (CBC), the choice between
 * the two, and the program written out for other solvers.
 *
 * hp_solver_cbc_solve has exactly hp_solver_glpk_solve's contract (solver.h);
 * only solver_cbc.c includes CBC's headers. hp_solver_solve_with picks GLPK,
 * CBC or both (solver.c); hp_ip_export_write_lp writes CPLEX LP (ip_export.c).
 */
#ifndef HP_SOLVER_CBC_H
#define HP_SOLVER_CBC_H

#include "solver.h"

/* Which solver runs a program (a plan's `solver: {engine: ...}`). */
typedef enum {
  HP_IP_GLPK = 0, /* GLPK alone: the default, fastest on ordinary plans */
  HP_IP_CBC,      /* CBC alone */
  HP_IP_AUTO      /* GLPK, then CBC where GLPK stops unproven (solver.c) */
} hp_ip_engine;

/* 1 if this build has CBC (coinor-libcbc-dev found at configure time). */
int hp_solver_cbc_available(void);

/* Solves with CBC (COIN-OR branch and cut, through its C interface).
 * Same contract as hp_solver_glpk_solve: HP_OK whenever the search ran, with
 * sol->status optimal/infeasible/unbounded/error; node_limit is CBC's
 * maximum number of nodes (deterministic: no time limit); mip_gap its
 * allowable fraction gap; a hint that satisfies every bound, row and
 * integrality is CBC's MIP start. ip->cut is not used (it only narrows a
 * search the hint already prunes). HP_ENOTSUP when built without CBC,
 * HP_ENOMEM on OOM of hetplan's own buffers (CBC allocates with C++ new,
 * whose std::bad_alloc no C caller can catch: out of memory inside CBC
 * ends the process). Prints nothing. CBC's solver (CbcMain) keeps global
 * state, so solves are serialised by a lock: threads may call it, one at a
 * time runs. The caller frees sol->x with hp_free. */
int hp_solver_cbc_solve(const hp_ip *ip, hp_ip_solution *sol, hp_diag *d);

/* hp_solver_solve_with(HP_IP_AUTO): GLPK's node budget before CBC takes over
 * a program GLPK has not proven (docs/formulation.md, "Choosing the
 * solver"). */
#define HP_AUTO_GLPK_NODES 5000

/* Solves ip with engine e: HP_IP_GLPK is hp_solver_glpk_solve, HP_IP_CBC is
 * hp_solver_cbc_solve, HP_IP_AUTO is GLPK and, on a program GLPK leaves
 * unproven after HP_AUTO_GLPK_NODES nodes, CBC with the nodes left of
 * ip->node_limit, the better plan of the two kept. Without CBC in the build,
 * HP_IP_AUTO is GLPK alone and HP_IP_CBC is HP_ENOTSUP. Same contract as
 * hp_solver_glpk_solve; sol->nodes counts both solvers' nodes. */
int hp_solver_solve_with(const hp_ip *ip, hp_ip_engine e, hp_ip_solution *sol,
                         hp_diag *d);

/* "glpk", "cbc", "auto". */
const char *hp_solver_engine_name(hp_ip_engine e);
/* Parses an engine name (as hp_solver_engine_name writes it); 1 on success. */
int hp_solver_engine_parse(const char *s, hp_ip_engine *e);

/* Writes ip to path in CPLEX LP format, readable by glpsol --lp, cbc,
 * HiGHS, SCIP, CPLEX and Gurobi: the objective, one constraint per row (a
 * row with two different finite bounds as two, NAME_lo with >= and NAME_hi
 * with <=: glpsol reads no ranged constraint), a Bounds section with every
 * column's bounds and a General section for the integer columns. Names
 * come from col_names (n_cols names, or NULL for x1, x2, ...) and the
 * rows' names, made LP-safe (any character but letters, digits, '_' and
 * '.' becomes '_'; a leading digit, '.', 'e' or a keyword gets a '_' before
 * it) and unique (a _2, _3 suffix). A program without rows gets one that
 * always holds (glpsol wants one). Numbers are written at 17 significant
 * digits, so that the reader gets the same doubles. Written through
 * hp_write_file_atomic: path is whole or untouched. HP_OK, HP_EINVAL (no
 * columns), HP_EIO (the message names the path), HP_ENOMEM. */
int hp_ip_export_write_lp(const hp_ip *ip, const char *const *col_names,
                          const char *path, hp_diag *d);
/* The same text into a buffer (caller frees *out with hp_free). */
int hp_ip_export_format_lp(const hp_ip *ip, const char *const *col_names,
                           char **out, size_t *len, hp_diag *d);

#endif
