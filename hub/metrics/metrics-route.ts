// GET /hub/metrics: the Prometheus exposition. Needs a token (or session) holding read:metrics
// (JupyterHub 5's scope), unless metrics.public is set. Not under /hub/api, as in JupyterHub.
import type { Router } from 'express';
import { currentPrincipal, requireScopes } from '../http/route';
import type { MetricsConfig } from './config';
import type { HubMetrics } from './hub-metrics';

export function registerMetricsRoute(router: Router, metrics: HubMetrics, config: MetricsConfig): void {
  if (!config.enabled) return;
  router.get('/metrics', async (_req, res) => {
    if (!config.public) requireScopes(currentPrincipal(res), ['read:metrics']);
    const { contentType, body } = await metrics.exposition();
    res.status(200).set({ 'Content-Type': contentType, 'Cache-Control': 'no-store' }).send(body);
  });
}
