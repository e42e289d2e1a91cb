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
  if (m->experts > 0 && m->experts_per_token > 0 &&
      m->experts_per_token < m->experts) {
    /* params = S + R, active = S + R k/E: solve for the routed part R. */
    double f = m->experts_per_token / m->experts;
    double routed = (m->params - m->active_params) / (1.0 - f);
    double shared = m->params - routed;
    if (shared < 0)
      shared = 0;
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

int hp_roof_min_tp(const hp_model_desc *m, const hp_candidate *c,
                   const hp_roof_opts *o, double context_tokens) {
  double cps = c->spec.fig[HP_FIG_cards_per_server];
  double usable = hp_roof_usable_bytes(c, o);
  double w = hp_roof_weight_bytes(m);
  for (int tp = 1; tp <= cps && tp <= HP_MAX_CARDS_PER_SERVER; tp *= 2) {
    double need = w / tp + o->min_batch * context_tokens * kv_card(m, tp);
    if (need <= usable)
      return tp;
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

void hp_roof_decode_step_attn(const hp_model_desc *m, const hp_candidate *c,
                              const hp_roof_opts *o, int tp, double batch,
                              double ctx, hp_roof_attn a, hp_roof_step *out) {
  double flops = batch * hp_roof_decode_flops(m, ctx);
  double bytes = hp_roof_weight_bytes_touched(m, batch) / tp +
                 batch * hp_roof_attended(m, ctx) * kv_card(m, tp) *
                     hp_roof_kv_read_factor(m, a, tp);
  out->compute_s = flops / (tp * hp_roof_peak_flops(m, c) * c->mfu);
  out->memory_s = bytes / (c->spec.fig[HP_FIG_memory_bw_tbps] * 1e12 * c->mbu);
  out->comm_s = hp_roof_comm_s(m, c, o, tp, batch);
  out->total_s = fmax(out->compute_s, out->memory_s) + out->comm_s;
}

void hp_roof_decode_step(const hp_model_desc *m, const hp_candidate *c,
                         const hp_roof_opts *o, int tp, double batch,
                         double ctx, hp_roof_step *out) {
  hp_roof_decode_step_attn(m, c, o, tp, batch, ctx, HP_ROOF_ATTN_GROUPED, out);
}

/* One prompt of n tokens on one replica: compute bound in practice, but
 * never faster than reading the weights once. */
double hp_roof_prefill_s(const hp_model_desc *m, const hp_candidate *c,
                         const hp_roof_opts *o, int tp, double n) {
  double compute =
      hp_roof_prefill_flops(m, n) / (tp * hp_roof_peak_flops(m, c) * c->mfu);
  double memory = hp_roof_weight_bytes_touched(m, n) / tp /
                  (c->spec.fig[HP_FIG_memory_bw_tbps] * 1e12 * c->mbu);
  return fmax(compute, memory) + hp_roof_comm_s(m, c, o, tp, n);
}

/* ----------------------------------------------------------------------------
 * The derivation
 * ------------------------------------------------------------------------- */

/* Time per output token at batch b: the step plus the prefill of the b/out
 * requests that start, on average, in each step (prefill and decode share
 * the replica; docs/roofline.md). */
static double tpot_at(const hp_model_desc *m, const hp_candidate *c,
                      const hp_roof_opts *o, hp_roof_attn a, int tp, double b,
                      double ctx, double prefill, double out,
                      hp_roof_step *st) {
  hp_roof_step tmp;
  if (!st)
    st = &tmp;
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
  r->weight_bytes_card = r->weight_bytes / tp;
  r->kv_bytes_token_card = kv_card(m, tp);
  r->kv_read_factor = hp_roof_kv_read_factor(m, a, tp);
  r->kv_capacity_tokens =
      (r->usable_bytes - r->weight_bytes_card) / r->kv_bytes_token_card;
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
      double t1 =
          tpot_at(m, c, o, a, tp, 1, r->decode_ctx, r->prefill_s, out, NULL);
      if (t1 > slo) {
        snprintf(r->why, sizeof r->why,
                 "at TP %d one request alone takes %.2f ms per output "
                 "token, over the TPOT SLO of %g ms",
                 tp, t1 * 1e3, k->tpot_ms);
        return;
      }
      /* tpot grows with the batch: bisect for the largest batch within it. */
      if (tpot_at(m, c, o, a, tp, hi, r->decode_ctx, r->prefill_s, out, NULL) >
          slo) {
        int lo = 1, top = hi;
        while (top - lo > 1) {
          int mid = lo + (top - lo) / 2;
          if (tpot_at(m, c, o, a, tp, mid, r->decode_ctx, r->prefill_s, out,
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
  r->tpot_s = tpot_at(m, c, o, a, tp, r->batch, r->decode_ctx, r->prefill_s,
                      out, &r->step);
  r->memory_bound = r->step.memory_s >= r->step.compute_s;
  /* Crossover of the pure decode step (no all-reduce), all weights read. */
  double eff_c = tp * r->peak_flops * c->mfu;
  double eff_m = r->bw_bytes_s * c->mbu;
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
  r->kv_bytes_per_token = hp_roof_kv_bytes_per_token(m);
  r->context_tokens = k->input_tokens + k->output_tokens;
  r->batch_slo = INT_MAX;
  r->tp_fit = hp_roof_min_tp(m, c, o, r->context_tokens);
  double cps = c->spec.fig[HP_FIG_cards_per_server];
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
