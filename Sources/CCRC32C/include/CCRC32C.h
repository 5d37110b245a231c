#ifndef PITR_CCRC32C_H
#define PITR_CCRC32C_H

/// CRC-32C (Castagnoli) with the CPU's own instruction: SSE4.2 `crc32` on x86_64, the
/// ARMv8 CRC32C instructions on aarch64. The WAL module's `CRC32C` calls these when
/// `pitr_crc32c_hardware_available()` says so, and its Swift slicing-by-8 code otherwise.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Whether this CPU has a CRC-32C instruction that `pitr_crc32c_update` can use: 1 or 0.
///
/// Asks the CPU (x86_64: CPUID via `__builtin_cpu_supports("sse4.2")`; Linux aarch64: the
/// kernel's `AT_HWCAP` bit `HWCAP_CRC32`) and is 0 on every other platform.
int pitr_crc32c_hardware_available(void);

/// Advances a CRC-32C register over `length` bytes at `data`, with the CPU's instruction.
///
/// The register is taken and returned *unfinalized*: there is no initial or final XOR here
/// (start from 0xFFFFFFFF, XOR the end result with 0xFFFFFFFF). `data` may be unaligned, and
/// may be NULL when `length` is 0. Call only if `pitr_crc32c_hardware_available()` is 1:
/// on a CPU without the instruction this is an illegal instruction; on a platform with no
/// hardware path it returns `crc` unchanged.
uint32_t pitr_crc32c_update(uint32_t crc, const void *data, size_t length);

#ifdef __cplusplus
}
#endif

#endif
