/*
 * c-reference: the fused diffusion stencil in plain C, compiled with `gcc -O3 -march=native` by
 * packages/diffusion/scripts/build-native.js (or on first use). It is the ceiling the TypeScript
 * and WebAssembly variants are compared against: the same algorithm as fused-kernel.ts (one pass,
 * wrap peeled out of the inner loop), which gcc auto-vectorises with the widest SIMD the CPU has.
 *
 * Usage: diffusion-c N ITERATIONS BUDGET_SECONDS [--dump FILE]
 * Only the steps are timed (CLOCK_MONOTONIC). If the projected time exceeds BUDGET_SECONDS (> 0),
 * it stops early and reports the measured count (the parent scales). Writes to stdout:
 *   progress DONE ELAPSED_MS          (about every 100 ms)
 *   result {"seconds":...,"measuredIterations":...,"checksum":...,"maxRssKiB":...,
 *           "cpuSeconds":...,"minorFaults":...,"majorFaults":...}
 * (CPU time and page faults of the timed steps only, from getrusage, as the Node cells report theirs.)
 * --dump writes the final grid as raw little-endian doubles (for the tests).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void fused_step(const double *restrict src, double *restrict dst, int n, double k) {
  const int last = n - 1;
  for (int i = 0; i < n; i++) {
    const double *restrict row = src + (size_t)i * n;
    const double *restrict up = src + (size_t)(i == 0 ? last : i - 1) * n;
    const double *restrict down = src + (size_t)(i == last ? 0 : i + 1) * n;
    double *restrict out = dst + (size_t)i * n;
    out[0] = row[0] + k * (up[0] + down[0] + row[last] + row[1] - 4.0 * row[0]);
    for (int j = 1; j < last; j++) {
      out[j] = row[j] + k * (up[j] + down[j] + row[j - 1] + row[j + 1] - 4.0 * row[j]);
    }
    out[last] = row[last] + k * (up[last] + down[last] + row[last - 1] + row[0] - 4.0 * row[last]);
  }
}

/* User plus system CPU time of this process so far. */
static double cpu_seconds(const struct rusage *usage) {
  return (double)(usage->ru_utime.tv_sec + usage->ru_stime.tv_sec) + (double)(usage->ru_utime.tv_usec + usage->ru_stime.tv_usec) * 1e-6;
}

/* Peak RSS in KiB: VmHWM from /proc/self/status (Linux), else getrusage. On Linux ru_maxrss is
 * carried across exec, so it would include the peak of the node process that spawned us. */
static long peak_rss_kib(void) {
  FILE *status = fopen("/proc/self/status", "r");
  if (status) {
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, status)) {
      if (sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
    }
    fclose(status);
    if (kib >= 0) return kib;
  }
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: diffusion-c N ITERATIONS BUDGET_SECONDS [--dump FILE]\n");
    return 2;
  }
  const int n = atoi(argv[1]);
  const long iterations = atol(argv[2]);
  const double budget = atof(argv[3]);
  const char *dump = (argc >= 6 && strcmp(argv[4], "--dump") == 0) ? argv[5] : NULL;
  if (n < 2 || iterations < 1) {
    fprintf(stderr, "diffusion-c: N must be >= 2 and ITERATIONS >= 1\n");
    return 2;
  }
  const size_t cells = (size_t)n * n;
  /* Both grids in one block, the second shifted by 2 KiB + 64 bytes, the same layout as the
   * TypeScript/wasm variants (grid.ts ALIAS_SHIFT): the same cell of the two grids never shares
   * address bits 0-11, so loads are not falsely held up by stores to the other grid (4K aliasing). */
  const size_t grid_bytes = (cells * sizeof(double) + 63) / 64 * 64;
  const size_t alias_shift = 2048 + 64;
  double *block = aligned_alloc(64, 2 * grid_bytes + alias_shift);
  double *grid = block;
  double *next = block ? (double *)((char *)block + grid_bytes + alias_shift) : NULL;
  if (!block) {
    fprintf(stderr, "diffusion-c: out of memory\n");
    return 1;
  }
  memset(grid, 0, cells * sizeof(double));
  memset(next, 0, cells * sizeof(double));
  /* Same initial block as grid.ts: rows and columns [trunc(0.4 N), trunc(0.5 N)). */
  const int low = (int)(n * 0.4), high = (int)(n * 0.5);
  for (int i = low; i < high; i++)
    for (int j = low; j < high; j++) grid[(size_t)i * n + j] = 0.005;

  const double k = 1.0 * 0.1; /* D * dt */
  struct rusage usage_start, usage_end;
  getrusage(RUSAGE_SELF, &usage_start);
  const double start = now_seconds();
  double last_report = start, elapsed = 0;
  long done = 0;
  while (done < iterations) {
    fused_step(grid, next, n, k);
    double *swap = grid; grid = next; next = swap;
    done++;
    const double t = now_seconds();
    elapsed = t - start;
    if (t - last_report >= 0.1) {
      printf("progress %ld %.3f\n", done, elapsed * 1e3);
      fflush(stdout);
      last_report = t;
    }
    if (budget > 0 && done < iterations && elapsed > budget) break;
  }
  getrusage(RUSAGE_SELF, &usage_end);
  double checksum = 0;
  for (size_t c = 0; c < cells; c++) checksum += grid[c];
  printf("result {\"seconds\":%.9f,\"measuredIterations\":%ld,\"checksum\":%.17g,\"maxRssKiB\":%ld,"
         "\"cpuSeconds\":%.6f,\"minorFaults\":%ld,\"majorFaults\":%ld}\n",
         elapsed, done, checksum, peak_rss_kib(), cpu_seconds(&usage_end) - cpu_seconds(&usage_start),
         usage_end.ru_minflt - usage_start.ru_minflt, usage_end.ru_majflt - usage_start.ru_majflt);
  fflush(stdout);
  if (dump) {
    FILE *f = fopen(dump, "wb");
    if (!f || fwrite(grid, sizeof(double), cells, f) != cells) {
      fprintf(stderr, "diffusion-c: cannot write %s\n", dump);
      return 1;
    }
    fclose(f);
  }
  free(block);
  return 0;
}
