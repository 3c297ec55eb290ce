// Error answers of the public listener: 404 (no route) and 503 (target down). Asks the error
// target first, then the error-path folder, then a built-in page. Never reflects request input.

import { readFile } from 'node:fs/promises';
import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

const ERROR_TARGET_TIMEOUT_MS = 5000;

export interface ErrorPageOptions {
  errorTarget?: string | undefined;
  errorPath?: string | undefined;
  logger: Logger;
}

export interface ErrorResponder {
  /** Answer `res` with status `code`; `rawPath` is the request path as received (no query). */
  respond(code: number, req: IncomingMessage, res: ServerResponse, rawPath: string): void;
  /** Release the error target's keep-alive connections. */
  close(): void;
}

export function builtinErrorPage(code: number): string {
  const reason = STATUS_CODES[code] ?? 'Error';
  return (
    `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${code} ${reason}</title></head>\n` +
    `<body><h1>${code} ${reason}</h1><p>The proxy could not serve this request.</p></body></html>\n`
  );
}

/** Answer an upgrade (websocket) request with a bare HTTP error and close the socket. */
export function writeSocketError(socket: Duplex, code: number): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const reason = STATUS_CODES[code] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n` +
      `Connection: close\r\n\r\n${reason}`,
    () => socket.destroy(),
  );
}

function sendBuiltin(code: number, res: ServerResponse): void {
  if (res.headersSent || res.writableEnded) return;
  const body = builtinErrorPage(code);
  res.writeHead(code, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function createErrorResponder(options: ErrorPageOptions): ErrorResponder {
  const { logger } = options;
  const base = options.errorTarget?.replace(/\/+$/, '');
  const client = base?.startsWith('https:') ? https : http;
  const agent = base === undefined ? undefined : new client.Agent({ keepAlive: true });

  const fromFolder = async (code: number, res: ServerResponse): Promise<void> => {
    const dir = options.errorPath as string;
    for (const name of [`${code}.html`, 'error.html']) {
      try {
        const body = await readFile(path.join(dir, name));
        if (res.headersSent || res.writableEnded) return;
        res.writeHead(code, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length });
        res.end(body);
        return;
      } catch {
        // try the next file, then the built-in page
      }
    }
    logger.warn({ code, errorPath: dir }, 'no error page file; using the built-in page');
    sendBuiltin(code, res);
  };

  const fromTarget = (code: number, res: ServerResponse, rawPath: string): void => {
    const url = `${base}/${code}?url=${encodeURIComponent(rawPath)}`;
    const upstreamReq = client.get(url, { agent, timeout: ERROR_TARGET_TIMEOUT_MS }, (upstream) => {
      if (res.headersSent || res.writableEnded || res.destroyed) {
        upstream.resume();
        return;
      }
      const headers: Record<string, string> = {};
      const type = upstream.headers['content-type'];
      const encoding = upstream.headers['content-encoding'];
      if (type !== undefined) headers['Content-Type'] = type;
      if (encoding !== undefined) headers['Content-Encoding'] = encoding;
      res.writeHead(code, headers);
      upstream.on('error', () => res.destroy());
      upstream.pipe(res);
    });
    upstreamReq.on('timeout', () => upstreamReq.destroy(new Error('error target timed out')));
    upstreamReq.on('error', (err) => {
      logger.warn({ code, err: err.message }, 'error target failed; using the built-in page');
      if (options.errorPath !== undefined) void fromFolder(code, res);
      else sendBuiltin(code, res);
    });
  };

  return {
    respond(code, _req, res, rawPath) {
      if (res.headersSent || res.writableEnded) {
        res.destroy();
        return;
      }
      if (base !== undefined) fromTarget(code, res, rawPath);
      else if (options.errorPath !== undefined) void fromFolder(code, res);
      else sendBuiltin(code, res);
    },
    close() {
      agent?.destroy();
    },
  };
}
