/*
 * msgid.c: "A-B" message ids.  The parser reads only its input and
 * refuses anything but the one spelling msgid_format writes, so an id
 * read back compares the same as the id written.
 */
#include <stdint.h>
#include <stdio.h>

#include "msgid.h"

/* One decimal part of s[*i..len) up to '-' or the end; -1 if invalid. */
static int
msgid_part(const char *s, size_t len, size_t *i, uint64_t *v)
{
	size_t start = *i;

	*v = 0;
	for (; *i < len && s[*i] >= '0' && s[*i] <= '9'; (*i)++) {
		if (*v > (UINT64_MAX - (uint64_t)(s[*i] - '0')) / 10)
			return -1;
		*v = *v * 10 + (uint64_t)(s[*i] - '0');
	}
	if (*i == start || (s[start] == '0' && *i - start > 1))
		return -1;
	return 0;
}

int
msgid_parse(const char *s, size_t len, struct msgid *id)
{
	size_t i = 0;

	if (len == 0 || len > MSGID_MAX)
		return -1;
	if (msgid_part(s, len, &i, &id->mi_a) == -1 || i == len ||
	    s[i++] != '-')
		return -1;
	if (msgid_part(s, len, &i, &id->mi_b) == -1 || i != len)
		return -1;
	return 0;
}

size_t
msgid_format(char *buf, const struct msgid *id)
{
	return (size_t)snprintf(buf, MSGID_MAX + 1, "%llu-%llu",
	    (unsigned long long)id->mi_a, (unsigned long long)id->mi_b);
}

struct msgid
msgid_prev(const struct msgid *id)
{
	struct msgid p = *id;

	if (p.mi_b > 0)
		p.mi_b--;
	else if (p.mi_a > 0) {
		p.mi_a--;
		p.mi_b = UINT64_MAX;
	}
	return p;
}

int
msgid_cmp(const struct msgid *a, const struct msgid *b)
{
	if (a->mi_a != b->mi_a)
		return a->mi_a < b->mi_a ? -1 : 1;
	if (a->mi_b != b->mi_b)
		return a->mi_b < b->mi_b ? -1 : 1;
	return 0;
}
