// Websocket timings through a proxy (or straight to the backend): connect-and-first-message
// (open, send, first echo) and echo round trips on one open connection.
'use strict';
const WebSocket = require('ws');

function once(url) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('open', () => ws.send('x'));
    ws.on('message', () => {
      const ms = performance.now() - t0;
      ws.terminate();
      resolve(ms);
    });
    ws.on('error', reject);
  });
}

/** `count` sequential connect-and-first-message times (ms). */
async function connectTimes(url, count) {
  const out = [];
  for (let i = 0; i < count; i++) out.push(await once(url));
  return out;
}

/** `count` sequential echo round trips (ms) on one connection. */
function echoTimes(url, count) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const out = [];
    let t0 = 0;
    const next = () => { t0 = performance.now(); ws.send('ping-0123456789'); };
    ws.on('open', next);
    ws.on('message', () => {
      out.push(performance.now() - t0);
      if (out.length >= count) { ws.terminate(); resolve(out); } else next();
    });
    ws.on('error', reject);
  });
}

module.exports = { connectTimes, echoTimes };
