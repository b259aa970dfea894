#!/usr/bin/env python3
"""EventSource subscribers that resume the way a browser does.

usage: client.py HOST PORT FIRST COUNT OUTDIR

Holds COUNT subscribers, GET /sse/<Id> for Ids FIRST .. FIRST+COUNT-1,
over HTTP/1.1 (chunked) from 127.0.0.1 to HOST:PORT.  Like a browser's
EventSource, every event that carries an id: sets the last event id, and
a reconnect sends it in Last-Event-ID.

Signals, sent by t/bench/storm:
  SIGUSR1  a storm: a tenth of the open subscribers (STORM_SHARE) are
           reset at once (RST, as a dropped network does), and each
           reconnects at once with its Last-Event-ID;
  SIGTERM  write the results and exit 0.

Lines on stdout, one at a time, for the bench to wait on:
  ready N          all COUNT have their welcome (N of them)
  storm K S        the K dropped by a storm are all back, S seconds on
  got N            every second: messages read so far

Results, in OUTDIR/ids.<FIRST> (one line per Id, tab-separated):
  Id  resumes  welcomes  lost_events  n,n,n...  (the n= of each message
  in the order read) and OUTDIR/lat.<FIRST>: one latency a line, ms,
  from the t= stamp to the read (same host clock).

A connection the server closes is counted (closed) and reconnects with
its Last-Event-ID after 3 s, the retry cometd announces.
"""
import asyncio
import os
import random
import signal
import socket
import struct
import sys
import time

STORM_SHARE = float(os.environ.get("STORM_SHARE", "0.1"))
INFLIGHT = 500                  # connects in flight at once


class Id:
    """What one Id's subscriber has seen, across its connections."""
    __slots__ = ("name", "last", "ns", "resumes", "welcomes", "lost", "sub")

    def __init__(self, name):
        self.name = name
        self.last = None
        self.ns = []
        self.resumes = 0
        self.welcomes = 0
        self.lost = 0
        self.sub = None


class Sub(asyncio.Protocol):
    """One connection: head, then chunked framing, then events."""

    def __init__(self, client, rec):
        self.client = client
        self.rec = rec
        self.tr = None
        self.buf = b""
        self.head = False
        self.left = -1          # chunk bytes to come; -1: a size line
        self.text = b""         # event-stream bytes not yet parsed
        self.dropped = False
        self.welcomed = False

    def connection_made(self, tr):
        self.tr = tr
        req = "GET /sse/%s HTTP/1.1\r\nHost: storm\r\n" \
            "Accept: text/event-stream\r\n" % self.rec.name
        if self.rec.last is not None:
            req += "Last-Event-ID: %s\r\n" % self.rec.last
        tr.write((req + "\r\n").encode())

    def data_received(self, data):
        self.buf += data
        if not self.head:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = self.buf[:end].split(b"\r\n", 1)[0]
            if not status.startswith(b"HTTP/1.1 200"):
                self.client.bad(self.rec, status.decode("latin-1"))
                self.tr.close()
                return
            self.head = True
            self.buf = self.buf[end + 4:]
        self.dechunk()
        self.events()

    def dechunk(self):
        while self.buf:
            if self.left == -1:
                end = self.buf.find(b"\r\n")
                if end < 0:
                    return
                self.left = int(self.buf[:end], 16)
                self.buf = self.buf[end + 2:]
                if self.left == 0:
                    return
            elif self.left == 0:
                if len(self.buf) < 2:
                    return
                self.buf = self.buf[2:]
                self.left = -1
            else:
                take = self.buf[:self.left]
                self.text += take
                self.left -= len(take)
                self.buf = self.buf[len(take):]

    def events(self):
        while True:
            end = self.text.find(b"\n\n")
            if end < 0:
                return
            block, self.text = self.text[:end], self.text[end + 2:]
            kind, data = "message", []
            for line in block.split(b"\n"):
                if line.startswith(b":"):
                    continue
                field, _, value = line.partition(b":")
                value = value[1:] if value.startswith(b" ") else value
                if field == b"id":
                    self.rec.last = value.decode()
                elif field == b"event":
                    kind = value.decode()
                elif field == b"data":
                    data.append(value)
            if kind == "welcome":
                self.rec.welcomes += 1
                if not self.welcomed:
                    self.welcomed = True
                    self.client.welcomed(self.rec)
            elif kind == "lost":
                self.rec.lost += 1
            elif kind == "message" and data:
                self.client.message(self.rec, b"\n".join(data))

    def connection_lost(self, exc):
        if self.rec.sub is self:
            self.rec.sub = None
        if not self.dropped:
            self.client.closed(self)


class Client:
    def __init__(self, host, port, first, count, outdir):
        self.host, self.port = host, port
        self.first, self.outdir = first, outdir
        self.recs = [Id(str(first + i)) for i in range(count)]
        self.gate = asyncio.Semaphore(INFLIGHT)
        self.got = 0
        self.lat = []
        self.waiting = count    # welcomes still to come
        self.storm_t0 = None
        self.storm_k = 0
        self.ncloses = 0
        self.stop = asyncio.Event()

    async def connect(self, rec):
        async with self.gate:
            loop = asyncio.get_running_loop()
            while True:
                try:
                    _, sub = await loop.create_connection(
                        lambda: Sub(self, rec), self.host, self.port)
                    rec.sub = sub
                    return
                except OSError as e:
                    print("connect %s: %s" % (rec.name, e),
                          file=sys.stderr)
                    await asyncio.sleep(1)

    def welcomed(self, rec):
        self.waiting -= 1
        if self.waiting == 0:
            if self.storm_t0 is None:
                say("ready %d" % len(self.recs))
            else:
                say("storm %d %.3f" % (self.storm_k,
                                       time.monotonic() - self.storm_t0))
                self.storm_t0 = None

    def message(self, rec, data):
        now = time.time()
        t = n = None
        for w in data.split():
            if w.startswith(b"t="):
                t = int(w[2:])
            elif w.startswith(b"n="):
                n = int(w[2:])
        if n is None:
            return
        rec.ns.append(n)
        self.got += 1
        if t is not None:
            self.lat.append(now * 1000 - t / 1000)

    def bad(self, rec, status):
        print("%s: %s" % (rec.name, status), file=sys.stderr)

    def closed(self, sub):
        self.ncloses += 1
        asyncio.get_running_loop().call_later(
            3, lambda: asyncio.ensure_future(self.connect(sub.rec)))

    def storm(self):
        live = [r for r in self.recs if r.sub is not None and r.sub.welcomed]
        k = int(round(len(live) * STORM_SHARE))
        self.storm_k, self.waiting = k, k
        self.storm_t0 = time.monotonic()
        drop = random.sample(live, k)
        for rec in drop:
            sub = rec.sub
            sub.dropped = True
            sock = sub.tr.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
            sub.tr.abort()
            rec.sub = None
            rec.resumes += 1
        for rec in drop:
            asyncio.ensure_future(self.connect(rec))
        if k == 0:
            say("storm 0 0.000")

    def write(self):
        with open(os.path.join(self.outdir, "ids.%d" % self.first), "w") as f:
            for r in self.recs:
                f.write("%s\t%d\t%d\t%d\t%s\n" % (
                    r.name, r.resumes, r.welcomes, r.lost,
                    ",".join(map(str, r.ns)) or "-"))
        with open(os.path.join(self.outdir, "lat.%d" % self.first), "w") as f:
            f.write("".join("%.3f\n" % v for v in self.lat))

    async def ticker(self):
        while True:
            await asyncio.sleep(1)
            say("got %d" % self.got)

    async def run(self):
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGUSR1, self.storm)
        loop.add_signal_handler(signal.SIGTERM, self.stop.set)
        tick = asyncio.ensure_future(self.ticker())
        for rec in self.recs:
            asyncio.ensure_future(self.connect(rec))
        await self.stop.wait()
        tick.cancel()
        self.write()
        if self.ncloses:
            print("closed by the server: %d" % self.ncloses,
                  file=sys.stderr)


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__.split("\n\n")[1])
    host, port, first, count, outdir = sys.argv[1:]
    asyncio.run(Client(host, int(port), int(first), int(count),
                       outdir).run())


if __name__ == "__main__":
    main()
