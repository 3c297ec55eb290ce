// HubContext: the services the composition root (app.ts) builds and hands to routers.
import type { Logger } from 'pino';
import type { Spawner } from '../spawner/types';
import type { HubConfig } from './config/schema';
import type { Store } from './store/store';
import type { TokenService } from './auth/tokens';
import type { Orchestrator } from './servers/orchestrator';
import type { ProxyClient } from './proxy-sync/proxy-client';
import type { Clock } from './clock';
import type { EventRecorder } from './events';

export interface HubContext {
  config: HubConfig;
  store: Store;
  spawner: Spawner;
  tokens: TokenService;
  orchestrator: Orchestrator;
  proxy: ProxyClient;
  clock: Clock;
  logger: Logger;
  record: EventRecorder;
  /** Runs one route reconciliation pass now. */
  syncRoutes: () => Promise<unknown>;
  /** The deployment's base URL ('/'), and the hub's own prefix ('/hub/'). */
  baseUrl: string;
  hubPrefix: string;
}

/** The JupyterHub API version we emulate; sent as X-JupyterHub-Version (must be PEP 440). */
export const JUPYTERHUB_API_VERSION = '5.5.1';
