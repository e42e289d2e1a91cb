/* fuzz_plan.c - libFuzzer target: plan files, loaded against the fixture
 * catalog, solved and rendered. Any input must give HP_OK or an error with
 * a message; never a crash, a leak or undefined behaviour. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hetplan.h"

static hp_catalog *cat;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!cat) {
    hp_diag d;
    const char *dir = getenv("HETPLAN_FUZZ_CATALOG");
    if (hp_catalog_load(dir ? dir : HP_TEST_DATA "/catalog", &cat, &d) != HP_OK)
      abort();
  }
  hp_planfile *pf = NULL;
  hp_plan *plan = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  int rc =
      hp_planfile_parse((const char *)data, size, "fuzz.yaml", cat, &pf, &d);
  if (rc != HP_OK) {
    if (!d.msg[0])
      abort(); /* every error says what was wrong */
    return 0;
  }
  /* Keep runs short: solving is exercised on small plans only, and each
   * search is held to 2,000 nodes. A hard program may rightly take the
   * default 100,000 nodes (a mutated buyer-2026 plan took GLPK 18 s, 57 s
   * under ASan, past libFuzzer's 10 s timeout: corpus/plan/
   * hard-roofline-search.yaml); how long a search takes is the benches'
   * business, not the fuzzer's. */
  hp_diag nd;
  (void)hp_planfile_set_number(pf, "solver.node_limit", 2000, &nd);
  if (hp_planfile_count(pf) <= 4 &&
      hp_plan_solve(pf, cat, &plan, &d) == HP_OK) {
    char *out = NULL;
    size_t len;
    if (hp_report_render(plan, HP_FORMAT_JSON, &out, &len, &d) == HP_OK)
      hp_free(out);
    if (hp_report_render(plan, HP_FORMAT_TABLE, &out, &len, &d) == HP_OK)
      hp_free(out);
  }
  hp_plan_free(plan);
  hp_planfile_free(pf);
  return 0;
}
