// Access log: one line per request, its level from the status (2xx/3xx debug, 4xx info,
// 5xx warn; the error middleware logs the failure itself), the path without its query string.
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { safeUrl } from '../logging';

export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const level = res.statusCode >= 500 ? 'warn' : res.statusCode >= 400 ? 'info' : 'debug';
      if (!logger.isLevelEnabled(level)) return;
      logger[level]({ method: req.method, path: safeUrl(req.originalUrl), status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}
