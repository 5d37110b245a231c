#include "CCRC32C.h"

#include <string.h>

// Each function that uses the instruction carries its own `target` attribute, so the
// package needs no global flags and the file still compiles for a baseline CPU; callers
// must check pitr_crc32c_hardware_available() first.
//
// One dependent chain of 8-byte steps, about 5x the Swift slicing-by-8 (docs/benchmarks.md,
// "CRC-32C"). Three interleaved chains (bench/crc32c-interleaved.c) double that from 1 KiB
// up but gain nothing below 256 B, where most WAL records are; measured, not adopted.

#if defined(__x86_64__)

#include <nmmintrin.h>

int pitr_crc32c_hardware_available(void) {
  return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

__attribute__((target("sse4.2")))
uint32_t pitr_crc32c_update(uint32_t crc, const void *data, size_t length) {
  const unsigned char *p = (const unsigned char *)data;
  uint64_t crc64 = crc;
  while (length >= 8) {
    uint64_t word;
    memcpy(&word, p, 8);
    crc64 = _mm_crc32_u64(crc64, word);
    p += 8;
    length -= 8;
  }
  uint32_t crc32 = (uint32_t)crc64;
  if (length & 4) {
    uint32_t word;
    memcpy(&word, p, 4);
    crc32 = _mm_crc32_u32(crc32, word);
    p += 4;
  }
  if (length & 2) {
    uint16_t half;
    memcpy(&half, p, 2);
    crc32 = _mm_crc32_u16(crc32, half);
    p += 2;
  }
  if (length & 1) {
    crc32 = _mm_crc32_u8(crc32, *p);
  }
  return crc32;
}

#elif defined(__aarch64__)

#include <arm_acle.h>
#if defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)
#endif
#endif

int pitr_crc32c_hardware_available(void) {
#if defined(__linux__)
  return (getauxval(AT_HWCAP) & HWCAP_CRC32) ? 1 : 0;
#else
  return 0;
#endif
}

__attribute__((target("crc")))
uint32_t pitr_crc32c_update(uint32_t crc, const void *data, size_t length) {
  const unsigned char *p = (const unsigned char *)data;
  while (length >= 8) {
    uint64_t word;
    memcpy(&word, p, 8);
    crc = __crc32cd(crc, word);
    p += 8;
    length -= 8;
  }
  if (length & 4) {
    uint32_t word;
    memcpy(&word, p, 4);
    crc = __crc32cw(crc, word);
    p += 4;
  }
  if (length & 2) {
    uint16_t half;
    memcpy(&half, p, 2);
    crc = __crc32ch(crc, half);
    p += 2;
  }
  if (length & 1) {
    crc = __crc32cb(crc, *p);
  }
  return crc;
}

#else

int pitr_crc32c_hardware_available(void) { return 0; }

uint32_t pitr_crc32c_update(uint32_t crc, const void *data, size_t length) {
  (void)data;
  (void)length;
  return crc;
}

#endif
