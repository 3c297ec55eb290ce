// The headers a request carries to its target, built from Node's raw header list in one pass:
// hop-by-hop headers dropped, X-Forwarded-For/-Port/-Proto appended to (-Host set if absent),
// custom headers set, and an optional cookie filter (edge auth removes its own cookie). Pure.

import { connectionTokens, isHopByHop } from './hop-by-hop';

export interface ForwardedHeaderOptions {
  /** Add X-Forwarded-* (CHP's default; off with --no-x-forward). */
  xForward: boolean;
  /** Flat [name, value, ...] list set on every proxied request (--custom-header); names lower-cased. */
  customHeaders: readonly string[];
  /** The names in customHeaders: a client's own header of that name is replaced. */
  customNames: ReadonlySet<string>;
}

export interface RequestFacts {
  remoteAddress: string | undefined;
  /** The client connection is TLS. */
  encrypted: boolean;
  /** A websocket upgrade: X-Forwarded-Proto says ws/wss. */
  websocket: boolean;
}

export interface UpstreamHeaders {
  /** Flat [name, value, ...] list. */
  list: string[];
  /** The request declares a body (a non-zero Content-Length, or Transfer-Encoding). */
  hasBody: boolean;
  /** The Upgrade header's value, if any (the list never carries Connection/Upgrade themselves). */
  upgrade: string | undefined;
}

/** Port the client addressed: from the Host header, else the scheme's default. */
export function forwardedPort(host: string | undefined, encrypted: boolean): string {
  if (host !== undefined) {
    const close = host.lastIndexOf(']');
    const colon = host.lastIndexOf(':');
    if (colon > close && colon < host.length - 1) {
      const port = host.slice(colon + 1);
      if (/^\d+$/.test(port)) return port;
    }
  }
  return encrypted ? '443' : '80';
}

function appendValue(existing: string | undefined, value: string): string {
  return existing === undefined || existing === '' ? value : `${existing},${value}`;
}

/**
 * Build the upstream header list. `filterCookie` (when given) rewrites each Cookie header value;
 * returning undefined drops it. Throws nothing: odd headers pass through unchanged for the
 * upstream client to judge.
 */
export function upstreamHeaders(
  raw: readonly string[],
  facts: RequestFacts,
  options: ForwardedHeaderOptions,
  filterCookie?: (value: string) => string | undefined,
): UpstreamHeaders {
  const out: string[] = [];
  let hasBody = false;
  let listed: Set<string> | undefined;
  let host: string | undefined;
  let xfFor: string | undefined;
  let xfPort: string | undefined;
  let xfProto: string | undefined;
  let xfHost: string | undefined;
  let upgrade: string | undefined;
  const custom = options.customHeaders;
  const customNames = options.customNames;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    switch (lower) {
      case 'host':
        if (host === undefined) host = value;
        out.push(name, value);
        continue;
      case 'connection':
        listed = connectionTokens(listed === undefined ? [value] : [...listed, value]);
        continue;
      case 'upgrade':
        upgrade = value;
        continue;
      case 'content-length':
        if (value !== '0') hasBody = true;
        break;
      case 'transfer-encoding':
        hasBody = true;
        continue;
      case 'expect':
        // Node answered `100-continue` already; the target gets the body straight away.
        continue;
      case 'cookie':
        if (filterCookie !== undefined) {
          const kept = filterCookie(value);
          if (kept !== undefined) out.push(name, kept);
          continue;
        }
        break;
      case 'x-forwarded-for':
        if (options.xForward) { xfFor = appendValue(xfFor, value); continue; }
        break;
      case 'x-forwarded-port':
        if (options.xForward) { xfPort = appendValue(xfPort, value); continue; }
        break;
      case 'x-forwarded-proto':
        if (options.xForward) { xfProto = appendValue(xfProto, value); continue; }
        break;
      case 'x-forwarded-host':
        if (options.xForward) { if (xfHost === undefined) xfHost = value; continue; }
        break;
      default:
        break;
    }
    if (isHopByHop(lower, undefined)) continue;
    if (customNames.size > 0 && customNames.has(lower)) continue;
    out.push(name, value);
  }
  if (listed !== undefined) {
    // Headers the client's Connection header named are its own business too.
    for (let i = out.length - 2; i >= 0; i -= 2) {
      const lower = (out[i] as string).toLowerCase();
      if (lower !== 'host' && listed.has(lower)) out.splice(i, 2);
    }
  }
  if (options.xForward) {
    const scheme = facts.websocket ? (facts.encrypted ? 'wss' : 'ws') : facts.encrypted ? 'https' : 'http';
    out.push(
      'x-forwarded-for', appendValue(xfFor, facts.remoteAddress ?? ''),
      'x-forwarded-port', appendValue(xfPort, forwardedPort(host, facts.encrypted)),
      'x-forwarded-proto', appendValue(xfProto, scheme),
    );
    const forwardedHost = xfHost ?? host;
    if (forwardedHost !== undefined) out.push('x-forwarded-host', forwardedHost);
  }
  for (let i = 0; i < custom.length; i += 2) out.push(custom[i] as string, custom[i + 1] as string);
  return { list: out, hasBody, upgrade };
}
