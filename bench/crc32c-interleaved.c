// Part of bench/crc32c.sh: is it worth running three interleaved streams of crc32
// instructions instead of the one dependent chain in Sources/CCRC32C (x86_64 only)?
//
// The instruction has a latency of about 3 cycles and a throughput of 1 per cycle, so one
// chain uses a third of the unit. The usual fix (PostgreSQL before AVX-512, Mark Adler's
// crc32c.c) splits a long buffer into three blocks, runs the three chains side by side, and
// joins them by shifting a partial CRC over a block of zeros with four 256-entry tables.
// This is that design with 3 x 256-byte blocks and 3 x 64-byte blocks for the rest. It
// prints the best of 15 rounds of each, for independent buffers checksummed back to back.

#include <nmmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

__attribute__((target("sse4.2"))) static uint32_t one(uint32_t crc, const unsigned char *p,
                                                      size_t n) {
  uint64_t c = crc;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    c = _mm_crc32_u64(c, w);
  }
  uint32_t c32 = (uint32_t)c;
  for (; n > 0; p++, n--) c32 = _mm_crc32_u8(c32, *p);
  return c32;
}

enum { LONG = 256, SHORT = 64 };
static uint32_t long_shift[4][256], short_shift[4][256];

// table[k][b]: the register (b << 8k) advanced over `block` zero bytes (linear in the register).
static void make_shift(uint32_t table[4][256], size_t block) {
  static const unsigned char zeros[LONG];
  for (int k = 0; k < 4; k++)
    for (uint32_t b = 0; b < 256; b++) table[k][b] = one(b << (8 * k), zeros, block);
}

static inline uint32_t shift(uint32_t table[4][256], uint32_t c) {
  return table[0][c & 0xff] ^ table[1][(c >> 8) & 0xff] ^ table[2][(c >> 16) & 0xff] ^
         table[3][c >> 24];
}

#define THREE_WAY(BLOCK, TABLE)                                        \
  while (n >= 3 * (BLOCK)) {                                           \
    uint64_t c1 = 0, c2 = 0;                                           \
    const unsigned char *end = p + (BLOCK);                            \
    do {                                                               \
      uint64_t a, b, d;                                                \
      memcpy(&a, p, 8);                                                \
      memcpy(&b, p + (BLOCK), 8);                                      \
      memcpy(&d, p + 2 * (BLOCK), 8);                                  \
      c0 = _mm_crc32_u64(c0, a);                                       \
      c1 = _mm_crc32_u64(c1, b);                                       \
      c2 = _mm_crc32_u64(c2, d);                                       \
      p += 8;                                                          \
    } while (p < end);                                                 \
    c0 = shift(TABLE, (uint32_t)c0) ^ (uint32_t)c1;                    \
    c0 = shift(TABLE, (uint32_t)c0) ^ (uint32_t)c2;                    \
    p += 2 * (BLOCK);                                                  \
    n -= 3 * (BLOCK);                                                  \
  }

__attribute__((target("sse4.2"))) static uint32_t three(uint32_t crc, const unsigned char *p,
                                                        size_t n) {
  uint64_t c0 = crc;
  THREE_WAY(LONG, long_shift)
  THREE_WAY(SHORT, short_shift)
  return one((uint32_t)c0, p, n);
}

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef uint32_t (*crc_fn)(uint32_t, const unsigned char *, size_t);

static double run(crc_fn f, const unsigned char *pool, size_t pool_size, size_t size,
                  uint32_t *sink) {
  size_t count = ((size_t)16 << 20) / size, starts = pool_size / size;
  double begin = seconds();
  for (size_t i = 0; i < count; i++) *sink += f(0xFFFFFFFF, pool + (i % starts) * size, size);
  return (double)(count * size) / (seconds() - begin) / 1e9;
}

int main(void) {
  make_shift(long_shift, LONG);
  make_shift(short_shift, SHORT);
  size_t pool_size = (size_t)1 << 20;
  unsigned char *pool = malloc(pool_size + 64);
  uint64_t state = 0x243F6A8885A308D3u;
  for (size_t i = 0; i < pool_size + 64; i++) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    pool[i] = (unsigned char)(state >> 56);
  }
  for (size_t n = 0; n <= 9000; n++)
    if (one(~0u, pool + n % 8, n) != three(~0u, pool + n % 8, n)) {
      printf("three-way disagrees with one chain at length %zu\n", n);
      return 1;
    }
  printf("crc32 instruction: one chain vs three interleaved chains, best of 15 rounds\n");
  printf("%-8s%-14s%-14s%s\n", "size", "one chain", "three chains", "three/one");
  size_t sizes[] = {64, 256, 1024, 2048, 8192};
  uint32_t sink = 0;
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    double best_one = 0, best_three = 0;
    for (int round = 0; round < 15; round++) {
      double a = run(one, pool, pool_size, sizes[s], &sink);
      double b = run(three, pool, pool_size, sizes[s], &sink);
      if (a > best_one) best_one = a;
      if (b > best_three) best_three = b;
    }
    printf("%-8zu%5.2f GB/s    %5.2f GB/s    %.2fx\n", sizes[s], best_one, best_three,
           best_three / best_one);
  }
  printf("(checksum of everything: %u)\n", sink);
  return 0;
}
