/*
 * libFuzzer harness for message ids (lib/server/msgid.c), which come
 * from clients in Last-Event-ID, ?last_event_id= and ?since=: any bytes
 * either fail to parse or parse to an id that formats back to the very
 * same bytes, and compares equal to itself and in order with a neighbour.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/msgid.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char buf[MSGID_MAX + 1], *copy;
	struct msgid m, n;

	/* an exact-size copy, so a read past the end is caught */
	if ((copy = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(copy, data, len);
	if (msgid_parse(copy, len, &m) == 0) {
		if (msgid_format(buf, &m) != len || memcmp(buf, copy, len) != 0)
			abort();
		if (msgid_cmp(&m, &m) != 0)
			abort();
		n = m;
		if (n.mi_b < UINT64_MAX) {
			n.mi_b++;
			if (msgid_cmp(&m, &n) >= 0 || msgid_cmp(&n, &m) <= 0)
				abort();
		}
	}
	free(copy);
	return 0;
}
