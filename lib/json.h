/*
 * json.h: the little JSON (RFC 8259) that cometd needs.  An escaper that
 * turns any bytes into the contents of a JSON string, and a reader for
 * one flat object, enough for a JWT header and claims: it walks the
 * members and hands out each value's type and text; strings and integers
 * are decoded on request.  Nothing allocates, nothing reads past the
 * length given, nothing is NUL-terminated.
 */
#ifndef COMET_JSON_H
#define COMET_JSON_H

#include <stddef.h>
#include <sys/types.h>

/* Deepest nesting accepted: the object read is depth 1. */
#define JSON_MAXDEPTH	16

enum json_type {
	JSON_STRING,
	JSON_NUMBER,
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL,
	JSON_OBJECT,
	JSON_ARRAY
};

/* The members of one object; set up by json_obj_init. */
struct json_obj {
	const char	*jo_buf;	/* the caller's text */
	size_t		 jo_len;
	size_t		 jo_off;	/* where to look for the next member */
};

/* One member: spans into the caller's text, as written. */
struct json_member {
	const char	*jm_name;	/* the name token, quotes kept */
	size_t		 jm_namelen;
	enum json_type	 jm_type;
	const char	*jm_val;	/* the value token, as written */
	size_t		 jm_vallen;
};

/*
 * Write the contents of a JSON string (without the surrounding quotes)
 * for the bytes src[0..len) into dst[0..cap).  '"' and '\\' are
 * escaped, \n \r \t get their short escapes, other controls and DEL
 * become \u00XX, well-formed UTF-8 is copied, and each maximal
 * ill-formed subsequence (see utf8_next) becomes \ufffd, so the output
 * is always valid UTF-8 JSON.
 * Returns the length of the whole escaped text, like snprintf; only
 * whole escapes are written and the output is complete only if the
 * return is <= cap.  No NUL is written.  dst may be NULL if cap is 0.
 */
size_t	json_escape(const void *, size_t, char *, size_t);

/* The length json_escape would return, without writing anything. */
size_t	json_escape_len(const void *, size_t);

/*
 * Check that buf[0..len) is exactly one JSON object, with optional
 * whitespace around it and nothing else, and start walking its members.
 * The whole text is checked here (syntax, nesting at most JSON_MAXDEPTH,
 * UTF-8 and escapes in every string, a \u surrogate only as a pair), so
 * walking cannot fail.  Returns 0, or -1 with errno EINVAL.
 */
int	json_obj_init(struct json_obj *, const char *, size_t);

/*
 * The next member, in text order, into *m.  Returns 1, or 0 when there
 * are no more.  Duplicate names are all reported; deciding is the
 * caller's business.
 */
int	json_obj_next(struct json_obj *, struct json_member *);

/*
 * Decode a string token tok[0..len), quotes included (a jm_name, or a
 * jm_val of type JSON_STRING), into dst[0..cap): every escape, \uXXXX
 * surrogate pairs into one UTF-8 sequence.  The result may contain NUL
 * bytes (from \u0000).  Returns its length, or -1 with errno EINVAL if
 * tok is not a well-formed string (raw control character, bad escape,
 * unpaired surrogate, invalid UTF-8), else ENOSPC if it does not fit.
 */
ssize_t	json_string_decode(const char *, size_t, char *, size_t);

/* 1 if the string token tok[0..len) decodes to exactly s, else 0. */
int	json_string_eq(const char *, size_t, const char *);

/*
 * The number token tok[0..len) (a jm_val of type JSON_NUMBER) as an
 * integer into *out.  A fraction or exponent is accepted and the value
 * truncated toward zero, as C converts a double: 1.9 is 1, -1.9 is -1,
 * 15e-1 is 1, 1e3 is 1000.  Returns 0, or -1 with errno EINVAL if tok is
 * not a JSON number, ERANGE if the integer part does not fit.
 */
int	json_number_ll(const char *, size_t, long long *);

#endif
