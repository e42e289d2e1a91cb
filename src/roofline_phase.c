/* roofline_phase.c - prefill and decode on separate servers (issue 21).
 *
 * Throughput of one server running only the prefill or only the decode of
 * a request class, and the KV cache and network a disaggregated service
 * moves between the two. Built on roofline.h's public functions only (the
 * colocated derivation in roofline.c is not touched); every formula is in
 * docs/roofline.md, "Prefill and decode on different cards".
 * Layout: shared helpers, prefill, decode, the public entry points.
 */
#include "roofline.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"

/* ----------------------------------------------------------------------------
 * Shared helpers
 * ------------------------------------------------------------------------- */

/* KV bytes per token one card holds at TP tp: GQA heads split over the
 * ranks (replicated past kv_heads), the MLA latent held whole by every
 * rank. The same rule as the colocated derivation (docs/roofline.md,
 * step 2). */
static double kv_card(const hp_model_desc *m, int tp) {
  double kv = hp_roof_kv_bytes_per_token(m);
  if (m->kv_lora_rank > 0)
    return kv;
  return kv / fmin((double)tp, m->kv_heads > 0 ? m->kv_heads : 1);
}

/* The figures every TP degree shares. */
static void roofs(const hp_model_desc *m, const hp_candidate *c,
                  const hp_request_class *k, const hp_roof_opts *o,
                  double context, hp_roof_result *r) {
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
  r->kv_mbu = hp_roof_kv_mbu(c, o);
  r->reread_hit = hp_roof_reread_hit(c, o);
  r->ar_share = hp_roof_ar_share(c, o);
  r->layer_us = hp_roof_layer_us(c, o);
  r->kv_bytes_per_token = hp_roof_kv_bytes_per_token(m);
  r->context_tokens = context;
  r->batch_slo = INT_MAX;
  r->tp_fit = hp_roof_min_tp(m, c, o, context);
  (void)k;
}

/* Per TP degree: replicas, weights and KV per card (EP as hp_roof_eval
 * holds them), the prefill workspace (prefill_chunk tokens of activations,
 * reserved on a prefill server only: a decode server runs no prompt), KV
 * capacity. Returns 0 (r->why set) when one request of r->context_tokens
 * does not fit. */
static int fit_tp(const hp_model_desc *m, const hp_candidate *c,
                  const hp_roof_opts *o, int tp, int pre, const char *what,
                  hp_roof_result *r) {
  r->ok = 0;
  r->tp = tp;
  r->ep = hp_roof_ep(m, o);
  r->replicas = (int)floor(c->spec.fig[HP_FIG_cards_per_server] / tp);
  r->weight_bytes_card = hp_roof_weights_card(m, o, tp);
  r->kv_bytes_token_card = kv_card(m, tp);
  r->act_bytes_token_card = hp_roof_act_bytes_token_card(m, tp);
  r->act_bytes_card = pre ? o->prefill_chunk * r->act_bytes_token_card : 0;
  r->kv_capacity_tokens =
      (r->usable_bytes - r->weight_bytes_card - r->act_bytes_card) /
      r->kv_bytes_token_card;
  if (r->kv_capacity_tokens < r->context_tokens) {
    snprintf(r->why, sizeof r->why,
             "at TP %d the KV cache left after the weights holds %.0f "
             "tokens per replica, less than one %s of %.0f tokens",
             tp, fmax(r->kv_capacity_tokens, 0), what, r->context_tokens);
    return 0;
  }
  double bm = floor(r->kv_capacity_tokens / r->context_tokens);
  r->batch_mem = bm > INT_MAX ? INT_MAX : (int)bm;
  return 1;
}

/* The largest b in [1, hi] with mult x f(b) <= limit_s, given f(1) within
 * it and f growing with b: the prefill batch under the TTFT (the decode
 * batch is hp_roof_choose_batch's). */
typedef double (*time_fn)(const hp_model_desc *, const hp_candidate *,
                          const hp_roof_opts *, int, double, double,
                          hp_roof_step *);
static int largest_within(time_fn f, const hp_model_desc *m,
                          const hp_candidate *c, const hp_roof_opts *o, int tp,
                          double x, double mult, double limit_s, int hi) {
  if (mult * f(m, c, o, tp, hi, x, NULL) <= limit_s)
    return hi;
  int lo = 1, top = hi;
  while (top - lo > 1) {
    int mid = lo + (top - lo) / 2;
    if (mult * f(m, c, o, tp, mid, x, NULL) <= limit_s)
      lo = mid;
    else
      top = mid;
  }
  return lo;
}

/* ----------------------------------------------------------------------------
 * Prefill: batches of prompts, compute bound
 * ------------------------------------------------------------------------- */

/* One batch of b prompts of n tokens on one replica of TP tp, as the
 * colocated derivation prefills a static batch: forward passes of k =
 * floor(prefill_chunk / n) prompts (at least one), each pass timed by
 * hp_roof_forward (per operation, with the overlap, the stack's
 * efficiencies, all-reduce and all-to-all); the last pass carries the
 * remainder. st is the first pass's times with total_s the whole batch.
 * For b = 1 this is hp_roof_prefill_s. */
static double prefill_batch_s(const hp_model_desc *m, const hp_candidate *c,
                              const hp_roof_opts *o, int tp, double b, double n,
                              hp_roof_step *st) {
  hp_roof_step tmp, rest;
  if (!st)
    st = &tmp;
  double k = fmax(1, floor(o->prefill_chunk / n));
  double full = floor(b / k), rem = b - full * k;
  hp_roof_forward(m, c, o, tp, fmin(b, k), n, st);
  double t = full * (b >= k ? st->total_s : 0);
  if (rem > 0) {
    hp_roof_forward(m, c, o, tp, rem, n, &rest);
    t += rest.total_s;
  }
  st->total_s = t;
  return t;
}

static void prefill_tp(const hp_model_desc *m, const hp_candidate *c,
                       const hp_request_class *k, const hp_roof_opts *o, int tp,
                       hp_roof_result *r) {
  double in = k->input_tokens;
  if (!fit_tp(m, c, o, tp, 1, "prompt", r))
    return;
  r->prefill_flops = hp_roof_prefill_flops(m, in);
  r->prefill_s = prefill_batch_s(m, c, o, tp, 1, in, NULL);
  r->batch_cap = (int)o->max_batch;
  int hi = r->batch_mem < r->batch_cap ? r->batch_mem : r->batch_cap;
  if (k->ttft_ms > 0) {
    double slo = k->ttft_ms * 1e-3;
    if (r->prefill_s > slo) {
      snprintf(r->why, sizeof r->why,
               "at TP %d the prefill of one %.0f-token prompt takes %.1f ms, "
               "over the TTFT SLO of %g ms",
               tp, in, r->prefill_s * 1e3, k->ttft_ms);
      return;
    }
    /* A prompt that arrives while a batch runs waits for it, then runs in
     * the next batch: first token within 2 x the batch time. Prompts are
     * batched only as far as that meets the TTFT; one prompt at a time is
     * kept when it alone meets it, as the colocated derivation does (its
     * wait is not counted there either). */
    int b = 2 * r->prefill_s > slo
                ? 1
                : largest_within(prefill_batch_s, m, c, o, tp, in, 2, slo, hi);
    if (b < hi) {
      r->batch_slo = b;
      hi = b;
    }
  }
  /* A batch that ends in a part-filled pass reads the weights for fewer
   * prompts: whole passes, when there is at least one, do no worse. */
  double kp = fmax(1, floor(o->prefill_chunk / in));
  if (hi > kp) {
    int whole = (int)(floor(hi / kp) * kp);
    if (whole / prefill_batch_s(m, c, o, tp, whole, in, NULL) >
        hi / prefill_batch_s(m, c, o, tp, hi, in, NULL))
      hi = whole;
  }
  r->batch = hi;
  r->batch_limit = r->batch_slo != INT_MAX        ? "ttft"
                   : r->batch_mem <= r->batch_cap ? "memory"
                                                  : "max_batch";
  prefill_batch_s(m, c, o, tp, r->batch, in, &r->step);
  r->memory_bound = r->step.memory_s >= r->step.compute_s;
  r->requests_per_s_server = r->batch / r->step.total_s * r->replicas;
  r->tokens_per_s_server = r->requests_per_s_server * in;
  r->ok = 1;
  r->why[0] = '\0';
}

/* ----------------------------------------------------------------------------
 * Decode: bandwidth, KV capacity, TPOT; no prefill in the step
 * ------------------------------------------------------------------------- */

/* The pure decode step as an hp_roof_tpot_fn: no prefill shares it. */
static double decode_step_s(const hp_model_desc *m, const hp_candidate *c,
                            const hp_roof_opts *o, hp_roof_attn a, int tp,
                            double b, const hp_request_class *k, double ctx,
                            hp_roof_step *st) {
  hp_roof_step tmp;
  (void)k;
  if (!st)
    st = &tmp;
  hp_roof_decode_step_attn(m, c, o, tp, b, ctx, a, st);
  return st->total_s;
}

static void decode_tp(const hp_model_desc *m, const hp_candidate *c,
                      const hp_request_class *k, const hp_roof_opts *o, int tp,
                      hp_roof_result *r) {
  double in = k->input_tokens, out = k->output_tokens;
  if (!fit_tp(m, c, o, tp, 0, "request", r))
    return;
  hp_roof_attn a = (hp_roof_attn)o->attention;
  r->kv_read_factor = hp_roof_kv_read_factor(m, a, tp);
  r->decode_ctx = in + out / 2.0;
  r->flops_per_token = hp_roof_decode_flops(m, r->decode_ctx);
  if (!hp_roof_choose_batch(decode_step_s, m, c, k, o, a, tp, r))
    return;
  r->tpot_s =
      decode_step_s(m, c, o, a, tp, r->batch, k, r->decode_ctx, &r->step);
  r->memory_bound = r->step.memory_s >= r->step.compute_s;
  /* Crossover of the pure step (no all-reduce), all weights read: as in
   * the colocated derivation. */
  double per_seq_c = r->flops_per_token / (tp * r->peak_flops * r->mfu);
  double per_seq_m = hp_roof_attended(m, r->decode_ctx) *
                     r->kv_bytes_token_card *
                     (1 + (r->kv_read_factor - 1) * (1 - r->reread_hit)) /
                     (r->bw_bytes_s * r->kv_mbu);
  r->crossover_batch = per_seq_c > per_seq_m
                           ? (r->weight_bytes_card / (r->bw_bytes_s * r->mbu)) /
                                 (per_seq_c - per_seq_m)
                           : HUGE_VAL;
  r->output_tokens_per_s_server = r->batch / r->tpot_s * r->replicas;
  r->tokens_per_s_server = r->output_tokens_per_s_server;
  r->requests_per_s_server = r->output_tokens_per_s_server / out;
  r->ok = 1;
  r->why[0] = '\0';
}

/* ----------------------------------------------------------------------------
 * Public entry points
 * ------------------------------------------------------------------------- */

void hp_roof_phase_eval(const hp_model_desc *m, const hp_candidate *c,
                        const hp_request_class *k, const hp_roof_opts *o,
                        hp_phase ph, hp_roof_result *r) {
  if (ph == HP_PHASE_BOTH) {
    hp_roof_eval(m, c, k, o, r);
    return;
  }
  int pre = ph == HP_PHASE_PREFILL;
  /* Prefill holds a batch's prompts only; decode holds whole requests. */
  double context = pre ? k->input_tokens : k->input_tokens + k->output_tokens;
  roofs(m, c, k, o, context, r);
  double cps = c->spec.fig[HP_FIG_cards_per_server];
  if (hp_roof_ep(m, o) > 0) {
    /* Expert parallelism: TP 1, as hp_roof_eval runs it. */
    if (o->tp > 1) {
      snprintf(r->why, sizeof r->why,
               "roofline.ep runs attention data parallel (TP 1); "
               "roofline.tp %g cannot be combined with it",
               o->tp);
      return;
    }
    int keep = r->tp_fit;
    (pre ? prefill_tp : decode_tp)(m, c, k, o, 1, r);
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
    (pre ? prefill_tp : decode_tp)(m, c, k, o, (int)o->tp, r);
    r->tp_fit = keep;
    return;
  }
  if (r->tp_fit == 0) {
    snprintf(r->why, sizeof r->why,
             "weights of %.1f GB and %g %s of %.0f tokens do not fit in %g "
             "cards of %.1f GB usable",
             r->weight_bytes / 1e9, o->min_batch, pre ? "prompts" : "requests",
             context, cps, r->usable_bytes / 1e9);
    return;
  }
  /* From the smallest TP that fits, keep the degree with the most
   * requests/s per server (ties go to the smaller degree). */
  hp_roof_result best, cur;
  int have = 0;
  for (int tp = r->tp_fit; tp <= cps && tp <= HP_MAX_CARDS_PER_SERVER;
       tp *= 2) {
    cur = *r;
    (pre ? prefill_tp : decode_tp)(m, c, k, o, tp, &cur);
    if (cur.ok && (!have || cur.requests_per_s_server >
                                best.requests_per_s_server * (1 + 1e-9))) {
      best = cur;
      have = 1;
    }
    if (!have)
      best = cur; /* the reason of the largest degree tried */
  }
  *r = best;
}

double hp_roof_phase_kv_handoff_bytes(const hp_model_desc *m,
                                      const hp_request_class *k) {
  return k->input_tokens * hp_roof_kv_bytes_per_token(m);
}

double hp_roof_phase_network_bytes_s(const hp_candidate *c) {
  double g = c->spec.fig[HP_FIG_network_gbps];
  return (g > 0 ? g : HP_DEFAULT_NETWORK_GBPS) * 1e9 / 8.0;
}
