/*
 * libFuzzer harness for the send-time stamp finder (lib/flood/stamp.c).
 *
 * The input is one read's bytes.  stamp_next is run over it to the end
 * and must agree with a plain reference scan of every position: the same
 * stamps, with the same values, in order, and a cut one only at the
 * last "t=" whose digits run to the end.  Each call must move forward
 * and stay inside the buffer (an exact-size copy, so ASan sees a read
 * past it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flood/stamp.h"

static int
word(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '_';
}

/*
 * The reference: at "t=" position i (of the '='), the result there:
 * STAMP_FOUND with *v, STAMP_CUT, or STAMP_NONE for no stamp.
 */
static enum stamp_res
ref_at(const char *p, size_t len, size_t i, uint64_t *v)
{
	size_t d = 0;

	if (p[i] != '=' || i == 0 || p[i - 1] != 't' ||
	    (i >= 2 && word((unsigned char)p[i - 2])))
		return STAMP_NONE;
	*v = 0;
	while (i + 1 + d < len && p[i + 1 + d] >= '0' && p[i + 1 + d] <= '9' &&
	    d <= STAMP_DIGITS) {
		*v = *v * 10 + (p[i + 1 + d] - '0');
		d++;
	}
	if (i + 1 + d == len && d <= STAMP_DIGITS)
		return STAMP_CUT;
	return d == STAMP_DIGITS ? STAMP_FOUND : STAMP_NONE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	enum stamp_res res, want;
	uint64_t us, v;
	size_t off = 0, i = 0, prev;
	char *p;

	if ((p = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(p, data, len);
	for (;;) {
		prev = off;
		res = stamp_next(p, len, &off, &us);
		if (off > len || (res != STAMP_NONE && off <= prev))
			abort();
		/* the next stamp the reference sees, from where we were */
		for (want = STAMP_NONE; i < len; i++) {
			/* stamps inside a run of digits already taken are skipped */
			if (i < prev)
				continue;
			if ((want = ref_at(p, len, i, &v)) != STAMP_NONE) {
				i++;
				break;
			}
		}
		if (res != want || (res == STAMP_FOUND && us != v))
			abort();
		if (res == STAMP_NONE)
			break;
	}
	free(p);
	return 0;
}
