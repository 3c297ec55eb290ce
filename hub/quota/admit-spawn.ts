// Quota admission of a spawn, called from requestStart() (the one place every spawn passes):
// resolves the owner's quota and usage, refuses with a 403 that says which limit, the usage and
// what is left (and records a 'refusal' event), or returns the resources the server runs with.
import type { HubContext } from '../context';
import type { Resources } from '../../spawner/types';
import { HubError } from '../errors';
import type { User } from '../store/store';
import { isActive } from '../servers/state';
import { admit, spawnResources } from './admission';
import { QuotaBook } from './quota-book';
import { usageView } from './usage-view';

export interface SpawnAsk {
  image: string | null;
  resources: Resources;
}

export async function admitSpawn(ctx: HubContext, owner: User, serverName: string, ask: SpawnAsk): Promise<Resources> {
  const book = new QuotaBook(ctx.store, ctx.config.quotas);
  const now = ctx.clock.now();
  const [view, servers] = await Promise.all([
    usageView({ store: ctx.store, book, settings: ctx.config }, owner, now),
    ctx.store.servers.list(),
  ]);
  const resources = spawnResources(ask.resources, view.quota.limits);
  // Starting an active server is refused by the orchestrator ("already running"), not here.
  if (servers.some((s) => s.user === owner.name && s.name === serverName && isActive(s.state))) return resources;
  const otherActiveServers = servers.filter((s) => s.user === owner.name && s.name !== serverName && isActive(s.state)).length;
  const verdict = admit({ quota: view.quota, resources, otherActiveServers, budget: view.budget, month: view.month, currency: view.currency });
  if (!verdict.ok) {
    await ctx.record('refusal', owner.name, serverName, verdict.message, { reason: 'quota', limit: verdict.field });
    throw new HubError('FORBIDDEN', `Not started: ${verdict.message}`, { reason: 'quota-exceeded', detail: `quota field ${verdict.field}` });
  }
  return resources;
}
