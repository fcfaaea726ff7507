/* npy.h - NumPy's .npy format: reading feature matrices and labels, writing
 * arrays.
 *
 * A file is the magic "\x93NUMPY", a version byte pair (1.0, 2.0 or 3.0),
 * the header length (uint16 little-endian in 1.0, uint32 in 2.0 and 3.0),
 * then the header: a Python dict literal with exactly the keys 'descr' (a
 * dtype string such as '<f4'), 'fortran_order' (True or False) and 'shape'
 * (a tuple of integers), padded with spaces and ended by '\n'; the data
 * follows, shape's product times the item size, C order unless
 * fortran_order.  3.0 differs from 2.0 only by allowing UTF-8 in the
 * header (for structured field names, which rnr refuses anyway).
 *
 * Every message names `what` (the file, or "file.npz: entry").  Nothing is
 * allocated before the header has been checked against the bytes actually
 * there, so a header claiming terabytes is refused, not attempted. */
#ifndef RNR_NPY_H
#define RNR_NPY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mat.h"

#define NPY_MAX_DIMS 32
/* numpy itself refuses headers over 10000 bytes unless told otherwise */
#define NPY_MAX_HEADER 65536
/* the fixed part: magic, version, a 4-byte length (2 bytes in 1.0) */
#define NPY_PREFIX 12

struct npy_header {
	int major, minor;
	size_t data_offset;    /* prefix + header text: the data starts here */
	char descr[16];        /* as written, e.g. "<f4" */
	char kind;             /* numpy's kind: 'f' 'i' 'u' 'b' 'c' 'O' 'S' 'U' 'V' ... */
	int swap;              /* big-endian items wider than a byte */
	size_t itemsize;
	int fortran_order;
	size_t ndim;
	uint64_t shape[NPY_MAX_DIMS];
	uint64_t count;        /* product of shape (1 for a scalar) */
	uint64_t data_bytes;   /* count * itemsize, checked for overflow */
};

/* The number of bytes of prefix and header that buf[0..len) starts with
 * (the magic, version and length field checked), so the caller knows how
 * much to read before npy_parse_header.  len >= NPY_PREFIX or the file is
 * too short.  0 with *need set, or -1 with err_set(). */
int npy_header_size(const unsigned char *buf, size_t len, const char *what, size_t *need);

/* Parse prefix and header held in buf[0..len) into h.  Checks the magic,
 * version, header length, that the text is one dict literal with exactly
 * the three keys, the descr string (byte order, kind, size), the shape
 * (non-negative integers, at most NPY_MAX_DIMS) and that the data size does
 * not overflow.  Says nothing yet about whether rnr can use the dtype.
 * 0, or -1 with err_set(). */
int npy_parse_header(const unsigned char *buf, size_t len, const char *what,
		     struct npy_header *h);

/* Where an array's bytes are: len bytes of f from off (a whole .npy file,
 * or a stored .npz entry).  crc, when not NULL, receives the CRC-32 of all
 * len bytes read (an .npz entry's checksum). */
struct npy_src {
	FILE *f;
	uint64_t off, len;
	const char *what;
	uint32_t *crc;
};

/* Read the header of src and check the data fills the rest exactly. */
int npy_read_header(const struct npy_src *src, struct npy_header *h);

/* Read a 2-D float32 or float64 array (either byte order; float64 is
 * converted; fortran_order is transposed) into m as float32 [rows, cols].
 * Refuses other kinds and ranks naming the dtype and how to convert, and
 * non-finite values naming row and column.  0 or -1 with err_set(). */
int npy_read_matrix(const struct npy_src *src, struct mat *m);

/* Read a 1-D integer array (signed or unsigned, 1 to 8 bytes, either
 * order) as int64 labels [*n] (malloc'd).  Refuses other kinds, values
 * beyond int64 and negative labels (naming the row).  0 or -1. */
int npy_read_labels(const struct npy_src *src, int64_t **labels, size_t *n);

/* Does path end in .npy / .npz (any case)? */
int npy_is_npy_path(const char *path);
int npy_is_npz_path(const char *path);

/* Write one array as format 1.0 (2.0 when the header would not fit):
 * descr "<f4", "<f8" or "<i8", C order, shape[0..ndim), data in the
 * machine's (little-endian) layout.  0 or -1 with err_set() (what names
 * the file). */
int npy_write(FILE *f, const char *what, const char *descr, size_t ndim,
	      const size_t *shape, const void *data);

#endif
