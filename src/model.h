/* model.h - the model layer: pure data types of what is served and bought
 * (cards a scenario may buy, the model and its request classes, roofline
 * knobs, number formats, the bound scenario) and their small pure functions
 * (model.c). No I/O, no YAML: the loader (scenario.h) fills these, the
 * planner and the roofline read them.
 */
#ifndef HP_MODEL_H
#define HP_MODEL_H

#include <stddef.h>

#include "hetplan.h"

typedef enum {
  HP_GRAN_FRACTIONAL = 0, /* continuous servers: the broker's answer */
  HP_GRAN_CARD,           /* whole cards */
  HP_GRAN_SERVER          /* whole servers (default) */
} hp_granularity;

typedef enum {
  HP_OBJ_CAPEX = 0,
  HP_OBJ_MAX_TOKENS,
  HP_OBJ_TCO,
  HP_OBJ_RENT /* hourly rent of the fleet, CNY/h (price_hour_cny) */
} hp_objective;
typedef enum { HP_DEMAND_FLOPS = 0, HP_DEMAND_ROOFLINE } hp_demand_model;
typedef enum {
  HP_BASIS_COMPUTE = 0, /* share of delivered tokens/s */
  HP_BASIS_CARDS,       /* share of cards */
  HP_BASIS_CAPEX        /* share of capex */
} hp_share_basis;

const char *hp_model_granularity_name(hp_granularity g);
const char *hp_model_objective_name(hp_objective o);
const char *hp_model_demand_model_name(hp_demand_model m);
const char *hp_model_basis_name(hp_share_basis b);

/* A supply cap, per SKU or per vendor. */
typedef struct hp_cap {
  char *key;     /* SKU id, or vendor name for a vendor cap */
  int is_vendor; /* 1 for `vendor.NAME` */
  double cards;  /* most cards that can be bought */
} hp_cap;

/* One SKU that a scenario may buy, with its overrides applied. */
typedef struct hp_candidate {
  hp_device_spec spec; /* the catalog entry's figures, overridden where the
                        * plan says; strings borrowed from the catalog */
  double mfu;          /* effective model FLOPs utilisation used */
  double mbu;          /* effective memory-bandwidth utilisation used */
  int measured;        /* 1 if mfu/bandwidth came from a probe profile */
  char *mfu_from;      /* where mfu came from: "plan", "override", ... */
  int eff_default;     /* bit 1: mfu, bit 2: mbu set by nobody (plan,
                          device file, profile): the roofline then takes
                          its card and stack table (roofline.h) */
  int mbu_plan;        /* 1: mbu is the plan's `mbu:` (no profile or
                          override took precedence; hp_scenario_set) */
  char *price_as_of;   /* the plan's own date for an overridden price
                        * (spec.price_as_of points here), or NULL */
} hp_candidate;

/* Number formats of weights and KV cache (docs/roofline.md). */
typedef enum {
  HP_DTYPE_FP16 = 0, /* 2 bytes */
  HP_DTYPE_BF16,     /* 2 bytes */
  HP_DTYPE_FP8,  /* 1 byte; computes on the FP8 roof where the card has one */
  HP_DTYPE_INT8, /* 1 byte, weight-only: computes on the FP16 roof */
  HP_DTYPE_INT4, /* 0.5 byte, weight-only: computes on the FP16 roof */
  HP_DTYPE_FP4   /* 0.5 byte (MXFP4/NVFP4); computes on the FP4 roof, or the
                    next wider one the card has (FP8, then FP16) */
} hp_dtype;

const char *hp_model_dtype_name(hp_dtype t);
double hp_model_dtype_bytes(hp_dtype t);

/* The model being served. params/active_params are enough for the broker
 * formula; the roofline model needs the architecture (has_arch). Counts are
 * doubles so that they print and sweep like every other figure; the binder
 * checks that they are whole. */
typedef struct hp_model_desc {
  char *name;           /* model name, or NULL */
  double params;        /* total parameters */
  double active_params; /* parameters used per token (MoE), = params if dense */
  /* architecture (roofline); 0 when not given */
  int has_arch;             /* 1 when layers, hidden_size and heads are known */
  double layers;            /* transformer blocks */
  double hidden_size;       /* model width (activations per token) */
  double heads;             /* attention (query) heads */
  double kv_heads;          /* KV heads (GQA); = heads for MHA */
  double head_dim;          /* per-head dimension (V head dim for MLA) */
  double vocab;             /* vocabulary, informational */
  double kv_lora_rank;      /* MLA compressed KV latent width; 0 = GQA/MHA */
  double qk_rope_head_dim;  /* MLA decoupled RoPE key width, per layer */
  double experts;           /* routed experts per MoE layer; 0 = dense */
  double experts_per_token; /* routed experts each token uses */
  double moe_intermediate_size; /* FFN width of one routed expert; 0 = not
                                   given */
  double shared_experts;        /* always-on experts per MoE layer */
  double dense_layers;          /* leading layers with a dense FFN (MoE) */
  double sparse_attention_topk; /* KV tokens each query attends to under
                                   sparse attention (DeepSeek DSA); 0 =
                                   dense attention */
  hp_dtype weight_dtype;        /* weights as stored and read (default bf16) */
  hp_dtype kv_dtype;            /* KV cache entries (default bf16) */
  char *file;                /* models/ file the figures came from, or NULL */
  const char *kv_dtype_file; /* where kv_dtype was set (the plan's or the
                                model file's name, borrowed), or NULL */
  int kv_dtype_line, kv_dtype_col;
} hp_model_desc;

/* One class of requests (a Melange-style request mix, docs/roofline.md). */
typedef struct hp_request_class {
  char *name;           /* class name, unique in the scenario */
  double share;         /* fraction of requests, normalised to sum to 1 */
  double input_tokens;  /* prompt tokens per request */
  double output_tokens; /* generated tokens per request */
  double ttft_ms;       /* time-to-first-token SLO, ms; 0 = none */
  double tpot_ms;       /* time-per-output-token SLO, ms; 0 = none */
} hp_request_class;

/* Services (issue 21, docs/formulation.md "Services and shared capacity"):
 * a fleet serves several models, each with its request classes; a
 * disaggregated service runs prefill and decode on separate pools. */
typedef enum {
  HP_PHASE_BOTH = 0,    /* colocated: prefill and decode on one server */
  HP_PHASE_PREFILL = 1, /* the prompt, up to the first token */
  HP_PHASE_DECODE = 2   /* the generated tokens */
} hp_phase;
typedef enum {
  HP_SERVING_COLOCATED = 0,    /* one pool serves both phases (default) */
  HP_SERVING_DISAGGREGATED = 1 /* prefill pool and decode pool, the KV cache
                                  crossing the network between them */
} hp_serving;

const char *hp_model_phase_name(hp_phase p);

/* One service: a model with its volume and request classes. */
typedef struct hp_service {
  char *name;                /* unique in the scenario */
  hp_model_desc model;       /* the model served (owned) */
  double tokens_per_day;     /* average input + output tokens per day */
  double requests_per_s;     /* average requests/s over the mix */
  double seconds_per_day;    /* serving seconds per day, default 86400 */
  double peak_factor;        /* peak over average, default 1 */
  hp_serving serving;        /* colocated or disaggregated */
  hp_request_class *classes; /* request mix (owned), >= 1 */
  size_t n_classes;          /* classes */
  int line, col;             /* where the entry starts */
} hp_service;

/* One measured throughput row (`throughput:`), per server. */
typedef struct hp_tput_row {
  size_t service, cls;   /* indexes into s->services and its classes */
  size_t cand;           /* index into s->cands */
  hp_phase phase;        /* HP_PHASE_BOTH for a colocated service */
  double tokens_per_s;   /* per server: input+output (both), input
                            (prefill) or output (decode) tokens/s; or 0 */
  double requests_per_s; /* per server, requests/s; or 0 */
  char *source;          /* the row's own source text (owned) */
  const char *file;      /* file the row came from (borrowed: s->file or
                            tput_file) */
  int line, col;         /* where the row starts */
} hp_tput_row;

/* Knobs of the roofline model (scenario key `roofline:`), defaults in
 * hp_model_roof_opts_default and docs/roofline.md. */
typedef struct hp_roof_opts {
  double memory_fraction; /* usable share of memory_gb (runtime reserve) */
  double min_batch;       /* requests that must fit for a TP degree to count */
  double max_batch;       /* scheduler's cap on concurrent requests */
  double pcie_gbps;       /* link used when a card has no interconnect_gbps */
  double allreduce_us;    /* fixed latency of one all-reduce, us */
  double tp;              /* forced TP degree; 0 = chosen by the model */
  double batch;           /* forced batch; 0 = chosen by the model */
  int attention;          /* how decode attention reads the KV cache, an
                             hp_roof_attn (roofline.h): 0 grouped (each KV
                             head once per step, the default), 1 per query
                             head (TensorRT-LLM before XQA) */
  double kv_mbu;          /* share of the bandwidth the attention kernel's
                             KV reads reach; < 0 = the stack's figure */
  double reread_hit;      /* share of a per-query-head kernel's repeated KV
                             reads served from cache, 0..1; < 0 = the
                             stack's figure */
  int w8a8;               /* 1: int8 weights compute with int8 activations
                             on the int8_tops roof (CloudMatrix-Infer,
                             SmoothQuant-style stacks); 0: weight-only */
  double overlap;         /* share of the smaller of an operation's compute
                             and memory time that is not hidden under the
                             larger, 0..1; < 0 = the stack's figure */
  int stack;              /* serving stack, an hp_roof_stack (roofline.h);
                             0 = the card's default stack */
  int batching;           /* 0 static batch, 1 continuous with chunked
                             prefill */
  double prefill_chunk;   /* prompt tokens processed at once (activation
                             memory; continuous batching's chunk) */
  double ep;              /* expert-parallel cards (MoE, attention data
                             parallel); 0 = none, TP inside one server */
  double scaleout_gbps;   /* per card and direction beyond the scale-up
                             domain (one server or supernode), GB/s */
  double ar_share;        /* share of the link's per-direction bandwidth a
                             TP all-reduce reaches, 0..1; < 0 = the
                             stack's figure (PCIe: roofline.c's) */
  double layer_us;        /* fixed time of a layer per forward pass, us;
                             < 0 = the stack's figure */
} hp_roof_opts;

void hp_model_roof_opts_default(hp_roof_opts *o);

typedef struct hp_scenario {
  char *name;    /* scenario name, unique in the plan */
  char *file;    /* plan file, for messages */
  int line, col; /* where the scenario entry starts */
  /* workload */
  hp_model_desc model;            /* the model served */
  int has_workload;               /* 0 only for max_tokens without workload */
  double tokens_per_day;          /* average tokens per day */
  double users;                   /* users, when given (0 otherwise) */
  double tokens_per_user_per_day; /* tokens per user per day, when given */
  double seconds_per_day;         /* serving seconds per day, default 86400 */
  double peak_factor;             /* peak over average, default 1 */
  hp_demand_model demand_model;
  hp_granularity gran;
  hp_objective objective;
  int devices_available;         /* 1 for `devices: available` */
  int devices_line, devices_col; /* where `devices:` is, for warnings */
  /* candidates, in catalog order */
  hp_candidate *cands;
  size_t n_cands;
  /* constraints */
  double headroom; /* demand x (1 + headroom) must be served */
  int has_dom_min, has_dom_max;
  double dom_min, dom_max;  /* domestic share bounds, 0..1 */
  hp_share_basis dom_basis; /* basis of those bounds */
  hp_cap *caps;
  size_t n_caps;
  char **exclude_vendors; /* vendors never bought */
  size_t n_exclude_vendors;
  double power_mw;   /* facility power limit, MW; 0 = none */
  double budget_cny; /* capex limit, CNY; 0 = none */
  double
      max_vendor_share; /* no vendor above this share of tokens/s; 0 = none */
  /* costs */
  double pue;                      /* power usage effectiveness, default 1.3 */
  double years;                    /* TCO horizon, default 5 */
  double power_price_cny_per_kwh;  /* default 0.4 */
  double utilisation;              /* average draw / TDP, default 1.0 */
  double token_price_cny_per_mtok; /* 0 = none */
  /* roofline demand model (since 0.2) */
  hp_request_class *classes; /* request mix; empty unless workload.requests */
  size_t n_classes;
  double requests_per_s; /* average requests/s (0 without classes) */
  hp_roof_opts roof;     /* roofline knobs */
  /* solver (scenario key `solver:`) */
  double mip_gap;    /* relative gap at which the search may stop; 0 = exact */
  double node_limit; /* branch-and-bound nodes before the search stops with
                        the best plan found (a whole number) */
  int engine;        /* solver.engine, an hp_ip_engine (solver_cbc.h);
                        meaningful when engine_given */
  int engine_given;  /* 1: the plan names solver.engine; else the planner
                        picks (hp_planner_engine) */
  /* services (issue 21); n_services == 0 for a `workload:` plan */
  hp_service *services; /* owned */
  size_t n_services;
  hp_tput_row *tput; /* measured throughput rows (owned) */
  size_t n_tput;
  char *tput_file;            /* throughput: {file: PATH}, resolved, or NULL */
  double min_servers_per_sku; /* an SKU is bought in >= N servers or not at
                                 all; 0 = none */
  double max_skus;            /* at most this many distinct SKUs; 0 = none */
} hp_scenario;

#endif
