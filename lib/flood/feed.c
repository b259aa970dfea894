/*
 * feed.c: read the flood's URL list, one line at a time, from files or
 * stdin, without blocking the caller's event loop.  Lines are returned
 * in place in one buffer, with their number for error messages.
 *
 * The buffer is mapped with MADV_DONTFORK: the flood forks its workers
 * while reading, and a worker must not inherit (and be charged for) the
 * parent's input.  Files are opened as they are reached, close-on-exec,
 * so a worker forked meanwhile does not hold them either.
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "feed.h"

static const char *stdin_name[] = { "-" };

int
feed_init(struct feed *fe, const char **names, int n)
{
	memset(fe, 0, sizeof(*fe));
	fe->fe_names = n > 0 ? names : stdin_name;
	fe->fe_n = n > 0 ? n : 1;
	fe->fe_fd = -1;
	fe->fe_buf = mmap(NULL, FEED_BUFSZ, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fe->fe_buf == MAP_FAILED)
		return -1;
	(void)madvise(fe->fe_buf, FEED_BUFSZ, MADV_DONTFORK);
	return 0;
}

int
feed_fd(const struct feed *fe)
{
	return fe->fe_cur < fe->fe_n ? fe->fe_fd : -1;
}

const char *
feed_name(const struct feed *fe)
{
	const char *s;

	s = fe->fe_names[fe->fe_cur < fe->fe_n ? fe->fe_cur : fe->fe_n - 1];
	return strcmp(s, "-") == 0 ? "stdin" : s;
}

/* Move on to the next input once this one is used up. */
static void
feed_next(struct feed *fe)
{
	if (fe->fe_fd > STDIN_FILENO)
		close(fe->fe_fd);
	fe->fe_fd = -1;
	fe->fe_cur++;
	fe->fe_off = fe->fe_len = 0;
	fe->fe_eof = fe->fe_skip = 0;
	fe->fe_err = 0;
	fe->fe_line = 0;
}

/* Open the current input; returns 0, or -1 with errno. */
static int
feed_open(struct feed *fe)
{
	const char *name = fe->fe_names[fe->fe_cur];

	if (strcmp(name, "-") == 0)
		fe->fe_fd = STDIN_FILENO;
	else if ((fe->fe_fd = open(name, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	return 0;
}

/* Hand out [start, end) as a line, without a trailing CR. */
static enum feed_res
feed_take(struct feed *fe, char *start, char *end, char **line,
    size_t *len)
{
	*line = start;
	*len = end - start;
	if (*len > 0 && start[*len - 1] == '\r')
		(*len)--;
	fe->fe_line++;
	return FEED_LINE;
}

/* No newline in the buffer: the last line, the next input, or wait. */
static enum feed_res
feed_partial(struct feed *fe, char **line, size_t *len)
{
	char *p = fe->fe_buf + fe->fe_off;

	if (fe->fe_eof) {
		if (fe->fe_off < fe->fe_len && !fe->fe_skip) {
			fe->fe_off = fe->fe_len;
			return feed_take(fe, p, fe->fe_buf + fe->fe_len, line,
			    len);
		}
		return FEED_EOF;	/* this input only: the caller moves on */
	}
	memmove(fe->fe_buf, p, fe->fe_len - fe->fe_off);
	fe->fe_len -= fe->fe_off;
	fe->fe_off = 0;
	if (fe->fe_len == FEED_BUFSZ) {
		fe->fe_len = 0;
		if (!fe->fe_skip) {
			fe->fe_skip = 1;
			fe->fe_line++;
			return FEED_LONG;
		}
	}
	return FEED_MORE;
}

enum feed_res
feed_line(struct feed *fe, char **line, size_t *len)
{
	enum feed_res res;
	char *p, *nl;

	while (fe->fe_cur < fe->fe_n) {
		if (fe->fe_fd == -1 && !fe->fe_eof && feed_open(fe) == -1) {
			fe->fe_err = errno;
			fe->fe_eof = 1;
		}
		if (fe->fe_err != 0) {
			errno = fe->fe_err;
			fe->fe_err = 0;
			fe->fe_off = fe->fe_len;	/* drop what is left */
			fe->fe_skip = 1;
			return FEED_FAIL;
		}
		p = fe->fe_buf + fe->fe_off;
		nl = memchr(p, '\n', fe->fe_len - fe->fe_off);
		if (nl != NULL) {
			fe->fe_off = nl + 1 - fe->fe_buf;
			if (fe->fe_skip) {
				fe->fe_skip = 0;
				continue;
			}
			return feed_take(fe, p, nl, line, len);
		}
		if ((res = feed_partial(fe, line, len)) != FEED_EOF)
			return res;
		feed_next(fe);
	}
	return FEED_EOF;
}

int
feed_fill(struct feed *fe)
{
	ssize_t n;

	if (fe->fe_cur >= fe->fe_n || fe->fe_eof || fe->fe_fd == -1)
		return 0;
	n = read(fe->fe_fd, fe->fe_buf + fe->fe_len, FEED_BUFSZ - fe->fe_len);
	if (n > 0) {
		fe->fe_len += n;
		return 0;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	fe->fe_eof = 1;
	if (n == -1)
		fe->fe_err = errno;
	return 0;
}
