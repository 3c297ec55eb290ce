// Runs wrk (/usr/bin/wrk) and parses what it prints: requests, req/s, latency percentiles, errors.
'use strict';
const { execFile } = require('node:child_process');

/** Latency text such as '812.00us', '3.21ms', '1.02s' in milliseconds. */
function latencyMs(text) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

/** Parse wrk --latency output. Pure. */
function parseWrk(out) {
  const num = (re) => { const m = re.exec(out); return m ? Number(m[1]) : NaN; };
  const pct = (p) => { const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out); return m ? latencyMs(m[1]) : NaN; };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requests: num(/(\d+) requests in/),
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: pct(50), p90: pct(90), p99: pct(99),
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/) || 0,
    socketErrors: socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
  };
}

/** Run `wrk -t threads -c connections -d seconds --latency url`. */
function runWrk(url, { seconds, connections = 64, threads = 2 }) {
  return new Promise((resolve, reject) => {
    execFile('wrk', [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', url], { timeout: (seconds + 30) * 1000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`wrk ${url} failed: ${err.message} ${stderr}`));
      resolve(parseWrk(stdout));
    });
  });
}

module.exports = { runWrk, parseWrk, latencyMs };
