/*
 * feed.h: lines from a list of input files, with line numbers, read
 * without blocking the caller's event loop.  An input that cannot be
 * opened or read is reported and skipped, and the next one read, as
 * cat(1) does.
 */
#ifndef COMET_FEED_H
#define COMET_FEED_H

#include <stddef.h>

#define FEED_BUFSZ	65536	/* also the longest line accepted */

struct feed {
	const char	**fe_names;	/* inputs, read in order; "-": stdin */
	int		 fe_n, fe_cur;
	int		 fe_fd;		/* the current input; -1: not open */
	int		 fe_err;	/* errno of the current input's failure */
	unsigned long	 fe_line;	/* line number in the current input */
	char		*fe_buf;
	size_t		 fe_off, fe_len;
	int		 fe_eof;	/* the current input has ended */
	int		 fe_skip;	/* dropping the rest of a long line */
};

enum feed_res {
	FEED_LINE,		/* a line, without its newline (or CRLF) */
	FEED_LONG,		/* a line longer than FEED_BUFSZ, dropped */
	FEED_FAIL,		/* an input could not be opened or read:
				   errno says why, feed_name which; the
				   next call goes on with the next input */
	FEED_MORE,		/* call feed_fill() when feed_fd() is readable */
	FEED_EOF		/* every input has ended */
};

/*
 * Set up reading the n files names[0..n) in order ("-" is standard
 * input); none (n 0) reads standard input.  names must outlive the feed.
 * Opens nothing yet.  Returns 0, or -1 with errno if the buffer cannot
 * be mapped.
 */
int		feed_init(struct feed *, const char **, int);

/*
 * Returns the next line in *line (not terminated, valid until the next
 * call) and *len, or says why there is none: see enum feed_res.  Inputs
 * are opened here, as they are reached.
 */
enum feed_res	feed_line(struct feed *, char **, size_t *);

/*
 * Read what the current input has.  Returns 0; a read error ends the
 * input, and the next feed_line reports it as FEED_FAIL.
 */
int		feed_fill(struct feed *);

/* Returns the fd to wait on after FEED_MORE, or -1 after FEED_EOF. */
int		feed_fd(const struct feed *);

/* Returns the name of the input the last line or failure came from. */
const char	*feed_name(const struct feed *);

#endif
