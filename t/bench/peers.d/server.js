// t/bench/peers.d/server.js: the seed's comet app in plain Node.js `http`,
// written the way a Node user would: one setInterval per connection.
//
//   node server.js [port [interval_ms]]
//
// GET /test/<id> answers 200, chunked (Node chunks any response without a
// Content-Length), with the welcome line, then "Chunk N for id <id>" every
// interval on that connection's own schedule.  Other paths: 404.  Prints
// "listening on 127.0.0.1 port <N>" on stderr once bound (port 0 = any).
'use strict';
const http = require('http');

const port = Number(process.argv[2] || 0);
const interval = Number(process.argv[3] || 10000);

function stream(req, res, id) {
	res.writeHead(200, {
		'Content-Type': 'text/plain; charset=utf-8',
		'Server': 'node-comet-bench',
	});
	res.write(`Mochiconntest welcomes you! Your Id: ${id}\n`);
	let n = 1;
	const timer = setInterval(() => {
		res.write(`Chunk ${n++} for id ${id}\n`);
	}, interval);
	res.on('close', () => clearInterval(timer));
}

const server = http.createServer((req, res) => {
	const m = /^\/test\/(.+)$/.exec(req.url);
	if (req.method === 'GET' && m) {
		stream(req, res, m[1]);
		return;
	}
	res.writeHead(404, { 'Content-Type': 'text/plain' });
	res.end('not found\n');
});
// These streams never end: no request, header or keep-alive timeouts.
server.requestTimeout = 0;
server.headersTimeout = 0;
server.keepAliveTimeout = 0;
server.timeout = 0;
server.maxConnections = 20000;
server.listen(port, '127.0.0.1', 4096, () => {
	process.stderr.write(
	    `node: listening on 127.0.0.1 port ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
