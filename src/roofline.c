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
  double b = hp_dtype_bytes(m->kv_dtype);
  if (m->kv_lora_rank > 0)
    return (m->kv_lora_rank + m->qk_rope_head_dim) * m->layers * b;
  return 2.0 * m->layers * m->kv_heads * m->head_dim * b;
}

double hp_roof_weight_bytes(const hp_model_desc *m) {
  return m->params * hp_dtype_bytes(m->weight_dtype);
}

double hp_roof_weight_bytes_touched(const hp_model_desc *m, double tokens) {
  double wb = hp_dtype_bytes(m->weight_dtype);
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

/* First match wins; a NULL vendor matches any card. "fitted" figures come
 * from the fitting rows of docs/validation.md; "derived" from a published
 * figure by arithmetic given in the source; "assumed" rests on a stated
 * argument only and is what a probe profile (hetplan probe) should
 * replace. */
static const hp_roof_eff eff_table[] = {
    {"NVIDIA", HP_ROOF_STACK_TRTLLM, 0.65, 0.70, 0.00, "fitted",
     "fitted on the TensorRT-LLM v0.5/v0.6.1 rows V1-V6, V11-V18 of "
     "docs/validation.md (H100, H200)"},
    {"NVIDIA", HP_ROOF_STACK_SGLANG, 0.65, 0.70, 0.00, "assumed",
     "as TensorRT-LLM: SGLang matches DeepSeek's own H800 decode within "
     "about 10% per card (LMSYS 2025-05-05, docs/validation.md V46)"},
    {"NVIDIA", HP_ROOF_STACK_VLLM, 0.45, 0.70, 0.10, "assumed",
     "about 10 points below TensorRT-LLM on both roofs, the gap of NVIDIA's "
     "NIM against vLLM in its benchmark pages; to be measured"},
    {"AMD", HP_ROOF_STACK_VLLM, 0.40, 0.65, 0.10, "assumed",
     "ROCm vLLM: MI300X MLPerf v4.1 Llama-2-70B offline reaches about the "
     "H100's tokens/s with 1.3x its FP8 peak, i.e. about 0.75x its MFU"},
    {"Huawei", HP_ROOF_STACK_MINDIE, 0.40, 0.65, 0.10, "assumed",
     "CloudMatrix-Infer (arXiv 2506.12708) reports 4.45 prefill tokens/s per "
     "TFLOPS against 3.75 for SGLang on H100: Ascend reaches its roofs only "
     "with that stack; MindIE elsewhere is taken lower"},
    {NULL, HP_ROOF_STACK_VLLM, 0.35, 0.60, 0.10, "assumed",
     "vendor vLLM forks on domestic cards: no published measurement with an "
     "operating point (docs/validation.md); below the mature stacks by "
     "assumption"},
    {NULL, HP_ROOF_STACK_TRTLLM, 0.35, 0.60, 0.10, "assumed",
     "a TensorRT-LLM figure asked of a card it does not run on: the "
     "generic row"},
    {NULL, HP_ROOF_STACK_SGLANG, 0.35, 0.60, 0.10, "assumed",
     "SGLang on a card without its own row: the generic row"},
    {NULL, HP_ROOF_STACK_MINDIE, 0.35, 0.60, 0.10, "assumed",
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
  const char *v = c->spec.vendor ? c->spec.vendor : "";
  size_t n = sizeof eff_table / sizeof eff_table[0];
  for (size_t i = 0; i < n; i++)
    if (eff_table[i].stack == st &&
        (!eff_table[i].vendor || strcmp(eff_table[i].vendor, v) == 0))
      return &eff_table[i];
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
           hp_dtype_name(want), got == HP_DTYPE_FP8 ? "FP8" : "FP16",
           hp_roof_tflops(c, got),
           want == HP_DTYPE_FP4 && got == HP_DTYPE_FP16
               ? "neither fp4_tflops nor fp8_tflops"
           : want == HP_DTYPE_FP4 ? "no fp4_tflops"
                                  : "no fp8_tflops",
           hp_dtype_bytes(m->weight_dtype),
           hp_dtype_bytes(m->weight_dtype) == 1 ? "" : "s");
  return 1;
}

double hp_roof_peak_flops(const hp_model_desc *m, const hp_candidate *c) {
  return hp_roof_tflops(c, hp_roof_compute_dtype(m, c, NULL)) * 1e12;
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
    return (shared + routed / ep) * hp_dtype_bytes(m->weight_dtype);
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
  /* Ring all-reduce: each rank sends and receives 2 (tp-1)/tp of the data. */
  double bytes = 2.0 * (tp - 1) / tp * tokens * m->hidden_size * ACT_BYTES;
  return 2.0 * m->layers * (o->allreduce_us * 1e-6 + bytes / link);
}

/* Expert all-to-all of `tokens` tokens per card over ep cards: each token
 * goes to experts_per_token experts, (ep-1)/ep of them on other cards, out
 * and back, per MoE layer; over the scale-up link while the EP group fits
 * in one server (or supernode), else over roofline.scaleout_gbps. */
static double a2a_s(const hp_model_desc *m, const hp_candidate *c,
                    const hp_roof_opts *o, int ep, double tokens) {
  if (ep <= 1)
    return 0;
  int pcie;
  double link = ep <= c->spec.fig[HP_FIG_cards_per_server]
                    ? hp_roof_link_bytes_s(c, o, &pcie)
                    : o->scaleout_gbps * 1e9;
  double layers = m->layers - m->dense_layers;
  double bytes = tokens * m->experts_per_token * m->hidden_size * A2A_BYTES *
                 (ep - 1) / ep;
  return layers * (2 * o->allreduce_us * 1e-6 + bytes / link);
}

/* The overlap model: an operation takes the larger of its compute and
 * memory times plus a share `a` of the smaller (docs/roofline.md). */
static double overlap_time(double compute, double memory, double a) {
  return fmax(compute, memory) + a * fmin(compute, memory);
}

/* One forward pass on one replica (tp cards, or one card under EP) of
 * `batch` decoding sequences at context ctx plus `prompts` prompts of
 * `in` tokens (prefill, whole or folded into the step), operation by
 * operation. */
static void forward(const hp_model_desc *m, const hp_candidate *c,
                    const hp_roof_opts *o, hp_roof_attn a, int tp, double batch,
                    double ctx, double prompts, double in, hp_roof_step *out) {
  int ep = ep_of(m, o);
  double wb = hp_dtype_bytes(m->weight_dtype);
  double A = attn_params(m), F = m->active_params - A;
  double peak = tp * hp_roof_peak_flops(m, c) * hp_roof_mfu(c, o);
  double bw =
      tp * c->spec.fig[HP_FIG_memory_bw_tbps] * 1e12 * hp_roof_mbu(c, o);
  double al = hp_roof_overlap(c, o);
  double pre = prompts * in, toks = batch + pre;
  double dec_core =
      batch > 0 ? batch * (hp_roof_decode_flops(m, ctx) - 2 * m->active_params)
                : 0;
  double pre_core =
      pre > 0
          ? prompts * (hp_roof_prefill_flops(m, in) - 2 * m->active_params * in)
          : 0;
  hp_roof_op *at = &out->op[HP_ROOF_OP_ATTN], *ff = &out->op[HP_ROOF_OP_FFN];
  at->compute_s = (toks * 2 * A + dec_core + pre_core) / peak;
  at->memory_s =
      (A * wb + batch * tp * hp_roof_attended(m, ctx) * kv_card(m, tp) *
                    hp_roof_kv_read_factor(m, a, tp)) /
      bw;
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
  out->a2a_s = a2a_s(m, c, o, ep, toks);
  double body = at->time_s + ff->time_s + out->comm_s;
  /* Two micro-batches hide the all-to-all under the other's compute
   * (DeepSeek, SGLang, CloudMatrix-Infer): overlapped like an operation. */
  out->total_s = out->a2a_s > 0 ? overlap_time(body, out->a2a_s, al) : body;
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
  hp_roof_step tmp;
  if (!st)
    st = &tmp;
  if (o->batching) {
    forward(m, c, o, a, tp, b, ctx, b / out, in, st);
    return st->total_s;
  }
  hp_roof_decode_step_attn(m, c, o, tp, b, ctx, a, st);
  return st->total_s + b * prefill / out;
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
  r->batch_cap = (int)(o->batch > 0 ? o->batch : o->max_batch);
  r->batch_slo = INT_MAX;
  int hi = r->batch_mem < r->batch_cap ? r->batch_mem : r->batch_cap;
  if (o->batch > 0) {
    if (o->batch > r->batch_mem) {
      snprintf(r->why, sizeof r->why,
               "at TP %d the forced batch of %g requests needs more KV "
               "cache than the %d requests that fit",
               tp, o->batch, r->batch_mem);
      return;
    }
    r->batch = (int)o->batch;
    r->batch_limit = "forced";
  } else {
    if (k->tpot_ms > 0) {
      double slo = k->tpot_ms * 1e-3;
      double t1 = tpot_at(m, c, o, a, tp, 1, r->decode_ctx, r->prefill_s, in,
                          out, NULL);
      if (t1 > slo) {
        snprintf(r->why, sizeof r->why,
                 "at TP %d one request alone takes %.2f ms per output "
                 "token, over the TPOT SLO of %g ms",
                 tp, t1 * 1e3, k->tpot_ms);
        return;
      }
      /* tpot grows with the batch: bisect for the largest batch within it. */
      if (tpot_at(m, c, o, a, tp, hi, r->decode_ctx, r->prefill_s, in, out,
                  NULL) > slo) {
        int lo = 1, top = hi;
        while (top - lo > 1) {
          int mid = lo + (top - lo) / 2;
          if (tpot_at(m, c, o, a, tp, mid, r->decode_ctx, r->prefill_s, in, out,
                      NULL) <= slo)
            lo = mid;
          else
            top = mid;
        }
        r->batch_slo = lo;
        hi = lo;
      }
    }
    r->batch = hi;
    if (r->batch_slo != INT_MAX)
      r->batch_limit = "tpot";
    else if (r->batch_mem <= r->batch_cap)
      r->batch_limit = "memory";
    else
      r->batch_limit = "max_batch";
  }
  r->tpot_s = tpot_at(m, c, o, a, tp, r->batch, r->decode_ctx, r->prefill_s, in,
                      out, &r->step);
  r->memory_bound = r->step.memory_s >= r->step.compute_s;
  /* Crossover of the pure decode step (no all-reduce), all weights read. */
  double eff_c = tp * r->peak_flops * r->mfu;
  double eff_m = r->bw_bytes_s * r->mbu;
  double per_seq_c = r->flops_per_token / eff_c;
  double per_seq_m = hp_roof_attended(m, r->decode_ctx) *
                     r->kv_bytes_token_card * r->kv_read_factor / eff_m;
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
  r->peak_flops = hp_roof_peak_flops(m, c);
  r->bw_bytes_s = c->spec.fig[HP_FIG_memory_bw_tbps] * 1e12;
  r->link_bytes_s = hp_roof_link_bytes_s(c, o, &r->link_is_pcie);
  r->usable_bytes = hp_roof_usable_bytes(c, o);
  r->weight_bytes = hp_roof_weight_bytes(m);
  r->eff = hp_roof_eff_find(c, o);
  r->mfu = hp_roof_mfu(c, o);
  r->mbu = hp_roof_mbu(c, o);
  r->overlap = hp_roof_overlap(c, o);
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
