/*
 * wsframe.h: WebSocket framing, RFC 6455 section 5, without the
 * handshake.  The server side parses a client frame's header from a
 * buffer and unmasks its payload in pieces; the client side is a
 * streaming decoder whose whole state is 12 bytes, for a load client
 * that holds a million connections and one shared read buffer.  Nothing
 * here allocates, prints or keeps a pointer to the caller's bytes.
 */
#ifndef COMET_WSFRAME_H
#define COMET_WSFRAME_H

#include <stddef.h>
#include <stdint.h>

enum wsframe_op {
	WSFRAME_OP_CONT = 0x0,	/* continuation of a fragmented message */
	WSFRAME_OP_TEXT = 0x1,
	WSFRAME_OP_BINARY = 0x2,
	WSFRAME_OP_CLOSE = 0x8,
	WSFRAME_OP_PING = 0x9,
	WSFRAME_OP_PONG = 0xa
};

/* Close status codes (RFC 6455 section 7.4.1) this module produces. */
#define WSFRAME_NORMAL		1000	/* normal closure */
#define WSFRAME_PROTOCOL	1002	/* protocol error */
#define WSFRAME_NOSTATUS	1005	/* the close frame had no code */
#define WSFRAME_BADDATA		1007	/* a close reason was not UTF-8 */
#define WSFRAME_TOOBIG		1009	/* the payload is over the limit */

#define WSFRAME_HDR_MAX	14	/* longest header: 2 + 8 length + 4 key */
#define WSFRAME_CTL_MAX	125	/* longest control frame payload */

/* Server side: one client frame's header, as wsframe_parse found it. */
struct wsframe_hdr {
	uint64_t	 wh_len;	/* payload length, bytes */
	uint8_t		 wh_key[4];	/* masking key, if wh_masked */
	uint8_t		 wh_fin;	/* 1: the final frame of a message */
	uint8_t		 wh_rsv;	/* RSV1-3 as bits 0x4, 0x2, 0x1 */
	uint8_t		 wh_opcode;	/* enum wsframe_op */
	uint8_t		 wh_masked;	/* 1: MASK bit set */
	uint8_t		 wh_hlen;	/* header bytes (SHORT: len needed) */
	uint16_t	 wh_close;	/* ERROR: the close status to send */
};

enum wsframe_status {
	WSFRAME_OK,		/* a valid header; payload at wh_hlen */
	WSFRAME_SHORT,		/* incomplete: need wh_hlen bytes or more */
	WSFRAME_ERROR		/* fail the connection, status wh_close */
};

/*
 * Parse the header of a client frame at the start of buf[0..len).
 * Returns WSFRAME_OK with *h filled in (the payload is the next wh_len
 * bytes, which may not all be in buf yet); WSFRAME_SHORT when the header
 * is not all there (wh_hlen is then the least len that can make
 * progress: 2, or the exact header length once byte 1 is in); or
 * WSFRAME_ERROR with wh_close set: 1002 for an unmasked frame, any RSV
 * bit (no extension is ever negotiated), a reserved opcode, a control
 * frame that is fragmented or longer than 125 bytes, a 64-bit length
 * with its top bit set, or a length not in its shortest form (RFC 6455
 * 5.2 says MUST; such frames are refused); 1009 when the length exceeds
 * max.  Each error is found once the bytes it rests on are in, in stream
 * order, so a prefix of the input gives SHORT or the same answer.  The
 * order of fragments (a CONT without a message, a TEXT inside one) and
 * the size of a whole fragmented message are the caller's to check.
 */
enum wsframe_status	wsframe_parse(const void *, size_t, uint64_t,
			    struct wsframe_hdr *);

/*
 * XOR buf[0..len) in place with the masking key, as bytes off..off+len
 * of the payload: unmasks (or masks) a payload that arrives in pieces.
 */
void	wsframe_unmask(void *, size_t, const uint8_t [4], uint64_t);

/*
 * Check a close frame's payload of len bytes: empty, or a 2-byte status
 * code and a UTF-8 reason.  Returns 0 when it is valid, and sets *code to
 * the peer's status (1005 if there was none); otherwise returns the close
 * status to answer with: 1002 for a 1-byte or over-long payload or a
 * code that must not appear on the wire (below 1000, 1004-1006,
 * 1015-2999 but for the registered 1007-1014, 5000 and up), 1007 for a
 * reason that is not valid UTF-8.
 */
int	wsframe_close_check(const void *, size_t, unsigned *);

/*
 * Write a frame header for a payload of len bytes into buf, which has
 * room for WSFRAME_HDR_MAX bytes: 2, 4 or 10 bytes, plus the 4-byte key
 * when key is not NULL (a client's frame; the caller masks the payload
 * with wsframe_unmask).  Returns the header length, or 0 (nothing
 * written) for a frame wsframe_parse would refuse whatever the mask: an
 * undefined opcode, a control frame without fin or over 125 bytes, or a
 * length of 2^63 or more.
 */
size_t	wsframe_header(void *, int, unsigned, uint64_t, const uint8_t *);

/*
 * Write a close frame's payload into buf, which has room for
 * WSFRAME_CTL_MAX bytes: the code in network order, then the reason,
 * cut at 123 bytes on a UTF-8 character boundary.  Code 0 means no code
 * and gives an empty payload.  Returns the payload length, or -1 with
 * errno EINVAL for a code that must not be sent (see wsframe_close_check).
 */
int	wsframe_close_build(void *, unsigned, const void *, size_t);

/*
 * Client side: the whole state of one connection's incoming frames,
 * 12 bytes and no buffer.  Bytes are fed as they arrive, split anywhere,
 * and looked at once; payload is skipped in one step.
 */
struct wsframe_dec {
	uint32_t	 wd_left;	/* payload bytes left, low 32 bits */
	uint32_t	 wd_hi;		/* data frame: high 32 bits of wd_left;
					   control frame: its payload length
					   (close: of the reason) */
	uint16_t	 wd_aux;	/* length bytes due, or close code */
	uint8_t		 wd_state;	/* enum in wsframe.c */
	uint8_t		 wd_flags;	/* opcode in the low 4 bits, flags */
};
_Static_assert(sizeof(struct wsframe_dec) == 12, "wsframe_dec is 12 bytes");

/* What one wsframe_feed call reports, besides its event. */
struct wsframe_piece {
	const char	*wp_data;	/* payload in the buffer just fed */
	size_t		 wp_len;	/* bytes at wp_data */
	unsigned	 wp_total;	/* PING, PONG: whole payload length;
					   CLOSE: whole reason length */
	unsigned	 wp_code;	/* CLOSE: the status, 1005 if none */
};

enum wsframe_ev {
	WSFRAME_MORE,		/* all bytes used, nothing to report */
	WSFRAME_DATA,		/* a piece of a message's payload */
	WSFRAME_MESSAGE,	/* a message ended; its last piece */
	WSFRAME_PING,		/* a ping ended: answer with a pong */
	WSFRAME_PONG,		/* a pong ended */
	WSFRAME_CLOSE,		/* a close frame ended */
	WSFRAME_BAD		/* a protocol error: close with 1002 */
};

/* Start a connection's decoder. */
void		wsframe_dec_init(struct wsframe_dec *);

/*
 * Feed len bytes of the server's stream.  Returns at the first event,
 * with *used set to the bytes consumed and *piece describing it:
 * WSFRAME_DATA and WSFRAME_MESSAGE give the payload bytes of a text,
 * binary or continuation frame that lie in p[0..len) up to *used (so
 * every payload byte is shown once, in order; DATA only when there is at
 * least one); MESSAGE is reported once per message, at the end of its
 * final frame.  PING, PONG and CLOSE come at the end of their frame, with
 * the part of the payload (of a close: of the reason) that lies in this
 * buffer: all of it when wp_len == wp_total.  WSFRAME_MORE means every
 * byte was used.  WSFRAME_BAD comes for a masked frame, RSV bits, a
 * reserved opcode, a fragmented or over-long control frame, a length not
 * in shortest form or with its top bit set, a continuation outside a
 * message or a new message inside one, a 1-byte close payload, and any
 * byte after the close frame; after it every call returns WSFRAME_BAD.
 */
enum wsframe_ev	wsframe_feed(struct wsframe_dec *, const char *, size_t,
		    size_t *, struct wsframe_piece *);

#endif
