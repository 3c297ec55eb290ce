// The CHP-compatible REST API: /api/routes[/<path>] with `Authorization: token <T>`.
// Answers JSON; bad input is a 4xx naming the problem. Never logs the token or query strings.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ActivityTracker } from './activity';
import { logPath } from './logging';
import type { RouteData, RouteStore } from './route-store';
import { parseApiRoutePath } from './target';

export interface ApiDeps {
  routes: RouteStore;
  activity: ActivityTracker;
  authToken: string;
  logger: Logger;
  now: () => number;
  /** Largest accepted POST body in bytes. */
  maxBodyBytes?: number;
  /** Called before answering a read: gathers activity recorded elsewhere (worker processes). */
  refreshActivity?: () => Promise<void>;
  /** Called after a write, before answering: waits until the change is live everywhere (workers). */
  afterWrite?: () => Promise<void>;
}

const API_PREFIX = '/api/routes';
const TOKEN_PATTERN = /token\s+(\S+)/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;
const TARGET_PROTOCOLS = new Set(['http:', 'https:', 'ws:', 'wss:']);

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** True when the Authorization header carries `token <expected>` (CHP's rule; Bearer does not count). */
export function tokenMatches(header: string | undefined, expectedDigest: Buffer): boolean {
  if (header === undefined) return false;
  const match = TOKEN_PATTERN.exec(header);
  if (match === null || match[1] === undefined) return false;
  return timingSafeEqual(digest(match[1]), expectedDigest);
}

/** Parse `inactive_since`/`inactiveSince`; undefined when absent. Throws ApiError(400) when bad. */
export function parseInactiveSince(query: URLSearchParams): number | undefined {
  const raw = query.get('inactiveSince') ?? query.get('inactive_since');
  if (raw === null || raw === '') return undefined;
  const ms = ISO_8601.test(raw) ? Date.parse(raw) : NaN;
  if (!Number.isFinite(ms)) throw new ApiError(400, `Invalid datestamp '${raw}' must be ISO8601.`);
  return ms;
}

/** Validate a POST body into route data (without last_activity). Throws ApiError(400) when bad. */
export function parseRouteBody(text: string): RouteData {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'Body must be valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'Body must be a JSON object');
  }
  const target = (body as Record<string, unknown>).target;
  if (typeof target !== 'string') throw new ApiError(400, "Must specify 'target' as string");
  const url = URL.canParse(target) ? new URL(target) : undefined;
  if (url === undefined || !TARGET_PROTOCOLS.has(url.protocol) || url.hostname === '') {
    throw new ApiError(400, "'target' must be an http, https, ws or wss URL");
  }
  return body as RouteData;
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new ApiError(413, `Body larger than ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new ApiError(413, `Body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createApiHandler(deps: ApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { routes, activity, logger, now } = deps;
  const expected = digest(deps.authToken);
  const maxBody = deps.maxBodyBytes ?? 1024 * 1024;

  const listRoutes = async (res: ServerResponse, query: URLSearchParams): Promise<void> => {
    const since = parseInactiveSince(query);
    const all = await routes.getAll();
    const out: Record<string, RouteData> = {};
    for (const [prefix, data] of Object.entries(all)) {
      const merged = activity.overlay(prefix, data);
      const last = merged.last_activity === undefined ? NaN : Date.parse(merged.last_activity);
      if (since === undefined || last < since) out[prefix] = merged;
    }
    sendJson(res, 200, out);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!tokenMatches(req.headers.authorization, expected)) throw new ApiError(403, 'Forbidden');
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    if (rawPath !== API_PREFIX && !rawPath.startsWith(API_PREFIX + '/')) throw new ApiError(404, 'Not found');
    const sub = rawPath.slice(API_PREFIX.length);
    const parsed = parseApiRoutePath(sub);
    if (!parsed.ok) throw new ApiError(400, `Invalid route path: ${parsed.message}`);
    const path = parsed.path;

    switch (req.method) {
      case 'GET': {
        if (deps.refreshActivity !== undefined) await deps.refreshActivity();
        if (path === '/') return listRoutes(res, query);
        const data = await routes.get(path);
        if (data === undefined) throw new ApiError(404, `No route for ${path}`);
        return sendJson(res, 200, activity.overlay(path, data));
      }
      case 'POST': {
        const data = parseRouteBody(await readBody(req, maxBody));
        activity.forget(path);
        await routes.add(path, { ...data, last_activity: new Date(now()).toISOString() });
        if (deps.afterWrite !== undefined) await deps.afterWrite();
        logger.debug({ path, target: data.target }, 'route added');
        return sendEmpty(res, 201);
      }
      case 'DELETE': {
        const removed = await routes.remove(path);
        if (!removed) throw new ApiError(404, `No route for ${path}`);
        activity.forget(path);
        if (deps.afterWrite !== undefined) await deps.afterWrite();
        logger.debug({ path }, 'route removed');
        return sendEmpty(res, 204);
      }
      default:
        res.setHeader('Allow', 'GET, POST, DELETE');
        throw new ApiError(405, 'Method not supported');
    }
  };

  return (req, res) => {
    const started = now();
    res.on('finish', () => {
      const fields = { method: req.method, path: logPath(req.url), status: res.statusCode, ms: now() - started };
      if (res.statusCode >= 500) logger.warn(fields, 'api request');
      else if (res.statusCode >= 400) logger.info(fields, 'api request');
      else logger.debug(fields, 'api request');
    });
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof ApiError) {
        if (err.status === 413) res.setHeader('Connection', 'close');
        sendJson(res, err.status, { status: err.status, message: err.message });
        return;
      }
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'route store failed');
      sendJson(res, 503, { status: 503, message: 'Route store unavailable' });
    });
  };
}
