/* npz.c - reading the central directory of an .npz (zip) archive (see
 * npz.h).  Offsets come from the central directory (numpy's local headers
 * may carry zip64 placeholders); every offset and size is checked against
 * the file's length before it is used. */
#include "npz.h"
#include "crc32.h"
#include "err.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOC64 0x07064b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_LOCAL 0x04034b50u
/* a directory larger than this is not numpy's: refuse, do not allocate */
#define NPZ_MAX_DIR ((uint64_t)64 << 20)

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int read_at(struct npz *z, uint64_t at, void *buf, size_t n)
{
	if (fseeko(z->f, (off_t)at, SEEK_SET) != 0 || fread(buf, 1, n, z->f) != n) {
		err_set("%s: cannot read %zu bytes at offset %" PRIu64 ": %s", z->path, n, at,
			ferror(z->f) ? strerror(errno) : "unexpected end of file");
		return -1;
	}
	return 0;
}

struct dir {
	uint64_t count, size, offset;
};

/* the zip64 end record, found through its locator just before eocd_at */
static int read_zip64_end(struct npz *z, uint64_t eocd_at, struct dir *d)
{
	unsigned char loc[20], rec[56];
	if (eocd_at < 20 || read_at(z, eocd_at - 20, loc, 20) < 0 || le32(loc) != SIG_LOC64) {
		err_set("%s: zip64 archive without its zip64 locator (damaged?)", z->path);
		return -1;
	}
	uint64_t at = le64(loc + 8);
	if (at > eocd_at - 20 || eocd_at - 20 - at < 56 || read_at(z, at, rec, 56) < 0 ||
	    le32(rec) != SIG_EOCD64) {
		err_set("%s: the zip64 end record is missing or out of place (damaged?)", z->path);
		return -1;
	}
	d->count = le64(rec + 32);
	d->size = le64(rec + 40);
	d->offset = le64(rec + 48);
	return 0;
}

/* find the end-of-central-directory record in the last 64 KiB */
static int find_dir(struct npz *z, uint64_t file_size, struct dir *d)
{
	size_t tail = file_size < 22 + 65535 ? (size_t)file_size : 22 + 65535;
	unsigned char *buf = tail >= 22 ? malloc(tail) : NULL;
	if (tail < 22) {
		err_set("%s: not a zip archive (%" PRIu64 " bytes; np.savez writes zip files)",
			z->path, file_size);
		return -1;
	}
	if (!buf) {
		err_nomem(z->path, tail);
		return -1;
	}
	int rc = read_at(z, file_size - tail, buf, tail);
	size_t i = tail - 22 + 1;
	while (rc == 0 && i-- > 0)
		if (le32(buf + i) == SIG_EOCD)
			break;
	if (rc == 0 && i == (size_t)-1) {
		err_set("%s: not a zip archive (no end-of-directory record; np.savez writes "
			"zip files)", z->path);
		rc = -1;
	}
	if (rc == 0) {
		const unsigned char *e = buf + i;
		d->count = le16(e + 10);
		d->size = le32(e + 12);
		d->offset = le32(e + 16);
		if (le16(e + 4) != 0 || le16(e + 6) != 0) {
			err_set("%s: a multi-part zip archive; rnr reads single files", z->path);
			rc = -1;
		} else if (d->count == 0xFFFF || d->size == 0xFFFFFFFFu || d->offset == 0xFFFFFFFFu) {
			rc = read_zip64_end(z, file_size - tail + i, d);
		}
	}
	free(buf);
	if (rc == 0 && (d->size > NPZ_MAX_DIR || d->offset > file_size ||
			d->size > file_size - d->offset)) {
		err_set("%s: its zip directory (%" PRIu64 " bytes at %" PRIu64 ") lies outside "
			"the file (damaged or truncated?)", z->path, d->size, d->offset);
		rc = -1;
	}
	return rc;
}

/* the zip64 extra field fills in the 32-bit fields that hold 0xFFFFFFFF */
static void apply_zip64(const unsigned char *x, size_t xlen, uint64_t *usize,
			uint64_t *csize, uint64_t *local)
{
	for (size_t k = 0; k + 4 <= xlen;) {
		size_t id = le16(x + k), len = le16(x + k + 2);
		if (k + 4 + len > xlen)
			return;
		if (id == 1) {
			const unsigned char *p = x + k + 4, *end = p + len;
			uint64_t *f[3] = { usize, csize, local };
			for (int j = 0; j < 3; j++)
				if (*f[j] == 0xFFFFFFFFu && p + 8 <= end) {
					*f[j] = le64(p);
					p += 8;
				}
			return;
		}
		k += 4 + len;
	}
}

/* where the data of the entry with its local header at `local` starts */
static int data_start(struct npz *z, struct npz_entry *e, uint64_t local, uint64_t file_size)
{
	unsigned char h[30];
	if (local > file_size || file_size - local < 30 || read_at(z, local, h, 30) < 0 ||
	    le32(h) != SIG_LOCAL) {
		err_set("%s: entry '%s': its local header is missing (damaged archive?)",
			z->path, e->name);
		return -1;
	}
	e->data = local + 30 + le16(h + 26) + le16(h + 28);
	if (e->data > file_size || e->size > file_size - e->data) {
		err_set("%s: entry '%s' (%" PRIu64 " bytes) runs past the end of the file "
			"(truncated?)", z->path, e->name, e->size);
		return -1;
	}
	return 0;
}

/* parse the central directory in dir[0..d->size) into z->e */
static int parse_dir(struct npz *z, const unsigned char *dir, const struct dir *d,
		     uint64_t file_size)
{
	size_t at = 0;
	if (d->count > d->size / 46 + 1) {
		err_set("%s: zip directory claims %" PRIu64 " entries in %" PRIu64 " bytes",
			z->path, d->count, d->size);
		return -1;
	}
	z->e = calloc(d->count ? (size_t)d->count : 1, sizeof *z->e);
	if (!z->e) {
		err_nomem(z->path, (size_t)d->count * sizeof *z->e);
		return -1;
	}
	for (uint64_t i = 0; i < d->count; i++) {
		const unsigned char *c = dir + at;
		if (d->size - at < 46 || le32(c) != SIG_CENTRAL) {
			err_set("%s: zip directory entry %" PRIu64 " is malformed", z->path, i);
			return -1;
		}
		size_t nlen = le16(c + 28), xlen = le16(c + 30), clen = le16(c + 32);
		if (d->size - at - 46 < nlen + xlen + clen) {
			err_set("%s: zip directory entry %" PRIu64 " is malformed", z->path, i);
			return -1;
		}
		struct npz_entry *e = &z->e[z->n];
		size_t keylen = nlen >= 4 && !memcmp(c + 46 + nlen - 4, ".npy", 4) ? nlen - 4 : nlen;
		if (!(e->name = strndup((const char *)c + 46, keylen))) {
			err_nomem("entry name", keylen + 1);
			return -1;
		}
		z->n++;
		e->method = le16(c + 10);
		e->encrypted = le16(c + 8) & 1;
		e->crc = le32(c + 16);
		e->size = le32(c + 20);
		e->usize = le32(c + 24);
		uint64_t local = le32(c + 42);
		apply_zip64(c + 46 + nlen, xlen, &e->usize, &e->size, &local);
		if (data_start(z, e, local, file_size) < 0)
			return -1;
		at += 46 + nlen + xlen + clen;
	}
	return 0;
}

int npz_open(struct npz *z, const char *path)
{
	memset(z, 0, sizeof *z);
	struct stat st;
	if (stat(path, &st) < 0 || (S_ISREG(st.st_mode) && !(z->f = fopen(path, "rb")))) {
		err_set("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!z->f) {
		err_set("%s: not a regular file", path);
		return -1;
	}
	if (!(z->path = strdup(path))) {
		npz_close(z);
		err_nomem("file name", strlen(path) + 1);
		return -1;
	}
	struct dir d;
	unsigned char *dir = NULL;
	int rc = find_dir(z, (uint64_t)st.st_size, &d);
	if (rc == 0 && !(dir = malloc(d.size ? (size_t)d.size : 1))) {
		err_nomem(path, (size_t)d.size);
		rc = -1;
	}
	if (rc == 0)
		rc = read_at(z, d.offset, dir, (size_t)d.size);
	if (rc == 0)
		rc = parse_dir(z, dir, &d, (uint64_t)st.st_size);
	free(dir);
	if (rc < 0)
		npz_close(z);
	return rc;
}

void npz_close(struct npz *z)
{
	for (size_t i = 0; i < z->n; i++)
		free(z->e[i].name);
	free(z->e);
	free(z->path);
	if (z->f)
		fclose(z->f);
	memset(z, 0, sizeof *z);
}

const struct npz_entry *npz_find(const struct npz *z, const char *name)
{
	for (size_t i = 0; i < z->n; i++)
		if (strcmp(z->e[i].name, name) == 0)
			return &z->e[i];
	return NULL;
}

int npz_source(const struct npz *z, const struct npz_entry *e, char *buf, size_t cap,
	       uint32_t *crc, struct npy_src *src)
{
	snprintf(buf, cap, "%s: array '%s'", z->path, e->name);
	if (e->encrypted) {
		err_set("%s is encrypted; rnr reads plain np.savez archives", buf);
		return -1;
	}
	if (e->method != 0) {
		err_set("%s is %s-compressed (np.savez_compressed); rnr reads stored entries "
			"only: re-save it uncompressed, e.g. np.savez('new.npz', **np.load('%s'))",
			buf, e->method == 8 ? "deflate" : e->method == 12 ? "bzip2" :
			e->method == 14 ? "lzma" : "otherwise", z->path);
		return -1;
	}
	if (e->size != e->usize) {
		err_set("%s: stored entry with %" PRIu64 " bytes stored but %" PRIu64 " "
			"uncompressed (damaged archive?)", buf, e->size, e->usize);
		return -1;
	}
	*src = (struct npy_src){ z->f, e->data, e->size, buf, crc };
	return 0;
}

int npz_check_crc(const struct npz_entry *e, const char *what, uint32_t crc)
{
	if (crc == e->crc)
		return 0;
	err_set("%s: CRC-32 %08" PRIx32 " does not match the archive's %08" PRIx32
		" (damaged file?)", what, crc, e->crc);
	return -1;
}
