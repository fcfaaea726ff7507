/* npy.c - the .npy reader and writer (see npy.h).
 *
 * The header is a Python literal; only the subset numpy writes is parsed
 * (a dict of strings, booleans and a tuple of integers), with a small
 * tokenizer rather than a general evaluator: anything else is refused. */
#include "npy.h"
#include "crc32.h"
#include "err.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const unsigned char magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };

static int host_is_little(void)
{
	const uint16_t one = 1;
	return *(const unsigned char *)&one == 1;
}

int npy_header_size(const unsigned char *buf, size_t len, const char *what, size_t *need)
{
	if (len < 10 || memcmp(buf, magic, sizeof magic) != 0) {
		err_set("%s: not a .npy file (it does not start with \\x93NUMPY)", what);
		return -1;
	}
	int major = buf[6], minor = buf[7];
	if (major < 1 || major > 3 || minor != 0) {
		err_set("%s: .npy format version %d.%d; rnr reads 1.0, 2.0 and 3.0", what,
			major, minor);
		return -1;
	}
	size_t prefix = major == 1 ? 10 : 12, hlen;
	if (len < prefix) {
		err_set("%s: truncated in its .npy prefix (%zu bytes)", what, len);
		return -1;
	}
	hlen = major == 1 ? (size_t)buf[8] | (size_t)buf[9] << 8
			  : (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 |
			    (size_t)buf[11] << 24;
	if (hlen > NPY_MAX_HEADER) {
		err_set("%s: header length %zu bytes; a .npy header is a short dict (rnr reads "
			"up to %d bytes)", what, hlen, NPY_MAX_HEADER);
		return -1;
	}
	*need = prefix + hlen;
	return 0;
}

/* ---- the header literal --------------------------------------------------- */

struct lex {
	const char *p, *end;
	const char *what;
};

static void skip_space(struct lex *l)
{
	while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r'))
		l->p++;
}

/* consume c after spaces, else -1 with a message saying what was expected */
static int expect(struct lex *l, char c, const char *context)
{
	skip_space(l);
	if (l->p < l->end && *l->p == c) {
		l->p++;
		return 0;
	}
	/* show what is there, printable ASCII only (the header is untrusted) */
	char seen[13];
	size_t k = 0;
	for (const char *p = l->p; p < l->end && k < sizeof seen - 1; p++)
		seen[k++] = *p >= 0x20 && *p < 0x7f ? *p : '?';
	seen[k] = '\0';
	err_set("%s: malformed .npy header: expected '%c' %s, found %s%s%s", l->what, c,
		context, k ? "'" : "the end", seen, k ? "'" : "");
	return -1;
}

static int peek(struct lex *l, char c)
{
	skip_space(l);
	return l->p < l->end && *l->p == c;
}

/* a quoted string into buf (no escapes: numpy writes none in these keys) */
static int lex_string(struct lex *l, char *buf, size_t cap, const char *context)
{
	skip_space(l);
	if (l->p >= l->end || (*l->p != '\'' && *l->p != '"')) {
		err_set("%s: malformed .npy header: expected a quoted string %s", l->what, context);
		return -1;
	}
	char q = *l->p++;
	const char *s = l->p;
	while (l->p < l->end && *l->p != q && *l->p != '\\')
		l->p++;
	if (l->p >= l->end || *l->p == '\\') {
		err_set("%s: malformed .npy header: unterminated or escaped string %s", l->what,
			context);
		return -1;
	}
	size_t n = (size_t)(l->p - s);
	l->p++;
	if (n >= cap) {
		err_set("%s: .npy header: string %s is too long (%.20s...)", l->what, context, s);
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

static int lex_bool(struct lex *l, int *out)
{
	skip_space(l);
	size_t left = (size_t)(l->end - l->p);
	if (left >= 4 && !strncmp(l->p, "True", 4))
		return l->p += 4, *out = 1, 0;
	if (left >= 5 && !strncmp(l->p, "False", 5))
		return l->p += 5, *out = 0, 0;
	err_set("%s: malformed .npy header: fortran_order must be True or False", l->what);
	return -1;
}

/* (n0, n1, ...) with an optional trailing comma; Python 2's 3L accepted */
static int lex_shape(struct lex *l, struct npy_header *h)
{
	if (expect(l, '(', "to open the shape tuple") < 0)
		return -1;
	h->ndim = 0;
	while (!peek(l, ')')) {
		skip_space(l);
		if (l->p >= l->end || !isdigit((unsigned char)*l->p)) {
			err_set("%s: malformed .npy header: shape entries must be non-negative "
				"integers", l->what);
			return -1;
		}
		if (h->ndim == NPY_MAX_DIMS) {
			err_set("%s: .npy shape has more than %d dimensions", l->what, NPY_MAX_DIMS);
			return -1;
		}
		uint64_t v = 0;
		for (; l->p < l->end && isdigit((unsigned char)*l->p); l->p++) {
			unsigned d = (unsigned)(*l->p - '0');
			if (v > (UINT64_MAX - d) / 10) {
				err_set("%s: .npy shape entry %zu does not fit 64 bits", l->what,
					h->ndim);
				return -1;
			}
			v = v * 10 + d;
		}
		if (l->p < l->end && (*l->p == 'L' || *l->p == 'l'))
			l->p++;
		h->shape[h->ndim++] = v;
		if (!peek(l, ')') && expect(l, ',', "between shape entries") < 0)
			return -1;
	}
	l->p++;
	/* Python needs the comma in a 1-tuple: "(3)" is an int, not a shape */
	return 0;
}

/* "<f4": byte order, kind, item size */
static int parse_descr(const char *d, const char *what, struct npy_header *h)
{
	const char *p = d;
	char order = '=';
	if (*p == '<' || *p == '>' || *p == '|' || *p == '=')
		order = *p++;
	h->kind = *p ? *p++ : '\0';
	if (h->kind == 'O') {
		err_set("%s: is an object array (dtype %s: pickled Python objects); rnr reads "
			"numeric arrays only: save a.astype(np.float32)", what, d);
		return -1;
	}
	if (!strchr("biufcSUV", h->kind) || !h->kind) {
		err_set("%s: dtype '%s' is not one rnr can read (expected e.g. '<f4', '<f8', "
			"'<i8')", what, d);
		return -1;
	}
	char *end;
	errno = 0;
	unsigned long size = strtoul(p, &end, 10);
	if (end == p || *end || errno || size == 0 || size > 64) {
		err_set("%s: dtype '%s' is not one rnr can read (expected e.g. '<f4', '<f8', "
			"'<i8')", what, d);
		return -1;
	}
	h->itemsize = size;
	int little = order == '<' || (order == '=' && host_is_little()) || order == '|';
	h->swap = size > 1 && little != host_is_little();
	return 0;
}

/* count and data bytes of the shape, refusing overflow */
static int size_of(struct npy_header *h, const char *what)
{
	uint64_t count = 1;
	for (size_t i = 0; i < h->ndim; i++) {
		if (h->shape[i] && count > UINT64_MAX / h->shape[i]) {
			err_set("%s: .npy shape overflows 64 bits", what);
			return -1;
		}
		count *= h->shape[i];
	}
	if (count > UINT64_MAX / h->itemsize) {
		err_set("%s: .npy shape overflows 64 bits", what);
		return -1;
	}
	h->count = count;
	h->data_bytes = count * h->itemsize;
	return 0;
}

int npy_parse_header(const unsigned char *buf, size_t len, const char *what,
		     struct npy_header *h)
{
	size_t need;
	memset(h, 0, sizeof *h);
	if (npy_header_size(buf, len, what, &need) < 0)
		return -1;
	if (len < need) {
		err_set("%s: truncated: its .npy header needs %zu bytes, the file has %zu", what,
			need, len);
		return -1;
	}
	h->major = buf[6];
	h->minor = buf[7];
	h->data_offset = need;
	struct lex l = { (const char *)buf + (h->major == 1 ? 10 : 12), (const char *)buf + need,
			 what };
	for (const char *c = l.p; c < l.end; c++)
		if (*c == '\0' || (h->major < 3 && (unsigned char)*c >= 0x80)) {
			err_set("%s: .npy %d.0 header holds a %s byte", what, h->major,
				*c ? "non-ASCII" : "NUL");
			return -1;
		}
	int seen[3] = { 0, 0, 0 };
	static const char *const keys[3] = { "descr", "fortran_order", "shape" };
	char key[32], descr[sizeof h->descr + 32];
	if (expect(&l, '{', "at the start of the header dict") < 0)
		return -1;
	while (!peek(&l, '}')) {
		if (lex_string(&l, key, sizeof key, "as a dict key") < 0 ||
		    expect(&l, ':', "after a dict key") < 0)
			return -1;
		int k = 0;
		while (k < 3 && strcmp(key, keys[k]) != 0)
			k++;
		if (k == 3 || seen[k]) {
			err_set("%s: .npy header has %s key '%s' (expected exactly descr, "
				"fortran_order, shape)", what, k == 3 ? "an unknown" : "a repeated",
				key);
			return -1;
		}
		seen[k] = 1;
		if (k == 0 && peek(&l, '[')) {
			err_set("%s: is a structured array (a dtype with fields); rnr reads plain "
				"numeric arrays: save each field as its own array", what);
			return -1;
		}
		int rc = k == 0 ? lex_string(&l, descr, sizeof descr, "for descr")
		       : k == 1 ? lex_bool(&l, &h->fortran_order) : lex_shape(&l, h);
		if (rc < 0)
			return -1;
		if (!peek(&l, '}') && expect(&l, ',', "between dict entries") < 0)
			return -1;
	}
	l.p++;
	skip_space(&l);
	if (l.p != l.end) {
		err_set("%s: malformed .npy header: text after the dict", what);
		return -1;
	}
	for (int k = 0; k < 3; k++)
		if (!seen[k]) {
			err_set("%s: .npy header lacks the key '%s'", what, keys[k]);
			return -1;
		}
	if (strlen(descr) >= sizeof h->descr) {
		err_set("%s: dtype '%s' is not one rnr can read", what, descr);
		return -1;
	}
	strcpy(h->descr, descr);
	return parse_descr(descr, what, h) < 0 ? -1 : size_of(h, what);
}

/* ---- reading ------------------------------------------------------------------ */

static int read_at(const struct npy_src *s, uint64_t at, void *buf, size_t n)
{
	if (fseeko(s->f, (off_t)(s->off + at), SEEK_SET) != 0 || fread(buf, 1, n, s->f) != n) {
		err_set("%s: cannot read %zu bytes at offset %" PRIu64 ": %s", s->what, n,
			s->off + at, ferror(s->f) ? strerror(errno) : "unexpected end of file");
		return -1;
	}
	if (s->crc)
		*s->crc = crc32_update(*s->crc, buf, n);
	return 0;
}

int npy_read_header(const struct npy_src *src, struct npy_header *h)
{
	unsigned char pre[NPY_PREFIX];
	size_t n = src->len < NPY_PREFIX ? (size_t)src->len : NPY_PREFIX, need;
	if (src->crc)
		*src->crc = 0;
	if (read_at(src, 0, pre, n) < 0)
		return -1;
	if (npy_header_size(pre, n, src->what, &need) < 0)
		return -1;
	if (need > src->len) {
		err_set("%s: truncated: its .npy header needs %zu bytes, there are %" PRIu64,
			src->what, need, src->len);
		return -1;
	}
	unsigned char *buf = malloc(need);
	if (!buf) {
		err_nomem(src->what, need);
		return -1;
	}
	/* a 1.0 prefix is 10 bytes: pre may hold more than the header needs */
	size_t have_pre = n < need ? n : need;
	memcpy(buf, pre, have_pre);
	int rc = read_at(src, have_pre, buf + have_pre, need - have_pre);
	if (rc == 0)
		rc = npy_parse_header(buf, need, src->what, h);
	free(buf);
	if (rc < 0)
		return -1;
	uint64_t have = src->len - h->data_offset;
	if (h->data_bytes != have) {
		char shape[256];
		size_t k = 0;
		for (size_t i = 0; i < h->ndim && k < sizeof shape - 24; i++)
			k += (size_t)snprintf(shape + k, sizeof shape - k, "%s%" PRIu64,
					      i ? ", " : "", h->shape[i]);
		shape[k] = '\0';
		err_set("%s: header says shape (%s) of %s, %" PRIu64 " bytes of data, but %s "
			"%" PRIu64 " bytes follow the header%s", src->what, shape, h->descr,
			h->data_bytes, h->data_bytes > have ? "only" : "", have,
			h->data_bytes > have ? " (truncated?)" : "");
		return -1;
	}
	return 0;
}

static void swap_bytes(unsigned char *p, size_t size)
{
	for (size_t i = 0; i < size / 2; i++) {
		unsigned char t = p[i];
		p[i] = p[size - 1 - i];
		p[size - 1 - i] = t;
	}
}

/* the shape as "[3 x 4]" for messages */
static void shape_text(const struct npy_header *h, char *buf, size_t cap)
{
	size_t k = (size_t)snprintf(buf, cap, "[");
	for (size_t i = 0; i < h->ndim && k + 24 < cap; i++)
		k += (size_t)snprintf(buf + k, cap - k, "%s%" PRIu64, i ? " x " : "", h->shape[i]);
	snprintf(buf + k, cap - k, "]");
}

/* Call each(items, n, first, ctx) for the data in file order, in chunks
 * of about a MiB holding items first..first+n-1, already in host order. */
static int for_each_chunk(const struct npy_src *src, const struct npy_header *h,
			  int (*each)(const unsigned char *items, size_t n, uint64_t first,
				      void *ctx), void *ctx)
{
	enum { CHUNK = 1 << 20 };
	size_t per = CHUNK / h->itemsize;
	unsigned char *buf = malloc(per * h->itemsize);
	if (!buf) {
		err_nomem(src->what, per * h->itemsize);
		return -1;
	}
	int rc = 0;
	for (uint64_t i = 0; i < h->count && rc == 0;) {
		size_t n = h->count - i < per ? (size_t)(h->count - i) : per;
		rc = read_at(src, h->data_offset + i * h->itemsize, buf, n * h->itemsize);
		for (size_t k = 0; h->swap && k < n; k++)
			swap_bytes(buf + k * h->itemsize, h->itemsize);
		if (rc == 0)
			rc = each(buf, n, i, ctx);
		i += n;
	}
	free(buf);
	return rc;
}

static int put_floats(const unsigned char *items, size_t n, uint64_t first, void *ctx)
{
	memcpy((float *)ctx + first, items, n * sizeof(float));
	return 0;
}

static int put_doubles(const unsigned char *items, size_t n, uint64_t first, void *ctx)
{
	float *dst = (float *)ctx + first;
	for (size_t k = 0; k < n; k++) {
		double v;
		memcpy(&v, items + k * sizeof v, sizeof v);
		dst[k] = (float)v;
	}
	return 0;
}

int npy_read_matrix(const struct npy_src *src, struct mat *m)
{
	struct npy_header h;
	char shape[128];
	if (npy_read_header(src, &h) < 0)
		return -1;
	shape_text(&h, shape, sizeof shape);
	if (h.kind != 'f' || (h.itemsize != 4 && h.itemsize != 8)) {
		err_set("%s: dtype %s; features must be float32 or float64 (save "
			"a.astype(np.float32))", src->what, h.descr);
		return -1;
	}
	if (h.ndim != 2) {
		err_set("%s: features must be 2-D [rows, dim], found %zu-D %s%s", src->what,
			h.ndim, shape, h.ndim == 1 ? " (one value per row: a.reshape(-1, 1))" : "");
		return -1;
	}
	if (h.shape[0] == 0 || h.shape[1] == 0) {
		err_set("%s: is empty %s", src->what, shape);
		return -1;
	}
	/* the sizes were checked against the bytes present, so they fit memory
	 * as far as the file itself does */
	size_t rows = (size_t)h.shape[0], cols = (size_t)h.shape[1];
	struct mat t;
	if (mat_init(&t, h.fortran_order ? cols : rows, h.fortran_order ? rows : cols,
		     src->what) < 0)
		return -1;
	if (for_each_chunk(src, &h, h.itemsize == 4 ? put_floats : put_doubles, t.data) < 0) {
		mat_free(&t);
		return -1;
	}
	if (!h.fortran_order) {
		*m = t;
		return 0;
	}
	/* column-major on disk: t holds the transpose */
	if (mat_init(m, rows, cols, src->what) < 0) {
		mat_free(&t);
		return -1;
	}
	for (size_t i = 0; i < rows; i++)
		for (size_t j = 0; j < cols; j++)
			m->data[i * cols + j] = t.data[j * rows + i];
	mat_free(&t);
	return 0;
}

struct label_ctx {
	const struct npy_header *h;
	int64_t *y;
	const char *what;
};

static int put_label(const unsigned char *item, uint64_t i, struct label_ctx *c)
{
	uint64_t u = 0;
	memcpy(&u, item, c->h->itemsize); /* host little-endian: low bytes first */
	if (!host_is_little())
		u >>= 64 - 8 * c->h->itemsize;
	int64_t v;
	if (c->h->kind == 'i' && c->h->itemsize < 8) {
		uint64_t sign = (uint64_t)1 << (8 * c->h->itemsize - 1);
		v = (int64_t)((u ^ sign) - sign);
	} else if (c->h->kind == 'u' && u > INT64_MAX) {
		err_set("%s: row %" PRIu64 " has label %" PRIu64 ", beyond int64", c->what, i, u);
		return -1;
	} else {
		v = (int64_t)u;
	}
	if (v < 0) {
		err_set("%s: row %" PRIu64 " has label %" PRId64 "; labels must be 0 or more",
			c->what, i, v);
		return -1;
	}
	c->y[i] = v;
	return 0;
}

static int put_labels(const unsigned char *items, size_t n, uint64_t first, void *ctx)
{
	struct label_ctx *c = ctx;
	for (size_t k = 0; k < n; k++)
		if (put_label(items + k * c->h->itemsize, first + k, c) < 0)
			return -1;
	return 0;
}

int npy_read_labels(const struct npy_src *src, int64_t **labels, size_t *n)
{
	struct npy_header h;
	char shape[128];
	if (npy_read_header(src, &h) < 0)
		return -1;
	shape_text(&h, shape, sizeof shape);
	if ((h.kind != 'i' && h.kind != 'u') || h.itemsize > 8 ||
	    (h.itemsize & (h.itemsize - 1))) {
		err_set("%s: labels must be integers, found dtype %s (save "
			"y.astype(np.int64))", src->what, h.descr);
		return -1;
	}
	if (h.ndim != 1) {
		err_set("%s: labels must be 1-D [rows], found %zu-D %s", src->what, h.ndim, shape);
		return -1;
	}
	size_t count = (size_t)h.count;
	int64_t *y = malloc(count ? count * sizeof *y : 1);
	if (!y) {
		err_nomem(src->what, count * sizeof *y);
		return -1;
	}
	struct label_ctx c = { &h, y, src->what };
	if (for_each_chunk(src, &h, put_labels, &c) < 0) {
		free(y);
		return -1;
	}
	*labels = y;
	*n = count;
	return 0;
}

static int has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext);
	return n > e && strcasecmp(path + n - e, ext) == 0;
}

int npy_is_npy_path(const char *path)
{
	return has_ext(path, ".npy");
}

int npy_is_npz_path(const char *path)
{
	return has_ext(path, ".npz");
}

/* ---- writing ------------------------------------------------------------------ */

int npy_write(FILE *f, const char *what, const char *descr, size_t ndim,
	      const size_t *shape, const void *data)
{
	char dict[1024], dims[900] = "";
	size_t k = 0, count = 1, itemsize = (size_t)atoi(descr + 2);
	for (size_t i = 0; i < ndim && k < sizeof dims - 32; i++) {
		k += (size_t)snprintf(dims + k, sizeof dims - k, "%zu,%s", shape[i],
				      i + 1 < ndim ? " " : "");
		count *= shape[i];
	}
	/* numpy writes "(3,)" for 1-D and "(3, 4)" for 2-D */
	if (ndim > 1 && k > 0 && dims[k - 1] == ',')
		dims[--k] = '\0';
	char order = host_is_little() ? '<' : '>';
	int len = snprintf(dict, sizeof dict, "{'descr': '%c%s', 'fortran_order': False, "
			   "'shape': (%s), }", order, descr + 1, dims);
	/* pad with spaces to a multiple of 64, then '\n', as numpy does */
	size_t prefix = 10, total = prefix + (size_t)len + 1;
	if (total > 65535 + 10)
		prefix = 12;
	size_t padded = (prefix + (size_t)len + 1 + 63) / 64 * 64;
	size_t hlen = padded - prefix;
	unsigned char pre[12];
	memcpy(pre, magic, sizeof magic);
	pre[6] = prefix == 10 ? 1 : 2;
	pre[7] = 0;
	for (size_t i = 0; i < prefix - 8; i++)
		pre[8 + i] = (unsigned char)(hlen >> (8 * i));
	int ok = fwrite(pre, 1, prefix, f) == prefix &&
		 fwrite(dict, 1, (size_t)len, f) == (size_t)len;
	for (size_t i = prefix + (size_t)len; ok && i + 1 < padded; i++)
		ok = fputc(' ', f) != EOF;
	ok = ok && fputc('\n', f) != EOF && fwrite(data, itemsize, count, f) == count;
	if (!ok) {
		err_set("cannot write %s: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}
