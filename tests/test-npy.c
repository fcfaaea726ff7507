/* test-npy.c - the .npy header parser on hand-made headers (valid ones of
 * each version, and each malformed case refused with a message naming the
 * fault), reading data through npy_read_* (byte order, float64, fortran
 * order, sizes against the bytes present), the writer read back, and the
 * {model}/{split} pattern matcher. */
#include "tap.h"

#include "err.h"
#include "h5-pattern.h"
#include "npy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* prefix + dict for version major, padded like numpy; *len gets the size */
static unsigned char *make_header(int major, const char *dict, size_t *len)
{
	size_t prefix = major == 1 ? 10 : 12, text = strlen(dict);
	size_t total = (prefix + text + 1 + 63) / 64 * 64, hlen = total - prefix;
	unsigned char *b = malloc(total);
	memcpy(b, "\x93NUMPY", 6);
	b[6] = (unsigned char)major;
	b[7] = 0;
	for (size_t i = 0; i < prefix - 8; i++)
		b[8 + i] = (unsigned char)(hlen >> (8 * i));
	memcpy(b + prefix, dict, text);
	memset(b + prefix + text, ' ', hlen - text - 1);
	b[total - 1] = '\n';
	*len = total;
	return b;
}

static int parse(int major, const char *dict, struct npy_header *h)
{
	size_t len;
	unsigned char *b = make_header(major, dict, &len);
	err_clear();
	int rc = npy_parse_header(b, len, "t.npy", h);
	free(b);
	return rc;
}

/* the dict is refused with a message containing want */
static void refused(int major, const char *dict, const char *want, const char *what)
{
	struct npy_header h;
	int rc = parse(major, dict, &h);
	tap_ok(rc < 0 && strstr(err_msg(), want) && strstr(err_msg(), "t.npy"),
	       "refused: %s (%s)", what, err_msg());
}

static void valid_headers(void)
{
	struct npy_header h;
	int rc = parse(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", &h);
	tap_ok(rc == 0 && h.major == 1 && h.kind == 'f' && h.itemsize == 4 && !h.swap &&
	       !h.fortran_order && h.ndim == 2 && h.shape[0] == 3 && h.shape[1] == 4 &&
	       h.count == 12 && h.data_bytes == 48 && h.data_offset == 128,
	       "1.0 <f4 (3, 4): count %llu, bytes %llu, offset %zu", (unsigned long long)h.count,
	       (unsigned long long)h.data_bytes, h.data_offset);
	rc = parse(2, "{'descr': '>f8', 'fortran_order': True, 'shape': (5,), }", &h);
	tap_ok(rc == 0 && h.major == 2 && h.swap && h.fortran_order && h.ndim == 1 &&
	       h.shape[0] == 5 && h.data_bytes == 40, "2.0 >f8 (5,) fortran: swap %d", h.swap);
	rc = parse(3, "{\"shape\": (2L, 3L), \"fortran_order\": False, \"descr\": \"<i8\"}", &h);
	tap_ok(rc == 0 && h.major == 3 && h.kind == 'i' && h.itemsize == 8 && h.count == 6,
	       "3.0, keys in another order, double quotes, Python 2 longs, no trailing comma");
	rc = parse(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (), }", &h);
	tap_ok(rc == 0 && h.ndim == 0 && h.count == 1 && !h.swap, "scalar |u1: count %llu",
	       (unsigned long long)h.count);
	rc = parse(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 7), }", &h);
	tap_ok(rc == 0 && h.count == 0 && h.data_bytes == 0, "empty (0, 7) parses");
}

static void malformed_headers(void)
{
	struct npy_header h;
	unsigned char b[64];
	size_t len;
	unsigned char *ok = make_header(1, "{'descr': '<f4', 'fortran_order': False, "
					"'shape': (3, 4), }", &len);
	memcpy(b, ok, sizeof b);
	b[1] = 'X';
	tap_ok(npy_parse_header(b, sizeof b, "t.npy", &h) < 0 && strstr(err_msg(), "\\x93NUMPY"),
	       "refused: bad magic (%s)", err_msg());
	memcpy(b, ok, sizeof b);
	b[6] = 4;
	tap_ok(npy_parse_header(b, sizeof b, "t.npy", &h) < 0 && strstr(err_msg(), "4.0"),
	       "refused: version 4.0 (%s)", err_msg());
	memcpy(b, ok, sizeof b);
	b[7] = 1;
	tap_ok(npy_parse_header(b, sizeof b, "t.npy", &h) < 0 && strstr(err_msg(), "1.1"),
	       "refused: version 1.1 (%s)", err_msg());
	tap_ok(npy_parse_header(ok, 30, "t.npy", &h) < 0 && strstr(err_msg(), "truncated"),
	       "refused: header cut short (%s)", err_msg());
	tap_ok(npy_parse_header(ok, 8, "t.npy", &h) < 0, "refused: 8 bytes (%s)", err_msg());
	unsigned char big[12] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0, 0, 0, 1 };
	tap_ok(npy_parse_header(big, sizeof big, "t.npy", &h) < 0 &&
	       strstr(err_msg(), "header length"), "refused: 16 MiB header length (%s)",
	       err_msg());
	free(ok);

	/* version-1.0 dicts, each refused with a message containing want */
	static const struct { const char *dict, *want, *what; } bad[] = {
		{ "{'descr': '<f4', 'fortran_order': False}", "'shape'", "missing shape" },
		{ "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}",
		  "unknown key 'x'", "extra key" },
		{ "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3,)}",
		  "repeated key 'descr'", "repeated key" },
		{ "{'descr': '|O', 'fortran_order': False, 'shape': (3,), }",
		  "object array", "object dtype" },
		{ "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,), }",
		  "structured", "structured dtype" },
		{ "{'descr': '<f4', 'fortran_order': 0, 'shape': (3,), }",
		  "True or False", "fortran_order not a bool" },
		{ "{'descr': '<f4', 'fortran_order': False, 'shape': (3, -4), }",
		  "non-negative", "negative dimension" },
		{ "{'descr': '<f4', 'fortran_order': False, 'shape': [3, 4], }",
		  "'('", "shape as a list" },
		{ "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } x",
		  "text after", "text after the dict" },
		{ "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4) ", "','", "unclosed dict" },
		{ "{'descr': '<q', 'fortran_order': False, 'shape': (3,), }",
		  "'<q'", "dtype without a size" },
		{ "{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (3,), }",
		  "M8", "datetime dtype" },
		{ "{'descr': '<f4', 'fortran_order': False, "
		  "'shape': (4294967296, 4294967296, 4294967296), }",
		  "overflows", "size overflow" },
		{ "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
		  "64 bits", "dimension beyond 64 bits" },
		{ "{'descr': '<f4\\n', 'fortran_order': False, 'shape': (3,), }",
		  "escaped", "escape in a string" },
		{ "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\xc3\xa9",
		  "non-ASCII", "UTF-8 in a 1.0 header" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(1, bad[i].dict, bad[i].want, bad[i].what);
}

/* a .npy file in memory: header for dict then data */
static FILE *npy_file(const char *dict, const void *data, size_t n, uint64_t *len)
{
	size_t hl;
	unsigned char *h = make_header(1, dict, &hl);
	FILE *f = tmpfile();
	fwrite(h, 1, hl, f);
	if (n)
		fwrite(data, 1, n, f);
	fflush(f);
	free(h);
	*len = hl + n;
	return f;
}

static void reading(void)
{
	uint64_t len;
	struct mat m;
	/* [2, 3] stored column-major as big-endian float64 */
	double col[6] = { 1, 4, 2, 5, 3, 6 };
	unsigned char be[48];
	for (int i = 0; i < 6; i++)
		for (int k = 0; k < 8; k++)
			be[8 * i + k] = ((unsigned char *)&col[i])[7 - k];
	FILE *f = npy_file("{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }", be,
			   sizeof be, &len);
	struct npy_src src = { f, 0, len, "t.npy", NULL };
	int rc = npy_read_matrix(&src, &m);
	float want[6] = { 1, 2, 3, 4, 5, 6 };
	tap_ok(rc == 0 && m.rows == 2 && m.cols == 3 && !memcmp(m.data, want, sizeof want),
	       "big-endian float64 fortran [2, 3] read as C-order float32 (%s)", err_msg());
	if (rc == 0)
		mat_free(&m);
	src.len = len - 8;
	tap_ok(npy_read_matrix(&src, &m) < 0 && strstr(err_msg(), "only 40 bytes"),
	       "refused: data shorter than the shape (%s)", err_msg());
	fclose(f);

	/* a 1.0 file whose header length is 0: its 10-byte prefix is all the
	 * header there is, though 12 bytes were read to find that out (the
	 * fuzzer's first find: a 12-byte copy into the 10-byte header) */
	unsigned char empty_dict[32] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0, 'x', 'y' };
	f = tmpfile();
	fwrite(empty_dict, 1, sizeof empty_dict, f);
	fflush(f);
	src = (struct npy_src){ f, 0, sizeof empty_dict, "t.npy", NULL };
	struct npy_header h0;
	tap_ok(npy_read_header(&src, &h0) < 0 && strstr(err_msg(), "t.npy: malformed"),
	       "refused: a 1.0 header of length 0 in a longer file (%s)", err_msg());
	fclose(f);

	/* a terabyte claimed by a header of 64 bytes: refused before allocating */
	f = npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1000), }",
		     NULL, 0, &len);
	src = (struct npy_src){ f, 0, len, "t.npy", NULL };
	tap_ok(npy_read_matrix(&src, &m) < 0 && strstr(err_msg(), "4000000000000 bytes"),
	       "refused: 4 TB claimed by a 64-byte file (%s)", err_msg());
	fclose(f);

	int16_t y16[4] = { 0, 2, 1, 7 };
	f = npy_file("{'descr': '<i2', 'fortran_order': False, 'shape': (4,), }", y16,
		     sizeof y16, &len);
	src = (struct npy_src){ f, 0, len, "t.npy", NULL };
	int64_t *y = NULL;
	size_t n = 0;
	rc = npy_read_labels(&src, &y, &n);
	tap_ok(rc == 0 && n == 4 && y[0] == 0 && y[1] == 2 && y[3] == 7, "int16 labels to int64");
	free(y);
	fclose(f);
	int8_t neg[3] = { 1, -1, 0 };
	f = npy_file("{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }", neg,
		     sizeof neg, &len);
	src = (struct npy_src){ f, 0, len, "t.npy", NULL };
	tap_ok(npy_read_labels(&src, &y, &n) < 0 && strstr(err_msg(), "row 1 has label -1"),
	       "refused: negative label, row named (%s)", err_msg());
	fclose(f);
	float fl[3] = { 0, 1, 2 };
	f = npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", fl,
		     sizeof fl, &len);
	src = (struct npy_src){ f, 0, len, "t.npy", NULL };
	tap_ok(npy_read_labels(&src, &y, &n) < 0 && strstr(err_msg(), "must be integers"),
	       "refused: float labels (%s)", err_msg());
	tap_ok(npy_read_matrix(&src, &m) < 0 && strstr(err_msg(), "2-D"),
	       "refused: 1-D features (%s)", err_msg());
	fclose(f);
}

static void writing(void)
{
	float v[6] = { 1.5f, -2, 3, 4, 5, 6.25f };
	size_t shape[2] = { 3, 2 };
	FILE *f = tmpfile();
	int rc = npy_write(f, "t.npy", "<f4", 2, shape, v);
	fflush(f);
	long len = ftell(f);
	struct npy_src src = { f, 0, (uint64_t)len, "t.npy", NULL };
	struct npy_header h;
	struct mat m;
	tap_ok(rc == 0 && len % 64 == 24 && npy_read_header(&src, &h) == 0 &&
	       h.data_offset % 64 == 0 && h.ndim == 2 && h.shape[0] == 3,
	       "written header is 64-byte aligned, shape (3, 2) (%s)", err_msg());
	rc = npy_read_matrix(&src, &m);
	tap_ok(rc == 0 && m.rows == 3 && m.cols == 2 && !memcmp(m.data, v, sizeof v),
	       "written float32 [3, 2] reads back bit for bit");
	if (rc == 0)
		mat_free(&m);
	fclose(f);
}

static void patterns(void)
{
	char *m = NULL, *s = NULL;
	int w = pat_match("f/{model}_{split}.h5", "f/simclr_train.h5", &m, &s);
	tap_ok(w == 1 && m && s && !strcmp(m, "simclr") && !strcmp(s, "train"),
	       "pattern: f/simclr_train.h5 gives simclr, train");
	free(m);
	free(s);
	w = pat_match("{model}_{split}", "byol_v2_train", &m, &s);
	tap_ok(w == 2, "pattern: byol_v2_train is ambiguous (%d ways)", w);
	free(m);
	free(s);
	w = pat_match("/{split}/{model}", "/train/x/y", &m, &s);
	tap_ok(w == 0, "pattern: a placeholder does not cross '/'");
	w = pat_match("{model}/{model}.npy", "a/b.npy", &m, NULL);
	tap_ok(w == 0, "pattern: a repeated placeholder must repeat its value");
	/* names come from files: a long one must not recurse once per
	 * character (it did; 4 MB of name overflowed the stack of an -O0
	 * build, where no tail call is turned into a jump) */
	size_t big = 4u << 20;
	char *name = malloc(big + 8), *pat = malloc(big + 16);
	memset(name, 'x', big);
	strcpy(name + big, "_a.npy");
	memset(pat, 'x', big);
	strcpy(pat + big, "_{model}.npy");
	w = pat_match(pat, name, &m, NULL);
	tap_ok(w == 1 && m && !strcmp(m, "a"), "pattern: a 4 MB name matches (%d ways)", w);
	free(m);
	free(name);
	free(pat);
	char *t = pat_subst("f/{model}_{split}_{model}", "a", NULL);
	tap_ok(t && !strcmp(t, "f/a_{split}_a"), "subst: %s", t ? t : "(null)");
	free(t);
}

int main(void)
{
	valid_headers();
	malformed_headers();
	reading();
	writing();
	patterns();
	return tap_done();
}
