/* CRC-32C (Castagnoli), the checksum of every model file section. Uses the
 * SSE4.2 crc32 instruction when the CPU has it, a table otherwise; both give
 * the same value. */
#ifndef REC_CORE_CRC32C_H
#define REC_CORE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC: start with crc = 0. rec_crc32c(0, "123456789", 9) is
 * 0xE3069283. */
uint32_t rec_crc32c(uint32_t crc, const void *data, size_t len);
/* The table version, for tests that hold the fast path to it. */
uint32_t rec_crc32c_portable(uint32_t crc, const void *data, size_t len);

#endif
