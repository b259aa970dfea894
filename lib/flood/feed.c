/*
 * feed.c: read the flood's URL list, one line at a time, from files or
 * stdin, without blocking the caller's event loop.  Lines are returned
 * in place in one buffer, with their number for error messages.
 *
 * The buffer is mapped with MADV_DONTFORK: the flood forks its workers
 * while reading, and a worker must not inherit (and be charged for) the
 * parent's input.
 */
#include <sys/mman.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "feed.h"

/* Set up reading fds[0..n) in order.  Returns 0, or -1 with errno. */
int
feed_init(struct feed *fe, int *fds, const char **names, int n)
{
	memset(fe, 0, sizeof(*fe));
	fe->fe_fds = fds;
	fe->fe_names = names;
	fe->fe_n = n;
	fe->fe_buf = mmap(NULL, FEED_BUFSZ, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fe->fe_buf == MAP_FAILED)
		return -1;
	(void)madvise(fe->fe_buf, FEED_BUFSZ, MADV_DONTFORK);
	return 0;
}

/* Returns the fd to wait on for FEED_MORE, or -1 after FEED_EOF. */
int
feed_fd(const struct feed *fe)
{
	return fe->fe_cur < fe->fe_n ? fe->fe_fds[fe->fe_cur] : -1;
}

/* Returns the name of the input the last line came from. */
const char *
feed_name(const struct feed *fe)
{
	return fe->fe_names[fe->fe_cur < fe->fe_n ? fe->fe_cur : fe->fe_n - 1];
}

/* Move on to the next input once this one is used up. */
static void
feed_next(struct feed *fe)
{
	if (fe->fe_fds[fe->fe_cur] != STDIN_FILENO)
		close(fe->fe_fds[fe->fe_cur]);
	fe->fe_cur++;
	fe->fe_off = fe->fe_len = 0;
	fe->fe_eof = fe->fe_skip = 0;
	fe->fe_line = 0;
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

/*
 * Returns the next line in *line (not terminated, valid until the next
 * call) and *len, or says why there is none yet.
 */
enum feed_res
feed_line(struct feed *fe, char **line, size_t *len)
{
	char *p, *nl;

	while (fe->fe_cur < fe->fe_n) {
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
		if (fe->fe_eof) {
			if (fe->fe_off < fe->fe_len && !fe->fe_skip) {
				fe->fe_off = fe->fe_len;
				return feed_take(fe, p, fe->fe_buf + fe->fe_len,
				    line, len);
			}
			feed_next(fe);
			continue;
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
	return FEED_EOF;
}

/*
 * Read what the current input has.  Returns 0 (end of input included),
 * or -1 with errno on a read error, after which the input counts as
 * ended.
 */
int
feed_fill(struct feed *fe)
{
	ssize_t n;

	if (fe->fe_cur >= fe->fe_n || fe->fe_eof)
		return 0;
	n = read(fe->fe_fds[fe->fe_cur], fe->fe_buf + fe->fe_len,
	    FEED_BUFSZ - fe->fe_len);
	if (n > 0) {
		fe->fe_len += n;
		return 0;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	fe->fe_eof = 1;
	return n == 0 ? 0 : -1;
}
