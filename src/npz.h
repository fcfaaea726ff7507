/* npz.h - NumPy's .npz archives: a zip file of .npy entries, one per array
 * (np.savez names them "<key>.npy").  rnr reads stored (uncompressed)
 * entries in place; a deflate-compressed entry (np.savez_compressed) is
 * refused naming it, with the way to re-save the archive uncompressed.
 * Zip64 records (numpy writes them for every entry) are understood. */
#ifndef RNR_NPZ_H
#define RNR_NPZ_H

#include <stdint.h>
#include <stdio.h>

#include "npy.h"

struct npz_entry {
	char *name;       /* the array's key: the entry name without ".npy" */
	uint64_t data;    /* offset of the entry's bytes (its .npy file) */
	uint64_t size;    /* stored size */
	uint64_t usize;   /* uncompressed size */
	uint32_t crc;
	unsigned method;  /* 0 stored, 8 deflate, ... */
	int encrypted;
};

struct npz {
	FILE *f;
	char *path;
	struct npz_entry *e; /* [n] in archive order */
	size_t n;
};

/* Open path and read its central directory.  0, or -1 with err_set()
 * naming the file (not a zip, truncated, a record pointing outside it). */
int npz_open(struct npz *z, const char *path);
void npz_close(struct npz *z);

/* The entry whose key is name, or NULL. */
const struct npz_entry *npz_find(const struct npz *z, const char *name);

/* A source for npy_read_* over entry e, with what set to
 * "PATH: array 'KEY'" (written into buf) and crc to *crc; refuses an
 * entry that is compressed or encrypted.  After reading, npz_check_crc()
 * compares *crc with the archive's checksum. */
int npz_source(const struct npz *z, const struct npz_entry *e, char *buf, size_t cap,
	       uint32_t *crc, struct npy_src *src);
int npz_check_crc(const struct npz_entry *e, const char *what, uint32_t crc);

#endif
