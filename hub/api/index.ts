// Mounts every API router under /hub/api. Unknown API paths answer JSON 404.
import express, { type Router } from 'express';
import type { HubContext } from '../context';
import { ApiRoutes } from '../http/route';
import { HubError } from '../errors';
import { registerMiscRoutes } from './misc';
import { registerUserRoutes } from './users';
import { registerServerRoutes } from './servers';
import { registerActivityRoutes } from './activity';
import { registerTokenRoutes } from './tokens';
import { registerGroupRoutes } from './groups';
import { registerImageRoutes } from './images';
import { registerWorkshopApiRoutes } from './workshops';
import { registerQuotaRoutes } from './quotas';
import { registerUsageRoutes } from './usage';
import { registerCullerRoutes } from '../culler/api';
import { openApiDocument } from './openapi';
import { JUPYTERHUB_API_VERSION } from '../context';

export function buildApiRoutes(ctx: HubContext): { router: Router; routes: ApiRoutes } {
  const router = express.Router();
  const routes = new ApiRoutes(router);
  registerMiscRoutes(routes, ctx);
  registerUserRoutes(routes, ctx);
  registerServerRoutes(routes, ctx);
  registerActivityRoutes(routes, ctx);
  registerTokenRoutes(routes, ctx);
  registerGroupRoutes(routes, ctx);
  registerImageRoutes(routes, ctx);
  registerWorkshopApiRoutes(routes, ctx);
  registerQuotaRoutes(routes, ctx);
  registerUsageRoutes(routes, ctx);
  registerCullerRoutes(routes, ctx);
  // The document lists every route above (and itself), read when asked, so it never drifts.
  routes.getPublic('/openapi.json', (_req, res) => {
    res.json(openApiDocument(routes.table, { version: JUPYTERHUB_API_VERSION, serverUrl: `${ctx.hubPrefix}api` }));
  });
  router.use((req, _res, next) => next(new HubError('NOT_FOUND', `No API endpoint ${req.method} ${req.path}`)));
  return { router, routes };
}

export function buildApiRouter(ctx: HubContext): Router {
  return buildApiRoutes(ctx).router;
}
