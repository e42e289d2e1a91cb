/* model_hf.h - a model's architecture from its Hugging Face config.json.
 *
 * `workload.model: {config: PATH}` reads the keys each family's config.json
 * really uses (transformers' configuration_*.py) and computes total and
 * active parameters from the shape (docs/roofline.md, "Hugging Face
 * configs"). The result is a model mapping like a models/ file's, so that
 * the plan binder validates it the same way and inline keys override it.
 */
#ifndef HP_MODEL_HF_H
#define HP_MODEL_HF_H

#include "status.h"
#include "yamlx.h"

/* The model_type values understood, NULL-terminated. */
extern const char *const hp_model_hf_types[];

/* Reads config.json at path into a new model mapping (name, params,
 * active_params, layers, hidden_size, heads, kv_heads, head_dim, vocab and,
 * where the family has them, the MLA, MoE and DSA keys and weight_dtype);
 * each value carries the line and column of the key it came from (1:1 for
 * computed ones). Fails with d naming the file, the key and its position:
 * HP_ENOTFOUND (cannot open), HP_EINVAL (not a regular file), HP_EPARSE
 * (not JSON), HP_EMISSING (a required key), HP_ETYPE (a wrong type),
 * HP_ERANGE (an unknown model_type or a value out of range). *out is set
 * only on success; the caller frees it with hp_yaml_node_free. */
int hp_model_hf_load(const char *path, hp_ynode **out, hp_diag *d);

#endif
