/* model.c - the model layer's pure functions: enum names, dtype sizes and
 * the roofline defaults (docs/roofline.md). No I/O, no allocation. */
#include "model.h"

#include <string.h>

const char *hp_model_granularity_name(hp_granularity g) {
  static const char *const n[] = {"fractional", "card", "server"};
  return g <= HP_GRAN_SERVER ? n[g] : "?";
}
const char *hp_model_objective_name(hp_objective o) {
  static const char *const n[] = {"capex", "max_tokens", "tco", "rent"};
  return o <= HP_OBJ_RENT ? n[o] : "?";
}
const char *hp_model_demand_model_name(hp_demand_model m) {
  return m == HP_DEMAND_ROOFLINE ? "roofline" : "flops";
}
const char *hp_model_dtype_name(hp_dtype t) {
  static const char *const n[] = {"fp16", "bf16", "fp8", "int8", "int4", "fp4"};
  return t <= HP_DTYPE_FP4 ? n[t] : "?";
}
double hp_model_dtype_bytes(hp_dtype t) {
  static const double b[] = {2, 2, 1, 1, 0.5, 0.5};
  return t <= HP_DTYPE_FP4 ? b[t] : 2;
}
void hp_model_roof_opts_default(hp_roof_opts *o) {
  memset(o, 0, sizeof *o);
  o->memory_fraction = 0.9; /* runtime, activations, fragmentation */
  o->min_batch = 8;         /* a TP degree must hold at least this many */
  o->max_batch = 256;       /* vLLM's default max_num_seqs */
  o->pcie_gbps = 64;        /* PCIe Gen4 x16, both directions */
  o->allreduce_us = 5;      /* NCCL small-message all-reduce in a node */
  o->overlap = -1;          /* the stack's figure (roofline.c) */
  o->kv_mbu = -1;           /* the stack's figure */
  o->reread_hit = -1;       /* the stack's figure */
  o->prefill_chunk = 8192;  /* TRT-LLM max_num_tokens, SGLang chunk default */
  o->scaleout_gbps = 50;    /* one 400 Gb/s NIC per card */
  o->ar_share = -1;         /* the stack's figure */
  o->layer_us = -1;         /* the stack's figure */
}
const char *hp_model_basis_name(hp_share_basis b) {
  static const char *const n[] = {"compute", "cards", "capex"};
  return b <= HP_BASIS_CAPEX ? n[b] : "?";
}
const char *hp_model_phase_name(hp_phase p) {
  static const char *const n[] = {"both", "prefill", "decode"};
  return p <= HP_PHASE_DECODE ? n[p] : "?";
}
