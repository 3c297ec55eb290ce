// A small browser-like HTTP client for tests: a cookie jar that honours cookie paths, manual
// redirects (so tests can see each hop), and helpers for the hub's sign-in and CSRF forms.

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export interface Hop {
  status: number;
  url: string;
  location: string | null;
}

export interface WebResponse {
  status: number;
  url: string;
  headers: Headers;
  text: string;
  hops: Hop[];
}

export class WebClient {
  private cookies: Cookie[] = [];

  constructor(readonly origin: string) {}

  private cookieHeader(path: string): string {
    return this.cookies.filter((c) => path.startsWith(c.path)).map((c) => `${c.name}=${c.value}`).join('; ');
  }

  private remember(setCookies: string[], requestPath: string): void {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      if (eq < 0) continue;
      const name = (pair as string).slice(0, eq).trim();
      const value = (pair as string).slice(eq + 1).trim();
      let path = requestPath.replace(/[^/]*$/, '') || '/';
      let expired = false;
      for (const a of attrs) {
        const [k, v] = a.trim().split('=');
        if (k?.toLowerCase() === 'path' && v) path = v;
        if (k?.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
        if (k?.toLowerCase() === 'expires' && v && Date.parse(v) < Date.now()) expired = true;
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path));
      if (!expired && value !== '') this.cookies.push({ name, value, path });
    }
  }

  cookieNames(): string[] {
    return this.cookies.map((c) => c.name);
  }

  /** One request, following up to `maxRedirects` redirects on this origin. */
  async request(method: string, pathOrUrl: string, options: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string>; maxRedirects?: number } = {}): Promise<WebResponse> {
    let url = new URL(pathOrUrl, this.origin);
    let m = method;
    let body: string | undefined;
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.form) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    const hops: Hop[] = [];
    for (let i = 0; ; i++) {
      const cookie = this.cookieHeader(url.pathname);
      const res = await fetch(url, { method: m, body, redirect: 'manual', headers: { ...headers, ...(cookie ? { cookie } : {}) } });
      this.remember(res.headers.getSetCookie(), url.pathname);
      const location = res.headers.get('location');
      hops.push({ status: res.status, url: url.pathname + url.search, location });
      if (location && res.status >= 300 && res.status < 400 && i < (options.maxRedirects ?? 10)) {
        await res.body?.cancel();
        const next = new URL(location, url);
        if (next.origin !== new URL(this.origin).origin) {
          return { status: res.status, url: url.toString(), headers: res.headers, text: '', hops };
        }
        url = next;
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && m === 'POST')) {
          m = 'GET';
          body = undefined;
          delete headers['content-type'];
        }
        continue;
      }
      return { status: res.status, url: url.toString(), headers: res.headers, text: await res.text(), hops };
    }
  }

  get(path: string, headers?: Record<string, string>): Promise<WebResponse> {
    return this.request('GET', path, { headers });
  }

  /** GETs a page with a form and POSTs it back with the page's CSRF token plus `fields`. */
  async submit(pagePath: string, actionPath: string, fields: Record<string, string> = {}): Promise<WebResponse> {
    const page = await this.get(pagePath);
    const token = csrfFrom(page.text);
    return this.request('POST', actionPath, { form: { _csrf: token, ...fields } });
  }

  async login(username: string, password = 'any-password', hubPrefix = '/hub/'): Promise<WebResponse> {
    return this.submit(`${hubPrefix}login`, `${hubPrefix}login`, { username, password, next: `${hubPrefix}home` });
  }
}

export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]*)"/.exec(html);
  if (!m?.[1]) throw new Error(`no CSRF field in page: ${html.slice(0, 200)}`);
  return m[1];
}

/** Reads a server-sent events stream until `stop` says so (or it ends). */
export async function readEvents(url: string, headers: Record<string, string>, stop: (e: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200 || !res.body) throw new Error(`progress stream answered ${res.status}: ${await res.text()}`);
  const events: Array<Record<string, unknown>> = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let idx: number;
    while ((idx = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, idx);
      buffer = buffer.slice(idx + 2);
      const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      if (!data) continue;
      const e = JSON.parse(data) as Record<string, unknown>;
      events.push(e);
      if (stop(e)) return events;
    }
  }
  return events;
}
