// Pure request-path handling: decode and check a raw path, build the routing path (with the host
// as first segment under host routing), and strip a matched prefix. No I/O, no URL objects.

export type PathResult = { ok: true; path: string } | { ok: false; message: string };

const ENCODED_SLASH = /%(2f|5c)/i;
const HOST_NAME = /^[a-z0-9_.-]+$/;
const IPV6_HOST = /^\[[0-9a-f:.]+\]$/;

function fail(message: string): PathResult {
  return { ok: false, message };
}

function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function hasDotSegment(path: string): boolean {
  for (const seg of path.split('/')) if (seg === '.' || seg === '..') return true;
  return false;
}

/**
 * Decode a raw request path (no query string) into the form routes are keyed by.
 * Refuses anything that could make the proxy and a backend disagree about which prefix a
 * request belongs to: encoded slashes or backslashes, dot segments, control characters and
 * malformed percent-escapes. Never normalises: a refused path is an error, not a rewrite.
 */
export function decodeRequestPath(rawPath: string): PathResult {
  if (rawPath.charCodeAt(0) !== 47) return fail('path must start with "/"');
  if (rawPath.includes('\\')) return fail('path must not contain a backslash');
  let path = rawPath;
  if (rawPath.includes('%')) {
    if (ENCODED_SLASH.test(rawPath)) return fail('path must not contain an encoded slash or backslash (%2F, %5C)');
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return fail('path has a malformed percent-escape');
    }
  }
  if (hasControlChar(path)) return fail('path must not contain control characters');
  if (path.includes('/.') && hasDotSegment(path)) return fail('path must not contain "." or ".." segments');
  return { ok: true, path };
}

/** Route key from the part of an API URL after /api/routes: '' and '/' are the root route. */
export function parseApiRoutePath(rawPath: string): PathResult {
  if (rawPath === '' || rawPath === '/') return { ok: true, path: '/' };
  const decoded = decodeRequestPath(rawPath);
  if (!decoded.ok) return decoded;
  let path = decoded.path;
  while (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  if (path.includes('//')) return fail('path must not contain empty segments ("//")');
  return { ok: true, path };
}

/** The Host header as a routing segment: port dropped, lower-cased; undefined if unusable. */
export function hostSegment(host: string | undefined): string | undefined {
  if (host === undefined || host === '') return undefined;
  let name = host.toLowerCase();
  if (name.startsWith('[')) {
    const close = name.indexOf(']');
    if (close < 0) return undefined;
    name = name.slice(0, close + 1);
    return IPV6_HOST.test(name) ? name : undefined;
  }
  const colon = name.indexOf(':');
  if (colon >= 0) name = name.slice(0, colon);
  return HOST_NAME.test(name) ? name : undefined;
}

export type RoutingPath =
  | { ok: true; path: string; query: string; rawPath: string }
  | { ok: false; message: string };

/**
 * Split a request URL into its raw path and query and build the path to route on.
 * With `host` set (host routing), the host becomes the first segment.
 */
export function routingPath(rawUrl: string, host?: string): RoutingPath {
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = q < 0 ? '' : rawUrl.slice(q);
  const decoded = decodeRequestPath(rawPath);
  if (!decoded.ok) return decoded;
  const path = host === undefined ? decoded.path : '/' + host + decoded.path;
  return { ok: true, path, query, rawPath };
}

/**
 * Drop the first `count` segments of a raw path (used by --no-include-prefix). The result
 * always starts with '/'. Works on the raw form so percent-escapes reach the backend untouched.
 */
export function stripSegments(rawPath: string, count: number): string {
  if (count <= 0) return rawPath;
  let index = 0;
  // Repeated leading slashes do not count as segments (the trie ignores them too).
  while (rawPath.charCodeAt(index + 1) === 47) index++;
  for (let i = 0; i < count; i++) {
    const next = rawPath.indexOf('/', index + 1);
    if (next < 0) return '/';
    index = next;
  }
  return rawPath.slice(index);
}
