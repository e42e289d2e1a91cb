/* roofline.h - tokens/s per server from a model's architecture and a card's
 * roofs (since 0.2; docs/roofline.md gives every formula and default).
 *
 * Pure arithmetic over a bound scenario: no I/O, no allocation, no text
 * (report_explain.c writes the derivation). For one (request class, SKU)
 * pair it finds the tensor-parallel degree (or expert parallelism across
 * servers), the prefill time, the decode step time (per operation, compute
 * and memory combined by the overlap model, plus the TP all-reduce or the
 * expert all-to-all), the largest batch that fits memory and meets the
 * SLOs, and from these the sustained throughput of one server, with the
 * efficiency of the card's family on its serving stack.
 */
#ifndef HP_ROOFLINE_H
#define HP_ROOFLINE_H

#include "model.h"

/* How the decode attention kernel reads the KV cache (docs/roofline.md,
 * "KV reads"). A property of the serving stack, not an efficiency: it
 * changes how many bytes a step moves, not how fast they move. */
typedef enum hp_roof_attn {
  HP_ROOF_ATTN_GROUPED = 0, /* each KV head read once per step for all the
                               query heads that share it (TensorRT-LLM XQA
                               since v0.8; assumed of current stacks): the
                               default */
  HP_ROOF_ATTN_PER_QHEAD    /* one thread block per query head, each reading
                               its KV head again (TensorRT-LLM's masked MHA
                               kernel before XQA: v0.5-v0.7) */
} hp_roof_attn;

/* Serving stacks with their own efficiency figures (docs/roofline.md,
 * "Efficiency by card and stack"); plan key roofline.stack. */
typedef enum hp_roof_stack {
  HP_ROOF_STACK_CARD = 0, /* the card's default stack (vendor's own) */
  HP_ROOF_STACK_TRTLLM,   /* NVIDIA TensorRT-LLM */
  HP_ROOF_STACK_VLLM,     /* vLLM (and the vendor forks of it) */
  HP_ROOF_STACK_SGLANG,   /* SGLang */
  HP_ROOF_STACK_MINDIE    /* Huawei MindIE / CloudMatrix-Infer on Ascend */
} hp_roof_stack;

/* One row of the efficiency table: the figures a card family reaches on a
 * stack, with where they come from. */
typedef struct hp_roof_eff {
  const char *family;  /* SKU id prefix ("nvidia-a100", "nvidia-"), or
                          NULL for any card */
  hp_roof_stack stack; /* the stack measured */
  double mfu;          /* share of the dtype's peak FLOP/s reached */
  double mbu;          /* share of the memory bandwidth reached */
  double kv_mbu;       /* share of the bandwidth KV reads reach */
  double reread_hit;   /* share of repeated KV reads (per-query-head
                          kernel) served from the L2 cache */
  double overlap;      /* share of an operation's smaller time not hidden */
  double ar_share;     /* share of the scale-up link's per-direction
                          bandwidth a TP all-reduce reaches (NCCL's bus
                          bandwidth over the link figure) */
  double layer_us;     /* fixed time of one layer in a forward pass, us
                          (kernel launch and synchronisation floors) */
  const char *conf;    /* "fitted", "derived" or "assumed" */
  const char *source;  /* where the figures come from, one sentence */
} hp_roof_eff;

/* The operations of one transformer step whose compute and memory times
 * overlap with each other (docs/roofline.md, "Overlap per operation"). */
enum {
  HP_ROOF_OP_ATTN = 0, /* QKV and output projections + attention over KV */
  HP_ROOF_OP_FFN,      /* MLP, or shared and routed experts, + LM head */
  HP_ROOF_N_OPS
};

/* One operation's times in a step. */
typedef struct hp_roof_op {
  double compute_s; /* FLOPs / (peak x MFU), s */
  double memory_s;  /* bytes / (bandwidth x MBU), s */
  double time_s;    /* max(compute, memory) + overlap x min(...), s */
} hp_roof_op;

/* The times of one decode step of `batch` sequences at context `ctx`. */
typedef struct hp_roof_step {
  double compute_s; /* sum of the operations' compute times, s */
  double memory_s;  /* sum of the operations' memory times (weights + KV
                       read per card, x kv_read_factor), s */
  double comm_s;    /* 2 all-reduces per layer over the TP group, s */
  double a2a_s;     /* expert all-to-all per MoE layer (EP), s */
  double fixed_s;   /* layers x the fixed time per layer (layer_us), s */
  hp_roof_op op[HP_ROOF_N_OPS]; /* per operation */
  double total_s; /* sum of the operations' times + comm + fixed, with the
                     all-to-all overlapped as an operation of its own */
} hp_roof_step;

/* Everything the derivation found for one (class, SKU) pair, in SI units
 * (bytes, FLOP, seconds) unless the name says otherwise. */
typedef struct hp_roof_result {
  int ok;        /* 1 if the SKU can serve the class at all */
  char why[256]; /* if !ok: why not */
  /* roofs */
  double peak_flops;   /* per card, FLOP/s (hp_roof_compute_dtype's roof) */
  double bw_bytes_s;   /* per card, bytes/s (before MBU) */
  double link_bytes_s; /* per card and direction, bytes/s */
  int link_is_pcie;    /* 1 when the PCIe fallback was used */
  double usable_bytes; /* per card: memory x memory_fraction, bytes */
  /* memory fit */
  double weight_bytes;         /* whole model, bytes */
  double kv_bytes_per_token;   /* whole model, bytes per token of context */
  double context_tokens;       /* reserved per request: input + output */
  int tp_fit;                  /* smallest TP where min_batch requests fit */
  int tp;                      /* TP degree chosen (1 under EP) */
  int ep;                      /* expert-parallel cards (0 = none) */
  double act_bytes_token_card; /* prefill activations per prompt token
                                  per card, bytes */
  double act_bytes_card;       /* activation workspace reserved, bytes */
  const hp_roof_eff *eff;      /* efficiency row used (NULL: none) */
  double mfu, mbu, overlap;    /* efficiency figures used */
  double kv_mbu, reread_hit;   /* KV-read figures used */
  double ar_share;             /* all-reduce share of the link used */
  double layer_us;             /* fixed time per layer and pass used, us */
  int replicas;                /* model copies per server: cards / tp */
  double weight_bytes_card;    /* weights per card at tp, bytes */
  double kv_bytes_token_card;  /* KV per token per card at tp, bytes */
  double kv_capacity_tokens;   /* KV tokens one replica can hold */
  /* prefill */
  double prefill_flops;    /* one request's prompt, FLOP */
  double prefill_s;        /* one request's prompt on one replica, s */
  double prefill_prompt_s; /* one prompt's share of the batch's prefill
                              passes (static batching), s */
  /* decode */
  double decode_ctx;       /* mean context while decoding, tokens */
  double flops_per_token;  /* decode FLOPs per token at decode_ctx */
  int batch;               /* concurrent requests per replica */
  int batch_mem;           /* limit from KV capacity */
  int batch_slo;           /* limit from the TPOT SLO (INT_MAX = none) */
  int batch_cap;           /* roofline.max_batch (or the forced batch) */
  const char *batch_limit; /* "memory", "tpot", "max_batch", "forced" */
  double kv_read_factor;   /* reads of each cached KV byte per step */
  hp_roof_step step;       /* decode step at `batch` */
  int memory_bound;        /* 1 if memory_s >= compute_s at `batch` */
  double crossover_batch;  /* batch where compute time = memory time */
  double tpot_s;           /* step + the prefill share of each step, s */
  /* throughput */
  double output_tokens_per_s_server; /* generated tokens/s per server */
  double tokens_per_s_server;        /* input + output tokens/s per server */
  double requests_per_s_server;      /* requests/s per server */
} hp_roof_result;

/* KV cache bytes per token of context for the whole model: 2 x layers x
 * kv_heads x head_dim x kv bytes (GQA/MHA), or (kv_lora_rank +
 * qk_rope_head_dim) x layers x kv bytes (MLA). */
double hp_roof_kv_bytes_per_token(const hp_model_desc *m);
/* Weight bytes of the whole model: params x weight bytes. */
double hp_roof_weight_bytes(const hp_model_desc *m);
/* Weight bytes one decode step reads for a batch of `tokens` tokens (all
 * for dense; for MoE the shared part plus the expected share of routed
 * experts touched under uniform routing). */
double hp_roof_weight_bytes_touched(const hp_model_desc *m, double tokens);
/* How many times one decode step reads each cached KV byte a card holds at
 * TP degree tp: 1 for HP_ROOF_ATTN_GROUPED; for HP_ROOF_ATTN_PER_QHEAD the
 * card's query heads over its KV heads, heads / kv_heads while tp <=
 * kv_heads (8 for Llama-2-70B, 29 for Falcon-180B, 1 for multi-head
 * attention), heads / tp beyond. MLA's latent is shared by all heads by
 * construction: always 1. */
double hp_roof_kv_read_factor(const hp_model_desc *m, hp_roof_attn a, int tp);
/* KV tokens one query attends to at context ctx: ctx, or the model's
 * sparse_attention_topk when that is smaller (DeepSeek Sparse Attention).
 * The KV cache still holds all ctx tokens; only the reads and the attention
 * FLOPs are capped. The indexer that picks the tokens is not modelled. */
double hp_roof_attended(const hp_model_desc *m, double ctx);
/* Decode FLOPs per generated token at context ctx (matmuls + attention). */
double hp_roof_decode_flops(const hp_model_desc *m, double ctx);
/* Prefill FLOPs of a prompt of n tokens (matmuls + causal attention). */
double hp_roof_prefill_flops(const hp_model_desc *m, double n);

/* The roof the weights compute on (HP_DTYPE_FP4, _FP8 or _FP16): fp4
 * weights on the FP4 roof, fp8 on the FP8 roof, every other format on the
 * FP16 roof; a card without the roof (its figure 0 or not given) falls back
 * to the next wider one it has, fp4 -> fp8 -> fp16. *wanted, when not NULL,
 * gets the roof the weights ask for. */
hp_dtype hp_roof_compute_dtype(const hp_model_desc *m, const hp_candidate *c,
                               hp_dtype *wanted);
/* When the card falls back (hp_roof_compute_dtype differs from the wanted
 * roof), writes a sentence saying which roof is used and why into buf and
 * returns 1; else returns 0 and leaves buf alone. */
int hp_roof_compute_note(const hp_model_desc *m, const hp_candidate *c,
                         char *buf, size_t n);

/* The smallest power-of-two TP <= cards_per_server at which the weights,
 * the prefill workspace (prefill_chunk tokens of activations) and
 * min_batch requests of context_tokens fit in usable memory; 0 if none.
 * Under o->ep only TP 1 is tried (the shared weights whole, 1/ep of the
 * routed experts). */
int hp_roof_min_tp(const hp_model_desc *m, const hp_candidate *c,
                   const hp_roof_opts *o, double context_tokens);
/* One decode step of `batch` sequences at mean context ctx on TP degree tp,
 * with a grouped-query attention kernel. */
void hp_roof_decode_step(const hp_model_desc *m, const hp_candidate *c,
                         const hp_roof_opts *o, int tp, double batch,
                         double ctx, hp_roof_step *out);
/* The same with the KV cache read as attention kernel `a` reads it. */
void hp_roof_decode_step_attn(const hp_model_desc *m, const hp_candidate *c,
                              const hp_roof_opts *o, int tp, double batch,
                              double ctx, hp_roof_attn a, hp_roof_step *out);

/* The same step verifying `draft` speculative tokens per sequence (MTP):
 * 1 + draft query tokens per sequence through every matmul and over the
 * attended context, each sequence's KV cache read once. The tokens a step
 * emits (1 + the expected accepted drafts) are the caller's to count:
 * docs/validation.md, V48. */
void hp_roof_decode_step_draft(const hp_model_desc *m, const hp_candidate *c,
                               const hp_roof_opts *o, int tp, double batch,
                               double ctx, hp_roof_attn a, double draft,
                               hp_roof_step *out);

/* Internals the phase model (roofline_phase.c) shares with the derivation:
 * one prefill forward pass of `prompts` prompts of `in` tokens (no decode);
 * the weight bytes a card holds at tp (under o's EP); prefill activations
 * per prompt token per card; the expert-parallel cards (0 = none). */
void hp_roof_forward(const hp_model_desc *m, const hp_candidate *c,
                     const hp_roof_opts *o, int tp, double prompts, double in,
                     hp_roof_step *out);
double hp_roof_weights_card(const hp_model_desc *m, const hp_roof_opts *o,
                            int tp);
double hp_roof_act_bytes_token_card(const hp_model_desc *m, int tp);
int hp_roof_ep(const hp_model_desc *m, const hp_roof_opts *o);

/* The time per output token of `b` sequences at mean context ctx on one
 * replica of TP tp, for class k; st, when not NULL, gets the step. The
 * colocated derivation passes the step plus its prefill share, the
 * decode-only phase the pure step. */
typedef double (*hp_roof_tpot_fn)(const hp_model_desc *m, const hp_candidate *c,
                                  const hp_roof_opts *o, hp_roof_attn a, int tp,
                                  double b, const hp_request_class *k,
                                  double ctx, hp_roof_step *st);
/* The decode batch of one TP degree, shared by hp_roof_eval and the decode
 * phase: the forced o->batch (refused above r->batch_mem), else the
 * largest batch up to min(r->batch_mem, max_batch) whose f stays within
 * k's TPOT SLO (bisection; f grows with the batch). Reads r->batch_mem and
 * r->decode_ctx; sets batch, batch_cap, batch_slo and batch_limit. Returns
 * 1, or 0 with r->why set when no batch serves (forced batch too large, or
 * one request alone over the SLO). */
int hp_roof_choose_batch(hp_roof_tpot_fn f, const hp_model_desc *m,
                         const hp_candidate *c, const hp_request_class *k,
                         const hp_roof_opts *o, hp_roof_attn a, int tp,
                         hp_roof_result *r);

/* The whole derivation for one class on one candidate, with the attention
 * kernel of o->attention (plan key roofline.attention). Never fails: a
 * pair that cannot be served has ok = 0 and a reason. m must have
 * has_arch. */
void hp_roof_eval(const hp_model_desc *m, const hp_candidate *c,
                  const hp_request_class *k, const hp_roof_opts *o,
                  hp_roof_result *r);
/* The same with attention kernel `a` (the validation of docs/validation.md
 * runs measured stacks with the kernel they used). */
void hp_roof_eval_attn(const hp_model_desc *m, const hp_candidate *c,
                       const hp_request_class *k, const hp_roof_opts *o,
                       hp_roof_attn a, hp_roof_result *r);

/* The efficiency row for a candidate under o->stack (the card's default
 * stack when 0): the first row of the table whose stack matches and whose
 * family is a prefix of the SKU id, else the row for any card on that
 * stack. Never NULL. */
const hp_roof_eff *hp_roof_eff_find(const hp_candidate *c,
                                    const hp_roof_opts *o);
/* The stack a candidate runs under o (never HP_ROOF_STACK_CARD). */
hp_roof_stack hp_roof_stack_of(const hp_candidate *c, const hp_roof_opts *o);
const char *hp_roof_stack_name(hp_roof_stack s);
/* The figures used: the plan's, device file's or profile's MFU and MBU
 * where one was given (c->eff_default), else the table's; the overlap is
 * o->overlap when >= 0, else the table's. */
double hp_roof_mfu(const hp_candidate *c, const hp_roof_opts *o);
double hp_roof_mbu(const hp_candidate *c, const hp_roof_opts *o);
double hp_roof_overlap(const hp_candidate *c, const hp_roof_opts *o);
/* The KV-read bandwidth share and the cached share of repeated reads:
 * o's when >= 0, else the table's. */
double hp_roof_kv_mbu(const hp_candidate *c, const hp_roof_opts *o);
double hp_roof_reread_hit(const hp_candidate *c, const hp_roof_opts *o);
/* The share of the link's per-direction bandwidth a TP all-reduce reaches:
 * o->ar_share when >= 0; else HP_ROOF_PCIE_AR_SHARE on the PCIe fallback
 * (a card without interconnect_gbps); else the table's. */
double hp_roof_ar_share(const hp_candidate *c, const hp_roof_opts *o);
/* All-reduce over PCIe reaches about half the slot's per-direction
 * bandwidth: the ring's flows share the CPU root complexes and PCIe
 * switches. NCCL issue 1639 (NVIDIA/nccl, 2025-03-14): 8 RTX 5090 on PCIe
 * 5.0 (64 GB/s a direction) reach an all_reduce_perf bus bandwidth of 28
 * GB/s with 8 GPUs and 35 GB/s with 4 (0.44, 0.55); the NCCL maintainer's
 * reply: "On PCI systems, the performance you get is usually determined
 * by the bandwidth your CPU and memory can deliver". */
#define HP_ROOF_PCIE_AR_SHARE 0.5
/* The fixed time per layer and forward pass: o->layer_us when >= 0, else
 * the table's. */
double hp_roof_layer_us(const hp_candidate *c, const hp_roof_opts *o);
/* Prefill throughput of one replica (tp cards, or one card under EP),
 * prompts of `in` tokens processed prefill_chunk tokens at a time, in
 * prompt tokens per second. */
double hp_roof_prefill_tokens_s(const hp_model_desc *m, const hp_candidate *c,
                                const hp_roof_opts *o, int tp, double in);

/* One card's roofs, for the explain renderer (report_explain.c), which
 * shows how the derivation reached its figures (docs/roofline.md). */
double hp_roof_usable_bytes(const hp_candidate *c, const hp_roof_opts *o);
double hp_roof_comm_s(const hp_model_desc *m, const hp_candidate *c,
                      const hp_roof_opts *o, int tp, double tokens);
double hp_roof_prefill_s(const hp_model_desc *m, const hp_candidate *c,
                         const hp_roof_opts *o, int tp, double n);
double hp_roof_peak_flops(const hp_model_desc *m, const hp_candidate *c);
double hp_roof_tflops(const hp_candidate *c, hp_dtype t);
double hp_roof_link_bytes_s(const hp_candidate *c, const hp_roof_opts *o,
                            int *pcie);

/* ----------------------------------------------------------------------------
 * Prefill and decode on different servers (issue 21; src/roofline_phase.c,
 * docs/roofline.md "Prefill and decode on different cards").
 * ------------------------------------------------------------------------- */

/* Scale-out network of a server when its catalog entry gives no
 * network_gbps: one 400 Gbit/s NIC (docs/devices.md). */
#define HP_DEFAULT_NETWORK_GBPS 400.0

/* Throughput of one server of c for class k in phase ph, under k's SLOs:
   prefill: requests/s whose prompt completes within ttft (compute-bound,
   batched prompts); decode: requests/s (and output tokens/s) from bandwidth, KV
   capacity and the TPOT SLO, with no prefill interference; HP_PHASE_BOTH =
   hp_roof_eval's colocated figure. r->ok = 0 with a reason when the SKU can't
   serve that phase. Prefill: a replica runs prompts in batches of `batch`; a
   prompt waits at most for the batch in progress and then runs in the next, so
   its first token comes within 2 x step.total_s, which must be <= ttft for a
   batch > 1 (batch 1 needs prefill_s <= ttft, as colocated). step is
   one batch, prefill_s one prompt alone, tpot_s 0; tokens_per_s_server counts
   input tokens, output_tokens_per_s_server is 0. Decode: step is one decode
   step at `batch`, tpot_s = step.total_s, prefill_s 0; tokens_per_s_server
   counts output tokens (the units of a `throughput:` row of that phase).
   A forced roofline.batch applies to decode only. */
void hp_roof_phase_eval(const hp_model_desc *m, const hp_candidate *c,
                        const hp_request_class *k, const hp_roof_opts *o,
                        hp_phase ph, hp_roof_result *r);
/* KV cache bytes one request hands from prefill to decode: input_tokens x kv
 * bytes/token. */
double hp_roof_phase_kv_handoff_bytes(const hp_model_desc *m,
                                      const hp_request_class *k);
/* Scale-out network of one server, bytes/s: network_gbps (or the default) x 1e9
 * / 8. */
double hp_roof_phase_network_bytes_s(const hp_candidate *c);

/* Why `hetplan explain` has no roofline derivation to show (its and
 * `explain --phase`'s one wording). */
#define HP_ROOF_UNAVAILABLE_NO_ARCH                                            \
  "roofline: not available: the model has no architecture (give layers, "     \
  "hidden_size, heads, ... or a models/ file)"
#define HP_ROOF_UNAVAILABLE_NO_CLASSES                                         \
  "roofline: not available: the workload has no request classes "             \
  "(workload.requests)"

#endif
