/* fuzz_profile.c - libFuzzer target: probe profiles. */
#include <stdint.h>
#include <stdlib.h>

#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  hp_profile *p = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  if (hp_profile_parse((const char *)data, size, "fuzz.yaml", &p, &d) !=
      HP_OK) {
    if (!d.msg[0])
      abort();
    return 0;
  }
  double mfu, bw;
  (void)hp_profile_efficiency(p, NULL, &mfu, &bw, &d);
  hp_profile_free(p);
  return 0;
}
