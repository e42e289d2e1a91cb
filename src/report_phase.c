/* report_phase.c - `hetplan explain --phase prefill|decode`: for one SKU of
 * a scenario, the derivation of a prefill-only or decode-only server
 * (docs/roofline.md, "Prefill and decode on different cards"), from the
 * figures roofline_phase.c computes, with the KV cache each request hands
 * over and how much of the server's network that takes. Text only.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "numfmt.h"
#include "report.h"
#include "roofline.h"

static const char *g0(double v, char *buf, size_t n) {
  return hp_fmt_grouped(v, 0, buf, n);
}
static const char *g2(double v, char *buf, size_t n) {
  return hp_fmt_grouped(v, 2, buf, n);
}

/* The KV handoff and the network share of one server of phase ph serving
 * rps requests/s. */
static void handoff(const hp_model_desc *m, const hp_candidate *c,
                    const hp_request_class *k, int pre, double rps, hp_buf *b) {
  char n1[48], n2[48], n3[48], n4[48], n5[48];
  double kv = hp_roof_phase_kv_handoff_bytes(m, k);
  double net = hp_roof_phase_network_bytes_s(c);
  double gbps = c->spec.fig[HP_FIG_network_gbps];
  hp_buf_printf(b,
                "  KV handoff: %s prompt tokens x %s B/token = %s MB per "
                "request; at %s requests/s %.2f GB/s %s the server, %.1f%% "
                "of its network (%s Gbit/s = %.1f GB/s, %s)\n",
                g0(k->input_tokens, n1, sizeof n1),
                g0(hp_roof_kv_bytes_per_token(m), n2, sizeof n2),
                hp_fmt_grouped(kv / 1e6, 1, n5, sizeof n5),
                g2(rps, n3, sizeof n3), rps * kv / 1e9,
                pre ? "leaving" : "entering", 100 * rps * kv / net,
                g0(net * 8 / 1e9, n4, sizeof n4), net / 1e9,
                gbps > 0 ? "the SKU's network_gbps"
                         : "no network_gbps: the default, one 400G NIC");
}

static void explain_phase_class(const hp_scenario *s, const hp_model_desc *m,
                                const hp_candidate *c,
                                const hp_request_class *k, hp_phase ph,
                                hp_buf *b) {
  const hp_roof_opts *o = &s->roof;
  const int pre = ph == HP_PHASE_PREFILL;
  hp_roof_result r;
  char n1[48], n2[48], n3[48];
  hp_roof_phase_eval(m, c, k, o, ph, &r);
  hp_report_explain_class_head(k, b);
  hp_buf_printf(b, "  phase %s: %s\n", pre ? "prefill" : "decode",
                pre ? "the server runs prompts only, in batches, and hands "
                      "each request's KV cache to a decode server"
                    : "the server decodes only; each request arrives with "
                      "its prompt's KV cache, no prefill shares the step");
  hp_buf_printf(b,
                "  roofs: %.1f TFLOPS per card after MFU %.2f; %.2f TB/s per "
                "card after MBU %.2f\n",
                r.peak_flops * c->mfu / 1e12, c->mfu,
                r.bw_bytes_s * c->mbu / 1e12, c->mbu);
  hp_buf_printf(b,
                "  1. memory fit: weights %.1f GB, KV %s B/token; smallest "
                "TP where the weights and %g %s of %s tokens fit: %d\n",
                r.weight_bytes / 1e9, g0(r.kv_bytes_per_token, n1, sizeof n1),
                o->min_batch, pre ? "prompts" : "requests",
                g0(r.context_tokens, n2, sizeof n2), r.tp_fit);
  if (!r.ok) {
    hp_buf_printf(b, "  cannot serve this phase: %s\n", r.why);
    return;
  }
  hp_buf_printf(b,
                "  2. TP degree: %d%s, %d replica%s per server; KV room %s "
                "tokens per replica\n",
                r.tp, o->tp > 0 ? " (forced by roofline.tp)" : "", r.replicas,
                r.replicas == 1 ? "" : "s",
                g0(r.kv_capacity_tokens, n1, sizeof n1));
  if (pre) {
    hp_buf_printf(b, "  3. one prompt: %s; %.1f ms on %d card%s\n",
                  hp_fmt_si(r.prefill_flops, 3, "FLOP", n1, sizeof n1),
                  r.prefill_s * 1e3, r.tp, r.tp == 1 ? "" : "s");
    hp_buf_printf(b,
                  "  4. a batch of %d prompt%s: compute %.1f ms, memory %.1f "
                  "ms, all-reduce %.1f ms -> %.1f ms, %s bound; a prompt "
                  "waits at most for the batch in progress, so its first "
                  "token comes within 2 x %.1f = %.1f ms",
                  r.batch, r.batch == 1 ? "" : "s", r.step.compute_s * 1e3,
                  r.step.memory_s * 1e3, r.step.comm_s * 1e3,
                  r.step.total_s * 1e3, r.memory_bound ? "memory" : "compute",
                  r.step.total_s * 1e3, 2 * r.step.total_s * 1e3);
    if (k->ttft_ms > 0 && 2 * r.step.total_s * 1e3 <= k->ttft_ms)
      hp_buf_printf(b, " (<= TTFT %g ms)", k->ttft_ms);
    else if (k->ttft_ms > 0)
      hp_buf_printf(b,
                    ", over the TTFT of %g ms: prompts run one at a time and "
                    "the prompt alone is held to the TTFT, as colocated",
                    k->ttft_ms);
    hp_buf_puts(b, "\n");
  } else {
    hp_buf_printf(b,
                  "  3. decode step at batch %d (mean context %s tokens, %.1f "
                  "GFLOP/token): compute %.2f ms, memory %.2f ms, all-reduce "
                  "%.2f ms -> %.2f ms per output token, %s bound",
                  r.batch, g0(r.decode_ctx, n1, sizeof n1),
                  r.flops_per_token / 1e9, r.step.compute_s * 1e3,
                  r.step.memory_s * 1e3, r.step.comm_s * 1e3, r.tpot_s * 1e3,
                  r.memory_bound ? "memory" : "compute");
    if (k->tpot_ms > 0)
      hp_buf_printf(b, " (<= TPOT %g ms)", k->tpot_ms);
    if (isfinite(r.crossover_batch))
      hp_buf_printf(b, "; compute bound from batch %.0f\n", r.crossover_batch);
    else
      hp_buf_puts(b, "; memory bound at every batch\n");
  }
  hp_buf_printf(b,
                "  %d. batch: %d %s%s per replica, limited by %s (memory "
                "allows %s",
                pre ? 5 : 4, r.batch, pre ? "prompt" : "request",
                r.batch == 1 ? "" : "s", r.batch_limit,
                g0(r.batch_mem, n1, sizeof n1));
  if (strcmp(r.batch_limit, "forced") == 0)
    hp_buf_printf(b, ", roofline.batch forces %d", r.batch_cap);
  else
    hp_buf_printf(b, ", roofline.max_batch %d", r.batch_cap);
  if (r.batch_slo != INT_MAX)
    hp_buf_printf(b, ", %s allows %d", pre ? "TTFT" : "TPOT", r.batch_slo);
  hp_buf_puts(b, ")\n");
  if (pre)
    hp_buf_printf(b,
                  "  6. throughput: %d / %.1f ms x %d replica%s = %s "
                  "requests/s per server = %s input tokens/s per server\n",
                  r.batch, r.step.total_s * 1e3, r.replicas,
                  r.replicas == 1 ? "" : "s",
                  g2(r.requests_per_s_server, n1, sizeof n1),
                  g0(r.tokens_per_s_server, n2, sizeof n2));
  else
    hp_buf_printf(b,
                  "  5. throughput: %d / %.2f ms x %d replica%s = %s output "
                  "tokens/s per server; / %s output tokens = %s requests/s "
                  "per server\n",
                  r.batch, r.tpot_s * 1e3, r.replicas,
                  r.replicas == 1 ? "" : "s",
                  g0(r.output_tokens_per_s_server, n1, sizeof n1),
                  g0(k->output_tokens, n2, sizeof n2),
                  g2(r.requests_per_s_server, n3, sizeof n3));
  handoff(m, c, k, pre, r.requests_per_s_server, b);
  /* Beside the colocated figure: one server's worth of both pools. */
  hp_roof_result other, both;
  hp_roof_phase_eval(m, c, k, o, pre ? HP_PHASE_DECODE : HP_PHASE_PREFILL,
                     &other);
  hp_roof_phase_eval(m, c, k, o, HP_PHASE_BOTH, &both);
  if (!other.ok) {
    hp_buf_printf(b, "  the %s phase cannot run on this card: %s\n",
                  pre ? "decode" : "prefill", other.why);
    return;
  }
  double p = pre ? r.requests_per_s_server : other.requests_per_s_server;
  double d = pre ? other.requests_per_s_server : r.requests_per_s_server;
  double split = 1 / (1 / p + 1 / d);
  hp_buf_printf(b,
                "  both pools on this card: prefill %s and decode %s "
                "requests/s per server; in the ratio of their rates (%.0f%% "
                "prefill servers) 1 / (1/%s + 1/%s) = %s requests/s per "
                "server",
                g2(p, n1, sizeof n1), g2(d, n2, sizeof n2), 100 * split / p,
                g2(p, n1, sizeof n1), g2(d, n2, sizeof n2),
                g2(split, n3, sizeof n3));
  if (both.ok)
    hp_buf_printf(b, ", against %s colocated (x %.2f)\n",
                  g2(both.requests_per_s_server, n1, sizeof n1),
                  split / both.requests_per_s_server);
  else
    hp_buf_printf(b, "; colocated it cannot serve the class (%s)\n", both.why);
}

/* One model and its request classes: the plan's workload, or a service. */
static void explain_model(const hp_scenario *s, const hp_candidate *c,
                          const hp_model_desc *m,
                          const hp_request_class *classes, size_t n,
                          hp_phase ph, hp_buf *b) {
  if (!m->has_arch) {
    hp_buf_puts(b, HP_ROOF_UNAVAILABLE_NO_ARCH "\n");
    return;
  }
  hp_buf_puts(b, "model ");
  hp_buf_text(b, m->name ? m->name : "(unnamed)");
  hp_buf_printf(b, ": weights %s, KV cache %s\n",
                hp_model_dtype_name(m->weight_dtype),
                hp_model_dtype_name(m->kv_dtype));
  if (n == 0) {
    hp_buf_puts(b, HP_ROOF_UNAVAILABLE_NO_CLASSES "\n");
    return;
  }
  for (size_t i = 0; i < n; i++)
    explain_phase_class(s, m, c, &classes[i], ph, b);
}

static void explain_phase(const hp_scenario *s, size_t cand, hp_phase ph,
                          hp_buf *b) {
  const hp_candidate *c = &s->cands[cand];
  const double *f = c->spec.fig;
  char n1[48];
  hp_report_explain_title(s, c, b);
  hp_buf_printf(b, ", phase %s\n",
                ph == HP_PHASE_PREFILL ? "prefill" : "decode");
  hp_buf_printf(b,
                "card: %g GB, %g TB/s, %g TFLOPS fp16, %g cards per server, "
                "network %s Gbit/s per server%s; MFU %.2f, MBU %.2f\n",
                f[HP_FIG_memory_gb], f[HP_FIG_memory_bw_tbps],
                f[HP_FIG_fp16_tflops], f[HP_FIG_cards_per_server],
                g0(hp_roof_phase_network_bytes_s(c) * 8 / 1e9, n1, sizeof n1),
                f[HP_FIG_network_gbps] > 0 ? "" : " (default)", c->mfu, c->mbu);
  if (s->n_services == 0) {
    explain_model(s, c, &s->model, s->classes, s->n_classes, ph, b);
    return;
  }
  /* A services plan: each service's model and classes, whether it is
   * served disaggregated or not (the figure is what one pool would do). */
  for (size_t i = 0; i < s->n_services; i++) {
    const hp_service *v = &s->services[i];
    hp_buf_puts(b, "\nservice '");
    hp_buf_text(b, v->name);
    hp_buf_printf(b, "' (%s)\n",
                  v->serving == HP_SERVING_DISAGGREGATED ? "disaggregated"
                                                         : "colocated");
    explain_model(s, c, &v->model, v->classes, v->n_classes, ph, b);
  }
}

void hp_report_phase(const hp_scenario *s, size_t cand, hp_phase ph,
                     hp_buf *b) {
  size_t from = b->len;
  if (ph == HP_PHASE_BOTH)
    hp_report_explain(s, cand, b);
  else
    explain_phase(s, cand, ph, b);
  hp_buf_guard(b, from);
}
