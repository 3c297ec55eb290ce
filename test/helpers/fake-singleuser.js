#!/usr/bin/env node
// Stand-in for jupyterhub-singleuser in fast tests: listens where JUPYTERHUB_SERVICE_URL says and
// answers 200 JSON under its prefix. Behaviour switches (env): FAKE_SINGLEUSER_EXIT_AT_START=<code>,
// FAKE_SINGLEUSER_IGNORE_SIGTERM=1, FAKE_SINGLEUSER_LISTEN_DELAY_MS=<ms>.
'use strict';
const http = require('node:http');

const env = process.env;
const exitAtStart = env.FAKE_SINGLEUSER_EXIT_AT_START;
if (exitAtStart !== undefined && exitAtStart !== '') {
  process.stderr.write(`fake-singleuser: failing at start with exit code ${exitAtStart} as asked\n`);
  process.exit(Number(exitAtStart));
}

const serviceUrl = env.JUPYTERHUB_SERVICE_URL;
if (!serviceUrl) {
  process.stderr.write('fake-singleuser: JUPYTERHUB_SERVICE_URL is not set\n');
  process.exit(2);
}
const bind = new URL(serviceUrl);
const prefix = env.JUPYTERHUB_SERVICE_PREFIX || bind.pathname;
const host = bind.hostname.replace(/^\[|\]$/g, '');

const server = http.createServer((req, res) => {
  const path = (req.url || '/').split('?')[0];
  if (!path.startsWith(prefix) && path !== prefix.replace(/\/$/, '')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not under prefix', prefix }));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'x-jupyterhub-version': '3.0.0' });
  res.end(
    JSON.stringify({
      fake: 'singleuser',
      user: env.JUPYTERHUB_USER || null,
      serverName: env.JUPYTERHUB_SERVER_NAME || '',
      prefix,
      path,
      pid: process.pid,
      cwd: process.cwd(),
      home: env.HOME || null,
      args: process.argv.slice(2),
    }),
  );
});

process.on('SIGTERM', () => {
  if (env.FAKE_SINGLEUSER_IGNORE_SIGTERM === '1') {
    process.stdout.write('fake-singleuser: ignoring SIGTERM as asked\n');
    return;
  }
  process.stdout.write('fake-singleuser: SIGTERM, shutting down\n');
  server.close();
  process.exit(0);
});

const delay = Number(env.FAKE_SINGLEUSER_LISTEN_DELAY_MS || 0);
setTimeout(() => {
  server.listen(Number(bind.port), host, () => {
    process.stdout.write(`fake-singleuser: listening on ${host}:${bind.port}${prefix}\n`);
  });
}, delay);
