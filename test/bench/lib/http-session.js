// A minimal browser stand-in: one keep-alive connection pool, a path-aware cookie jar,
// manual redirects, time to first byte, and a server-sent-events reader. Loopback http only.
'use strict';
const http = require('node:http');

class CookieJar {
  constructor() { this.cookies = new Map(); }

  store(setCookie, requestPath) {
    for (const line of setCookie ?? []) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = requestPath.replace(/\/[^/]*$/, '') || '/';
      let expired = false;
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=');
        const key = k.trim().toLowerCase();
        if (key === 'path' && v.trim().startsWith('/')) path = v.trim();
        if (key === 'max-age' && Number(v) <= 0) expired = true;
        if (key === 'expires' && Date.parse(v.trim()) < Date.now()) expired = true;
      }
      const id = `${name};${path}`;
      if (expired) this.cookies.delete(id);
      else this.cookies.set(id, { name, value, path });
    }
  }

  header(requestPath) {
    const matching = [...this.cookies.values()]
      .filter((c) => requestPath === c.path || requestPath.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length); // longest path first, as browsers do
    return matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

class HttpSession {
  constructor(origin) {
    this.origin = origin;
    this.jar = new CookieJar();
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
    this.requests = 0;
    /** Every request: method, path, status, start and first-byte times (performance.now()). */
    this.trace = [];
  }

  close() { this.agent.destroy(); }

  /** One request; resolves at the end of the body with status, headers, body, ttfbMs, firstByteAt (performance.now()), url. */
  request(method, pathOrUrl, { body, headers = {}, timeoutMs = 60000 } = {}) {
    const url = new URL(pathOrUrl, this.origin);
    const h = { ...headers };
    const cookie = this.jar.header(url.pathname);
    if (cookie) h.cookie = cookie;
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : new URLSearchParams(body).toString();
      if (!h['content-type']) h['content-type'] = typeof body === 'string' ? 'application/json' : 'application/x-www-form-urlencoded';
      h['content-length'] = Buffer.byteLength(payload);
    }
    this.requests += 1;
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method, headers: h, agent: this.agent }, (res) => {
        const firstByteAt = performance.now();
        const ttfbMs = firstByteAt - t0;
        this.trace.push({ method, path: url.pathname, status: res.statusCode, startAt: t0, firstByteAt });
        this.jar.store(res.headers['set-cookie'], url.pathname);
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ttfbMs, firstByteAt, url }));
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url.pathname} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  get(path, opts) { return this.request('GET', path, opts); }
  post(path, form, opts = {}) { return this.request('POST', path, { ...opts, body: form }); }

  /** Follow redirects from `res` (GET each Location) until a non-redirect; max hops. */
  async follow(res, maxHops = 15, opts = {}) {
    let hops = 0;
    while (res.status >= 300 && res.status < 400 && res.headers.location) {
      if (++hops > maxHops) throw new Error(`more than ${maxHops} redirects, last ${res.url.pathname} → ${res.headers.location}`);
      res = await this.get(new URL(res.headers.location, res.url).toString(), opts);
    }
    return res;
  }

  /**
   * Read server-sent events at path until one has ready:true (resolve) or failed:true (reject).
   */
  waitForReady(path, headers, timeoutMs = 120000) {
    const url = new URL(path, this.origin);
    const h = { accept: 'text/event-stream', ...headers };
    const cookie = this.jar.header(url.pathname);
    if (cookie) h.cookie = cookie;
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      let buffer = '';
      let settled = false;
      const events = [];
      const done = (err, value) => {
        if (settled) return;
        settled = true;
        this.trace.push({ method: 'SSE', path: url.pathname, status: err ? 'error' : 'ready', startAt: t0, firstByteAt: performance.now() });
        clearTimeout(timer);
        req.destroy();
        sseAgent.destroy();
        if (err) reject(err); else resolve(value);
      };
      const timer = setTimeout(() => done(new Error(`no ready event on ${url.pathname} within ${timeoutMs} ms`)), timeoutMs);
      // Own keep-alive connection, as a browser's EventSource has: `agent: false` would send
      // `Connection: close`, which is not what browsers send (and trips a proxy bug, see README).
      const sseAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const req = http.get(url, { headers: h, agent: sseAgent }, (res) => {
        if (res.statusCode !== 200) {
          let text = '';
          res.on('data', (c) => { text += c; });
          res.on('end', () => done(new Error(`progress stream ${url.pathname} answered ${res.statusCode}: ${text.slice(0, 200)}`)));
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          buffer += chunk.replace(/\r\n/g, '\n');
          let idx;
          while ((idx = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, idx);
            buffer = buffer.slice(idx + 2);
            const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
            if (!data) continue;
            let ev;
            try { ev = JSON.parse(data); } catch { continue; }
            events.push(ev);
            if (ev.ready) return done(null, events);
            if (ev.failed) return done(new Error(`spawn failed: ${ev.message ?? data}`));
          }
        });
        res.on('end', () => done(new Error(`progress stream ended without ready (${events.length} events, last ${JSON.stringify(events.at(-1))})`)));
      });
      req.on('error', (err) => done(err));
    });
  }
}

/** The value of a hidden form input, e.g. hiddenInput(html, '_csrf'), or null. */
function hiddenInput(html, name) {
  const re = new RegExp(`<input[^>]*name="${name}"[^>]*>`, 'i');
  const tag = re.exec(html)?.[0];
  return tag ? (/value="([^"]*)"/.exec(tag)?.[1] ?? '') : null;
}

/** A single JSON API call with a token, on a throwaway connection pool. */
function apiRequest(agent, method, url, token, body, extraHeaders = {}) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = { authorization: `token ${token}`, ...extraHeaders };
  if (payload !== undefined) { headers['content-type'] = 'application/json'; headers['content-length'] = Buffer.byteLength(payload); }
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
    });
    req.setTimeout(120000, () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * The common end of a sign-in flow: from the answer to the spawn request, wait on the progress
 * stream if the hub shows its pending page, then load the user's server and time its first byte.
 */
async function landOnServer(s, res, user, t0) {
  const pending = await s.follow(res);
  if (pending.url.pathname.startsWith('/hub/spawn-pending/')) {
    // JupyterHub 3.0 accepts a cookie-authenticated API call only with a same-host Referer.
    await s.waitForReady(`/hub/api/users/${encodeURIComponent(user)}/server/progress`, {
      referer: pending.url.toString(), 'sec-fetch-site': 'same-origin',
    });
    res = await s.follow(await s.get(`/user/${encodeURIComponent(user)}/`));
  } else {
    res = pending;
  }
  if (res.status !== 200 || !res.url.pathname.startsWith(`/user/${user}/`)) {
    throw new Error(`ended at ${res.url.pathname} with ${res.status}: ${res.body.slice(0, 200)}`);
  }
  // The timer stops at the first byte of that 200, not at the end of its body; the trace is
  // relative to the start, for finding where the time goes.
  const trace = s.trace.map((t) => ({ ...t, startAt: t.startAt - t0, firstByteAt: t.firstByteAt - t0 }));
  return { ms: res.firstByteAt - t0, requests: s.requests, trace };
}

module.exports = { CookieJar, HttpSession, hiddenInput, apiRequest, landOnServer };
