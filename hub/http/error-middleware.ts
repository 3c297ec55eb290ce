// Maps every error to a response: JSON {status, message, error_id} under the API, a friendly
// page elsewhere. Bad input is a 4xx; only unknown failures are 500 (and logged with their id).
import type { ErrorRequestHandler, Request } from 'express';
import type { Logger } from 'pino';
import { HubError, newErrorId } from '../errors';
import { safeUrl } from '../logging';
import { renderError, type PageContext } from '../pages';

interface Classified {
  status: number;
  message: string;
  id: string;
  internal: boolean;
}

function classify(err: unknown): Classified {
  if (err instanceof HubError) return { status: err.status, message: err.publicMessage, id: err.id, internal: err.status >= 500 };
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown; code?: unknown; expose?: unknown; message?: unknown };
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (e?.code === 'EBADCSRFTOKEN' || e?.message === 'invalid csrf token') {
    return { status: 403, message: 'The form expired or did not come from this hub (missing or invalid CSRF token). Reload the page and try again.', id: newErrorId(), internal: false };
  }
  if (e?.type === 'entity.parse.failed') return { status: 400, message: 'The request body is not valid JSON.', id: newErrorId(), internal: false };
  if (e?.type === 'entity.too.large') return { status: 413, message: 'The request body is too large.', id: newErrorId(), internal: false };
  if (status >= 400 && status < 500) {
    return { status, message: typeof e.message === 'string' && e.expose !== false ? e.message : 'Bad request.', id: newErrorId(), internal: false };
  }
  return { status: 500, message: 'Something went wrong on the hub. The error id helps the admins find out what.', id: newErrorId(), internal: true };
}

export function errorMiddleware(opts: { apiPrefix: string; logger: Logger; pageContext: (req: Request) => PageContext }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const c = classify(err);
    const log = { errorId: c.id, status: c.status, method: req.method, url: safeUrl(req.originalUrl) };
    if (c.internal) opts.logger.error({ ...log, err }, 'request failed');
    else opts.logger.info({ ...log, reason: err instanceof HubError ? err.reason : undefined, detail: err instanceof HubError ? err.detail : undefined }, c.message);
    if (res.headersSent) {
      res.end();
      return;
    }
    // The OAuth authorize endpoint sits under the API prefix but is a browser page.
    const isApi = req.originalUrl.startsWith(opts.apiPrefix) && !req.originalUrl.startsWith(`${opts.apiPrefix}/oauth2/authorize`);
    if (isApi) {
      res.status(c.status).json({ status: c.status, message: c.message, error_id: c.id });
      return;
    }
    let ctx: PageContext;
    try {
      ctx = opts.pageContext(req);
    } catch {
      ctx = { ...opts.pageContext({ ...req, session: undefined } as unknown as Request) };
    }
    res.status(c.status).type('html').send(renderError({ ctx, status: c.status, title: titleFor(c.status), message: c.message, errorId: c.id }));
  };
}

function titleFor(status: number): string {
  if (status === 403) return 'Not allowed';
  if (status === 404) return 'Not found';
  if (status === 424) return 'Server not running';
  if (status === 429) return 'Too many requests';
  if (status >= 500) return 'Something went wrong';
  return 'Request not accepted';
}
