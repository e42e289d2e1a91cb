/* fuzz_device.c - libFuzzer target: one device file. */
#include <stdint.h>
#include <stdlib.h>

#include "catalog.h"
#include "yamlx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  hp_ynode *root = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  if (hp_yaml_parse((const char *)data, size, "fuzz.yaml", &root, &d) !=
      HP_OK) {
    if (!d.msg[0])
      abort();
    return 0;
  }
  hp_device_spec s;
  if (hp_device_parse_tree(root, "devices/fuzz.yaml", &s, &d) == HP_OK)
    hp_device_spec_cleanup(&s);
  else if (!d.msg[0])
    abort();
  hp_ynode_free(root);
  return 0;
}
