/*
 * ep_ws.c: the WebSocket handshake and what subscribers send.
 *
 * A whole frame is handled at once: a part of one stays in the
 * connection's pend as input until the rest comes (a heartbeat sweep
 * closes a connection that keeps a part for more than a period, so no
 * buffer is pinned for ever).  A message sent in fragments keeps its
 * length and UTF-8 state in the pend too (pd_msg*); an idle subscriber
 * has no pend at all.
 */
#include <stdint.h>
#include <string.h>

#include "auth.h"
#include "base64.h"
#include "conn.h"
#include "ep_stream.h"
#include "ep_ws.h"
#include "frame.h"
#include "http.h"
#include "outq.h"
#include "respond.h"
#include "server.h"
#include "sha1.h"
#include "stats.h"
#include "utf8.h"
#include "wsframe.h"

#define WS_GUID		"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* The value of header name, or NULL; *len set. */
static const char *
ws_header(const struct url_req *u, const char *name, size_t *len)
{
	const struct http_hdr *h;

	if ((h = http_find(u->ur_hdrs, u->ur_req->rq_nhdrs, name)) == NULL)
		return NULL;
	*len = h->hh_vallen;
	return h->hh_val;
}

/*
 * Check the upgrade and write Sec-WebSocket-Accept for its key into
 * accept (29 bytes).  Returns 0, or the status to answer: 400, 426.
 */
static int
ws_handshake(const struct url_req *u, char *accept)
{
	char buf[64], key[32];
	uint8_t sha[SHA1_LEN];
	const char *v;
	size_t len;
	struct sha1 c;

	if (u->ur_req->rq_minor == 0 ||
	    (v = ws_header(u, "upgrade", &len)) == NULL ||
	    !http_has_token(v, len, "websocket") ||
	    (v = ws_header(u, "connection", &len)) == NULL ||
	    !http_has_token(v, len, "upgrade"))
		return 400;
	if ((v = ws_header(u, "sec-websocket-version", &len)) == NULL ||
	    len != 2 || memcmp(v, "13", 2) != 0)
		return 426;
	if ((v = ws_header(u, "sec-websocket-key", &len)) == NULL ||
	    len != 24 || base64_decode(v, len, key, sizeof(key)) != 16)
		return 400;
	memcpy(buf, v, 24);
	sha1_init(&c);
	sha1_update(&c, buf, 24);
	sha1_update(&c, WS_GUID, sizeof(WS_GUID) - 1);
	sha1_final(&c, sha);
	accept[base64_encode(sha, SHA1_LEN, accept)] = '\0';
	return 0;
}

int
ep_ws_get(struct server *s, int fd, struct url_req *u)
{
	const char *id = u->ur_path + 4;
	size_t idlen = u->ur_plen - 4;
	struct resume rs;
	struct auth a;
	int rc;

	if ((rc = ep_stream_id(s, u, id, idlen)) != 0)
		return rc;
	if ((rc = ep_stream_resume(s, u, "last_event_id", &rs)) == 0)
		rc = ws_handshake(u, rs.rs_accept);
	if (rc == 426)
		u->ur_ehdrs = "Sec-WebSocket-Version: 13\r\nUpgrade: websocket\r\n";
	if (rc == 400)
		u->ur_why = "not a WebSocket upgrade (Upgrade: websocket, "
		    "Connection: Upgrade, a 16-byte Sec-WebSocket-Key)";
	if (rc != 0) {
		stats_add(s->s_st, STAT_BAD_REQUESTS, 1);
		return rc;
	}
	if ((a = auth_subscriber(s, u, id, idlen)).au_status != 0)
		return auth_refuse(s, u, &a);
	return ep_stream_open(s, fd, id, idlen, FRAME_WS, &rs);
}

void
ep_ws_fail(struct server *s, int fd, unsigned code)
{
	char frame[4 + WSFRAME_CTL_MAX];
	struct conn *c = conn_get(s, fd);
	int n = 0;

	/* behind a half-written piece a close frame would corrupt the stream */
	if (c->c_flags & CF_BLOCKED) {
		conn_close(s, fd, CE_ERROR);
		return;
	}
	conn_drop_queue(s, fd);
	if (code != 0)
		n = wsframe_close_build(frame + 2, code, NULL, 0);
	frame[0] = (char)0x88;
	frame[1] = (char)(n > 0 ? n : 0);
	conn_unstream(s, fd);
	if (conn_write(s, fd, frame, 2 + (n > 0 ? n : 0)) == 0)
		(void)conn_done(s, fd, 1);
}

int
ep_ws_beat(struct server *s, int fd)
{
	struct conn *c = conn_get(s, fd);
	struct pend *p = c->c_pend;

	if (c->c_flags & CF_PINGED) {
		conn_close(s, fd, CE_TIMEOUT);
		return 1;
	}
	if (p == NULL || (p->pd_in == 0 && p->pd_msgop == 0)) {
		c->c_flags &= ~CF_HELD;
		return 0;
	}
	if (c->c_flags & CF_HELD) {
		/* a frame or message in parts for a whole period: too slow */
		stats_add(s->s_st, STAT_TIMEOUTS, 1);
		ep_ws_fail(s, fd, 1008);
		return 1;
	}
	c->c_flags |= CF_HELD;
	return 0;
}

/* Answer ping payload p[0..len) with a pong carrying it. */
static int
ws_pong(struct server *s, int fd, const char *p, size_t len)
{
	char frame[2 + WSFRAME_CTL_MAX];

	frame[0] = (char)0x8a;
	frame[1] = (char)len;
	memcpy(frame + 2, p, len);
	/* queued pieces go first; one still half out means a slow reader,
	 * who will ping again */
	switch (conn_send_pieces(s, fd)) {
	case -1:
		return -1;
	case 1:
		return 0;
	}
	return conn_write(s, fd, frame, 2 + len);
}

/* The close status a client's close gets back, or its own check's. */
static void
ws_close(struct server *s, int fd, const char *p, size_t len)
{
	unsigned code;
	int bad;

	if ((bad = wsframe_close_check(p, len, &code)) != 0)
		code = (unsigned)bad;
	ep_ws_fail(s, fd, code == WSFRAME_NOSTATUS ? 0 : code);
}

/* The message state kept between fragments; NULL if memory runs out. */
static struct pend *
ws_msg(struct conn *c)
{
	if (c->c_pend == NULL && conn_keep(c, "", 0) == -1)
		return NULL;
	return c->c_pend;
}

/* One more part of a message; returns 0 or the close status. */
static unsigned
ws_part(struct pend *p, const struct wsframe_hdr *h, const char *d)
{
	struct utf8 u;

	if ((h->wh_opcode == WSFRAME_OP_CONT) != (p->pd_msgop != 0))
		return WSFRAME_PROTOCOL;
	if (p->pd_msgop == 0) {
		p->pd_msgop = h->wh_opcode;
		p->pd_msglen = 0;
		utf8_init(&u);
	} else
		memcpy(&u, &p->pd_msgstate, sizeof(u));
	if ((p->pd_msglen += h->wh_len) > WS_IN_MAX)
		return WSFRAME_TOOBIG;
	if (p->pd_msgop == WSFRAME_OP_TEXT &&
	    (!utf8_feed(&u, d, h->wh_len) || (h->wh_fin && !utf8_done(&u))))
		return WSFRAME_BADDATA;
	memcpy(&p->pd_msgstate, &u, sizeof(u));
	if (h->wh_fin)
		p->pd_msgop = 0;	/* read, and ignored */
	return 0;
}

/* One whole frame, payload unmasked at d.  Returns 0, or -1 if closed. */
static int
ws_frame(struct server *s, int fd, const struct wsframe_hdr *h, char *d)
{
	struct conn *c = conn_get(s, fd);
	struct pend *p;
	unsigned bad;

	switch (h->wh_opcode) {
	case WSFRAME_OP_PING:
		return ws_pong(s, fd, d, h->wh_len);
	case WSFRAME_OP_PONG:
		c->c_flags &= ~CF_PINGED;
		return 0;
	case WSFRAME_OP_CLOSE:
		ws_close(s, fd, d, h->wh_len);
		return -1;
	}
	if ((p = ws_msg(c)) == NULL) {
		conn_close(s, fd, CE_MEMORY);
		return -1;
	}
	if ((bad = ws_part(p, h, d)) != 0) {
		ep_ws_fail(s, fd, bad);
		return -1;
	}
	conn_pend_drop(c);
	return 0;
}

ssize_t
ep_ws_input(struct server *s, int fd, char *buf, size_t len)
{
	struct wsframe_hdr h;
	size_t off = 0;

	while (off < len) {
		switch (wsframe_parse(buf + off, len - off, WS_IN_MAX, &h)) {
		case WSFRAME_SHORT:
			return off;
		case WSFRAME_ERROR:
			ep_ws_fail(s, fd, h.wh_close);
			return -1;
		default:
			break;
		}
		if (len - off - h.wh_hlen < h.wh_len)
			return off;	/* the payload is not all here */
		wsframe_unmask(buf + off + h.wh_hlen, h.wh_len, h.wh_key, 0);
		if (ws_frame(s, fd, &h, buf + off + h.wh_hlen) == -1)
			return -1;
		off += h.wh_hlen + h.wh_len;
	}
	return off;
}
