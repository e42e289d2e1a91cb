/* solver_glpk.c - hp_ip solved by GLPK; the only file that includes glpk.h.
 *
 * GLPK's conventions are converted here: its terminal output is switched
 * off, its abnormal termination (which calls the error hook and then
 * longjmps or aborts) is contained with setjmp around each solve, and a 0
 * from glp_intopt/glp_simplex means "the search ran": the status comes from
 * glp_mip_status/glp_get_status. GLPK's per-thread environment is kept
 * here too (hp_solver_glpk_thread_arm, hp_solver_glpk_thread_cleanup). The
 * program itself, hp_ip, is solver-neutral (ip.c, ip_presolve.c).
 */
#include "solver.h"

#include <glpk.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "status.h"

void hp_solver_glpk_thread_cleanup(void) { glp_free_env(); }

/* GLPK keeps one environment per thread (Debian's libglpk40 5.0 is built
 * with thread-local storage) that only glp_free_env on that thread frees,
 * so a library user solving on threads of their own would leak it (5,296
 * bytes under valgrind) at each thread's exit. The first solve on a thread
 * therefore sets a pthread key whose destructor frees it when the thread
 * exits. Not at the end of each solve: glp_free_env frees every GLPK
 * object of the thread, those of a caller who uses GLPK too, and the next
 * solve would only build the environment again. A thread that already
 * freed it (the sweep's workers) makes glp_free_env a no-op. The main
 * thread runs no key destructors; its environment stays reachable until
 * exit, as before. */
static pthread_key_t glpk_env_key;
static int glpk_env_key_ok;
static pthread_once_t glpk_env_once = PTHREAD_ONCE_INIT;

static void glpk_env_free(void *unused) {
  (void)unused;
  hp_solver_glpk_thread_cleanup();
}

static void glpk_env_key_make(void) {
  glpk_env_key_ok = pthread_key_create(&glpk_env_key, glpk_env_free) == 0;
}

/* Arms the calling thread's destructor; if no key or memory can be had,
 * the environment leaks at the thread's exit, as it did before. */
void hp_solver_glpk_thread_arm(void) {
  pthread_once(&glpk_env_once, glpk_env_key_make);
  if (glpk_env_key_ok && !pthread_getspecific(glpk_env_key))
    (void)pthread_setspecific(glpk_env_key, &glpk_env_key);
}

#if defined(__GNUC__)
/* A dlclose of libhetplan.so must not leave threads with a destructor
 * in unmapped code: their environments leak instead. */
__attribute__((destructor)) static void glpk_env_key_drop(void) {
  if (glpk_env_key_ok)
    pthread_key_delete(glpk_env_key);
}
#endif

/* GLPK error containment: the hook longjmps back into hp_solver_glpk_solve. */
static _Thread_local jmp_buf *glpk_jmp;

/* GLPK's terminal output: switched off, but on an abnormal termination
 * GLPK switches it back on and prints its message to stdout, where it
 * would land in a report. The hook keeps the start of the message for
 * the error instead, and prints nothing. */
static _Thread_local char glpk_msg[160];
static _Thread_local size_t glpk_msg_len;

static int glpk_term_hook(void *info, const char *s) {
  (void)info;
  for (; *s && glpk_msg_len + 1 < sizeof glpk_msg; s++)
    glpk_msg[glpk_msg_len++] = *s == '\n' ? ' ' : *s;
  glpk_msg[glpk_msg_len] = 0;
  return 1;
}

static void glpk_error_hook(void *info) {
  (void)info;
  if (glpk_jmp)
    longjmp(*glpk_jmp, 1);
}

static int bound_type(double lo, double hi) {
  int has_lo = lo > -HUGE_VAL, has_hi = hi < HUGE_VAL;
  if (has_lo && has_hi)
    return lo == hi ? GLP_FX : GLP_DB;
  if (has_lo)
    return GLP_LO;
  if (has_hi)
    return GLP_UP;
  return GLP_FR;
}

/* One portfolio turn: its node budget, and a feasible point to hand GLPK
 * as its first incumbent (GLPK's x[1..n] convention). */
typedef struct turn_ctx {
  int nodes;           /* stop once the tree has had this many nodes */
  int maximize;        /* the program's direction */
  const double *start; /* NULL or start[1..n], integer feasible */
  int given;           /* start handed over in this turn */
  long solves;         /* subproblem LPs solved in this turn */
  int seen;            /* nodes the turn's tree has had so far */
  int has_bound;       /* stopped with active nodes: `bound` is set */
  double bound;        /* the best local bound of the active nodes then */
  /* A turn under GLPK's MIP presolver sees the presolved program, whose
   * columns are not the start's. It is handed a stand-in instead: a point
   * of that program with the start's objective value, `cutoff`, in
   * `scratch` (n_cols + 1 values); see give_cutoff. */
  int presolved;        /* this turn runs under GLPK's MIP presolver */
  int has_cutoff;       /* a start exists: cutoff is its objective */
  double cutoff;        /* objective of the best point known before the turn */
  double *scratch;      /* room for the stand-in */
  int out_of_memory;    /* stopped at GLPK_MEM_BYTES */
  long nodes_before;    /* nodes of earlier turns (progress) */
  hp_ip_progress *prog; /* progress reporting, or NULL */
} turn_ctx;

/* Stops the turn, keeping what its tree has proved: no point is better
 * than the best local bound of the nodes still active, the one being
 * solved included (the incumbent covers the rest). */
static void stop_turn(glp_tree *tree, turn_ctx *tc) {
  int p[2] = {glp_ios_best_node(tree), glp_ios_curr_node(tree)};
  for (int i = 0; i < 2; i++) {
    if (!p[i])
      continue;
    double b = glp_ios_node_bound(tree, p[i]);
    if (!tc->has_bound || (tc->maximize ? b > tc->bound : b < tc->bound))
      tc->bound = b;
    tc->has_bound = 1;
  }
  glp_ios_terminate(tree);
}

/* Subproblem LPs a turn may solve per node of its budget. GLPK re-solves
 * a node when its branching rule fixes a variable instead of branching;
 * on some programs (a max_vendor_share row over two SKUs of one vendor)
 * libglpk 5.0 fixes the same variable again and again, and the tree never
 * grows: 4 million re-solves of a 9-node tree in 10 s, where a healthy
 * turn re-solves a node once or twice. So the budget counts both. */
#define SOLVES_PER_NODE 4

/* The quick turn's node budget (see solve_glpk). */
#define QUICK_NODES 1000
/* The long turn's: the 16-class generator plans (bench/) prove in 1,300
 * to 5,300 nodes of it; a program it leaves unproven after this many gets
 * the last turn. */
#define LONG_NODES 20000

/* Hands the presolved program the start's objective value as its first
 * incumbent. GLPK's glp_ios_heur_sol checks integrality and computes the
 * objective, and checks neither bounds nor rows, so a stand-in point of
 * that value prunes every node that cannot beat the start, as the start
 * itself would: all columns at 0 but one with a nonzero cost, a
 * continuous one where there is one (the value met exactly, up to
 * rounding), else an integer one rounded to the side that makes the
 * stand-in no better than the start. Should GLPK end with the stand-in as
 * its incumbent, nothing beats the start; solve_glpk then returns the
 * start itself (the stand-in, postprocessed, is no point of the
 * program). */
static void give_cutoff(glp_tree *tree, turn_ctx *tc) {
  glp_prob *mip = glp_ios_get_prob(tree);
  int nc = glp_get_num_cols(mip), pick = 0;
  double need = tc->cutoff - glp_get_obj_coef(mip, 0);
  for (int j = 1; j <= nc; j++) {
    tc->scratch[j] = 0;
    double c = glp_get_obj_coef(mip, j);
    if (c == 0)
      continue;
    if (glp_get_col_kind(mip, j) == GLP_CV) {
      if (!pick || glp_get_col_kind(mip, pick) != GLP_CV)
        pick = j;
    } else if (!pick) {
      pick = j;
    }
  }
  if (!pick)
    return;
  double c = glp_get_obj_coef(mip, pick), v = need / c;
  /* Worse than or equal to the start: above it when minimising. */
  double worse = tc->maximize ? -1 : 1;
  if (glp_get_col_kind(mip, pick) != GLP_CV)
    v = worse * c > 0 ? ceil(v) : floor(v);
  else
    for (int k = 0; k < 4 && worse * (c * v - need) < 0; k++)
      v = nextafter(v, worse * c > 0 ? HUGE_VAL : -HUGE_VAL);
  tc->scratch[pick] = v;
  glp_ios_heur_sol(tree, tc->scratch);
}

/* GLPK's memory (glp_mem_usage) at which a turn stops, as it stops at its
 * node budget: the search tree of a large program grows by tens of
 * kilobytes a node, and a planner must not take the machine's memory. The
 * same program reaches it at the same node, on every machine. */
#define GLPK_MEM_BYTES (1024.0 * 1024 * 1024)

/* Progress (hp_set_progress): what the tree has found and proved. */
static void report(glp_tree *tree, turn_ctx *tc, int t_cnt) {
  hp_progress pr;
  memset(&pr, 0, sizeof pr);
  pr.nodes = tc->nodes_before + t_cnt;
  pr.maximize = tc->maximize;
  glp_prob *mip = glp_ios_get_prob(tree);
  int st = glp_mip_status(mip);
  if (st == GLP_FEAS || st == GLP_OPT) {
    pr.has_incumbent = 1;
    pr.incumbent = glp_mip_obj_val(mip);
  }
  if (tc->has_cutoff &&
      (!pr.has_incumbent ||
       (tc->maximize ? tc->cutoff > pr.incumbent : tc->cutoff < pr.incumbent)))
    pr.has_incumbent = 1, pr.incumbent = tc->cutoff;
  int p = glp_ios_best_node(tree);
  if (p) {
    pr.has_bound = 1;
    pr.bound = glp_ios_node_bound(tree, p);
  }
  hp_solver_progress_tick(tc->prog, &pr);
}

static void on_tree(glp_tree *tree, void *info) {
  turn_ctx *tc = info;
  int a_cnt, n_cnt, t_cnt;
  switch (glp_ios_reason(tree)) {
  case GLP_IPREPRO:
    if (++tc->solves > (long)SOLVES_PER_NODE * tc->nodes)
      stop_turn(tree, tc);
    break;
  case GLP_ISELECT:
    glp_ios_tree_size(tree, &a_cnt, &n_cnt, &t_cnt);
    tc->seen = t_cnt;
    if (t_cnt > tc->nodes) {
      stop_turn(tree, tc);
      break;
    }
    if ((t_cnt & 63) == 0) {
      int count, cpeak;
      size_t total, tpeak;
      glp_mem_usage(&count, &cpeak, &total, &tpeak);
      if ((double)total > GLPK_MEM_BYTES) {
        tc->out_of_memory = 1;
        stop_turn(tree, tc);
        break;
      }
    }
    if (tc->prog && hp_solver_progress_due(tc->prog))
      report(tree, tc, t_cnt);
    break;
  case GLP_IHEUR:
    /* At the root, before any branching: prunes every node whose bound
     * is no better than the start. GLPK checks integrality and the
     * objective, not the rows: hp_solver_glpk_solve checked those. */
    if (!tc->given && tc->presolved && tc->has_cutoff) {
      tc->given = 1;
      give_cutoff(tree, tc);
    } else if (tc->start && !tc->given && !tc->presolved) {
      tc->given = 1;
      glp_ios_heur_sol(tree, tc->start);
    }
    break;
  default:
    break;
  }
}

/* Solves the LP relaxation in place (no presolve, so that the optimal
 * basis stays for glp_intopt); 1 if it is optimal. */
static int root_lp(glp_prob *lp) {
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  return glp_simplex(lp, &parm) == 0 && glp_get_status(lp) == GLP_OPT;
}

/* Reduced-cost fixing, done once at the root by deleting columns: with the
 * LP optimum z and a start of objective u (minimising), every point
 * satisfies obj >= z + sum_j dj (xj - lbj) over the columns at their lower
 * bound, so a column whose reduced cost dj exceeds u - z is at its lower
 * bound in every point at least as good as the start, and the start has it
 * there too. GLPK applies the same test at each node but keeps the column;
 * deleting it makes every node's LP and branching work smaller (the
 * columns a mandate prices out: 5 of 27 on the full catalog). gcol[j] is
 * column j's GLPK index, 0 once deleted; start[] is compacted to match.
 * The root LP is solved again (the basis stays optimal). Returns 1 if the
 * LP is optimal. */
static int drop_priced_out(glp_prob *lp, const hp_ip *ip, double *start,
                           int *gcol, int *del) {
  size_t n = ip->n_cols;
  double sign = ip->maximize ? -1 : 1, u = 0;
  for (size_t j = 0; j < n; j++)
    u += ip->obj[j] * start[j + 1];
  double gap = sign * (u - glp_get_obj_val(lp));
  /* slack for rounding in the objective sums */
  gap += 1e-9 * (1 + fabs(u));
  int nd = 0, k = 0;
  for (size_t j = 0; j < n; j++) {
    int col = (int)j + 1;
    int st = glp_get_col_stat(lp, col);
    double dj = sign * glp_get_col_dual(lp, col);
    if (st == GLP_NL && start[col] == ip->lb[j] && dj > gap) {
      del[++nd] = col;
      gcol[j] = 0;
      /* GLPK's objective keeps the deleted column's share as its constant
       * term, so that its relative gap (mip_gap) is taken on the whole. */
      if (ip->lb[j] != 0)
        glp_set_obj_coef(lp, 0,
                         glp_get_obj_coef(lp, 0) + ip->obj[j] * ip->lb[j]);
      continue;
    }
    gcol[j] = ++k;
    start[k] = start[col];
  }
  if (nd == 0)
    return 1;
  /* A deleted column stays at its lower bound: its share of each row
   * moves into the row's bounds, or a hinted search could use room that
   * the column takes (x2 >= -3 deleted at -3 from 3 x1 - x2 <= 4 leaves
   * 3 x1 <= 1, not 3 x1 <= 4). */
  for (size_t i = 0; i < ip->n_rows; i++) {
    const hp_ip_row *r = &ip->rows[i];
    double shift = 0;
    for (size_t j = 0; j < n; j++)
      if (gcol[j] == 0 && ip->lb[j] != 0)
        shift += r->a[j] * ip->lb[j];
    if (shift != 0) {
      double lo = r->lo > -HUGE_VAL ? r->lo - shift : r->lo;
      double hi = r->hi < HUGE_VAL ? r->hi - shift : r->hi;
      glp_set_row_bnds(lp, (int)i + 1, bound_type(lo, hi),
                       lo > -HUGE_VAL ? lo : 0.0, hi < HUGE_VAL ? hi : 0.0);
    }
  }
  glp_del_cols(lp, nd, del);
  return root_lp(lp);
}

/* glpk_presolve: 0 keeps GLPK's MIP presolver off even without a start
 * (hp_solver_glpk_solve's second try, when the presolver's tolerances let a
 * point past a row). glpk_scale (per thread, set by solve_scaled for a program
 * of extreme figures) lets GLPK equilibrate the matrix too
 * (glp_scale_prob: geometric mean, then equilibration, powers of two). */
static _Thread_local int glpk_scale;

static int solve_glpk(const hp_ip *ip, const double *hint, int glpk_presolve,
                      hp_ip_solution *sol, hp_diag *d) {
  memset(sol, 0, sizeof *sol);
  size_t n = ip->n_cols, m = ip->n_rows;
  size_t nz_cap = n * m + n + 1; /* also the deleted columns' list */
  int *ia = hp_malloc(nz_cap * sizeof *ia);
  int *ja = hp_malloc(nz_cap * sizeof *ja);
  double *ar = hp_malloc(nz_cap * sizeof *ar);
  double *x = hp_malloc((n ? n : 1) * sizeof *x);
  /* The best point known: the hint, then what each turn found. */
  double *start = hp_malloc((n + 1) * sizeof *start);
  int *gcol = hp_malloc((n ? n : 1) * sizeof *gcol);
  double *fake = hp_malloc((n + 1) * sizeof *fake);
  if (!ia || !ja || !ar || !x || !gcol || !fake || !start) {
    hp_free(fake);
    hp_free(gcol);
    hp_free(ia);
    hp_free(ja);
    hp_free(ar);
    hp_free(x);
    hp_free(start);
    return hp_diag_oom(d);
  }
  start[0] = 0;
  if (hint)
    memcpy(start + 1, hint, n * sizeof *start);
  for (size_t j = 0; j < n; j++)
    gcol[j] = (int)j + 1;
  hp_ip_progress prog;
  int prog_on = hp_solver_progress_begin(&prog);
  volatile int rc = HP_OK;
  glp_prob *volatile lp = NULL;
  jmp_buf jb;
  glpk_jmp = &jb;
  if (setjmp(jb)) {
    /* GLPK hit an abnormal condition; its environment must be freed. */
    glpk_jmp = NULL;
    glp_free_env();
    sol->status = HP_SOL_ERROR;
    while (glpk_msg_len > 0 && glpk_msg[glpk_msg_len - 1] == ' ')
      glpk_msg[--glpk_msg_len] = 0;
    snprintf(sol->error, sizeof sol->error, "GLPK abnormal termination: %s",
             glpk_msg);
    rc = hp_diag_set(d, HP_ESOLVER, NULL, 0, 0, "GLPK abnormal termination: %s",
                     glpk_msg);
    goto out;
  }
  glp_error_hook(glpk_error_hook, NULL);
  glpk_msg_len = 0;
  glpk_msg[0] = 0;
  glp_term_hook(glpk_term_hook, NULL);
  glp_term_out(GLP_OFF);
  lp = glp_create_prob();
  glp_set_obj_dir(lp, ip->maximize ? GLP_MAX : GLP_MIN);
  int any_int = 0;
  if (n)
    glp_add_cols(lp, (int)n);
  for (size_t j = 0; j < n; j++) {
    int col = (int)j + 1;
    glp_set_col_bnds(lp, col, bound_type(ip->lb[j], ip->ub[j]), ip->lb[j],
                     ip->ub[j] < HUGE_VAL ? ip->ub[j] : 0.0);
    glp_set_obj_coef(lp, col, ip->obj[j]);
    if (ip->is_int[j]) {
      glp_set_col_kind(lp, col, GLP_IV);
      any_int = 1;
    }
  }
  if (m)
    glp_add_rows(lp, (int)m);
  int nz = 0;
  for (size_t i = 0; i < m; i++) {
    const hp_ip_row *r = &ip->rows[i];
    glp_set_row_bnds(lp, (int)i + 1, bound_type(r->lo, r->hi),
                     r->lo > -HUGE_VAL ? r->lo : 0.0,
                     r->hi < HUGE_VAL ? r->hi : 0.0);
    for (size_t j = 0; j < n; j++)
      if (r->a[j] != 0.0) {
        nz++;
        ia[nz] = (int)i + 1;
        ja[nz] = (int)j + 1;
        ar[nz] = r->a[j];
      }
  }
  if (nz)
    glp_load_matrix(lp, nz, ia, ja, ar);
  if (glpk_scale)
    glp_scale_prob(lp, GLP_SF_GM | GLP_SF_EQ | GLP_SF_2N);

  if (n == 0) {
    /* No variables: feasible iff every row admits 0. */
    int ok = 1;
    for (size_t i = 0; i < m; i++)
      if (ip->rows[i].lo > 0 || ip->rows[i].hi < 0)
        ok = 0;
    sol->status = ok ? HP_SOL_OPTIMAL : HP_SOL_INFEASIBLE;
    sol->objective = 0;
    goto done;
  }

  if (any_int) {
    /* Three turns, each with a budget of branch-and-bound nodes (not of
     * time, so that the answer, and which of several tied optima is
     * reported, never depends on the machine's load). Most plans and
     * sweep points are easy, and there Driebeck-Tomlin branching without
     * cuts or preprocessing, best local bound first, takes 40% of the
     * instructions (callgrind, a 101-point full-catalog sweep); on
     * tightly capped whole-card plans it proves in 2 ms what pseudo-cost
     * branching takes 14 s for (bench/data/full-catalog.yaml). So the
     * quick turn runs it for QUICK_NODES nodes. A program it leaves
     * unproven gets the long turn, LONG_NODES nodes of GLPK's MIP
     * presolver, pseudo-cost branching, GMI and MIR cuts, best local
     * bound first, started from the quick turn's best point (give_cutoff);
     * then the last turn runs to the end of the node limit. Each turn
     * starts from the best point found so far. Issue 23 measured the turns
     * that took over from each other before (20,000 nodes doubling, each
     * from the root with the presolver off once a start existed): 82% of
     * a 64-class plan's time came after its final plan was found, and a
     * 16-class plan that one uninterrupted run proves in 24,000 nodes ran
     * into the 100,000-node limit (docs/formulation.md, "Choosing the
     * solver"). */
    /* The quick turn sees the program as it is, so a start is handed
     * over as it is, and GLPK's MIP presolver stays off (it would rename
     * the columns); the root LP is solved here. */
    int use_start =
        hint && root_lp(lp) && drop_priced_out(lp, ip, start, gcol, ia);
    /* Without the presolver the root LP must be solved here; if it has no
     * optimum, neither has the program. */
    if (!use_start && !glpk_presolve && !root_lp(lp)) {
      int st = glp_get_status(lp);
      sol->status = st == GLP_NOFEAS  ? HP_SOL_INFEASIBLE
                    : st == GLP_UNBND ? HP_SOL_UNBOUNDED
                                      : HP_SOL_ERROR;
      if (sol->status == HP_SOL_ERROR)
        snprintf(sol->error, sizeof sol->error, "root LP status %d", st);
      goto done;
    }
    int n_lp = glp_get_num_cols(lp);
    int ret, out_of_nodes = 0, has_bound = 0;
    double bound = 0, sign = ip->maximize ? -1 : 1;
    turn_ctx tc;
    memset(&tc, 0, sizeof tc);
    tc.maximize = ip->maximize;
    tc.start = use_start ? start : NULL;
    tc.prog = prog_on ? &prog : NULL;
    long left = ip->node_limit > 0 ? ip->node_limit : LONG_MAX;
    /* A sweep's point (ip->sweep_point, with or without its neighbour's
     * optimum as a hint) runs the long turn breadth-first and without
     * cuts: with a near-optimal incumbent from the quick turn or the
     * hint, best-local-bound spends its nodes deep in the tree, and GLPK's
     * cuts make each node slower without closing these programs' gaps
     * (issue 23: the 101-point doubao demand sweep's one cold point,
     * 4.56e12 tokens/day, 41,785 nodes and 5.0 s of CPU with cuts and
     * best-local-bound, 17,711 nodes and 0.67 s without; the whole sweep
     * 7.0 s against 1.7 s). A plan solved on its own keeps cuts and
     * best-local-bound, which prove the full catalog's share-on-cards
     * scenario in 4,076 nodes (15,256 without) and close the 16-class
     * generator plans' gaps further. */
    struct {
      int nodes, br, bt, cuts, pp;
    } turns[3] = {{QUICK_NODES, GLP_BR_DTH, GLP_BT_BLB, 0, GLP_PP_NONE},
                  {LONG_NODES, GLP_BR_PCH, GLP_BT_BLB, 1, GLP_PP_ALL},
                  {INT_MAX - 1, GLP_BR_DTH, GLP_BT_BLB, 0, GLP_PP_NONE}};
    if (ip->sweep_point) {
      turns[1].bt = GLP_BT_BFS;
      turns[1].cuts = 0;
    }
    for (int turn = 0; turn < 3; turn++) {
      tc.nodes = turns[turn].nodes;
      if (tc.nodes > left)
        tc.nodes = (int)left;
      if (turn > 0) {
        /* A later turn starts from the best point found so far. */
        tc.presolved = glpk_presolve;
        tc.scratch = fake;
        if (!glpk_presolve && !root_lp(lp)) {
          ret = GLP_EFAIL;
          break;
        }
      }
      tc.given = 0;
      tc.solves = 0;
      tc.seen = tc.has_bound = 0;
      glp_iocp parm;
      glp_init_iocp(&parm);
      parm.presolve = turn == 0
                          ? (use_start || !glpk_presolve ? GLP_OFF : GLP_ON)
                          : (glpk_presolve ? GLP_ON : GLP_OFF);
      parm.msg_lev = GLP_MSG_OFF;
      parm.mip_gap = ip->mip_gap > 0 ? ip->mip_gap : 0.0;
      /* GLPK prunes a node whose bound is within tol_obj (relative, default
       * 1e-7) of the incumbent: on a 3e10 CNY plan that is 3,000 CNY, enough
       * to miss the optimum by a card (found against CBC). */
      parm.tol_obj = 1e-10;
      parm.pp_tech = turns[turn].pp;
      parm.br_tech = turns[turn].br;
      parm.bt_tech = turns[turn].bt;
      parm.gmi_cuts = parm.mir_cuts = turns[turn].cuts ? GLP_ON : GLP_OFF;
      parm.cb_func = on_tree;
      parm.cb_info = &tc;
      ret = glp_intopt(lp, &parm);
      /* Every turn's bound holds for the whole program; keep the best. */
      if (tc.has_bound && (!has_bound || sign * (tc.bound - bound) > 0)) {
        bound = tc.bound;
        has_bound = 1;
      }
      left -= tc.nodes;
      sol->nodes += tc.seen;
      /* The best point so far is kept in start[] (GLPK's columns) and
       * its objective in tc.cutoff: GLPK's incumbent when it is better,
       * which the stand-in of give_cutoff, postprocessed, never is (its
       * objective is the start's or worse). */
      int st_t = glp_mip_status(lp);
      if (st_t == GLP_FEAS || st_t == GLP_OPT) {
        double zx = 0;
        for (size_t j = 0; j < n; j++)
          zx +=
              ip->obj[j] * (gcol[j] ? glp_mip_col_val(lp, gcol[j]) : ip->lb[j]);
        if (!tc.has_cutoff ||
            sign * (zx - tc.cutoff) < -1e-9 * (1 + fabs(tc.cutoff))) {
          for (int j = 1; j <= n_lp; j++)
            start[j] = glp_mip_col_val(lp, j);
          tc.start = start;
          tc.has_cutoff = 1;
          tc.cutoff = glp_mip_obj_val(lp);
        }
      }
      tc.nodes_before = sol->nodes;
      if (ret != GLP_ESTOP)
        break;
      if (left <= 0 || tc.out_of_memory || turn == 2) {
        out_of_nodes = 1;
        break;
      }
    }
    /* The best point found. A turn that calls the program infeasible
     * after it was handed a point (a stand-in) found nothing better. */
    int st = glp_mip_status(lp), have = tc.has_cutoff;
    double z = tc.cutoff;
    for (size_t j = 0; have && j < n; j++)
      x[j] = gcol[j] ? start[gcol[j]] : ip->lb[j];
    if (have && (ret == GLP_ENOPFS || ret == GLP_ENOFEAS))
      ret = 0;
    if (out_of_nodes && have) {
      /* The best point found, and what the search proved: nothing beats
       * the best bound of the nodes left (no better than the point). */
      sol->status = HP_SOL_OPTIMAL;
      sol->node_limited = 1;
      sol->objective = z;
      sol->bound = !has_bound               ? -sign * HUGE_VAL
                   : sign * (bound - z) < 0 ? bound
                                            : z;
    } else if (out_of_nodes) {
      sol->status = HP_SOL_ERROR;
      sol->node_limited = 1;
      snprintf(sol->error, sizeof sol->error,
               "node limit of %ld reached before a feasible point was found",
               ip->node_limit);
    } else if (ret == GLP_ENOPFS || ret == GLP_ENOFEAS) {
      sol->status = HP_SOL_INFEASIBLE;
    } else if (ret == GLP_ENODFS) {
      sol->status = HP_SOL_UNBOUNDED;
    } else if (ret != 0 && ret != GLP_EMIPGAP) {
      sol->status = HP_SOL_ERROR;
      snprintf(sol->error, sizeof sol->error, "glp_intopt returned %d", ret);
    } else if (have) {
      /* GLP_EMIPGAP: stopped at the relative gap the plan allows, with an
       * incumbent within it (GLPK reports it as feasible). A deleted
       * column is at its lower bound; the objective counts it in its
       * constant term. */
      sol->status = HP_SOL_OPTIMAL;
      sol->within_gap = ret == GLP_EMIPGAP;
      sol->objective = z;
    } else if (st == GLP_NOFEAS) {
      sol->status = HP_SOL_INFEASIBLE;
    } else {
      sol->status = HP_SOL_ERROR;
      snprintf(sol->error, sizeof sol->error, "glp_mip_status %d", st);
    }
  } else {
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.presolve = GLP_ON;
    parm.msg_lev = GLP_MSG_OFF;
    int ret = glp_simplex(lp, &parm);
    if (ret == GLP_ENOPFS) {
      sol->status = HP_SOL_INFEASIBLE;
    } else if (ret == GLP_ENODFS) {
      sol->status = HP_SOL_UNBOUNDED;
    } else if (ret != 0) {
      sol->status = HP_SOL_ERROR;
      snprintf(sol->error, sizeof sol->error, "glp_simplex returned %d", ret);
    } else {
      int st = glp_get_status(lp);
      if (st == GLP_OPT) {
        sol->status = HP_SOL_OPTIMAL;
        sol->objective = glp_get_obj_val(lp);
        for (size_t j = 0; j < n; j++)
          x[j] = glp_get_col_prim(lp, (int)j + 1);
      } else if (st == GLP_NOFEAS) {
        sol->status = HP_SOL_INFEASIBLE;
      } else if (st == GLP_UNBND) {
        sol->status = HP_SOL_UNBOUNDED;
      } else {
        sol->status = HP_SOL_ERROR;
        snprintf(sol->error, sizeof sol->error, "glp_get_status %d", st);
      }
    }
  }
done:
  glp_delete_prob(lp);
  glpk_jmp = NULL;
  glp_error_hook(NULL, NULL);
  glp_term_hook(NULL, NULL);
out:
  if (prog_on)
    hp_solver_progress_end(&prog);
  hp_free(fake);
  hp_free(gcol);
  hp_free(ia);
  hp_free(ja);
  hp_free(ar);
  hp_free(start);
  if (rc == HP_OK && sol->status == HP_SOL_OPTIMAL) {
    sol->x = x;
  } else {
    hp_free(x);
  }
  return rc;
}

/* Scaling. GLPK's tolerances are partly absolute: a pivot below 1e-10 is
 * taken for zero, a bound is met to 1e-7 x (1 + |bound|), reduced costs
 * to 1e-7 x (1 + |c|). Figures that the limits accept run from 1e-6 to
 * 1e18, so a row's coefficients can be 1e-12 tokens/s per server or 3e20,
 * and such a row is solved wrongly (issue 19: a 1e18-TFLOPS card made a
 * domestic-share row with 2e20 coefficients infeasible). A row whose
 * largest coefficient lies outside [2^-SCALE_EXP, 2^SCALE_EXP] is divided
 * by a power of two that brings it to [1, 2), and so is an objective
 * outside that range: exact in binary, so the program is the same and only
 * GLPK's view of it changes. Rows in the usual range are left as they are,
 * so that the everyday plans' search, and the optimum it picks among
 * ties, are unchanged. */
#define SCALE_EXP 30

/* The power of two that brings max |v[0..n-1]| into [1, 2), or 1 when it
 * is within [2^-SCALE_EXP, 2^SCALE_EXP] or 0. */
static double scale_of(const double *v, size_t n) {
  double mx = 0;
  for (size_t j = 0; j < n; j++)
    if (isfinite(v[j]) && fabs(v[j]) > mx)
      mx = fabs(v[j]);
  if (!(mx > 0) || (mx >= ldexp(1, -SCALE_EXP) && mx <= ldexp(1, SCALE_EXP)))
    return 1;
  int e;
  frexp(mx, &e);
  return ldexp(1, 1 - e);
}

/* 1 if some row, continuous column or the objective is out of range. */
static int needs_scale(const hp_ip *p) {
  for (size_t i = 0; i < p->n_rows; i++)
    if (scale_of(p->rows[i].a, p->n_cols) != 1)
      return 1;
  for (size_t j = 0; j < p->n_cols; j++)
    for (size_t i = 0; !p->is_int[j] && i < p->n_rows; i++) {
      double a = fabs(p->rows[i].a[j]);
      if (a > 0 && (a < ldexp(1, -SCALE_EXP) || a > ldexp(1, SCALE_EXP)))
        return 1;
    }
  return scale_of(p->obj, p->n_cols) != 1;
}

/* Scales p's columns, rows and objective in place; returns the factor the
 * objective was multiplied by. A continuous column whose largest
 * coefficient lies outside the range is scaled first (x_j = f_j y_j, f_j
 * a power of two that brings it to [1, 2)): a fractional plan that needs
 * 4e-8 of a 3e20 tokens/s server would otherwise meet its row, within
 * GLPK's bound tolerance, with nothing. Integer columns keep their units;
 * tighten_cover (ip_presolve.c) keeps them from slivers. colf[j] receives
 * f_j; tmp is scratch of n_rows values. */
static double scale_ip(hp_ip *p, double *colf, double *tmp) {
  for (size_t j = 0; j < p->n_cols; j++) {
    colf[j] = 1;
    if (p->is_int[j])
      continue;
    for (size_t i = 0; i < p->n_rows; i++)
      tmp[i] = p->rows[i].a[j];
    double f = scale_of(tmp, p->n_rows);
    if (f == 1)
      continue;
    colf[j] = f; /* x_j = f y_j */
    for (size_t i = 0; i < p->n_rows; i++)
      p->rows[i].a[j] *= f;
    p->obj[j] *= f;
    p->lb[j] /= f; /* +-HUGE_VAL stays so */
    p->ub[j] /= f;
  }
  for (size_t i = 0; i < p->n_rows; i++) {
    hp_ip_row *r = &p->rows[i];
    double f = scale_of(r->a, p->n_cols);
    if (f == 1)
      continue;
    for (size_t j = 0; j < p->n_cols; j++)
      r->a[j] *= f;
    r->lo *= f;
    r->hi *= f;
  }
  double f = scale_of(p->obj, p->n_cols);
  if (f != 1)
    for (size_t j = 0; j < p->n_cols; j++)
      p->obj[j] *= f;
  return f;
}

/* solve_glpk on a scaled copy of ip when scale_ip would change it; the
 * objective, bound and point come back in ip's units. */
static int solve_scaled(const hp_ip *ip, const double *hint, int glpk_presolve,
                        hp_ip_solution *sol, hp_diag *d) {
  if (!needs_scale(ip))
    return solve_glpk(ip, hint, glpk_presolve, sol, d);
  size_t n = ip->n_cols, m = ip->n_rows;
  hp_ip t;
  memset(sol, 0, sizeof *sol);
  if (hp_ip_copy(&t, ip) != HP_OK)
    return hp_diag_oom(d);
  double *colf = hp_malloc((2 * n + m + 1) * sizeof *colf);
  if (!colf) {
    hp_ip_cleanup(&t);
    return hp_diag_oom(d);
  }
  double *th = colf + n, *tmp = th + n;
  double f = scale_ip(&t, colf, tmp);
  for (size_t j = 0; hint && j < n; j++)
    th[j] = hint[j] / colf[j];
  glpk_scale = 1;
  int rc = solve_glpk(&t, hint ? th : NULL, glpk_presolve, sol, d);
  glpk_scale = 0;
  hp_ip_cleanup(&t);
  sol->objective /= f;
  sol->bound /= f;
  for (size_t j = 0; sol->x && j < n; j++)
    sol->x[j] *= colf[j];
  hp_free(colf);
  return rc;
}

int hp_solver_glpk_solve(const hp_ip *ip, hp_ip_solution *sol, hp_diag *d) {
  memset(sol, 0, sizeof *sol);
  hp_ip_presolved p;
  if (hp_ip_presolve(ip, &p) != HP_OK)
    return hp_diag_oom(d);
  if (p.infeasible) {
    sol->status = HP_SOL_INFEASIBLE;
    hp_ip_presolve_cleanup(&p);
    return HP_OK;
  }
  /* A start point, improved by local moves before GLPK sees it. */
  double *hint = NULL;
  if (ip->hint && p.ip.n_cols) {
    hint = hp_malloc(p.ip.n_cols * sizeof *hint);
    double *act = hp_malloc((p.ip.n_rows ? p.ip.n_rows : 1) * sizeof *act);
    if (!hint || !act) {
      hp_free(hint);
      hp_free(act);
      hp_ip_presolve_cleanup(&p);
      return hp_diag_oom(d);
    }
    if (hp_ip_presolve_point(&p, ip->hint, hint)) {
      hp_ip_improve(&p.ip, hint, act);
    } else {
      hp_free(hint);
      hint = NULL;
    }
    hp_free(act);
  }
  /* The cut on the reduced columns: a column merged with twins has no
   * bound of its own, and is left alone. */
  int with_cut = 0, hint_optimal = 0;
  double cut_lb = 0, cut_ub = 0; /* the column's bounds before the cut */
  if (hint && ip->cut && ip->cut->col < ip->n_cols && !(ip->mip_gap > 0)) {
    size_t c = p.rep[ip->cut->col], members = 0;
    for (size_t j = 0; j < ip->n_cols; j++)
      members += p.rep[j] == c;
    if (members == 1) {
      with_cut = 1;
      cut_lb = p.ip.lb[c];
      cut_ub = p.ip.ub[c];
      if (ip->cut->lo > p.ip.lb[c])
        p.ip.lb[c] = ip->cut->lo;
      if (ip->cut->hi < p.ip.ub[c])
        p.ip.ub[c] = ip->cut->hi;
      /* Nothing beyond the bound the step moved: the hint is optimal. */
      hint_optimal = p.ip.lb[c] > p.ip.ub[c];
    }
  }
  hp_ip_solution rs;
  int rc = HP_OK;
  if (hint_optimal)
    memset(&rs, 0, sizeof rs), rs.status = HP_SOL_INFEASIBLE;
  else
    rc = solve_scaled(&p.ip, hint, 1, &rs, d);
  if (with_cut && rc != HP_ENOMEM) {
    /* Nothing inside the cut beats the hint: the hint is the optimum. A
     * failed search is run again without the cut. */
    double sign = ip->maximize ? -1 : 1, hv = 0;
    for (size_t c = 0; c < p.ip.n_cols; c++)
      hv += p.ip.obj[c] * hint[c];
    if (rc != HP_OK || rs.status == HP_SOL_ERROR || rs.node_limited) {
      hp_ip_solution_cleanup(&rs);
      size_t c = p.rep[ip->cut->col];
      p.ip.lb[c] = cut_lb;
      p.ip.ub[c] = cut_ub;
      if (d)
        hp_diag_clear(d);
      rc = solve_scaled(&p.ip, hint, 1, &rs, d);
    } else if (rs.status == HP_SOL_INFEASIBLE ||
               (rs.status == HP_SOL_OPTIMAL &&
                sign * (rs.objective - hv) > 0)) {
      hp_free(rs.x);
      rs.x = hint;
      hint = NULL;
      rs.status = HP_SOL_OPTIMAL;
      rs.objective = hv;
    }
  }
  if (with_cut) {
    /* The cut bounded the search, not the program. */
    size_t c = p.rep[ip->cut->col];
    p.ip.lb[c] = cut_lb;
    p.ip.ub[c] = cut_ub;
  }
  /* GLPK's MIP presolver works to an absolute tolerance (1e-3 plus 1e-6 of
   * a row's bound): on a small power row in MW it lets a point past the
   * limit. Every optimum is checked against the rows; one that fails them
   * is searched again with the presolver off. */
  if (rc == HP_OK && rs.status == HP_SOL_OPTIMAL && rs.x &&
      !hp_ip_point_ok(&p.ip, rs.x)) {
    hp_ip_solution_cleanup(&rs);
    rc = solve_scaled(&p.ip, hint, 0, &rs, d);
  }
  hp_free(hint);
  *sol = rs;
  sol->x = NULL;
  if (rc == HP_OK && rs.status == HP_SOL_OPTIMAL) {
    sol->x = hp_malloc((ip->n_cols ? ip->n_cols : 1) * sizeof *sol->x);
    if (!sol->x) {
      rc = hp_diag_oom(d);
      sol->status = HP_SOL_ERROR;
    } else {
      hp_ip_presolve_undo(&p, rs.x, sol->x);
    }
  }
  hp_free(rs.x);
  hp_ip_presolve_cleanup(&p);
  return rc;
}
