/* test_roofline_phase.c - prefill and decode on separate servers (issue 21).
 *
 *  - hand-computed cases: a prefill batch = FLOPs / compute roof, the batch
 *    the TTFT allows (a prompt waits for the batch in progress), a decode
 *    step = bytes / bandwidth, the batch the TPOT allows;
 *  - KV handoff bytes and the network of a server (catalog or default);
 *  - monotonicity in the SLOs, the request lengths and the roofs;
 *  - a prefill pool plus a decode pool serve at least as many requests per
 *    server as the colocated figure, on catalog cards and models;
 *  - H20 (4.0 TB/s, 148 TFLOPS) is relatively better at decode, a
 *    compute-rich domestic card at prefill.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hetplan.h"
#include "roofline.h"
#include "scenario.h"

static hp_catalog *cat;

static int setup(void **state) {
  (void)state;
  hp_diag d;
  setenv("HETPLAN_MODELS", HP_SOURCE_DIR "/models", 1);
  return hp_catalog_load(HP_SOURCE_DIR "/devices", &cat, &d);
}
static int teardown(void **state) {
  (void)state;
  hp_catalog_free(cat);
  return 0;
}

static int near(double got, double want, double rel) {
  return fabs(got - want) <= rel * fabs(want);
}

/* A card with round figures: 100 TFLOPS fp16, 1 TB/s, 80 GB, one per
 * server, MFU = MBU = 0.5 (50 TFLOPS and 0.5 TB/s delivered). */
static void round_card(hp_candidate *c) {
  memset(c, 0, sizeof *c);
  c->spec.id = "round";
  c->spec.fig[HP_FIG_fp16_tflops] = 100;
  c->spec.fig[HP_FIG_memory_bw_tbps] = 1;
  c->spec.fig[HP_FIG_memory_gb] = 80;
  c->spec.fig[HP_FIG_cards_per_server] = 1;
  c->mfu = c->mbu = 0.5;
}

/* 1e9 fp16 params, 1 layer, 1 head of 64, 1 KV head: 2e9 B of weights,
 * 2 x 1 x 1 x 64 x 2 = 256 B of KV per token. */
static void tiny_model(hp_model_desc *m) {
  memset(m, 0, sizeof *m);
  m->params = m->active_params = 1e9;
  m->has_arch = 1;
  m->layers = 1;
  m->hidden_size = 64;
  m->heads = m->kv_heads = 1;
  m->head_dim = 64;
  m->weight_dtype = m->kv_dtype = HP_DTYPE_FP16;
}

/* ----------------------------------------------------------------------------
 * Hand-computed cases
 * ------------------------------------------------------------------------- */

static void prefill_by_hand(void **state) {
  (void)state;
  hp_model_desc m;
  tiny_model(&m);
  hp_candidate c;
  round_card(&c);
  hp_roof_opts o;
  hp_model_roof_opts_default(&o);
  o.overlap = 0; /* max(compute, memory): the hand figures */
  /* One 1,000-token prompt: 2 x 1e9 x 1000 + 2 x 1 x 1 x (64 + 64) x
   * 1000^2 / 2 = 2.000128e12 FLOP; / 50e12 FLOP/s = 40.00256 ms, over the
   * 4 ms that reading the weights takes: compute bound. TTFT 1 s: a prompt
   * may wait one batch and run in the next, 2 t(b) <= 1 s, t(b) = b x
   * 40.00256 ms (the weights are read once a batch: 4 ms < compute), so
   * b = floor(0.5 / 0.04000256) = 12. Requests/s = 12 / (12 x 40.00256 ms)
   * = 24.9984; input tokens/s x 1000. */
  hp_request_class k = {"r", 1, 1000, 200, 1000, 50};
  hp_roof_result r;
  hp_roof_phase_eval(&m, &c, &k, &o, HP_PHASE_PREFILL, &r);
  assert_true(r.ok);
  assert_int_equal(r.tp, 1);
  assert_true(near(r.prefill_flops, 2.000128e12, 1e-12));
  assert_true(near(r.prefill_s, 40.00256e-3, 1e-12));
  /* One prompt alone is the colocated derivation's prefill. */
  assert_true(near(r.prefill_s, hp_roof_prefill_s(&m, &c, &o, 1, 1000), 1e-12));
  assert_int_equal(r.batch, 12);
  assert_string_equal(r.batch_limit, "ttft");
  assert_true(near(r.step.total_s, 12 * 40.00256e-3, 1e-12));
  assert_false(r.memory_bound);
  assert_true(near(r.requests_per_s_server, 1 / 40.00256e-3, 1e-12));
  assert_true(near(r.tokens_per_s_server, 1000 / 40.00256e-3, 1e-12));
  assert_true(r.output_tokens_per_s_server == 0 && r.tpot_s == 0);
  /* TTFT 100 ms: 2 x 40 ms fits, a batch of 2 (160 ms) does not. */
  k.ttft_ms = 100;
  hp_roof_phase_eval(&m, &c, &k, &o, HP_PHASE_PREFILL, &r);
  assert_true(r.ok);
  assert_int_equal(r.batch, 1);
  /* TTFT 60 ms: one prompt takes 40 ms, and waiting for the one in
   * progress would make 80 ms: prompts run one at a time, as colocated
   * (which does not count the wait either). TTFT 30 ms: no prefill pool
   * here, and the reason says why. */
  k.ttft_ms = 60;
  hp_roof_phase_eval(&m, &c, &k, &o, HP_PHASE_PREFILL, &r);
  assert_true(r.ok);
  assert_int_equal(r.batch, 1);
  assert_string_equal(r.batch_limit, "ttft");
  k.ttft_ms = 30;
  hp_roof_phase_eval(&m, &c, &k, &o, HP_PHASE_PREFILL, &r);
  assert_false(r.ok);
  assert_non_null(strstr(r.why, "takes 40.0 ms, over the TTFT SLO of 30 ms"));
  /* No TTFT: the batch goes to max_batch; throughput is the same (compute
   * bound at any batch). */
  k.ttft_ms = 0;
  hp_roof_phase_eval(&m, &c, &k, &o, HP_PHASE_PREFILL, &r);
  assert_true(r.ok);
  assert_int_equal(r.batch, 256);
  assert_string_equal(r.batch_limit, "max_batch");
  assert_true(near(r.requests_per_s_server, 1 / 40.00256e-3, 1e-12));
}

static void prefill_memory_bound_small_prompts(void **state) {
  (void)state;
  /* 10-token prompts: 2e10 FLOP = 0.4 ms of compute, under the 4 ms of
   * weights: batching amortises the weight read. b prompts take max(b x
   * 0.4 ms, 4 ms) (+ a negligible attention term): ten prompts cost what
   * one does. TTFT 20 ms -> t(b) <= 10 ms -> b = 24 (9.6 ms compute). */
  hp_model_desc m;
  tiny_model(&m);
  hp_candidate c;
  round_card(&c);
  hp_roof_opts o;
  hp_model_roof_opts_default(&o);
  o.overlap = 0; /* max(compute, memory): the hand figures */
  hp_request_class k = {"r", 1, 10, 10, 20, 0};
  hp_roof_result r;
  hp_roof_phase_eval(&m, &c, &k, &o, HP_PHASE_PREFILL, &r);
  assert_true(r.ok);
  assert_true(near(r.prefill_s, 4e-3, 1e-12)); /* memory: weights once */
  assert_int_equal(r.batch, 24);
  double flop = 2e9 * 10 + 2.0 * 128 * 50; /* per prompt */
  assert_true(near(r.step.total_s, 24 * flop / 50e12, 1e-12));
  assert_true(near(r.requests_per_s_server, 24 / (24 * flop / 50e12), 1e-12));
}

static void decode_by_hand(void **state) {
  (void)state;
  hp_model_desc m;
  tiny_model(&m);
  hp_candidate c;
  round_card(&c);
  hp_roof_opts o;
  hp_model_roof_opts_default(&o);
  o.overlap = 0; /* max(compute, memory): the hand figures */
  /* 1,000 + 200 tokens: mean context 1,100; a step of b sequences reads
   * 2e9 B of weights and b x 1100 x 256 B of KV at 0.5 TB/s: 4 ms + b x
   * 0.5632 us; computes b x (2e9 + 4 x 64 x 1100) / 50e12 = b x 40.005632
   * us. max_batch 64 keeps it memory bound: step = 4.0360448 ms, output
   * tokens/s = 64 / step, requests/s = that / 200. No prefill share. */
  o.max_batch = 64;
  hp_request_class k = {"r", 1, 1000, 200, 1000, 50};
  hp_roof_result r;
  hp_roof_phase_eval(&m, &c, &k, &o, HP_PHASE_DECODE, &r);
  assert_true(r.ok);
  assert_int_equal(r.batch, 64);
  assert_string_equal(r.batch_limit, "max_batch");
  double step = (2e9 + 64 * 1100 * 256.0) / 0.5e12;
  assert_true(near(step, 4.0360448e-3, 1e-12));
  assert_true(near(r.step.memory_s, step, 1e-12));
  assert_true(r.memory_bound);
  assert_true(near(r.tpot_s, step, 1e-12));
  assert_true(r.prefill_s == 0);
  assert_true(near(r.output_tokens_per_s_server, 64 / step, 1e-12));
  assert_true(near(r.tokens_per_s_server, 64 / step, 1e-12));
  assert_true(near(r.requests_per_s_server, 64 / step / 200, 1e-12));
  /* TPOT 4.02 ms: 4 ms + b x 0.5632 us <= 4.02 ms -> b = 35. */
  k.tpot_ms = 4.02;
  hp_roof_phase_eval(&m, &c, &k, &o, HP_PHASE_DECODE, &r);
  assert_true(r.ok);
  assert_int_equal(r.batch, 35);
  assert_string_equal(r.batch_limit, "tpot");
  assert_true(near(r.tpot_s, (2e9 + 35 * 1100 * 256.0) / 0.5e12, 1e-12));
  /* TPOT 3.9 ms: the weights alone take 4 ms. */
  k.tpot_ms = 3.9;
  hp_roof_phase_eval(&m, &c, &k, &o, HP_PHASE_DECODE, &r);
  assert_false(r.ok);
  assert_non_null(strstr(r.why, "over the TPOT SLO of 3.9 ms"));
  /* The colocated figure at the same batch carries the prefill: its TPOT
   * is the step plus 64 x 40 ms / 200 per step; decode alone does not. */
  k.tpot_ms = 0;
  o.batch = 64;
  hp_roof_result both;
  hp_roof_phase_eval(&m, &c, &k, &o, HP_PHASE_BOTH, &both);
  hp_roof_phase_eval(&m, &c, &k, &o, HP_PHASE_DECODE, &r);
  assert_true(both.ok && r.ok);
  assert_true(near(both.tpot_s - r.tpot_s, 64 * 40.00256e-3 / 200, 1e-9));
}

static void decode_kv_capacity(void **state) {
  (void)state;
  /* 80 GB x 0.9 = 72 GB usable, 70 GB after the weights: 70e9 / 256 =
   * 273,437,500 tokens; requests of 100,000 + 100,000 tokens: 1,367 fit. */
  hp_model_desc m;
  tiny_model(&m);
  hp_candidate c;
  round_card(&c);
  hp_roof_opts o;
  hp_model_roof_opts_default(&o);
  o.overlap = 0; /* max(compute, memory): the hand figures */
  o.max_batch = 100000;
  o.min_batch = 1;
  hp_request_class k = {"r", 1, 100000, 100000, 0, 0};
  hp_roof_result r;
  hp_roof_phase_eval(&m, &c, &k, &o, HP_PHASE_DECODE, &r);
  assert_true(r.ok);
  assert_int_equal(r.batch_mem, 1367);
  assert_int_equal(r.batch, 1367);
  assert_string_equal(r.batch_limit, "memory");
  /* A request longer than the whole cache cannot be decoded here. */
  k.input_tokens = 3e8;
  hp_roof_phase_eval(&m, &c, &k, &o, HP_PHASE_DECODE, &r);
  assert_false(r.ok);
}

static void handoff_and_network(void **state) {
  (void)state;
  hp_model_desc m;
  tiny_model(&m);
  hp_request_class k = {"r", 1, 1000, 200, 0, 0};
  /* 1,000 prompt tokens x 256 B. */
  assert_true(hp_roof_phase_kv_handoff_bytes(&m, &k) == 256000);
  hp_candidate c;
  round_card(&c);
  /* No network_gbps: one 400 Gbit/s NIC = 50e9 B/s. */
  assert_true(hp_roof_phase_network_bytes_s(&c) == 50e9);
  c.spec.fig[HP_FIG_network_gbps] = 3200;
  assert_true(hp_roof_phase_network_bytes_s(&c) == 400e9);
  /* The catalog: H20 servers 8 x 400G, with a source; a card without the
   * figure gets the default. */
  const hp_device_spec *h20 = hp_catalog_find(cat, "nvidia-h20");
  assert_non_null(h20);
  assert_true(h20->fig[HP_FIG_network_gbps] == 3200);
  assert_non_null(h20->src[HP_FIG_network_gbps]);
  hp_candidate hc;
  memset(&hc, 0, sizeof hc);
  hc.spec = *h20;
  assert_true(hp_roof_phase_network_bytes_s(&hc) == 400e9);
  const hp_device_spec *l20 = hp_catalog_find(cat, "nvidia-l20");
  assert_non_null(l20);
  assert_true(l20->fig[HP_FIG_network_gbps] == 0);
  hc.spec = *l20;
  assert_true(hp_roof_phase_network_bytes_s(&hc) ==
              HP_DEFAULT_NETWORK_GBPS * 1e9 / 8);
  /* Every figure the catalog gives has a source. */
  for (size_t i = 0; i < hp_catalog_count(cat); i++) {
    const hp_device_spec *s = hp_catalog_at(cat, i);
    if (s->fig[HP_FIG_network_gbps] > 0)
      assert_non_null(s->src[HP_FIG_network_gbps]);
  }
}

/* ----------------------------------------------------------------------------
 * Monotonicity
 * ------------------------------------------------------------------------- */

static double rps(const hp_model_desc *m, const hp_candidate *c,
                  const hp_request_class *k, const hp_roof_opts *o,
                  hp_phase ph) {
  hp_roof_result r;
  hp_roof_phase_eval(m, c, k, o, ph, &r);
  return r.ok ? r.requests_per_s_server : 0;
}

static void monotone(void **state) {
  (void)state;
  hp_model_desc m;
  tiny_model(&m);
  m.layers = 8;
  m.heads = m.kv_heads = 8;
  m.hidden_size = 512;
  hp_candidate c;
  round_card(&c);
  c.spec.fig[HP_FIG_cards_per_server] = 2;
  c.spec.fig[HP_FIG_interconnect_gbps] = 100;
  hp_roof_opts o;
  hp_model_roof_opts_default(&o);
  o.overlap = 0; /* max(compute, memory): the hand figures */
  hp_request_class k = {"r", 1, 2000, 300, 1000, 30};
  double p0 = rps(&m, &c, &k, &o, HP_PHASE_PREFILL);
  double d0 = rps(&m, &c, &k, &o, HP_PHASE_DECODE);
  assert_true(p0 > 0 && d0 > 0);
  double prev_p = p0, prev_d = d0;
  /* Longer prompts: fewer prefills and decodes per second. */
  for (double in = 3000; in <= 20000; in += 1000) {
    hp_request_class kk = k;
    kk.input_tokens = in;
    double p = rps(&m, &c, &kk, &o, HP_PHASE_PREFILL);
    double d = rps(&m, &c, &kk, &o, HP_PHASE_DECODE);
    assert_true(p <= prev_p * (1 + 1e-12));
    assert_true(d <= prev_d * (1 + 1e-12));
    prev_p = p;
    prev_d = d;
  }
  /* Looser SLOs never serve less. */
  prev_p = prev_d = 0;
  for (double slo = 100; slo <= 5000; slo += 100) {
    hp_request_class kk = k;
    kk.ttft_ms = slo;
    kk.tpot_ms = slo / 50;
    double p = rps(&m, &c, &kk, &o, HP_PHASE_PREFILL);
    double d = rps(&m, &c, &kk, &o, HP_PHASE_DECODE);
    assert_true(p >= prev_p * (1 - 1e-12));
    assert_true(d >= prev_d * (1 - 1e-12));
    prev_p = p;
    prev_d = d;
  }
  /* More FLOPS: more prefill; more bandwidth: more decode. */
  prev_p = prev_d = 0;
  for (double f = 1; f <= 8; f *= 2) {
    hp_candidate cc = c;
    cc.spec.fig[HP_FIG_fp16_tflops] = 100 * f;
    double p = rps(&m, &cc, &k, &o, HP_PHASE_PREFILL);
    assert_true(p >= prev_p * (1 - 1e-12));
    prev_p = p;
    cc = c;
    cc.spec.fig[HP_FIG_memory_bw_tbps] = f;
    double d = rps(&m, &cc, &k, &o, HP_PHASE_DECODE);
    assert_true(d >= prev_d * (1 - 1e-12));
    prev_d = d;
  }
  assert_true(rps(&m, &c, &k, &o, HP_PHASE_BOTH) > 0);
}

/* ----------------------------------------------------------------------------
 * Catalog cards and shipped models
 * ------------------------------------------------------------------------- */

/* A plan for model `model` over the whole catalog, to borrow its bound
 * model and candidates. */
static hp_planfile *plan_all(const char *model) {
  char text[1024];
  snprintf(text, sizeof text,
           "name: t\n"
           "scenarios:\n"
           "  - name: s\n"
           "    demand_model: roofline\n"
           "    devices: [nvidia-h20, nvidia-h100, nvidia-h800, nvidia-a100,"
           " nvidia-l20, huawei-ascend-910b3, huawei-ascend-910c,"
           " kunlunxin-p800, cambricon-mlu590, metax-c550]\n"
           "    workload:\n"
           "      model: %s\n"
           "      requests: [{name: r, input_tokens: 1000, output_tokens: "
           "100}]\n"
           "      requests_per_s: 1\n",
           model);
  hp_planfile *pf = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_planfile_parse(text, strlen(text), "p.yaml", cat, &pf, &d);
  if (rc != HP_OK)
    print_error("%s:%d:%d: %s\n", d.file, d.line, d.column, d.msg);
  assert_int_equal(rc, HP_OK);
  return pf;
}

static const hp_candidate *cand(const hp_scenario *s, const char *id) {
  for (size_t i = 0; i < s->n_cands; i++)
    if (strcmp(s->cands[i].spec.id, id) == 0)
      return &s->cands[i];
  fail_msg("no candidate %s", id);
  return NULL;
}

/* Splitting the phases never serves fewer requests per server: a server
 * split between the pools in the ratio of their rates serves 1 / (1/P +
 * 1/D) requests/s, and each pool batches without the other's work. */
static void split_at_least_colocated(void **state) {
  (void)state;
  const char *models[] = {"{name: dense-130b}", "{name: llama-3-70b}",
                          "{name: qwen3-32b}", "{name: deepseek-v3}",
                          "{name: llama-3-8b, kv_dtype: fp8}"};
  const hp_request_class classes[] = {{"chat", 1, 1200, 300, 2000, 50},
                                      {"doc", 1, 6000, 400, 5000, 50},
                                      {"vision", 1, 400, 100, 2000, 50},
                                      {"loose", 1, 1000, 1000, 0, 100},
                                      {"tight", 1, 500, 200, 800, 25}};
  int compared = 0;
  for (size_t i = 0; i < sizeof models / sizeof *models; i++) {
    hp_planfile *pf = plan_all(models[i]);
    const hp_scenario *s = hp_planfile_scenario(pf, 0);
    for (size_t j = 0; j < s->n_cands; j++)
      for (size_t q = 0; q < sizeof classes / sizeof *classes; q++) {
        hp_roof_result b, p, d;
        const hp_request_class *k = &classes[q];
        hp_roof_phase_eval(&s->model, &s->cands[j], k, &s->roof, HP_PHASE_BOTH,
                           &b);
        hp_roof_phase_eval(&s->model, &s->cands[j], k, &s->roof,
                           HP_PHASE_PREFILL, &p);
        hp_roof_phase_eval(&s->model, &s->cands[j], k, &s->roof,
                           HP_PHASE_DECODE, &d);
        /* A card that can serve a class colocated can run either phase. */
        if (b.ok)
          assert_true(p.ok && d.ok);
        if (!(b.ok && p.ok && d.ok))
          continue;
        double split =
            1 / (1 / p.requests_per_s_server + 1 / d.requests_per_s_server);
        if (split < b.requests_per_s_server * (1 - 1e-9))
          print_error("%s %s %s: split %g < colocated %g\n", models[i],
                      s->cands[j].spec.id, k->name, split,
                      b.requests_per_s_server);
        assert_true(split >= b.requests_per_s_server * (1 - 1e-9));
        /* Decode alone batches at least as much as colocated decode. */
        assert_true(d.requests_per_s_server >=
                    b.requests_per_s_server * (1 - 1e-9));
        compared++;
      }
    hp_planfile_free(pf);
  }
  assert_true(compared >= 100);
}

/* The H20 (148 TFLOPS, 4.0 TB/s: 37 FLOP/B) against compute-rich domestic
 * cards: relative to each other, the H20 is worth more in the decode pool
 * than in the prefill pool, by a wide margin, and the domestic card
 * prefills more per server. Where decode is memory bound: the 130B dense
 * stand-in at a 32 ms TPOT against the 910B3 (at 30 ms one request takes
 * the 910B3 30.17 ms a token under MindIE's assumed efficiencies) (313
 * TFLOPS, 1.6 TB/s), and the Qwen3-235B MoE (22B active: few FLOPs per byte of
 * weights) against the 910C (780 TFLOPS, 3.2 TB/s). At the Doubao plan's 50 ms
 * TPOT in bf16 the H20's decode batch is compute bound and the two ratios meet
 * (docs/roofline.md); that is not asserted here. */
static void h20_decodes_domestic_prefills(void **state) {
  (void)state;
  const char *model[] = {"{name: dense-130b}", "{name: qwen3-235b-a22b}"};
  const char *dom[] = {"huawei-ascend-910b3", "huawei-ascend-910c"};
  const double tpot[] = {32, 50};
  for (int i = 0; i < 2; i++) {
    hp_planfile *pf = plan_all(model[i]);
    const hp_scenario *s = hp_planfile_scenario(pf, 0);
    hp_request_class k = {"chat", 1, 1200, 300, 2000, tpot[i]};
    const hp_candidate *h20 = cand(s, "nvidia-h20");
    const hp_candidate *c = cand(s, dom[i]);
    double ph = rps(&s->model, h20, &k, &s->roof, HP_PHASE_PREFILL);
    double dh = rps(&s->model, h20, &k, &s->roof, HP_PHASE_DECODE);
    double pc = rps(&s->model, c, &k, &s->roof, HP_PHASE_PREFILL);
    double dc = rps(&s->model, c, &k, &s->roof, HP_PHASE_DECODE);
    assert_true(ph > 0 && dh > 0 && pc > 0 && dc > 0);
    assert_true(dh / dc > 1.5 * (ph / pc));
    assert_true(pc > ph);
    /* Absolutely, the H20 decodes more only against the 910B3: under the
     * per-operation model (overlap 1) the MoE's decode step is partly
     * compute bound, and a 910C server (780 TFLOPS) decodes Qwen3-235B at
     * 20.3 requests/s against the H20's 18.7. The ratio above holds. */
    if (i == 0)
      assert_true(dh > dc);
    hp_planfile_free(pf);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(prefill_by_hand),
      cmocka_unit_test(prefill_memory_bound_small_prompts),
      cmocka_unit_test(decode_by_hand),
      cmocka_unit_test(decode_kv_capacity),
      cmocka_unit_test(handoff_and_network),
      cmocka_unit_test(monotone),
      cmocka_unit_test(split_at_least_colocated),
      cmocka_unit_test(h20_decodes_domestic_prefills),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
