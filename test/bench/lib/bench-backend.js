#!/usr/bin/env node
// Backend of the proxy benchmark (run as its own process): a path with 'big' answers 64 KiB, anything else
// a 12-byte body; every websocket echoes what it receives. `node bench-backend.js <port>`.
'use strict';
const http = require('node:http');
const { WebSocketServer } = require('ws');

const small = Buffer.from('hello world\n');
const big = Buffer.alloc(64 * 1024, 'x');
const server = http.createServer((req, res) => {
  const body = req.url.includes('big') ? big : small;
  req.resume();
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
const wss = new WebSocketServer({ server });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
server.listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
