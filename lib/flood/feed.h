/* feed.h: lines from a list of input files, with line numbers. */
#ifndef COMET_FEED_H
#define COMET_FEED_H

#include <stddef.h>

#define FEED_BUFSZ	65536	/* also the longest line accepted */

struct feed {
	int		*fe_fds;	/* inputs, read in order */
	const char	**fe_names;	/* for messages: "stdin" or a path */
	int		 fe_n, fe_cur;
	unsigned long	 fe_line;	/* line number in the current input */
	char		*fe_buf;
	size_t		 fe_off, fe_len;
	int		 fe_eof;	/* the current input has ended */
	int		 fe_skip;	/* dropping the rest of a long line */
};

enum feed_res {
	FEED_LINE,		/* a line, without its newline */
	FEED_LONG,		/* a line longer than FEED_BUFSZ, dropped */
	FEED_MORE,		/* call feed_fill() when feed_fd() is readable */
	FEED_EOF		/* every input has ended */
};

int		feed_init(struct feed *, int *, const char **, int);
enum feed_res	feed_line(struct feed *, char **, size_t *);
int		feed_fill(struct feed *);
int		feed_fd(const struct feed *);
const char	*feed_name(const struct feed *);

#endif
