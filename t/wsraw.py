#!/usr/bin/python3
# t/wsraw.py PORT CASE: a hand-written WebSocket client (raw sockets, no
# library) that runs one named case against cometd on 127.0.0.1:PORT and
# exits 0 if cometd answered as RFC 6455 says, else 1 with the reason on
# stderr.  Cases cover the handshake, masking, the 125/126/127 length
# forms, fragmentation, frames split across reads, UTF-8, ping/pong and
# the closing handshake.
import base64
import hashlib
import os
import socket
import struct
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
port = int(sys.argv[1])


def fail(why):
    sys.stderr.write("wsraw: %s\n" % why)
    sys.exit(1)


def connect(path="/ws/raw", key=None, extra=b"", version=b"13"):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    key = key or base64.b64encode(os.urandom(16))
    s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n"
              b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Version: " + version + b"\r\n"
              b"Sec-WebSocket-Key: " + key + b"\r\n" + extra + b"\r\n")
    return s, key


def head(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(1)
        if not d:
            fail("closed before the head ended: %r" % buf)
        buf += d
    return buf.decode("latin-1")


def frame(op, payload=b"", fin=True, mask=True, rsv=0, form=None):
    b0 = (0x80 if fin else 0) | rsv << 4 | op
    n = len(payload)
    form = form or (7 if n < 126 else 16 if n < 65536 else 64)
    m = 0x80 if mask else 0
    if form == 7:
        h = struct.pack("!BB", b0, m | n)
    elif form == 16:
        h = struct.pack("!BBH", b0, m | 126, n)
    else:
        h = struct.pack("!BBQ", b0, m | 127, n)
    if not mask:
        return h + payload
    key = os.urandom(4)
    return h + key + bytes(c ^ key[i % 4] for i, c in enumerate(payload))


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            return None
        buf += d
    return buf


def read_frame(s):
    """(opcode, payload) of the next server frame, or None at EOF."""
    h = recv_exact(s, 2)
    if h is None:
        return None
    if h[1] & 0x80:
        fail("the server masked a frame")
    n = h[1] & 0x7F
    if n == 126:
        n = struct.unpack("!H", recv_exact(s, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", recv_exact(s, 8))[0]
    return h[0] & 0x0F, recv_exact(s, n)


def upgraded(path="/ws/raw"):
    s, key = connect(path)
    h = head(s)
    want = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
    if not h.startswith("HTTP/1.1 101 "):
        fail("no 101: %r" % h)
    if "Sec-WebSocket-Accept: " + want + "\r\n" not in h:
        fail("wrong accept in %r" % h)
    op, p = read_frame(s)
    if op != 1 or b'"event":"welcome"' not in p:
        fail("no welcome: %r" % p)
    return s


def expect_close(s, code):
    """Skip data frames to the close; it must carry code; then EOF."""
    while True:
        f = read_frame(s)
        if f is None:
            fail("EOF, no close frame (wanted %d)" % code)
        op, p = f
        if op == 8:
            break
        if op not in (1, 9):
            fail("unexpected frame %d %r" % (op, p))
    got = struct.unpack("!H", p[:2])[0] if len(p) >= 2 else None
    if got != code:
        fail("close %r, wanted %d" % (got, code))
    s.settimeout(30)
    if s.recv(1) != b"":
        fail("data after the close frame")


def expect_pong(s, payload):
    while True:
        f = read_frame(s)
        if f is None:
            fail("EOF, wanted a pong")
        if f[0] == 10:
            if f[1] != payload:
                fail("pong %r, wanted %r" % (f[1], payload))
            return
        if f[0] == 8:
            fail("closed: %r" % (f[1],))


def send_split(s, data, step=1):
    for i in range(0, len(data), step):
        s.sendall(data[i:i + step])
        time.sleep(0.002)


def case_accept():
    # the RFC 6455 1.3 key gives the RFC's accept value
    s, _ = connect(key=b"dGhlIHNhbXBsZSBub25jZQ==")
    h = head(s)
    if "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" not in h:
        fail("accept: %r" % h)


def status_of(path, hdrs, proto=b"HTTP/1.1"):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(b"GET " + path + b" " + proto + b"\r\nHost: x\r\n" + hdrs +
              b"\r\n")
    return head(s)


def case_badupgrade():
    k = b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    u = b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
    v = b"Sec-WebSocket-Version: 13\r\n"
    for hdrs, want in ((b"", 400), (u + v, 400), (v + k, 400),
                       (u + k + b"Sec-WebSocket-Version: 8\r\n", 426),
                       (u + v + b"Sec-WebSocket-Key: c2hvcnQ=\r\n", 400),
                       (u + v + b"Sec-WebSocket-Key: !!!!\r\n", 400)):
        h = status_of(b"/ws/x", hdrs)
        if not h.startswith("HTTP/1.1 %d " % want):
            fail("wanted %d for %r: %r" % (want, hdrs, h))
        if want == 426 and "Sec-WebSocket-Version: 13\r\n" not in h:
            fail("426 without the version: %r" % h)
    h = status_of(b"/ws/x", u + v + k, b"HTTP/1.0")
    if not h.startswith("HTTP/1.1 400 "):
        fail("HTTP/1.0 upgrade: %r" % h)


def case_unmasked():
    s = upgraded()
    s.sendall(frame(1, b"hi", mask=False))
    expect_close(s, 1002)


def case_rsv():
    s = upgraded()
    s.sendall(frame(1, b"hi", rsv=4))
    expect_close(s, 1002)


def case_opcode():
    s = upgraded()
    s.sendall(frame(3, b"x"))
    expect_close(s, 1002)


def case_utf8():
    s = upgraded()
    s.sendall(frame(1, b"\xc0\x80"))
    expect_close(s, 1007)


def case_utf8split():
    # a code point split between two fragments is fine; a bad end is not
    s = upgraded()
    s.sendall(frame(1, "é".encode()[:1], fin=False) +
              frame(0, "é".encode()[1:] + b"!"))
    s.sendall(frame(9, b"after"))
    expect_pong(s, b"after")
    s.sendall(frame(1, b"ok", fin=False) + frame(0, b"\xe2\x82"))
    expect_close(s, 1007)


def case_fragments():
    # fragments reassembled, with a ping in the middle
    s = upgraded()
    s.sendall(frame(1, b"a" * 100, fin=False) + frame(9, b"mid") +
              frame(0, b"b" * 100, fin=False) + frame(0, b"c"))
    expect_pong(s, b"mid")
    s.sendall(frame(9, b"end"))
    expect_pong(s, b"end")


def case_toobig():
    s = upgraded()
    s.sendall(frame(2, b"x" * 10000, fin=False) +
              frame(0, b"x" * 10000))
    expect_close(s, 1009)


def case_len127():
    s = upgraded()
    s.sendall(frame(2, b"x" * 70000))
    expect_close(s, 1009)


def case_len126():
    # the 16-bit length form, under the cap, fragmented across reads
    s = upgraded()
    send_split(s, frame(1, b"y" * 200) + frame(9, b"p126"), 7)
    expect_pong(s, b"p126")


def case_nonminimal():
    s = upgraded()
    s.sendall(frame(1, b"short", form=16))
    expect_close(s, 1002)


def case_ping125():
    s = upgraded()
    send_split(s, frame(9, b"z" * 125))
    expect_pong(s, b"z" * 125)


def case_ping126():
    s = upgraded()
    s.sendall(frame(9, b"z" * 126))
    expect_close(s, 1002)


def case_pingfrag():
    s = upgraded()
    s.sendall(frame(9, b"p", fin=False))
    expect_close(s, 1002)


def case_cont():
    s = upgraded()
    s.sendall(frame(0, b"orphan"))
    expect_close(s, 1002)


def case_newinside():
    s = upgraded()
    s.sendall(frame(1, b"a", fin=False) + frame(1, b"b"))
    expect_close(s, 1002)


def case_close():
    s = upgraded()
    s.sendall(frame(8, struct.pack("!H", 1000) + b"bye"))
    expect_close(s, 1000)


def case_closebad():
    s = upgraded()
    s.sendall(frame(8, struct.pack("!H", 999)))
    expect_close(s, 1002)


def case_closeutf8():
    s = upgraded()
    s.sendall(frame(8, struct.pack("!H", 1000) + b"\xff"))
    expect_close(s, 1007)


def case_serverping():
    # cometd -i 0 -e 1s: a silent stream gets a ping; answered, it stays
    s = upgraded()
    for _ in range(2):
        while True:
            op, p = read_frame(s)
            if op == 9:
                break
        s.sendall(frame(10, p))
    s.sendall(frame(9, b"alive"))
    expect_pong(s, b"alive")


def case_nopong():
    # a ping left unanswered ends the connection
    s = upgraded()
    s.settimeout(60)
    while True:
        f = read_frame(s)
        if f is None:
            return
        if f[0] == 8:
            return


def case_held():
    # half a frame held past a heartbeat period: closed with 1008
    s = upgraded()
    s.sendall(frame(1, b"x" * 50)[:20])
    s.settimeout(60)
    while True:
        f = read_frame(s)
        if f is None:
            fail("EOF without a close frame")
        if f[0] == 9:
            s.sendall(frame(10, f[1]))
        if f[0] == 8:
            if struct.unpack("!H", f[1][:2])[0] != 1008:
                fail("close %r" % f[1])
            return


def case_text():
    # a subscriber's text message is read and ignored: still streaming
    s = upgraded()
    s.sendall(frame(1, b"hello from the page"))
    s.sendall(frame(9, b"still"))
    expect_pong(s, b"still")


globals()["case_" + sys.argv[2]]()
