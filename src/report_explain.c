/* report_explain.c - the prose of `hetplan explain`: for one SKU of a
 * scenario, the roofline derivation step by step (docs/roofline.md), from
 * the figures roofline.c computes. Writes text only; solves nothing.
 */
#include "roofline.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "numfmt.h"
#include "planner.h"
#include "report.h"

/* ----------------------------------------------------------------------------
 * Explain
 * ------------------------------------------------------------------------- */

static const char *g0(double v, char *buf, size_t n) {
  return hp_fmt_grouped(v, 0, buf, n);
}

/* The heading lines `explain` and `explain --phase` share (report_phase.c):
 * names from the plan and device files as visible text (buf.h). */

void hp_report_explain_title(const hp_scenario *s, const hp_candidate *c,
                             hp_buf *b) {
  hp_buf_text(b, c->spec.id);
  hp_buf_puts(b, " (");
  hp_buf_text(b, c->spec.name ? c->spec.name : c->spec.vendor);
  hp_buf_puts(b, "), scenario '");
  hp_buf_text(b, s->name);
  hp_buf_puts(b, "'");
}

void hp_report_explain_class_head(const hp_request_class *k, hp_buf *b) {
  char n1[48], n2[48];
  hp_buf_puts(b, "\nrequest class '");
  hp_buf_text(b, k->name);
  hp_buf_printf(b, "': %s input + %s output tokens per request",
                g0(k->input_tokens, n1, sizeof n1),
                g0(k->output_tokens, n2, sizeof n2));
  if (k->ttft_ms > 0 || k->tpot_ms > 0) {
    hp_buf_puts(b, "; SLO");
    if (k->ttft_ms > 0)
      hp_buf_printf(b, " TTFT <= %g ms", k->ttft_ms);
    if (k->tpot_ms > 0)
      hp_buf_printf(b, " TPOT <= %g ms", k->tpot_ms);
  }
  hp_buf_printf(b, "; %.1f%% of requests\n", 100 * k->share);
}

static void explain_class(const hp_scenario *s, const hp_candidate *c,
                          const hp_request_class *k, hp_buf *b) {
  const hp_model_desc *m = &s->model;
  const hp_roof_opts *o = &s->roof;
  hp_roof_result r;
  char n1[48], n2[48], n3[48], n4[48], n5[48];
  hp_roof_eval(m, c, k, o, &r);
  const double *f = c->spec.fig;
  hp_report_explain_class_head(k, b);
  hp_buf_printf(b,
                "  roofs: %g TFLOPS (%s) x MFU %.2f = %.1f TFLOPS per card; "
                "%g TB/s x MBU %.2f = %.2f TB/s per card; link %g GB/s per "
                "direction (%s)\n",
                r.peak_flops / 1e12,
                hp_model_dtype_name(hp_roof_compute_dtype(m, c, NULL)), r.mfu,
                r.peak_flops * r.mfu / 1e12, f[HP_FIG_memory_bw_tbps], r.mbu,
                f[HP_FIG_memory_bw_tbps] * r.mbu, r.link_bytes_s / 1e9,
                r.link_is_pcie ? "no interconnect_gbps: PCIe fallback "
                                 "roofline.pcie_gbps / 2"
                               : "interconnect_gbps / 2");
  hp_buf_printf(b,
                "  efficiency: stack %s; MFU %.2f (%s), MBU %.2f (%s), KV "
                "reads at %.2f of bandwidth (%s), %.0f%% of repeated KV reads "
                "cached (%s), overlap %.2f (%s); table row: %s, %s\n",
                hp_roof_stack_name(hp_roof_stack_of(c, o)), r.mfu,
                c->eff_default & 1 ? "table" : "given", r.mbu,
                c->eff_default & 2 ? "table" : "given", r.kv_mbu,
                o->kv_mbu >= 0 ? "roofline.kv_mbu" : "table",
                100 * r.reread_hit,
                o->reread_hit >= 0 ? "roofline.reread_hit" : "table", r.overlap,
                o->overlap >= 0 ? "roofline.overlap" : "table", r.eff->conf,
                r.eff->source);
  hp_buf_printf(b,
                "  1. memory fit: weights %s params x %g B = %.1f GB; usable "
                "%g GB x %.2f = %.1f GB per card, %g cards per server\n",
                g0(m->params, n1, sizeof n1),
                hp_model_dtype_bytes(m->weight_dtype), r.weight_bytes / 1e9,
                f[HP_FIG_memory_gb], o->memory_fraction, r.usable_bytes / 1e9,
                f[HP_FIG_cards_per_server]);
  if (m->kv_lora_rank > 0)
    hp_buf_printf(b,
                  "     KV cache (MLA): (%g latent + %g RoPE) x %g layers x %g "
                  "B = %s B/token; %s tokens reserved per request\n",
                  m->kv_lora_rank, m->qk_rope_head_dim, m->layers,
                  hp_model_dtype_bytes(m->kv_dtype),
                  g0(r.kv_bytes_per_token, n1, sizeof n1),
                  g0(r.context_tokens, n2, sizeof n2));
  else
    hp_buf_printf(b,
                  "     KV cache: 2 x %g layers x %g KV heads x %g dim x %g B "
                  "= %s B/token; %s tokens reserved per request\n",
                  m->layers, m->kv_heads, m->head_dim,
                  hp_model_dtype_bytes(m->kv_dtype),
                  g0(r.kv_bytes_per_token, n1, sizeof n1),
                  g0(r.context_tokens, n2, sizeof n2));
  if (r.tp_fit)
    hp_buf_printf(b,
                  "     smallest TP where the weights and %g requests fit: "
                  "%d (%.1f GB weights + %.2f GB KV per card <= %.1f GB)\n",
                  o->min_batch, r.tp_fit, r.weight_bytes / r.tp_fit / 1e9,
                  o->min_batch * r.context_tokens *
                      (m->kv_lora_rank > 0 ? r.kv_bytes_per_token
                                           : r.kv_bytes_per_token /
                                                 fmin(r.tp_fit, m->kv_heads)) /
                      1e9,
                  r.usable_bytes / 1e9);
  if (!r.ok) {
    hp_buf_printf(b, "  cannot serve this class: %s\n", r.why);
    return;
  }
  hp_buf_printf(b,
                "     prefill workspace: %s tokens (roofline.prefill_chunk) x "
                "%s B of activations per token per card = %.2f GB, reserved "
                "before the KV cache\n",
                g0(o->prefill_chunk, n1, sizeof n1),
                g0(r.act_bytes_token_card, n2, sizeof n2),
                r.act_bytes_card / 1e9);
  hp_buf_printf(b,
                "  2. TP degree: %d%s, %d replica%s per server; per card "
                "%.1f GB weights, %s B/token KV; KV room %s tokens per "
                "replica\n",
                r.tp, o->tp > 0 ? " (forced by roofline.tp)" : "", r.replicas,
                r.replicas == 1 ? "" : "s", r.weight_bytes_card / 1e9,
                g0(r.kv_bytes_token_card, n1, sizeof n1),
                g0(r.kv_capacity_tokens, n2, sizeof n2));
  if (o->tp <= 0 && r.tp > r.tp_fit)
    hp_buf_printf(b,
                  "     (TP %d gives more tokens/s per server than TP %d: "
                  "larger degrees are tried and the best is kept)\n",
                  r.tp, r.tp_fit);
  hp_buf_printf(b,
                "  3. prefill: %s tokens x %.1f GFLOP/token + attention = "
                "%s; %.1f ms on %d card%s",
                g0(k->input_tokens, n1, sizeof n1), 2 * m->active_params / 1e9,
                hp_fmt_si(r.prefill_flops, 3, "FLOP", n2, sizeof n2),
                r.prefill_s * 1e3, r.tp, r.tp == 1 ? "" : "s");
  if (k->ttft_ms > 0)
    hp_buf_printf(b, " (<= TTFT %g ms)", k->ttft_ms);
  hp_buf_puts(b, "\n");
  hp_buf_printf(b,
                "  4. decode step at batch %d (mean context %s tokens, %.1f "
                "GFLOP/token): compute %.2f ms, memory %.2f ms, all-reduce "
                "%.2f ms (at %.2f of the link), fixed %.2f ms (%g us a "
                "layer) -> %.2f ms, %s bound",
                r.batch, g0(r.decode_ctx, n1, sizeof n1),
                r.flops_per_token / 1e9, r.step.compute_s * 1e3,
                r.step.memory_s * 1e3, r.step.comm_s * 1e3, r.ar_share,
                r.step.fixed_s * 1e3, r.layer_us, r.step.total_s * 1e3,
                r.memory_bound ? "memory" : "compute");
  if (hp_roof_attended(m, r.decode_ctx) < r.decode_ctx)
    hp_buf_printf(b,
                  "; sparse attention reads and attends %s of the %s "
                  "context tokens (sparse_attention_topk; its indexer is not "
                  "modelled)",
                  g0(hp_roof_attended(m, r.decode_ctx), n2, sizeof n2),
                  g0(r.decode_ctx, n3, sizeof n3));
  if (r.kv_read_factor != 1)
    hp_buf_printf(b,
                  "; the KV cache is read %g times a step "
                  "(roofline.attention: per_query_head)",
                  r.kv_read_factor);
  if (isfinite(r.crossover_batch))
    hp_buf_printf(b, " (compute bound from batch %.0f)\n", r.crossover_batch);
  else
    hp_buf_puts(b, " (memory bound at every batch)\n");
  static const char *const opn[HP_ROOF_N_OPS] = {"attention", "MLP/experts"};
  for (int i = 0; i < HP_ROOF_N_OPS; i++)
    hp_buf_printf(b,
                  "     %s: compute %.2f ms, memory %.2f ms -> max + %.2f x "
                  "min = %.2f ms\n",
                  opn[i], r.step.op[i].compute_s * 1e3,
                  r.step.op[i].memory_s * 1e3, r.overlap,
                  r.step.op[i].time_s * 1e3);
  if (r.ep > 0)
    hp_buf_printf(b,
                  "     experts over %d cards (roofline.ep): all-to-all "
                  "%.2f ms a step, overlapped with the rest as an "
                  "operation\n",
                  r.ep, r.step.a2a_s * 1e3);
  if (o->batching)
    hp_buf_printf(b,
                  "     time per output token (continuous batching): the "
                  "step above with %d / %s prompts of %s tokens folded into "
                  "its operations = %.2f ms",
                  r.batch, g0(k->output_tokens, n1, sizeof n1),
                  g0(k->input_tokens, n2, sizeof n2), r.tpot_s * 1e3);
  else
    hp_buf_printf(b,
                  "     time per output token: step %.2f ms + prefill share "
                  "%d x %.1f ms / %s = %.2f ms",
                  r.step.total_s * 1e3, r.batch, r.prefill_prompt_s * 1e3,
                  g0(k->output_tokens, n1, sizeof n1), r.tpot_s * 1e3);
  if (k->tpot_ms > 0)
    hp_buf_printf(b, " (<= TPOT %g ms)", k->tpot_ms);
  hp_buf_puts(b, "\n");
  hp_buf_printf(b, "  5. batch: %d request%s per replica, limited by %s (",
                r.batch, r.batch == 1 ? "" : "s", r.batch_limit);
  hp_buf_printf(b, "memory allows %s", g0(r.batch_mem, n1, sizeof n1));
  if (strcmp(r.batch_limit, "forced") == 0)
    hp_buf_printf(b, ", roofline.batch forces %d", r.batch_cap);
  else
    hp_buf_printf(b, ", roofline.max_batch %d", r.batch_cap);
  if (r.batch_slo != INT_MAX)
    hp_buf_printf(b, ", TPOT allows %d", r.batch_slo);
  hp_buf_puts(b, ")\n");
  hp_buf_printf(b,
                "  6. throughput: %d / %.2f ms x %d replica%s = %s output "
                "tokens/s per server; x %s / %s tokens = %s tokens/s per "
                "server (input + output); %s requests/s per server\n",
                r.batch, r.tpot_s * 1e3, r.replicas, r.replicas == 1 ? "" : "s",
                g0(r.output_tokens_per_s_server, n1, sizeof n1),
                g0(r.context_tokens, n2, sizeof n2),
                g0(k->output_tokens, n3, sizeof n3),
                g0(r.tokens_per_s_server, n4, sizeof n4),
                hp_fmt_grouped(r.requests_per_s_server, 2, n5, sizeof n5));
}

/* Services (issue 21): per service, class and phase, this SKU's figure
 * (measured with its source, or modelled) and the servers the whole load
 * would take on it: the coefficients of the shared-capacity program,
 * from which the plan splits each load over the SKUs. */
static void explain_services(const hp_scenario *s, size_t cand, hp_buf *b) {
  char n1[48], n2[48], n3[48];
  for (size_t i = 0; i < s->n_services; i++) {
    const hp_service *v = &s->services[i];
    int dis = v->serving == HP_SERVING_DISAGGREGATED;
    hp_buf_puts(b, "\nservice '");
    hp_buf_text(b, v->name);
    hp_buf_puts(b, "' (");
    hp_buf_text(b, v->model.name ? v->model.name : "unnamed model");
    hp_buf_printf(b, ", %s)\n", dis ? "disaggregated" : "colocated");
    for (size_t k = 0; k < v->n_classes; k++)
      for (int p = dis ? 1 : 0; p <= (dis ? 2 : 0); p++) {
        double load;
        const char *src;
        double t =
            hp_planner_services_cell(s, i, k, (hp_phase)p, cand, &load, &src);
        hp_buf_puts(b, "  class '");
        hp_buf_text(b, v->classes[k].name);
        hp_buf_printf(b, "'%s%s: load %s tokens/s at peak; ", p ? ", " : "",
                      p ? hp_model_phase_name((hp_phase)p) : "",
                      g0(load, n1, sizeof n1));
        if (!(t > 0)) {
          hp_buf_puts(b, "this SKU cannot serve it\n");
          continue;
        }
        hp_buf_printf(b, "%s tokens/s per server (%s", g0(t, n2, sizeof n2),
                      src ? "measured: " : "modelled");
        if (src)
          hp_buf_text(b, src);
        hp_buf_printf(b, "); all of it would take %s servers\n",
                      hp_fmt_grouped(load / t, 2, n3, sizeof n3));
      }
  }
}

static void explain(const hp_scenario *s, size_t cand, hp_buf *b) {
  const hp_candidate *c = &s->cands[cand];
  const hp_model_desc *m = &s->model;
  char n1[48], n2[48];
  const double *f = c->spec.fig;
  hp_report_explain_title(s, c, b);
  hp_buf_printf(b, ", demand model %s\n",
                hp_model_demand_model_name(s->demand_model));
  char fp8[80];
  if (f[HP_FIG_fp8_tflops] > 0)
    snprintf(fp8, sizeof fp8, "%g TFLOPS fp8", f[HP_FIG_fp8_tflops]);
  else
    snprintf(fp8, sizeof fp8, "fp8 not known");
  if (f[HP_FIG_fp4_tflops] > 0)
    snprintf(fp8 + strlen(fp8), sizeof fp8 - strlen(fp8), ", %g TFLOPS fp4",
             f[HP_FIG_fp4_tflops]);
  hp_buf_printf(b,
                "card: %g GB, %g TB/s, %g TFLOPS fp16, %s, %g "
                "cards per server, %s CNY per server; MFU %.2f (%s), MBU %.2f"
                "%s\n",
                f[HP_FIG_memory_gb], f[HP_FIG_memory_bw_tbps],
                f[HP_FIG_fp16_tflops], fp8, f[HP_FIG_cards_per_server],
                g0(f[HP_FIG_price_server_cny], n1, sizeof n1), c->mfu,
                c->mfu_from ? c->mfu_from : "?", c->mbu,
                c->measured ? " (measured: achieved over peak bandwidth, from "
                              "a probe profile)"
                            : "");
  if (s->n_services) {
    explain_services(s, cand, b);
    return;
  }
  double broker = f[HP_FIG_cards_per_server] * f[HP_FIG_fp16_tflops] * 1e12 *
                  c->mfu / (2.0 * m->active_params);
  hp_buf_printf(b,
                "broker formula: %g cards x %g TFLOPS x MFU %.2f / (2 x %s "
                "active params) = %s tokens/s per server\n",
                f[HP_FIG_cards_per_server], f[HP_FIG_fp16_tflops], c->mfu,
                g0(m->active_params, n1, sizeof n1), g0(broker, n2, sizeof n2));
  if (s->demand_model == HP_DEMAND_ROOFLINE || m->has_arch) {
    char note[256];
    hp_dtype want, got = hp_roof_compute_dtype(m, c, &want);
    if (hp_roof_compute_note(m, c, note, sizeof note))
      hp_buf_printf(b, "compute roof: %s\n", note);
    else if (want != HP_DTYPE_FP16)
      hp_buf_printf(b,
                    "compute roof: %s weights compute on the %s roof (%g "
                    "TFLOPS)\n",
                    hp_model_dtype_name(want),
                    got == HP_DTYPE_FP4 ? "FP4" : "FP8",
                    hp_roof_tflops(c, got));
  }
  if (!m->has_arch) {
    hp_buf_puts(b, HP_ROOF_UNAVAILABLE_NO_ARCH "\n");
    return;
  }
  hp_buf_puts(b, "model ");
  hp_buf_text(b, m->name ? m->name : "(unnamed)");
  hp_buf_printf(
      b,
      ": %s params (%s active), %g layers, hidden %g, %g heads, %g "
      "KV heads x %g dim, weights %s, KV cache %s",
      g0(m->params, n1, sizeof n1), g0(m->active_params, n2, sizeof n2),
      m->layers, m->hidden_size, m->heads, m->kv_heads, m->head_dim,
      hp_model_dtype_name(m->weight_dtype), hp_model_dtype_name(m->kv_dtype));
  if (m->file) {
    hp_buf_puts(b, ", from ");
    hp_buf_text(b, m->file);
  }
  hp_buf_puts(b, "\n");
  if (s->n_classes == 0) {
    hp_buf_puts(b, HP_ROOF_UNAVAILABLE_NO_CLASSES "\n");
    return;
  }
  for (size_t i = 0; i < s->n_classes; i++)
    explain_class(s, c, &s->classes[i], b);
}

void hp_report_explain(const hp_scenario *s, size_t cand, hp_buf *b) {
  size_t from = b->len;
  explain(s, cand, b);
  hp_buf_guard(b, from); /* the safety net under the names (buf.h) */
}
