/* roofline_phase.c - TEMPORARY stand-in (wt21a) for wt21b's phase
 * throughput, so that the services program links and runs; the lead takes
 * wt21b's file over this one. Prefill: one prompt at a time per replica;
 * decode: the colocated decode step without prefill interference; network:
 * the documented default of 400 Gbit/s per server. */
#include <math.h>
#include <stdio.h>

#include "roofline.h"

void hp_roof_eval_phase(const hp_model_desc *m, const hp_candidate *c,
                        const hp_request_class *k, const hp_roof_opts *o,
                        hp_phase ph, hp_roof_result *r) {
  hp_roof_eval(m, c, k, o, r);
  if (!r->ok || ph == HP_PHASE_BOTH)
    return;
  if (ph == HP_PHASE_PREFILL) {
    r->requests_per_s_server =
        r->prefill_s > 0 ? r->replicas / r->prefill_s : 0;
    r->tokens_per_s_server = r->requests_per_s_server * k->input_tokens;
    r->output_tokens_per_s_server = 0;
  } else {
    double step = r->step.total_s;
    r->output_tokens_per_s_server =
        step > 0 ? (double)r->replicas * r->batch / step : 0;
    r->requests_per_s_server =
        k->output_tokens > 0 ? r->output_tokens_per_s_server / k->output_tokens
                             : 0;
    r->tokens_per_s_server = r->output_tokens_per_s_server;
  }
  if (!(r->requests_per_s_server > 0)) {
    r->ok = 0;
    snprintf(r->why, sizeof r->why, "no %s throughput",
             ph == HP_PHASE_PREFILL ? "prefill" : "decode");
  }
}

double hp_roof_kv_handoff_bytes(const hp_model_desc *m,
                                const hp_request_class *k) {
  return m->has_arch ? k->input_tokens * hp_roof_kv_bytes_per_token(m) : 0;
}

double hp_roof_network_bytes_s(const hp_candidate *c) {
  (void)c;
  return 400.0 * 1e9 / 8.0; /* HP_DEFAULT_NETWORK_GBPS */
}
