/*
 * quote.h: untrusted bytes made safe to show in a message.  A line read
 * from a file may hold control bytes that would move a terminal's cursor
 * and trailing spaces nobody sees; quoted, both are visible.
 */
#ifndef COMET_QUOTE_H
#define COMET_QUOTE_H

#include <stddef.h>

/*
 * Write s[0..len) into buf[0..size) in double quotes, C-style: \" and
 * \\ for those two, \t \r \n for those, \xHH for any other byte below
 * 0x20 or above 0x7e; printable ASCII as it is.  A quoted form longer
 * than size allows is cut at a whole escape and ends in "...".  Always
 * NUL-terminates (size must be at least 8).  Returns buf.
 */
char	*quote_str(char *, size_t, const char *, size_t);

#endif
