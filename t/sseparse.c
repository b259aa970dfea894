/*
 * sseparse: an event-stream parser for the tests, after the WHATWG HTML
 * standard's "interpreting an event stream": lines end in CRLF, LF or
 * CR; "data" lines join with LF; "id" sets the last event id (unless it
 * holds a NUL); "event" sets the type; a blank line dispatches an event
 * with data.  Reads a stream's body on stdin, prints one line per event:
 *
 *	type<TAB>last-event-id<TAB>data, with "\" as "\\" and LF as "\n"
 *
 * usage: sseparse [-c] [-n count]
 * -c prints comments too, as "comment<TAB><TAB>text"; -n stops after
 * count events (comments not counted).  Exit 0, or 1 if the stream ended
 * before count events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINEMAX	(1 << 20)

static char	 data[LINEMAX], type[256], lastid[256];
static size_t	 datalen;
static long	 left = -1;
static int	 comments;

static void
put_escaped(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\')
			fputs("\\\\", stdout);
		else if (s[i] == '\n')
			fputs("\\n", stdout);
		else
			putchar(s[i]);
	}
}

static void
dispatch(void)
{
	if (datalen == 0) {
		type[0] = '\0';
		return;
	}
	datalen--;		/* the last LF */
	printf("%s\t%s\t", type[0] ? type : "message", lastid);
	put_escaped(data, datalen);
	putchar('\n');
	fflush(stdout);
	datalen = 0;
	type[0] = '\0';
	if (left > 0 && --left == 0)
		exit(0);
}

/* One field: name[0..n) and its value (after ':' and one space). */
static void
field(const char *name, size_t n, const char *v, size_t vlen)
{
	if (n == 4 && memcmp(name, "data", 4) == 0) {
		if (datalen + vlen + 1 > sizeof(data))
			return;
		memcpy(data + datalen, v, vlen);
		datalen += vlen;
		data[datalen++] = '\n';
	} else if (n == 5 && memcmp(name, "event", 5) == 0) {
		snprintf(type, sizeof(type), "%.*s", (int)vlen, v);
	} else if (n == 2 && memcmp(name, "id", 2) == 0) {
		if (memchr(v, '\0', vlen) == NULL)
			snprintf(lastid, sizeof(lastid), "%.*s", (int)vlen, v);
	}
	/* "retry" and unknown fields change nothing printed here */
}

static void
line(const char *l, size_t n)
{
	const char *colon;
	size_t k;

	if (n == 0) {
		dispatch();
		return;
	}
	if (l[0] == ':') {
		if (comments) {
			fputs("comment\t\t", stdout);
			put_escaped(l + 1, n - 1);
			putchar('\n');
			fflush(stdout);
		}
		return;
	}
	if ((colon = memchr(l, ':', n)) == NULL) {
		field(l, n, "", 0);
		return;
	}
	k = colon - l + 1;
	if (k < n && l[k] == ' ')
		k++;
	field(l, colon - l, l + k, n - k);
}

int
main(int argc, char *argv[])
{
	static char buf[LINEMAX];
	size_t len = 0;
	int ch, cr = 0;

	while ((ch = getopt(argc, argv, "cn:")) != -1) {
		if (ch == 'c')
			comments = 1;
		else if (ch == 'n')
			left = atol(optarg);
		else
			return 2;
	}
	while ((ch = getchar()) != EOF) {
		if (cr && ch == '\n') {	/* the LF of a CRLF */
			cr = 0;
			continue;
		}
		cr = ch == '\r';
		if (ch == '\r' || ch == '\n') {
			line(buf, len);
			len = 0;
		} else if (len < sizeof(buf))
			buf[len++] = (char)ch;
	}
	return left > 0 ? 1 : 0;
}
