/* hetplan.h - the public interface of the hetplan library.
 *
 * hetplan sizes a purchase of AI accelerator cards: it loads a catalog of
 * card SKUs (devices/ *.yaml) and a plan (plans/ *.yaml), turns each scenario's
 * workload into demand, solves for the cheapest mix of servers, and renders
 * the result. This is the only installed header; everything behind the
 * opaque handles may change between versions.
 *
 * Conventions (see docs/api.md):
 *  - Every fallible function returns int: 0 (HP_OK) or a negative HP_E* code.
 *  - An hp_diag *d, always the last parameter and allowed to be NULL, receives
 *    a message with the file, 1-based line and column where that applies.
 *  - hp_x_new/hp_x_load set *out only on success; hp_x_free(NULL) is a no-op.
 *  - The library never prints, exits or aborts on bad input.
 *  - Threads: a handle passed as const is only read, so threads may share
 *    it; one passed without const must not be in use elsewhere meanwhile.
 *
 * Build against the installed library with pkg-config: `pkg-config
 * --cflags --libs hetplan` (libhetplan.so.0; only HP_API is exported).
 */
#ifndef HETPLAN_H
#define HETPLAN_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HP_API __attribute__((visibility("default")))
#else
#define HP_API
#endif

/* The library's version. HP_VERSION is the same number as a string; the
 * CMake project version, hetplan.pc and the SONAME follow these macros
 * (CMakeLists.txt reads them from this header). */
#define HP_VERSION_MAJOR 0
#define HP_VERSION_MINOR 5
#define HP_VERSION_PATCH 0
#define HP_VERSION "0.5.0"
/* HP_VERSION_MAJOR/MINOR/PATCH packed as one number, 0xMMmmpp, so that
 * versions compare with < (libuv's UV_VERSION_HEX). */
#define HP_VERSION_HEX                                                         \
  ((HP_VERSION_MAJOR << 16) | (HP_VERSION_MINOR << 8) | HP_VERSION_PATCH)

/* ---------------------------------------------------------------------------
 * Status codes, defined once (libuv's UV_ERRNO_MAP shape).
 * XX(NAME, value, message)
 * ------------------------------------------------------------------------- */
#define HP_STATUS_MAP(XX)                                                      \
  XX(OK, 0, "success")                                                         \
  XX(ENOMEM, -1, "out of memory")                                              \
  XX(EIO, -2, "input/output error")                                            \
  XX(EINVAL, -3, "invalid argument")                                           \
  XX(EPARSE, -4, "malformed YAML")                                             \
  XX(ETYPE, -5, "wrong type")                                                  \
  XX(EKEY, -6, "unknown key")                                                  \
  XX(EDUP, -7, "duplicate key")                                                \
  XX(ERANGE, -8, "value out of range")                                         \
  XX(EMISSING, -9, "required key missing")                                     \
  XX(ENODEV, -10, "unknown device")                                            \
  XX(EEMPTY, -11, "empty input")                                               \
  XX(ELIMIT, -12, "input exceeds a limit")                                     \
  XX(EINFEASIBLE, -13, "no plan satisfies the constraints")                    \
  XX(ESOLVER, -14, "solver failure")                                           \
  XX(ENOTSUP, -15, "not supported")                                            \
  XX(EBACKEND, -16, "device backend failure")                                  \
  XX(ENOTFOUND, -17, "not found")                                              \
  XX(EUNBOUNDED, -18, "objective is unbounded")

typedef enum {
#define HP_STATUS_ENUM(name, value, msg) HP_##name = value,
  HP_STATUS_MAP(HP_STATUS_ENUM)
#undef HP_STATUS_ENUM
} hp_status;

/** The version of the library loaded at run time, as HP_VERSION_HEX packs
 * it (0xMMmmpp): compare it with HP_VERSION_HEX, the version a program was
 * compiled against. Since 0.1. */
HP_API unsigned hp_version(void);
/** The same as a static string, "MAJOR.MINOR.PATCH" (HP_VERSION). */
HP_API const char *hp_version_string(void);

/** Returns a static English sentence for a status code ("unknown" if none). */
HP_API const char *hp_strerror(int status);
/** Returns the symbolic name of a status code, e.g. "HP_EPARSE". */
HP_API const char *hp_status_name(int status);

/* ---------------------------------------------------------------------------
 * Diagnostics: where an error happened.
 * ------------------------------------------------------------------------- */
#define HP_DIAG_MSG_MAX 1024
#define HP_DIAG_FILE_MAX 512

typedef struct hp_diag {
  int status;                  /* the HP_E* code that was returned */
  char file[HP_DIAG_FILE_MAX]; /* source file, "" when none applies */
  int line;                    /* 1-based line, 0 when unknown */
  int column;                  /* 1-based column, 0 when unknown */
  char msg[HP_DIAG_MSG_MAX];   /* what was wrong and what was expected */
} hp_diag;

/** Resets a diag to "no error". */
HP_API void hp_diag_clear(hp_diag *d);
/** Formats "file:line:col: msg" (or the parts that are known) into buf.
 * Returns the length that the full text needs, like snprintf. */
HP_API int hp_diag_format(const hp_diag *d, char *buf, size_t size);

/* ---------------------------------------------------------------------------
 * Memory hooks: every allocation of the library goes through these, so that
 * tests can fail the Nth allocation (SQLite faultsim, Lua debug_realloc).
 * ------------------------------------------------------------------------- */
typedef struct hp_allocator {
  void *(*malloc_fn)(size_t size, void *ud);
  void *(*realloc_fn)(void *p, size_t size, void *ud);
  void (*free_fn)(void *p, void *ud);
  void *ud;
} hp_allocator;

/** Installs an allocator for the whole library; NULL restores libc's.
 * Not thread-safe: call before any other hetplan function. */
HP_API void hp_set_allocator(const hp_allocator *a);
/** Frees memory that a hetplan function returned as "caller frees". */
HP_API void hp_free(void *p);

/* ---------------------------------------------------------------------------
 * Catalog: the card SKUs (one devices/ *.yaml file each).
 * ------------------------------------------------------------------------- */
typedef struct hp_catalog hp_catalog;

/* Confidence of a catalog figure, from its source. */
typedef enum {
  HP_CONF_NONE = 0, /* figure absent */
  HP_CONF_V,        /* vendor document */
  HP_CONF_S,        /* reputable secondary source */
  HP_CONF_W,        /* weak: single low-quality source */
  HP_CONF_E,        /* estimate derived by stated arithmetic */
  HP_CONF_M         /* measured by `hetplan probe` */
} hp_confidence;

/* The numeric figures of a card, indexed for generic access (sweeps,
 * overrides, sources). XX(field, key, unit, required). network_gbps is per
 * server (scale-out NICs), 0 = not given: HP_DEFAULT_NETWORK_GBPS applies. */
#define HP_FIGURE_MAP(XX)                                                      \
  XX(memory_gb, "memory_gb", "GB", 1)                                          \
  XX(memory_bw_tbps, "memory_bw_tbps", "TB/s", 1)                              \
  XX(fp16_tflops, "fp16_tflops", "TFLOPS", 1)                                  \
  XX(tdp_w, "tdp_w", "W", 1)                                                   \
  XX(cards_per_server, "cards_per_server", "cards", 1)                         \
  XX(price_server_cny, "price_server_cny", "CNY", 1)                           \
  XX(price_card_cny, "price_card_cny", "CNY", 0)                               \
  XX(fp8_tflops, "fp8_tflops", "TFLOPS", 0)                                    \
  XX(int8_tops, "int8_tops", "TOPS", 0)                                        \
  XX(fp32_tflops, "fp32_tflops", "TFLOPS", 0)                                  \
  XX(interconnect_gbps, "interconnect_gbps", "GB/s", 0)                        \
  XX(network_gbps, "network_gbps", "Gbit/s", 0)                                \
  XX(server_power_w, "server_power_w", "W", 0)                                 \
  XX(fp4_tflops, "fp4_tflops", "TFLOPS", 0)                                    \
  XX(price_hour_cny, "price_hour_cny", "CNY/h", 0)

typedef enum {
#define HP_FIGURE_ENUM(field, key, unit, req) HP_FIG_##field,
  HP_FIGURE_MAP(HP_FIGURE_ENUM)
#undef HP_FIGURE_ENUM
      HP_FIG_COUNT
} hp_figure;

/* Whether a card can be bought new in China (`market: {china: ...}`). */
typedef enum {
  HP_MARKET_UNKNOWN = 0, /* the file gives no market block */
  HP_MARKET_AVAILABLE,   /* can be ordered */
  HP_MARKET_RESTRICTED,  /* orderable only under licence, fee or official
                            discouragement; a what-if */
  HP_MARKET_UNAVAILABLE  /* cannot be ordered new (banned, halted, not yet
                            shipping) */
} hp_market;

/** Returns "available", "restricted", "unavailable" or "unknown". Since 0.4. */
HP_API const char *hp_market_name(hp_market m);

/* One card SKU. Strings are owned by the catalog: valid until
 * hp_catalog_free. A figure that the file does not give is 0 and its
 * confidence HP_CONF_NONE. */
typedef struct hp_device_spec {
  const char *id;           /* "nvidia-h20": lower case, unique */
  const char *vendor;       /* "NVIDIA", "Huawei", ... */
  const char *name;         /* human name, "H20 96GB SXM" */
  int domestic;             /* 1 for a Chinese domestic card */
  int opencl;               /* 1 if the vendor ships an OpenCL runtime */
  double fig[HP_FIG_COUNT]; /* figures in the units of HP_FIGURE_MAP */
  hp_confidence conf[HP_FIG_COUNT]; /* where each figure came from */
  const char *src[HP_FIG_COUNT];    /* source text per figure, or NULL */
  double mfu;           /* default model FLOPs utilisation, 0 = unset */
  double mbu;           /* default memory-bandwidth utilisation, 0 = unset */
  const char *path;     /* file it was loaded from */
  const char *notes;    /* free text, or NULL */
  const char *measured; /* probe profile path (resolved), or NULL */
  const char *measured_device; /* device id inside the profile, or NULL */
  hp_market market_china;      /* can it be bought new in China (since 0.4) */
  const char *market_as_of;    /* date of that status, "YYYY-MM-DD" */
  const char *market_ref;      /* source of that status */
  const char *price_as_of;     /* date of the price figures, "YYYY-MM-DD" */
  double price_hour_cny;       /* rent of one server per hour, CNY; 0 = none
                                  (objective: rent; since 0.5); the same as
                                  fig[HP_FIG_price_hour_cny] */
} hp_device_spec;

/** Returns the YAML key of a figure ("fp16_tflops"). */
HP_API const char *hp_figure_key(hp_figure f);
/** Returns the unit of a figure ("TFLOPS"). */
HP_API const char *hp_figure_unit(hp_figure f);
/** Finds a figure by its key; returns HP_ENOTFOUND if there is none. */
HP_API int hp_figure_find(const char *key, hp_figure *out);

/** Loads every *.yaml file of a directory as one catalog.
 * Returns HP_OK and sets *out, or an error with d naming file:line:col. */
HP_API int hp_catalog_load(const char *dir, hp_catalog **out, hp_diag *d);
/** Frees a catalog; NULL is a no-op. */
HP_API void hp_catalog_free(hp_catalog *c);
/** Number of SKUs in the catalog. */
HP_API size_t hp_catalog_count(const hp_catalog *c);
/** The i-th SKU (sorted by vendor, then id). Valid until hp_catalog_free. */
HP_API const hp_device_spec *hp_catalog_at(const hp_catalog *c, size_t i);
/** Finds a SKU by id; NULL if absent. Valid until hp_catalog_free. */
HP_API const hp_device_spec *hp_catalog_find(const hp_catalog *c,
                                             const char *id);

/* ---------------------------------------------------------------------------
 * Plans: a plans/ *.yaml file, one or more scenarios.
 * ------------------------------------------------------------------------- */
typedef struct hp_planfile hp_planfile;

/** Loads and validates a plan file against a catalog (device ids are checked
 * here). The catalog must outlive the plan file. */
HP_API int hp_planfile_load(const char *path, const hp_catalog *cat,
                            hp_planfile **out, hp_diag *d);
/** Same, from a string; name is used in diagnostics. */
HP_API int hp_planfile_parse(const char *text, size_t len, const char *name,
                             const hp_catalog *cat, hp_planfile **out,
                             hp_diag *d);
HP_API void hp_planfile_free(hp_planfile *p);
HP_API const char *hp_planfile_name(const hp_planfile *p);
HP_API size_t hp_planfile_count(const hp_planfile *p);
HP_API const char *hp_planfile_scenario_name(const hp_planfile *p, size_t i);

/** Sets a numeric key of every scenario, addressed by its dotted path
 * ("constraints.domestic_share.min", "overrides.nvidia-h20.price_server_cny",
 * "workload.tokens_per_day"), and re-validates. On error nothing changes. */
HP_API int hp_planfile_set_number(hp_planfile *p, const char *path,
                                  double value, hp_diag *d);

/** Keys that name a card no scenario they apply to lists among its devices
 * (`overrides.ID`, `measured.ID`, `constraints.caps.ID`), so that they
 * change nothing: most often a typo of another card's id. Fills up to `cap`
 * warnings (file, line and column of the key, and a message) and returns
 * how many there are; a key in `defaults:` counts once, and only when no
 * scenario lists its card. Since 0.3. */
HP_API size_t hp_planfile_unused_keys(const hp_planfile *p, hp_diag *w,
                                      size_t cap);

/** SKUs that a scenario may buy although they are restricted or
 * unavailable in China per the catalog (or of unknown status, under
 * `devices: available`): one warning per SKU, at the position of the
 * `devices:` key that lists it, naming its status and date. Fills up to
 * `cap` and returns how many there are. For runs that solve many points
 * (sweep, Monte Carlo); a solved plan's result lists what it bought
 * (hp_scenario_result.warnings). Since 0.4. */
HP_API size_t hp_planfile_market_warnings(const hp_planfile *p, hp_diag *w,
                                          size_t cap);

/** 1 if the plan would accept text at a key path (a name, a description):
 * such a key is not one a sweep or an uncertain: block can vary; 0 if not;
 * HP_ENOMEM if memory ran out. The plan is not changed. */
HP_API int hp_planfile_takes_text(const hp_planfile *p, const char *path);

/* ---------------------------------------------------------------------------
 * Results.
 * ------------------------------------------------------------------------- */
typedef enum {
  HP_RESULT_OPTIMAL = 0,
  HP_RESULT_INFEASIBLE,
  HP_RESULT_ERROR
} hp_result_status;

/** Returns "optimal", "infeasible" or "error". */
HP_API const char *hp_result_status_name(hp_result_status s);

struct hp_scenario_result;
/** The status every report prints for r on its first line: "optimal" only
 * for a plan proven optimal; "feasible, not proven optimal (gap 0.0154%)"
 * for a plan the search did not prove (solver.node_limit reached, stopped
 * at solver.mip_gap, or a plan repaired after the solver's point missed a
 * constraint by rounding), "(gap at most 0.001%)" where only a bound on
 * the gap is known; else "infeasible" or "error". Written into buf (size
 * bytes; 64 suffice); returns buf. */
HP_API const char *hp_result_status_word(const struct hp_scenario_result *r,
                                         char *buf, size_t size);
/** 1 if r has a plan proven optimal; 0 if it has none or one not proven. */
HP_API int hp_result_proven(const struct hp_scenario_result *r);

/* One SKU line of a solved scenario. */
typedef struct hp_plan_line {
  const char *device;  /* SKU id; borrowed from the catalog */
  const char *vendor;  /* borrowed from the catalog */
  int domestic;        /* 1 for a domestic SKU */
  double cards;        /* cards bought (fractional in fractional mode) */
  double servers;      /* servers bought */
  double capex_cny;    /* servers x server price, CNY */
  double tokens_per_s; /* throughput delivered by these servers */
  double power_kw;     /* TDP x cards x PUE, kW */
  double tokens_per_s_per_server; /* per-server throughput used */
  int measured;     /* 1 if a measured profile set its efficiency */
  const char *note; /* since 0.4: why this SKU computes on a wider roof than
                       the weights ask for (roofline: fp4 or fp8 weights on
                       a card without that roof), or NULL; owned by the
                       result */
} hp_plan_line;

/* The per-vendor roll-up. */
typedef struct hp_plan_vendor {
  const char *vendor;  /* borrowed from the catalog */
  int domestic;        /* 1 if every SKU of the vendor is domestic */
  double cards;        /* cards */
  double servers;      /* servers */
  double capex_cny;    /* CNY */
  double tokens_per_s; /* tokens/s delivered */
  double power_kw;     /* since 0.5: TDP x cards x PUE of its SKUs, kW */
} hp_plan_vendor;

/* Under the roofline demand model: the servers of one SKU given to one
 * request class (a Melange-style assignment), with the operating point the
 * roofline derivation chose for them. */
typedef struct hp_plan_assign {
  const char *request_class;      /* class name; owned by the result */
  const char *device;             /* SKU id; borrowed from the catalog */
  double servers;                 /* servers serving this class */
  double tokens_per_s;            /* input + output tokens/s they deliver */
  double tokens_per_s_per_server; /* per server, from the roofline */
  int tp;                         /* tensor-parallel degree */
  int batch;                      /* concurrent requests per replica */
  int memory_bound;               /* 1 if the decode step is bandwidth bound */
  double ttft_ms;                 /* prefill time of one prompt, ms */
  double tpot_ms;                 /* time per output token at that batch, ms */
  /* since 0.5: this class's part of its SKU line (servers / line servers) */
  double cards;     /* cards in these servers */
  double capex_cny; /* their capex, CNY */
  double power_kw;  /* their power at TDP x PUE, kW */
} hp_plan_assign;

/* Services (since 0.5): one pool of servers of one SKU. A colocated pool
 * serves both phases; a disaggregated service's prefill and decode pools
 * are separate servers, the KV cache crossing the network between them. */
typedef struct hp_plan_pool {
  const char *device;       /* SKU id; borrowed from the catalog */
  const char *role;         /* "colocated", "prefill" or "decode" (static) */
  double servers;           /* servers in the pool */
  double cards;             /* cards */
  double capex_cny;         /* CNY */
  double rent_cny_per_hour; /* servers x price_hour_cny, CNY/h; 0 = none */
  double busy;              /* share of the pool's capacity the load uses */
  double kv_bytes_s;        /* KV bytes/s leaving (prefill) or entering
                               (decode) the pool; 0 colocated */
  double network_bytes_s;   /* the pool's scale-out network, bytes/s */
  double network_use;       /* kv_bytes_s / network_bytes_s; 0 without one
                               (since 0.5) */
} hp_plan_pool;

/* Services (since 0.5): the part of one (service, class, phase) load that
 * one SKU serves. */
typedef struct hp_plan_split {
  const char *service;            /* service name; owned by the result */
  const char *request_class;      /* class name; owned by the result */
  const char *phase;              /* "both", "prefill" or "decode" (static) */
  const char *device;             /* SKU id; borrowed from the catalog */
  double fraction;                /* share of the cell's load, 0..1 */
  double servers;                 /* servers-equivalent it occupies */
  double tokens_per_s;            /* tokens/s at peak it serves (input + output
                                     for both, input for prefill, output for
                                     decode) */
  double tokens_per_s_per_server; /* the cell's throughput on this SKU */
  int measured;                   /* 1: a throughput: row gave the figure */
  const char *source;             /* that row's source; owned; NULL modelled */
} hp_plan_split;

/* Everything a renderer needs about one scenario. */
typedef struct hp_scenario_result {
  const char *name;              /* scenario name */
  hp_result_status status;       /* optimal, infeasible or error */
  const char *granularity;       /* "fractional", "card", "server" */
  const char *objective;         /* "capex", "max_tokens", "tco" */
  const char *demand_model;      /* "flops" or "roofline" */
  double demand_tokens_per_s;    /* peak tokens/s to serve */
  double demand_flops;           /* FLOP/s that demand implies (flops model) */
  double required_tokens_per_s;  /* demand x (1 + headroom) */
  double tokens_per_day;         /* average tokens per day */
  double seconds_per_day;        /* seconds in the serving day */
  double peak_factor;            /* peak over average */
  double cards;                  /* total cards */
  double servers;                /* total servers */
  double capex_cny;              /* total capex, CNY */
  double power_mw;               /* total facility power, MW */
  double delivered_tokens_per_s; /* throughput of the servers bought */
  double domestic_share_compute; /* share of delivered tokens/s, 0..1 */
  double domestic_share_cards;   /* share of cards, 0..1 */
  double domestic_share_capex;   /* share of capex, 0..1 */
  double opex_cny_per_year;      /* electricity per year, CNY */
  double tco_cny;                /* capex + opex over the horizon, CNY */
  double years;                  /* TCO horizon, years */
  double cost_per_mtok_cny;      /* TCO per million tokens served, CNY */
  double token_price_per_mtok_cny; /* price to compare with, 0 = none */
  size_t n_lines;
  hp_plan_line *lines; /* one per SKU bought, sorted by capex */
  size_t n_vendors;
  hp_plan_vendor *vendors; /* one per vendor bought */
  char *explanation;       /* why infeasible/error; NULL when optimal */
  double solve_ms;         /* time spent in the solver, ms */
  /* since 0.2 */
  size_t n_assigns;
  hp_plan_assign *assigns; /* roofline: (class, SKU) servers; else none */
  struct hp_scenario_result *compare; /* the same scenario under the other
                                         demand model (HP_SOLVE_COMPARE_MODELS),
                                         or NULL; owned by this result */
  /* solver.mip_gap (since 0.2) */
  double mip_gap; /* relative gap the plan let the solver stop at (scenario
                     key solver.mip_gap); 0 = the optimum is proven */
  int within_gap; /* 1: the search stopped at mip_gap; the plan's objective
                     is within that share of the optimum, not proven equal */
  /* solver.node_limit (since 0.3) */
  double node_limit; /* branch-and-bound nodes the search may take */
  int node_limited;  /* 1: it took them all before proving the optimum; the
                        plan is the best it found, within `gap` of it */
  double gap;        /* node_limited: what the search proved, |objective -
                        bound| / |objective|; HUGE_VAL if nothing; within_gap
                        or repaired: at most this (since 0.4) */
  /* numerics (since 0.4) */
  int repaired; /* 1: the solver's point missed a constraint by rounding
                   (huge or tiny figures) and was repaired: a feasible plan,
                   not proven optimal */
  /* market (since 0.4) */
  size_t n_warnings;
  char **warnings; /* one sentence per SKU bought that is restricted or
                      unavailable in China (or of unknown status under
                      `devices: available`), naming its status and date;
                      owned by the result */
  /* services (since 0.5); all zero for a `workload:` plan */
  size_t n_services;        /* services served */
  double rent_cny_per_hour; /* the fleet's rent, CNY/h (0 without prices) */
  size_t n_pools;
  hp_plan_pool *pools; /* per SKU and role bought */
  size_t n_splits;
  hp_plan_split *splits; /* per (service, class, phase) and SKU used */
  /* figures finished by the planner for every renderer (since 0.5) */
  double margin; /* 1 - cost_per_mtok_cny / token_price_per_mtok_cny, as a
                    fraction; meaningful only when a price is given */
  double cost_over_price_pct;      /* 100 x cost_per_mtok_cny /
                                      token_price_per_mtok_cny, %; 0 = no price
                                      (since 0.5) */
  double sustained_tokens_per_day; /* hp_result_sustained_tokens_per_day */
  double sustained_over_workload;  /* max_tokens: sustained tokens/day over
                                      the workload's tokens/day; 0 = none */
  double compare_ratio; /* with `compare`, both optimal: roofline capex over
                           flops capex (max_tokens: roofline delivered
                           tokens/s over flops'); 0 = none */
  double compare_off;   /* the same pair the other way, minus 1: how far the
                           broker formula is off (0.25 = 25% too high) */
} hp_scenario_result;

/** Tokens per day that a result's bought capacity sustains: delivered
 * tokens/s at peak over the peak factor, times the serving seconds per day.
 * What objective max_tokens buys (and prices per million tokens). */
HP_API double hp_result_sustained_tokens_per_day(const hp_scenario_result *r);

typedef struct hp_plan hp_plan;

/** Solves every scenario of a plan file. Infeasible scenarios do not make
 * this fail: their status says so and their explanation says why. Returns an
 * error only when nothing could be attempted (out of memory). The plan
 * borrows SKU strings from cat, which must outlive it; pf need not.
 * Threads: the solver, GLPK, keeps one environment per thread. The first
 * solve on a thread arranges for that thread's environment to be freed
 * when the thread exits (the main thread's lives until the process exits),
 * so threads may solve and exit freely. A program that calls GLPK itself
 * must not do so on a thread that solves: hetplan frees the thread's
 * environment, and with it every GLPK object of the thread, at its exit
 * and after a GLPK failure (docs/api.md, "The GLPK rule"). */
HP_API int hp_plan_solve(const hp_planfile *pf, const hp_catalog *cat,
                         hp_plan **out, hp_diag *d);
/* Flags of hp_plan_solve_ex. */
#define HP_SOLVE_COMPARE_MODELS                                                \
  1u /* also solve under the other demand model                                \
        (flops <-> roofline) into ->compare */

/** hp_plan_solve with flags (HP_SOLVE_*). With HP_SOLVE_COMPARE_MODELS each
 * result's `compare` holds the scenario solved under the other demand
 * model; when that model cannot run (a flops scenario without an
 * architecture or request classes) its status is HP_RESULT_ERROR and its
 * explanation says what is missing. */
HP_API int hp_plan_solve_ex(const hp_planfile *pf, const hp_catalog *cat,
                            unsigned flags, hp_plan **out, hp_diag *d);
/** Progress of a long solve, as the hook of hp_set_progress sees it. */
typedef struct hp_progress {
  double elapsed_s;  /* since this solve started, s */
  long nodes;        /* branch-and-bound nodes so far */
  int has_incumbent; /* 1: incumbent is set */
  double incumbent;  /* objective of the best plan found so far (CNY, or
                        tokens/s for max_tokens) */
  int has_bound;     /* 1: bound is set */
  double bound;      /* no plan has a better objective than this */
  int maximize;      /* 1: max_tokens (tokens/s, larger is better); 0: CNY */
  int done;          /* 1: the last call of this solve (clear the line) */
} hp_progress;
typedef void (*hp_progress_fn)(const hp_progress *p, void *arg);
/** Sets a hook that a long solve calls on the calling thread: first after
 * every_s seconds of one solve (1 s when every_s <= 0), then every every_s
 * seconds, and once more with done set when a solve that reported ends.
 * Solves on other threads do not call it. NULL removes it. The hook must
 * not call hetplan. The timing only decides when to report: the search and
 * its answer are the same with or without a hook. Since 0.4. */
HP_API void hp_set_progress(hp_progress_fn fn, void *arg, double every_s);
/** Writes scenario i's integer program, the one hp_plan_solve solves, to
 * path as CPLEX LP (readable row and column names: the SKU, class.SKU under
 * the roofline model) for inspection or another solver (glpsol --lp, cbc).
 * The file is written whole or not at all. HP_OK, or an error with d set.
 * Since 0.4. */
HP_API int hp_planfile_write_lp(const hp_planfile *p, size_t i,
                                const char *path, hp_diag *d);
HP_API void hp_plan_free(hp_plan *p);
HP_API const char *hp_plan_name(const hp_plan *p);
HP_API size_t hp_plan_count(const hp_plan *p);
/** The i-th scenario result. Valid until hp_plan_free. */
HP_API const hp_scenario_result *hp_plan_at(const hp_plan *p, size_t i);

/* ---------------------------------------------------------------------------
 * Reports. Renderers never compute; they only format a finished plan.
 * ------------------------------------------------------------------------- */
typedef enum {
  HP_FORMAT_TABLE = 0,
  HP_FORMAT_JSON,
  HP_FORMAT_CSV,
  HP_FORMAT_MD,
  HP_FORMAT_XLSX, /* since 0.5: an Excel workbook (plan, batch, sweep,
                     montecarlo; not through hp_report_render) */
  HP_FORMAT_HTML  /* since 0.5: a self-contained HTML page (likewise) */
} hp_format;

/** Parses "table", "json", "csv", "md" (or "markdown"), "xlsx", "html". */
HP_API int hp_format_parse(const char *s, hp_format *out);

/** Renders a plan into a newly allocated string (caller frees with hp_free). */
HP_API int hp_report_render(const hp_plan *p, hp_format fmt, char **out,
                            size_t *len, hp_diag *d);
/** Renders the catalog as a table/json/csv/md (caller frees with hp_free). */
HP_API int hp_catalog_render(const hp_catalog *c, hp_format fmt, char **out,
                             size_t *len, hp_diag *d);
/** Renders one card of the catalog in full (every figure with its value,
 * unit, confidence and source; its market status and price date) into a
 * newly allocated string (caller frees with hp_free). An id not in the
 * catalog is HP_ENODEV, with a did-you-mean in d. Since 0.4. */
HP_API int hp_catalog_render_device(const hp_catalog *c, const char *id,
                                    hp_format fmt, char **out, size_t *len,
                                    hp_diag *d);

/* ---------------------------------------------------------------------------
 * Output files, so that a reader never sees half a file: a regular file or
 * a new name is replaced atomically (temporary file, fsync, rename; an
 * existing file keeps its mode); a symbolic link is resolved and its target
 * replaced; a FIFO or device is written through, and /dev/stdout or
 * /dev/fd/N is written to the descriptor itself (a `>>` redirection keeps
 * appending); a directory, a dangling link or an empty name is an error.
 * ------------------------------------------------------------------------- */
/** The descriptor an output path names by itself: 1 for /dev/stdout, 2 for
 * /dev/stderr, N for /dev/fd/N or /proc/self/fd/N; -1 for any other path.
 * hp_write_file_atomic writes to such a descriptor as it is. */
HP_API int hp_output_fd(const char *path);
HP_API int hp_write_file_atomic(const char *path, const char *data, size_t len,
                                hp_diag *d);

#ifdef __cplusplus
}
#endif
#endif /* HETPLAN_H */
