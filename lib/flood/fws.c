/*
 * fws.c: the WebSocket side of a flood connection (RFC 6455): the
 * accept value its key must get back, and the server's frames after the
 * 101, counted as messages.  The client only ever sends control frames:
 * a pong for each ping and a close for a close, masked as section 5.3
 * requires.
 *
 * A ping's payload is echoed from the read it ended in.  The flood keeps
 * no bytes between reads, so when part of a ping's payload came in an
 * earlier read (rare: cometd's pings are empty) the pong goes out empty,
 * which section 5.5.3 allows as an unsolicited pong: a server that only
 * waits for some pong is satisfied, one that compares payloads is not.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "sha1.h"
#include "worker.h"

#define WS_GUID		"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_KEY_HDR	"Sec-WebSocket-Key: "
#define WS_KEY_LEN	24	/* base64 of 16 bytes */

uint32_t
fws_expect(const char *req, size_t len)
{
	static const char hdr[] = WS_KEY_HDR;
	char accept[BASE64_LEN(SHA1_LEN)];
	uint8_t md[SHA1_LEN];
	struct sha1 sh;
	const char *k;

	k = memmem(req, len, hdr, sizeof(hdr) - 1);
	if (k == NULL || (size_t)(req + len - k) < sizeof(hdr) - 1 +
	    WS_KEY_LEN)
		return 0;
	sha1_init(&sh);
	sha1_update(&sh, k + sizeof(hdr) - 1, WS_KEY_LEN);
	sha1_update(&sh, WS_GUID, sizeof(WS_GUID) - 1);
	sha1_final(&sh, md);
	return reader_hash(accept, base64_encode(md, SHA1_LEN, accept));
}

/*
 * Send a control frame op with payload p[0..len) (len <= 125), masked
 * with a fresh key.  Returns 0, or -1 if the socket did not take it all.
 */
static int
fws_send(struct flood *f, int fd, int op, const char *p, size_t len)
{
	char frame[WSFRAME_HDR_MAX + WSFRAME_CTL_MAX];
	uint32_t r = flood_rand(f);
	uint8_t key[4];
	size_t h;

	memcpy(key, &r, sizeof(key));
	if ((h = wsframe_header(frame, 1, op, len, key)) == 0)
		return -1;
	memcpy(frame + h, p, len);
	wsframe_unmask(frame + h, len, key, 0);
	return write(fd, frame, h + len) == (ssize_t)(h + len) ? 0 : -1;
}

/* The server closed with code: answer as RFC 6455 5.5.1 asks, and end. */
static void
fws_close(struct flood *f, int fd, unsigned code)
{
	char pay[WSFRAME_CTL_MAX];
	int n;

	/* 1005 (no code) and the like are not sent back: close with none */
	if ((n = wsframe_close_build(pay, code, NULL, 0)) < 0)
		n = 0;
	(void)fws_send(f, fd, WSFRAME_OP_CLOSE, pay, n);
	snprintf(f->f_why, sizeof(f->f_why), "close %u", code);
	fconn_close(f, fd, f->f_why);
}

int
fws_feed(struct flood *f, int fd, const char *p, size_t n)
{
	struct fconn *c = &f->f_conn[fd];
	struct wsframe_piece pc;
	enum wsframe_ev ev;
	size_t used;

	while (n > 0) {
		ev = wsframe_feed(&c->fc_ws, p, n, &used, &pc);
		if (used == 0 && ev != WSFRAME_BAD)
			ev = WSFRAME_BAD;	/* no progress: never loop */
		switch (ev) {
		case WSFRAME_MORE:
		case WSFRAME_DATA:
		case WSFRAME_PONG:
			break;
		case WSFRAME_MESSAGE:
			fconn_chunks(f, c, 1);
			break;
		case WSFRAME_PING:
			if (fws_send(f, fd, WSFRAME_OP_PONG, pc.wp_data,
			    pc.wp_len == pc.wp_total ? pc.wp_len : 0) == -1) {
				fconn_close(f, fd, "short write");
				return -1;
			}
			break;
		case WSFRAME_CLOSE:
			fws_close(f, fd, pc.wp_code);
			return -1;
		case WSFRAME_BAD:
			fconn_close(f, fd, "bad framing");
			return -1;
		}
		p += used;
		n -= used;
	}
	return 0;
}
