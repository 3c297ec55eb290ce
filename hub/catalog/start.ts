// The catalog step of every spawn (called from requestStart before quota admission): turns the
// user options into a catalog image and size, or refuses with a 400/403 that says why and what
// is allowed. Also the user's per-server size limits, for the form and links.
import type { HubContext } from '../context';
import type { Resources } from '../../spawner/types';
import { HubError } from '../errors';
import type { User } from '../store/store';
import { QuotaBook } from '../quota/quota-book';
import { BYTES_PER_GB } from '../quota/fields';
import { checkJoin } from '../workshops/admission';
import { catalogFor } from './catalog';
import { resolveChoice, type ChoiceVia, type Refusal, type SizeLimits } from './resolve';
import { choiceToUserOptions, parseUserOptions, type SpawnChoice } from './spawn-options';

export interface StartChoice {
  /** The image reference the spawner runs (informational for the local spawner). */
  image: string;
  resources: Resources;
  /** What the server model shows as user_options: {image, size[, workshop]}. */
  userOptions: Record<string, string>;
}

/** The owner's per-server caps from their effective quota (hub/quota). */
export async function sizeLimitsOf(ctx: HubContext, owner: Pick<User, 'name' | 'groups'>): Promise<SizeLimits> {
  const { limits } = await new QuotaBook(ctx.store, ctx.config.quotas).effective(owner);
  return { memory: limits.memoryPerServerGb === null ? null : Math.round(limits.memoryPerServerGb * BYTES_PER_GB), cpu: limits.cpuPerServer };
}

export function refusalError(refusal: Refusal): HubError {
  return new HubError(refusal.status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST', `Not started: ${refusal.message}`, { reason: `catalog-${refusal.code}` });
}

/** A workshop start: the owner must be an attendee of a live workshop; its image and size apply. */
async function workshopChoice(ctx: HubContext, owner: User, id: string): Promise<SpawnChoice> {
  const w = await ctx.store.workshops.get(id);
  if (!w) throw new HubError('BAD_REQUEST', `Not started: there is no workshop "${id}".`, { reason: 'workshop-unknown' });
  const verdict = checkJoin(w, owner.name, ctx.clock.now());
  if (!verdict.ok) throw new HubError('FORBIDDEN', `Not started: ${verdict.message}`, { reason: `workshop-${verdict.reason}` });
  if (!verdict.already) throw new HubError('FORBIDDEN', `Not started: ${owner.name} has not joined the workshop “${w.name}”; open its link to join.`, { reason: 'workshop-not-joined' });
  return { image: w.image, size: w.size, memLimit: null, cpuLimit: null, workshop: w.id };
}

export async function resolveStart(ctx: HubContext, owner: User, userOptions: Record<string, unknown>, via: ChoiceVia = 'api'): Promise<StartChoice> {
  const parsed = parseUserOptions(userOptions);
  if (!parsed.ok) throw new HubError('BAD_REQUEST', `Invalid server options: ${parsed.problems.join('; ')}.`, { reason: 'bad-options' });
  const choice = parsed.value.workshop !== null ? await workshopChoice(ctx, owner, parsed.value.workshop) : parsed.value;
  const limits = await sizeLimitsOf(ctx, owner);
  const resolved = resolveChoice(catalogFor(ctx.config.images), owner, choice, { via: choice.workshop !== null ? 'workshop' : via, limits });
  if (!resolved.ok) {
    await ctx.record('refusal', owner.name, null, resolved.message, { reason: 'catalog', code: resolved.code });
    throw refusalError(resolved);
  }
  return { image: resolved.image.image, resources: resolved.resources, userOptions: choiceToUserOptions(resolved.image.id, resolved.size.name, choice.workshop) };
}
