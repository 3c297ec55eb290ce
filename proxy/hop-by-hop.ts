// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection, not to the message: a client's
// `Connection: close` must not close (or poison) the pooled connection to the target that other
// users' requests share, and a target's `Transfer-Encoding` is re-decided by our own listener.
// Pure functions over Node's raw header lists ([name, value, name, value, ...]).
import type { IncomingHttpHeaders } from 'node:http';

/** Always hop-by-hop, whether or not Connection names them. */
const ALWAYS = ['keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer'];
const ALWAYS_SET = new Set([...ALWAYS, 'connection', 'transfer-encoding', 'upgrade']);

/** Removes hop-by-hop headers in place; cheap when the request has no Connection header. */
export function stripHopByHop(headers: IncomingHttpHeaders): void {
  const connection = headers.connection;
  if (connection === undefined && headers['keep-alive'] === undefined && headers['proxy-connection'] === undefined) return;
  if (typeof connection === 'string') {
    for (const name of connection.split(',')) {
      const h = name.trim().toLowerCase();
      if (h && h !== 'upgrade') delete headers[h];
    }
  }
  delete headers.connection;
  for (const h of ALWAYS) delete headers[h];
}

/** Header names a Connection header value lists (lower-cased), e.g. 'close, X-Hop' → {close, x-hop}. */
export function connectionTokens(values: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const value of values) {
    for (const token of value.split(',')) {
      const t = token.trim().toLowerCase();
      if (t !== '') out.add(t);
    }
  }
  return out;
}

/**
 * True for a header (lower-cased name) that must not cross the proxy: the fixed hop-by-hop set
 * (Connection, Keep-Alive, Transfer-Encoding, Upgrade, TE, Trailer, Proxy-*) and whatever the
 * message's Connection header lists (`listed`, from connectionTokens).
 */
export function isHopByHop(lowerName: string, listed: ReadonlySet<string> | undefined): boolean {
  return ALWAYS_SET.has(lowerName) || (listed !== undefined && listed.has(lowerName));
}

/** Values of one header (by lower-cased name) in a raw list. */
export function rawValues(raw: readonly string[], lowerName: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === lowerName) out.push(raw[i + 1] as string);
  return out;
}

/**
 * A target's raw response headers (Buffers, as undici hands them over) as a flat string list for
 * `res.writeHead`, without hop-by-hop headers. Names keep their case; values are latin1 as on the wire.
 */
export function responseHeaders(raw: readonly Buffer[]): string[] {
  const out: string[] = [];
  let listed: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1');
    const lower = name.toLowerCase();
    if (lower === 'connection') {
      const value = (raw[i + 1] as Buffer).toString('latin1').toLowerCase();
      // The usual values name no header to drop.
      if (value !== 'keep-alive' && value !== 'close') listed = connectionTokens([value]);
      continue;
    }
    if (ALWAYS_SET.has(lower)) continue;
    out.push(name, (raw[i + 1] as Buffer).toString('latin1'));
  }
  if (listed === undefined) return out;
  const kept: string[] = [];
  for (let i = 0; i < out.length; i += 2) {
    if (!listed.has((out[i] as string).toLowerCase())) kept.push(out[i] as string, out[i + 1] as string);
  }
  return kept;
}
