/* roofline.c - from a model's architecture to tokens/s per server.
 *
 * Every formula is in docs/roofline.md, with the defaults and why. This file
 * only computes; the planner turns the results into program coefficients
 * and report_explain.c writes the derivation for `hetplan explain`.
 * Layout: model arithmetic, one card's roofs, the derivation.
 */
#include "roofline.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"

/* Activations travel between TP ranks in 16-bit: 2 bytes per element. */
#define ACT_BYTES 2.0
/* Expert all-to-all: tokens dispatched in fp8 (1 byte per element) and
 * combined in bf16 (2 bytes), as DeepEP and CloudMatrix-Infer do. */
#define A2A_BYTES 3.0

static void moe_split(const hp_model_desc *m, double *shared, double *routed);

/* ----------------------------------------------------------------------------
 * Model arithmetic
 * ------------------------------------------------------------------------- */

double hp_roof_kv_bytes_per_token(const hp_model_desc *m) {
  double b = hp_model_dtype_bytes(m->kv_dtype);
  if (m->kv_lora_rank > 0)
    return (m->kv_lora_rank + m->qk_rope_head_dim) * m->layers * b;
  return 2.0 * m->layers * m->kv_heads * m->head_dim * b;
}

double hp_roof_weight_bytes(const hp_model_desc *m) {
  return m->params * hp_model_dtype_bytes(m->weight_dtype);
}

double hp_roof_weight_bytes_touched(const hp_model_desc *m, double tokens) {
  double wb = hp_model_dtype_bytes(m->weight_dtype);
  if (m->active_params >= m->params || tokens <= 0)
    return m->params * wb;
  double shared, routed;
  moe_split(m, &shared, &routed);
  if (routed > 0) {
    double f = m->experts_per_token / m->experts;
    double touched = 1.0 - pow(1.0 - f, tokens);
    return (shared + routed * touched) * wb;
  }
  return fmin(m->params, tokens * m->active_params) * wb;
}

double hp_roof_kv_read_factor(const hp_model_desc *m, hp_roof_attn a, int tp) {
  /* A per-query-head kernel gives each query head its own thread block, and
   * each block streams its group's K and V from memory: TensorRT-LLM
   * v0.6.1's masked MHA maps block hi to KV head hi / (heads / kv_heads)
   * (docs/roofline.md, "KV reads"). Per card that is the query heads over
   * the KV heads it holds (one, replicated, once tp exceeds kv_heads). */
  if (a != HP_ROOF_ATTN_PER_QHEAD || m->kv_lora_rank > 0 || m->kv_heads <= 0 ||
      m->heads <= m->kv_heads || tp < 1)
    return 1.0;
  double q_card = m->heads / tp;
  double kv_card_heads = m->kv_heads / fmin((double)tp, m->kv_heads);
  return fmax(1.0, q_card / kv_card_heads);
}

double hp_roof_attended(const hp_model_desc *m, double ctx) {
  /* DSA: the indexer picks topk KV tokens for each query; below topk every
   * token is attended, as in dense attention. */
  if (m->sparse_attention_topk > 0 && ctx > m->sparse_attention_topk)
    return m->sparse_attention_topk;
  return ctx;
}

double hp_roof_decode_flops(const hp_model_desc *m, double ctx) {
  double attn;
  ctx = hp_roof_attended(m, ctx);
  if (m->kv_lora_rank > 0) /* absorbed MLA: scores and values in latent space */
    attn = 2.0 * m->layers * m->heads *
           (2.0 * m->kv_lora_rank + m->qk_rope_head_dim) * ctx;
  else
    attn = 4.0 * m->layers * m->heads * m->head_dim * ctx;
  return 2.0 * m->active_params + attn;
}

double hp_roof_prefill_flops(const hp_model_desc *m, double n) {
  /* Causal attention: query i sees i keys, n^2 / 2 pairs in all; under
   * sparse attention at most topk of them, k n - k^2 / 2 pairs once n
   * passes k. Each pair costs 2 (d_qk + d_v) FLOPs. */
  double dqk = m->head_dim + (m->kv_lora_rank > 0 ? m->qk_rope_head_dim : 0);
  double k = m->sparse_attention_topk;
  double pairs = k > 0 && n > k ? k * n - k * k / 2.0 : n * n / 2.0;
  double attn = 2.0 * m->layers * m->heads * (dqk + m->head_dim) * pairs;
  return 2.0 * m->active_params * n + attn;
}

/* Parameters of the attention projections (QKV and output) of the whole
 * model. GQA/MHA: hidden x head_dim x (2 heads + 2 kv_heads) a layer. MLA:
 * the KV down and up projections, the query through a low-rank of 3 x
 * kv_lora_rank (1,536 over 512 in DeepSeek-V3 and Kimi K2) and the output;
 * DeepSeek-V3 gives 187 M a layer. Capped at half the active parameters. */
static double attn_params(const hp_model_desc *m) {
  double h = m->hidden_size, d = m->head_dim, per;
  if (m->kv_lora_rank > 0) {
    double r = m->kv_lora_rank, rope = m->qk_rope_head_dim, q = 3 * r;
    per = h * (r + rope) + r * m->heads * 2 * d + h * q +
          q * m->heads * (d + rope) + m->heads * d * h;
  } else {
    per = h * d * (2 * m->heads + 2 * m->kv_heads);
  }
  return fmin(per * m->layers, 0.5 * m->active_params);
}

/* MoE parameters: params = S + R, active = S + R k/E; solve for the routed
 * part R. Dense models: all shared. */
static void moe_split(const hp_model_desc *m, double *shared, double *routed) {
  *shared = m->params;
  *routed = 0;
  if (m->experts > 0 && m->experts_per_token > 0 &&
      m->experts_per_token < m->experts && m->active_params < m->params) {
    double f = m->experts_per_token / m->experts;
    *routed = (m->params - m->active_params) / (1.0 - f);
    *shared = fmax(0, m->params - *routed);
  }
}

/* Expert-parallel cards of o for model m: 0 unless the model has routed
 * experts and o->ep > 1. */
static int ep_of(const hp_model_desc *m, const hp_roof_opts *o) {
  double sh, ro;
  moe_split(m, &sh, &ro);
  return ro > 0 && o->ep > 1 ? (int)o->ep : 0;
}

/* ----------------------------------------------------------------------------
 * Efficiency by card family and serving stack (docs/roofline.md)
 * ------------------------------------------------------------------------- */

/* First match wins: a row's family is a prefix of the SKU id ("nvidia-a100"
 * matches nvidia-a100 only, "nvidia-" every NVIDIA card), NULL any card.
 * "fitted" figures come from the fitting rows of docs/validation.md
 * (HP_FIT=prefix build/tests/test_roofline redoes the fit); "derived" from
 * a fitted row by a stated argument; "assumed" rests on a stated argument
 * only and is what a probe profile (hetplan probe) should replace.
 * Columns: MFU, MBU, KV-read MBU, re-read cache hit, overlap. */
/* The share of NVLink a TP all-reduce reaches and the fixed time a layer
 * takes per forward pass, fitted with the Hopper row (HP_FIT=nvidia-h);
 * the other rows take them until measured. */
#define HOPPER_AR 0.7
#define HOPPER_LAYER_US 10.0
/* Rows of other vendors' stacks keep the figures the model had before
 * these two terms (the full link, no fixed layer time): the Hopper fit
 * describes NCCL over NVLink and TensorRT-LLM's kernels, not HCCL or the
 * domestic runtimes; a probe profile or a published row should set them. */
#define NO_AR 1.0
#define NO_LAYER_US 0.0
static const hp_roof_eff eff_table[] = {
    /* NVIDIA on TensorRT-LLM, by generation. */
    {"nvidia-a100", HP_ROOF_STACK_TRTLLM, 0.75, 0.90, 0.90, 0.4, 1.00,
     HOPPER_AR, HOPPER_LAYER_US, "fitted",
     "Ampere (FP16): MFU, MBU and KV MBU fitted on V29, V31, V33 of "
     "docs/validation.md (TensorRT-LLM v0.9.0); re-read hit, overlap, "
     "all-reduce share and layer time from the Hopper fit"},
    {"nvidia-a800", HP_ROOF_STACK_TRTLLM, 0.75, 0.90, 0.90, 0.4, 1.00,
     HOPPER_AR, HOPPER_LAYER_US, "derived",
     "the A100's row: the same silicon with a slower NVLink"},
    {"nvidia-l40s", HP_ROOF_STACK_TRTLLM, 0.70, 0.60, 0.85, 0.4, 1.00,
     HOPPER_AR, HOPPER_LAYER_US, "fitted",
     "Ada PCIe (GDDR6): MFU, MBU and KV MBU fitted on V35, V37 of "
     "docs/validation.md (TensorRT-LLM v0.9.0) with PCIe all-reduces at "
     "HP_ROOF_PCIE_AR_SHARE; the rest from the Hopper fit"},
    {"nvidia-l20", HP_ROOF_STACK_TRTLLM, 0.70, 0.60, 0.85, 0.4, 1.00, HOPPER_AR,
     HOPPER_LAYER_US, "derived",
     "the L40S's row: the same Ada PCIe design, cut down"},
    {"nvidia-", HP_ROOF_STACK_TRTLLM, 0.55, 0.90, 0.70, 0.4, 1.00, HOPPER_AR,
     HOPPER_LAYER_US, "fitted",
     "Hopper: fitted on the H100 and H200 rows V1-V6, V11-V19, V21, V23, "
     "V25, V27 of docs/validation.md (TensorRT-LLM v0.5, v0.6.1, v0.9.0), "
     "the NVLink all-reduce share and layer time with them; used for "
     "Blackwell too until its rows are measured"},
    {"nvidia-", HP_ROOF_STACK_SGLANG, 0.55, 0.90, 0.70, 0.4, 1.00, HOPPER_AR,
     HOPPER_LAYER_US, "assumed",
     "as TensorRT-LLM on Hopper: SGLang's DeepSeek deployment on 96 H100 "
     "nearly matches DeepSeek's own (LMSYS 2025-05-05)"},
    {"nvidia-", HP_ROOF_STACK_VLLM, 0.45, 0.80, 0.60, 0.4, 1.00, HOPPER_AR,
     HOPPER_LAYER_US, "assumed",
     "0.1 below TensorRT-LLM's Hopper row on each roof: vLLM trails "
     "TensorRT-LLM/NIM on NVIDIA's own benchmark pages; to be measured"},
    {"amd-", HP_ROOF_STACK_VLLM, 0.40, 0.65, 0.55, 0.4, 1.00, NO_AR,
     NO_LAYER_US, "assumed",
     "ROCm vLLM: MI300X MLPerf v4.1 Llama-2-70B offline about matches 8 x "
     "H100 with 1.3x the FP8 peak: about 0.75x Hopper's MFU, and vLLM's row"
     " for the rest"},
    {"huawei-", HP_ROOF_STACK_MINDIE, 0.45, 0.70, 0.60, 0.4, 1.00, NO_AR,
     NO_LAYER_US, "assumed",
     "CloudMatrix-Infer (arXiv 2506.12708) reports 4.45 prefill tokens/s per "
     "TFLOPS, against 3.75 for SGLang on H100: near Hopper on its own "
     "stack; MindIE elsewhere taken lower"},
    {NULL, HP_ROOF_STACK_VLLM, 0.35, 0.60, 0.50, 0.4, 1.00, NO_AR, NO_LAYER_US,
     "assumed",
     "vendor vLLM forks on domestic cards: no published measurement with an "
     "operating point (docs/validation.md); below the mature stacks by "
     "assumption"},
    {NULL, HP_ROOF_STACK_TRTLLM, 0.35, 0.60, 0.50, 0.4, 1.00, NO_AR,
     NO_LAYER_US, "assumed",
     "a TensorRT-LLM figure asked of a card it does not run on: the "
     "generic row"},
    {NULL, HP_ROOF_STACK_SGLANG, 0.35, 0.60, 0.50, 0.4, 1.00, NO_AR,
     NO_LAYER_US, "assumed",
     "SGLang on a card without its own row: the generic row"},
    {NULL, HP_ROOF_STACK_MINDIE, 0.35, 0.60, 0.50, 0.4, 1.00, NO_AR,
     NO_LAYER_US, "assumed",
     "MindIE on a card without its own row: the generic row"},
};

const char *hp_roof_stack_name(hp_roof_stack s) {
  static const char *const n[] = {"card default", "trtllm", "vllm", "sglang",
                                  "mindie"};
  return s <= HP_ROOF_STACK_MINDIE ? n[s] : "?";
}

hp_roof_stack hp_roof_stack_of(const hp_candidate *c, const hp_roof_opts *o) {
  if (o->stack != HP_ROOF_STACK_CARD)
    return (hp_roof_stack)o->stack;
  const char *v = c->spec.vendor ? c->spec.vendor : "";
  if (strcmp(v, "NVIDIA") == 0)
    return HP_ROOF_STACK_TRTLLM;
  if (strcmp(v, "Huawei") == 0)
    return HP_ROOF_STACK_MINDIE;
  return HP_ROOF_STACK_VLLM;
}

const hp_roof_eff *hp_roof_eff_find(const hp_candidate *c,
                                    const hp_roof_opts *o) {
  hp_roof_stack st = hp_roof_stack_of(c, o);
  const char *id = c->spec.id ? c->spec.id : "";
  size_t n = sizeof eff_table / sizeof eff_table[0];
  for (size_t i = 0; i < n; i++) {
    const char *f = eff_table[i].family;
    if (eff_table[i].stack == st && (!f || strncmp(id, f, strlen(f)) == 0))
      return &eff_table[i];
  }
  return &eff_table[n - 1];
}

double hp_roof_mfu(const hp_candidate *c, const hp_roof_opts *o) {
  return c->eff_default & 1 ? hp_roof_eff_find(c, o)->mfu : c->mfu;
}

double hp_roof_mbu(const hp_candidate *c, const hp_roof_opts *o) {
  return c->eff_default & 2 ? hp_roof_eff_find(c, o)->mbu : c->mbu;
}

double hp_roof_overlap(const hp_candidate *c, const hp_roof_opts *o) {
  return o->overlap >= 0 ? o->overlap : hp_roof_eff_find(c, o)->overlap;
}

double hp_roof_kv_mbu(const hp_candidate *c, const hp_roof_opts *o) {
  return o->kv_mbu >= 0 ? o->kv_mbu : hp_roof_eff_find(c, o)->kv_mbu;
}

double hp_roof_ar_share(const hp_candidate *c, const hp_roof_opts *o) {
  int pcie;
  if (o->ar_share >= 0)
    return o->ar_share;
  hp_roof_link_bytes_s(c, o, &pcie);
  return pcie ? HP_ROOF_PCIE_AR_SHARE : hp_roof_eff_find(c, o)->ar_share;
}

double hp_roof_layer_us(const hp_candidate *c, const hp_roof_opts *o) {
  return o->layer_us >= 0 ? o->layer_us : hp_roof_eff_find(c, o)->layer_us;
}

double hp_roof_reread_hit(const hp_candidate *c, const hp_roof_opts *o) {
  return o->reread_hit >= 0 ? o->reread_hit
                            : hp_roof_eff_find(c, o)->reread_hit;
}

/* ----------------------------------------------------------------------------
 * One card's roofs
 * ------------------------------------------------------------------------- */

hp_dtype hp_roof_compute_dtype(const hp_model_desc *m, const hp_candidate *c,
                               hp_dtype *wanted) {
  hp_dtype want = HP_DTYPE_FP16; /* fp16, bf16 and weight-only int8/int4 */
  if (m->weight_dtype == HP_DTYPE_FP8 || m->weight_dtype == HP_DTYPE_FP4)
    want = m->weight_dtype;
  if (wanted)
    *wanted = want;
  if (want == HP_DTYPE_FP4 && c->spec.fig[HP_FIG_fp4_tflops] > 0)
    return HP_DTYPE_FP4;
  if (want != HP_DTYPE_FP16 && c->spec.fig[HP_FIG_fp8_tflops] > 0)
    return HP_DTYPE_FP8;
  return HP_DTYPE_FP16;
}

double hp_roof_tflops(const hp_candidate *c, hp_dtype t) {
  if (t == HP_DTYPE_FP4)
    return c->spec.fig[HP_FIG_fp4_tflops];
  if (t == HP_DTYPE_FP8)
    return c->spec.fig[HP_FIG_fp8_tflops];
  return c->spec.fig[HP_FIG_fp16_tflops];
}

int hp_roof_compute_note(const hp_model_desc *m, const hp_candidate *c,
                         char *buf, size_t n) {
  hp_dtype want, got = hp_roof_compute_dtype(m, c, &want);
  if (got == want)
    return 0;
  snprintf(buf, n,
           "%s weights compute on the %s roof (%g TFLOPS): the card gives %s; "
           "they are still stored and read at %g byte%s a parameter",
           hp_model_dtype_name(want), got == HP_DTYPE_FP8 ? "FP8" : "FP16",
           hp_roof_tflops(c, got),
           want == HP_DTYPE_FP4 && got == HP_DTYPE_FP16
               ? "neither fp4_tflops nor fp8_tflops"
           : want == HP_DTYPE_FP4 ? "no fp4_tflops"
                                  : "no fp8_tflops",
           hp_model_dtype_bytes(m->weight_dtype),
           hp_model_dtype_bytes(m->weight_dtype) == 1 ? "" : "s");
  return 1;
}

double hp_roof_peak_flops(const hp_model_desc *m, const hp_candidate *c) {
  return hp_roof_tflops(c, hp_roof_compute_dtype(m, c, NULL)) * 1e12;
}

/* The peak the weights compute on under o: the int8_tops roof for int8
 * weights with int8 activations (roofline.w8a8) on a card that gives it,
 * else hp_roof_peak_flops. */
static double roof_peak(const hp_model_desc *m, const hp_candidate *c,
                        const hp_roof_opts *o) {
  if (o->w8a8 && m->weight_dtype == HP_DTYPE_INT8 &&
      c->spec.fig[HP_FIG_int8_tops] > 0)
    return c->spec.fig[HP_FIG_int8_tops] * 1e12;
  return hp_roof_peak_flops(m, c);
}

/* Per direction: catalog interconnect figures are bidirectional aggregates. */
double hp_roof_link_bytes_s(const hp_candidate *c, const hp_roof_opts *o,
                            int *pcie) {
  double g = c->spec.fig[HP_FIG_interconnect_gbps];
  *pcie = !(g > 0);
  return (g > 0 ? g : o->pcie_gbps) / 2.0 * 1e9;
}

double hp_roof_usable_bytes(const hp_candidate *c, const hp_roof_opts *o) {
  return c->spec.fig[HP_FIG_memory_gb] * 1e9 * o->memory_fraction;
}

/* KV bytes per token held by one card: GQA heads split over TP ranks (a
 * head is replicated once tp exceeds kv_heads); the MLA latent is shared by
 * all heads, so every rank holds all of it. */
static double kv_card(const hp_model_desc *m, int tp) {
  double kv = hp_roof_kv_bytes_per_token(m);
  if (m->kv_lora_rank > 0)
    return kv;
  return kv / fmin((double)tp, m->kv_heads > 0 ? m->kv_heads : 1);
}

/* Weight bytes one card holds: a TP shard, or under EP the shared part
 * whole (attention is data parallel) and 1/ep of the routed experts. */
static double weights_card(const hp_model_desc *m, int tp, int ep) {
  if (ep > 0) {
    double shared, routed;
    moe_split(m, &shared, &routed);
    return (shared + routed / ep) * hp_model_dtype_bytes(m->weight_dtype);
  }
  return hp_roof_weight_bytes(m) / tp;
}

/* Prefill activations per prompt token per card: the widest intermediate
 * of a layer (gate and up projections, 2 x FFN width) and 4 hidden-wide
 * buffers, in 16-bit, split over TP. The FFN width is the active
 * non-attention, non-embedding parameters over 3 x hidden x layers. */
static double act_token_card(const hp_model_desc *m, int tp) {
  double h = m->hidden_size;
  double ffn = fmax(0, m->active_params - attn_params(m) - 2 * m->vocab * h) /
               (3 * h * m->layers);
  ffn = fmin(ffn, 8 * h); /* no real model is wider; toy models in tests */
  return ACT_BYTES * (2 * ffn + 4 * h) / tp;
}

int hp_roof_min_tp(const hp_model_desc *m, const hp_candidate *c,
                   const hp_roof_opts *o, double context_tokens) {
  double cps = c->spec.fig[HP_FIG_cards_per_server];
  double usable = hp_roof_usable_bytes(c, o);
  int ep = ep_of(m, o);
  for (int tp = 1; tp <= cps && tp <= HP_MAX_CARDS_PER_SERVER; tp *= 2) {
    double need = weights_card(m, tp, ep) +
                  o->prefill_chunk * act_token_card(m, tp) +
                  o->min_batch * context_tokens * kv_card(m, tp);
    if (need <= usable)
      return tp;
    if (ep > 0)
      return 0; /* one card per data-parallel rank under EP */
  }
  return 0;
}

double hp_roof_comm_s(const hp_model_desc *m, const hp_candidate *c,
                      const hp_roof_opts *o, int tp, double tokens) {
  if (tp <= 1)
    return 0;
  int pcie;
  double link = hp_roof_link_bytes_s(c, o, &pcie);
  /* Ring all-reduce: each rank sends and receives 2 (tp-1)/tp of the data,
   * at the share of the link an all-reduce reaches. */
  double bytes = 2.0 * (tp - 1) / tp * tokens * m->hidden_size * ACT_BYTES;
  link *= hp_roof_ar_share(c, o);
  return 2.0 * m->layers * (o->allreduce_us * 1e-6 + bytes / link);
}

/* Expert all-to-all of `tokens` tokens per card over ep cards, per MoE
 * layer, out (fp8) and back (bf16). Inside one scale-up domain (a server
 * or a supernode, ep <= cards_per_server) each token goes to the
 * experts_per_token experts' cards, (ep-1)/ep of them elsewhere, over the
 * scale-up link. Beyond it, the scale-out NIC (roofline.scaleout_gbps)
 * carries the sends to other servers: in decode one per remote expert,
 * k (ep - cps) / ep (DeepEP's low-latency mode sends to each expert's
 * rank); in prefill one per remote server the token's experts are on,
 * (G-1)(1 - (1 - 1/G)^k) for G = ep / cps servers (DeepEP's normal mode
 * sends a token to a server once and forwards it over NVLink). */
static double a2a_s(const hp_model_desc *m, const hp_candidate *c,
                    const hp_roof_opts *o, int ep, double tokens, int prefill) {
  if (ep <= 1)
    return 0;
  int pcie;
  double cps = c->spec.fig[HP_FIG_cards_per_server], k = m->experts_per_token;
  double link, sends;
  if (ep <= cps) {
    link = hp_roof_link_bytes_s(c, o, &pcie);
    sends = k * (ep - 1) / ep;
  } else {
    double g = ep / cps;
    link = o->scaleout_gbps * 1e9;
    sends = prefill ? (g - 1) * (1 - pow(1 - 1 / g, k)) : k * (ep - cps) / ep;
  }
  double layers = m->layers - m->dense_layers;
  double bytes = tokens * sends * m->hidden_size * A2A_BYTES;
  return layers * (2 * o->allreduce_us * 1e-6 + bytes / link);
}

/* The overlap model: an operation takes the larger of its compute and
 * memory times plus a share `a` of the smaller (docs/roofline.md). */
static double overlap_time(double compute, double memory, double a) {
  return fmax(compute, memory) + a * fmin(compute, memory);
}

/* One forward pass on one replica (tp cards, or one card under EP) of
 * `batch` decoding sequences at context ctx, each with q query tokens (1,
 * or 1 + the draft tokens a speculative step verifies; each sequence's KV
 * cache is still read once), plus `prompts` prompts of `in` tokens
 * (prefill, whole or folded into the step), operation by operation. */
static void forward_q(const hp_model_desc *m, const hp_candidate *c,
                      const hp_roof_opts *o, hp_roof_attn a, int tp,
                      double batch, double q, double ctx, double prompts,
                      double in, hp_roof_step *out) {
  int ep = ep_of(m, o);
  double wb = hp_model_dtype_bytes(m->weight_dtype);
  double A = attn_params(m), F = m->active_params - A;
  double peak = tp * roof_peak(m, c, o) * hp_roof_mfu(c, o);
  double bw =
      tp * c->spec.fig[HP_FIG_memory_bw_tbps] * 1e12 * hp_roof_mbu(c, o);
  double al = hp_roof_overlap(c, o);
  double pre = prompts * in, toks = batch * q + pre;
  double dec_core =
      batch > 0
          ? batch * q * (hp_roof_decode_flops(m, ctx) - 2 * m->active_params)
          : 0;
  double pre_core =
      pre > 0
          ? prompts * (hp_roof_prefill_flops(m, in) - 2 * m->active_params * in)
          : 0;
  hp_roof_op *at = &out->op[HP_ROOF_OP_ATTN], *ff = &out->op[HP_ROOF_OP_FFN];
  at->compute_s = (toks * 2 * A + dec_core + pre_core) / peak;
  /* KV reads at their own bandwidth share; a per-query-head kernel's
   * repeated reads partly hit the L2 cache (docs/roofline.md). */
  double reads = hp_roof_kv_read_factor(m, a, tp);
  reads = 1 + (reads - 1) * (1 - hp_roof_reread_hit(c, o));
  double bw_kv =
      tp * c->spec.fig[HP_FIG_memory_bw_tbps] * 1e12 * hp_roof_kv_mbu(c, o);
  at->memory_s = A * wb / bw + batch * tp * hp_roof_attended(m, ctx) *
                                   kv_card(m, tp) * reads / bw_kv;
  ff->compute_s = toks * 2 * F / peak;
  double fbytes;
  if (ep > 0) {
    double shared, routed, f = m->experts_per_token / m->experts;
    moe_split(m, &shared, &routed);
    fbytes = (shared - A) * wb + routed * wb / ep * (1 - pow(1 - f, toks * ep));
  } else {
    fbytes = hp_roof_weight_bytes_touched(m, toks) - A * wb;
  }
  ff->memory_s = fmax(0, fbytes) / bw;
  out->compute_s = out->memory_s = 0;
  for (int i = 0; i < HP_ROOF_N_OPS; i++) {
    hp_roof_op *op = &out->op[i];
    op->time_s = overlap_time(op->compute_s, op->memory_s, al);
    out->compute_s += op->compute_s;
    out->memory_s += op->memory_s;
  }
  out->comm_s = hp_roof_comm_s(m, c, o, tp, toks);
  out->a2a_s = a2a_s(m, c, o, ep, toks, batch <= 0);
  /* A layer's kernels each take a few microseconds however little they
   * do (launch, ramp-up, tail, synchronisation): a fixed time per layer
   * and pass, which a lone request's step shows (docs/roofline.md). */
  out->fixed_s = m->layers * hp_roof_layer_us(c, o) * 1e-6;
  double body = at->time_s + ff->time_s + out->comm_s + out->fixed_s;
  /* Two micro-batches may hide the all-to-all under the other's compute
   * (DeepSeek's two-batch overlap, SGLang's TBO, CloudMatrix-Infer's
   * micro-batch pipeline): overlapped like an operation, with the same
   * fitted overlap (1 on the fitted stacks: nothing hidden). */
  out->total_s = out->a2a_s > 0 ? overlap_time(body, out->a2a_s, al) : body;
}

static void forward(const hp_model_desc *m, const hp_candidate *c,
                    const hp_roof_opts *o, hp_roof_attn a, int tp, double batch,
                    double ctx, double prompts, double in, hp_roof_step *out) {
  forward_q(m, c, o, a, tp, batch, 1, ctx, prompts, in, out);
}

void hp_roof_decode_step_draft(const hp_model_desc *m, const hp_candidate *c,
                               const hp_roof_opts *o, int tp, double batch,
                               double ctx, hp_roof_attn a, double draft,
                               hp_roof_step *out) {
  forward_q(m, c, o, a, tp, batch, 1 + draft, ctx, 0, 0, out);
}

void hp_roof_forward(const hp_model_desc *m, const hp_candidate *c,
                     const hp_roof_opts *o, int tp, double prompts, double in,
                     hp_roof_step *out) {
  forward(m, c, o, HP_ROOF_ATTN_GROUPED, tp, 0, 0, prompts, in, out);
}

double hp_roof_weights_card(const hp_model_desc *m, const hp_roof_opts *o,
                            int tp) {
  return weights_card(m, tp, ep_of(m, o));
}

double hp_roof_act_bytes_token_card(const hp_model_desc *m, int tp) {
  return act_token_card(m, tp);
}

int hp_roof_ep(const hp_model_desc *m, const hp_roof_opts *o) {
  return ep_of(m, o);
}

void hp_roof_decode_step_attn(const hp_model_desc *m, const hp_candidate *c,
                              const hp_roof_opts *o, int tp, double batch,
                              double ctx, hp_roof_attn a, hp_roof_step *out) {
  forward(m, c, o, a, tp, batch, ctx, 0, 0, out);
}

void hp_roof_decode_step(const hp_model_desc *m, const hp_candidate *c,
                         const hp_roof_opts *o, int tp, double batch,
                         double ctx, hp_roof_step *out) {
  hp_roof_decode_step_attn(m, c, o, tp, batch, ctx, HP_ROOF_ATTN_GROUPED, out);
}

/* One prompt of n tokens on one replica, operation by operation: compute
 * bound in practice, but never faster than reading the weights once. */
double hp_roof_prefill_s(const hp_model_desc *m, const hp_candidate *c,
                         const hp_roof_opts *o, int tp, double n) {
  hp_roof_step st;
  forward(m, c, o, HP_ROOF_ATTN_GROUPED, tp, 0, 0, 1, n, &st);
  return st.total_s;
}

double hp_roof_prefill_tokens_s(const hp_model_desc *m, const hp_candidate *c,
                                const hp_roof_opts *o, int tp, double in) {
  double k = fmax(1, floor(o->prefill_chunk / in));
  hp_roof_step st;
  forward(m, c, o, HP_ROOF_ATTN_GROUPED, tp, 0, 0, k, in, &st);
  return k * in / st.total_s;
}

/* ----------------------------------------------------------------------------
 * The derivation
 * ------------------------------------------------------------------------- */

/* One prompt's share of a batched prefill: the static batch's prompts go
 * through the model together, prefill_chunk tokens (at least one prompt)
 * a forward pass, so the weights are read once per pass, not per prompt. */
static double prompt_share_s(const hp_model_desc *m, const hp_candidate *c,
                             const hp_roof_opts *o, int tp, double b,
                             double in) {
  double k = fmin(fmax(b, 1), fmax(1, floor(o->prefill_chunk / in)));
  hp_roof_step ps;
  forward(m, c, o, HP_ROOF_ATTN_GROUPED, tp, 0, 0, k, in, &ps);
  return ps.total_s / k;
}

/* Time per output token at batch b. Static batching: the step plus the
 * prefill of the b/out requests that start, on average, in each step
 * (prefill and decode take turns on the replica). Continuous batching with
 * chunked prefill: those prompts' tokens ride in the decode step, their
 * FLOPs added to its operations, where memory-bound decoding hides part of
 * them (docs/roofline.md). */
static double tpot_at(const hp_model_desc *m, const hp_candidate *c,
                      const hp_roof_opts *o, hp_roof_attn a, int tp, double b,
                      double ctx, double prefill, double in, double out,
                      hp_roof_step *st) {
  (void)prefill; /* one prompt alone: the TTFT, not the batch's share */
  hp_roof_step tmp;
  if (!st)
    st = &tmp;
  if (o->batching) {
    forward(m, c, o, a, tp, b, ctx, b / out, in, st);
    return st->total_s;
  }
  hp_roof_decode_step_attn(m, c, o, tp, b, ctx, a, st);
  return st->total_s + b * prompt_share_s(m, c, o, tp, b, in) / out;
}

/* tpot_at as an hp_roof_tpot_fn: the colocated step with its prefill
 * share. */
static double colocated_tpot(const hp_model_desc *m, const hp_candidate *c,
                             const hp_roof_opts *o, hp_roof_attn a, int tp,
                             double b, const hp_request_class *k, double ctx,
                             hp_roof_step *st) {
  return tpot_at(m, c, o, a, tp, b, ctx, 0, k->input_tokens, k->output_tokens,
                 st);
}

int hp_roof_choose_batch(hp_roof_tpot_fn f, const hp_model_desc *m,
                         const hp_candidate *c, const hp_request_class *k,
                         const hp_roof_opts *o, hp_roof_attn a, int tp,
                         hp_roof_result *r) {
  double ctx = r->decode_ctx;
  r->batch_cap = (int)(o->batch > 0 ? o->batch : o->max_batch);
  r->batch_slo = INT_MAX;
  int hi = r->batch_mem < r->batch_cap ? r->batch_mem : r->batch_cap;
  if (o->batch > 0) {
    if (o->batch > r->batch_mem) {
      snprintf(r->why, sizeof r->why,
               "at TP %d the forced batch of %g requests needs more KV "
               "cache than the %d requests that fit",
               tp, o->batch, r->batch_mem);
      return 0;
    }
    r->batch = (int)o->batch;
    r->batch_limit = "forced";
    return 1;
  }
  if (k->tpot_ms > 0) {
    double slo = k->tpot_ms * 1e-3;
    double t1 = f(m, c, o, a, tp, 1, k, ctx, NULL);
    if (t1 > slo) {
      snprintf(r->why, sizeof r->why,
               "at TP %d one request alone takes %.2f ms per output "
               "token, over the TPOT SLO of %g ms",
               tp, t1 * 1e3, k->tpot_ms);
      return 0;
    }
    /* The time per token grows with the batch: bisect for the largest
     * batch within the SLO. */
    if (f(m, c, o, a, tp, hi, k, ctx, NULL) > slo) {
      int lo = 1, top = hi;
      while (top - lo > 1) {
        int mid = lo + (top - lo) / 2;
        if (f(m, c, o, a, tp, mid, k, ctx, NULL) <= slo)
          lo = mid;
        else
          top = mid;
      }
      r->batch_slo = lo;
      hi = lo;
    }
  }
  r->batch = hi;
  r->batch_limit = r->batch_slo != INT_MAX        ? "tpot"
                   : r->batch_mem <= r->batch_cap ? "memory"
                                                  : "max_batch";
  return 1;
}

/* Evaluates one TP degree; r->ok says whether it can serve the class. */
static void eval_tp(const hp_model_desc *m, const hp_candidate *c,
                    const hp_request_class *k, const hp_roof_opts *o,
                    hp_roof_attn a, int tp, hp_roof_result *r) {
  double in = k->input_tokens, out = k->output_tokens;
  r->ok = 0;
  r->tp = tp;
  r->replicas = (int)floor(c->spec.fig[HP_FIG_cards_per_server] / tp);
  r->ep = ep_of(m, o);
  r->weight_bytes_card = weights_card(m, tp, r->ep);
  r->kv_bytes_token_card = kv_card(m, tp);
  r->kv_read_factor = hp_roof_kv_read_factor(m, a, tp);
  r->act_bytes_token_card = act_token_card(m, tp);
  r->act_bytes_card = o->prefill_chunk * r->act_bytes_token_card;
  r->kv_capacity_tokens =
      (r->usable_bytes - r->weight_bytes_card - r->act_bytes_card) /
      r->kv_bytes_token_card;
  r->prefill_flops = hp_roof_prefill_flops(m, in);
  r->prefill_s = hp_roof_prefill_s(m, c, o, tp, in);
  r->decode_ctx = in + out / 2.0;
  r->flops_per_token = hp_roof_decode_flops(m, r->decode_ctx);
  if (r->kv_capacity_tokens < r->context_tokens) {
    snprintf(r->why, sizeof r->why,
             "at TP %d the KV cache left after the weights holds %.0f "
             "tokens per replica, less than one request's %.0f tokens",
             tp, fmax(r->kv_capacity_tokens, 0), r->context_tokens);
    return;
  }
  if (k->ttft_ms > 0 && r->prefill_s * 1e3 > k->ttft_ms) {
    snprintf(r->why, sizeof r->why,
             "at TP %d the prefill of one %.0f-token prompt takes %.1f ms, "
             "over the TTFT SLO of %g ms",
             tp, in, r->prefill_s * 1e3, k->ttft_ms);
    return;
  }
  double bm = floor(r->kv_capacity_tokens / r->context_tokens);
  r->batch_mem = bm > INT_MAX ? INT_MAX : (int)bm;
  if (!hp_roof_choose_batch(colocated_tpot, m, c, k, o, a, tp, r))
    return;
  r->prefill_prompt_s = prompt_share_s(m, c, o, tp, r->batch, in);
  r->tpot_s = tpot_at(m, c, o, a, tp, r->batch, r->decode_ctx, r->prefill_s, in,
                      out, &r->step);
  r->memory_bound = r->step.memory_s >= r->step.compute_s;
  /* Crossover of the pure decode step (no all-reduce), all weights read. */
  double eff_c = tp * r->peak_flops * r->mfu;
  double eff_m = r->bw_bytes_s * r->mbu;
  double per_seq_c = r->flops_per_token / eff_c;
  double per_seq_m = hp_roof_attended(m, r->decode_ctx) *
                     r->kv_bytes_token_card *
                     (1 + (r->kv_read_factor - 1) * (1 - r->reread_hit)) /
                     (r->bw_bytes_s * r->kv_mbu);
  r->crossover_batch = per_seq_c > per_seq_m ? (r->weight_bytes_card / eff_m) /
                                                   (per_seq_c - per_seq_m)
                                             : HUGE_VAL;
  double out_tps = r->batch / r->tpot_s * r->replicas;
  r->output_tokens_per_s_server = out_tps;
  r->tokens_per_s_server = out_tps * (in + out) / out;
  r->requests_per_s_server = out_tps / out;
  r->ok = 1;
  r->why[0] = '\0';
}

void hp_roof_eval(const hp_model_desc *m, const hp_candidate *c,
                  const hp_request_class *k, const hp_roof_opts *o,
                  hp_roof_result *r) {
  hp_roof_eval_attn(m, c, k, o, (hp_roof_attn)o->attention, r);
}

void hp_roof_eval_attn(const hp_model_desc *m, const hp_candidate *c,
                       const hp_request_class *k, const hp_roof_opts *o,
                       hp_roof_attn a, hp_roof_result *r) {
  memset(r, 0, sizeof *r);
  r->peak_flops = roof_peak(m, c, o);
  r->bw_bytes_s = c->spec.fig[HP_FIG_memory_bw_tbps] * 1e12;
  r->link_bytes_s = hp_roof_link_bytes_s(c, o, &r->link_is_pcie);
  r->usable_bytes = hp_roof_usable_bytes(c, o);
  r->weight_bytes = hp_roof_weight_bytes(m);
  r->eff = hp_roof_eff_find(c, o);
  r->mfu = hp_roof_mfu(c, o);
  r->mbu = hp_roof_mbu(c, o);
  r->overlap = hp_roof_overlap(c, o);
  r->kv_mbu = hp_roof_kv_mbu(c, o);
  r->reread_hit = hp_roof_reread_hit(c, o);
  r->ar_share = hp_roof_ar_share(c, o);
  r->layer_us = hp_roof_layer_us(c, o);
  r->kv_bytes_per_token = hp_roof_kv_bytes_per_token(m);
  r->context_tokens = k->input_tokens + k->output_tokens;
  r->batch_slo = INT_MAX;
  r->tp_fit = hp_roof_min_tp(m, c, o, r->context_tokens);
  double cps = c->spec.fig[HP_FIG_cards_per_server];
  if (ep_of(m, o) > 0) {
    /* Expert parallelism: every card a data-parallel attention rank (TP
     * 1), the routed experts spread over o->ep cards, which may span
     * servers or fill a supernode. */
    if (o->tp > 1) {
      snprintf(r->why, sizeof r->why,
               "roofline.ep runs attention data parallel (TP 1); "
               "roofline.tp %g cannot be combined with it",
               o->tp);
      return;
    }
    int keep = r->tp_fit;
    eval_tp(m, c, k, o, a, 1, r);
    r->tp_fit = keep;
    return;
  }
  if (o->tp > 0) {
    if (o->tp > cps) {
      snprintf(r->why, sizeof r->why,
               "roofline.tp %g is more than the %g cards of a server", o->tp,
               cps);
      return;
    }
    int keep = r->tp_fit;
    eval_tp(m, c, k, o, a, (int)o->tp, r);
    r->tp_fit = keep;
    return;
  }
  if (r->tp_fit == 0) {
    snprintf(r->why, sizeof r->why,
             "weights of %.1f GB and %g requests of %.0f tokens do not fit "
             "in %g cards of %.1f GB usable",
             r->weight_bytes / 1e9, o->min_batch, r->context_tokens, cps,
             r->usable_bytes / 1e9);
    return;
  }
  /* From the smallest TP that fits, keep the degree that gives the most
   * tokens/s per server (ties go to the smaller degree). */
  hp_roof_result best, cur;
  int have = 0;
  for (int tp = r->tp_fit; tp <= cps && tp <= HP_MAX_CARDS_PER_SERVER;
       tp *= 2) {
    cur = *r;
    eval_tp(m, c, k, o, a, tp, &cur);
    if (cur.ok && (!have || cur.tokens_per_s_server >
                                best.tokens_per_s_server * (1 + 1e-9))) {
      best = cur;
      have = 1;
    }
    if (!have)
      best = cur; /* the reason of the largest degree tried */
  }
  *r = best;
}
