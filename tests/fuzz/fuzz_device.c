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
  if (hp_catalog_parse_device(root, "devices/fuzz.yaml", &s, &d) == HP_OK)
    hp_catalog_device_cleanup(&s);
  else if (!d.msg[0])
    abort();
  hp_yaml_node_free(root);
  return 0;
}
