/* crc32.h - the CRC-32 of zip archives (IEEE 802.3 polynomial, reflected),
 * so an .npz entry is checked against the checksum its writer stored. */
#ifndef RNR_CRC32_H
#define RNR_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continue crc (0 to start) over p[0..n). */
uint32_t crc32_update(uint32_t crc, const void *p, size_t n);

#endif
