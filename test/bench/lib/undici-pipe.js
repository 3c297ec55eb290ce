#!/usr/bin/env node
// Reference for the proxy benchmark (run as its own process): the fastest prototype, a bare
// undici Pool.dispatch that writes the target's answer straight into the client's response. No
// routing, no X-Forwarded headers, no activity, no error pages, no timeouts: what forwarding with
// node:http + undici costs on this machine before any proxy logic. `node undici-pipe.js <port> <target origin>`.
'use strict';
const http = require('node:http');
const { Pool } = require('undici');

const [port, target] = [Number(process.argv[2]), process.argv[3]];
const pool = new Pool(target, { pipelining: 1 });
const server = http.createServer((req, res) => {
  let resume;
  pool.dispatch({ path: req.url, method: req.method, headers: req.rawHeaders, body: req.method === 'GET' || req.method === 'HEAD' ? null : req }, {
    onConnect() {},
    onHeaders(status, raw, resumeUpstream) {
      resume = resumeUpstream;
      const headers = [];
      for (let i = 0; i < raw.length; i += 2) headers.push(raw[i].toString('latin1'), raw[i + 1].toString('latin1'));
      res.writeHead(status, headers);
      return true;
    },
    onData(chunk) {
      if (res.write(chunk)) return true;
      res.once('drain', resume); // backpressure: undici pauses until the client took the chunk
      return false;
    },
    onComplete() { res.end(); },
    onError() { res.destroy(); },
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
