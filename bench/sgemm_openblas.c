/* sgemm_openblas.c - the CPU reference for bench/probe_bench.sh: OpenBLAS
 * SGEMM GFLOPS at one square size, best of a few timed calls after a
 * warm-up. Prints "openblas_sgemm_gflops <value> GFLOPS n=<n> threads=<t>".
 * Built by the script: cc -O2 sgemm_openblas.c -lopenblas. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2048;
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  if (n <= 0 || reps <= 0) {
    fprintf(stderr, "usage: sgemm_openblas [N] [REPEATS]\n");
    return 2;
  }
  size_t elems = (size_t)n * (size_t)n;
  float *a = malloc(elems * sizeof *a);
  float *b = malloc(elems * sizeof *b);
  float *c = malloc(elems * sizeof *c);
  if (!a || !b || !c) {
    fprintf(stderr, "sgemm_openblas: out of memory\n");
    return 1;
  }
  for (size_t i = 0; i < elems; i++) {
    a[i] = (float)(i % 7) * 0.25f;
    b[i] = (float)(i % 5) * 0.5f;
    c[i] = 0.0f;
  }
  /* The first call warms caches and OpenBLAS's thread pool. */
  cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b,
              n, 0.0f, c, n);
  double best_s = 1e30;
  for (int r = 0; r < reps; r++) {
    double t0 = now_s();
    cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n,
                b, n, 0.0f, c, n);
    double dt = now_s() - t0;
    if (dt < best_s)
      best_s = dt;
  }
  double gflops = 2.0 * (double)n * (double)n * (double)n / best_s / 1e9;
  printf("openblas_sgemm_gflops %.1f GFLOPS n=%d threads=%d\n", gflops, n,
         openblas_get_num_threads());
  free(a);
  free(b);
  free(c);
  return 0;
}
