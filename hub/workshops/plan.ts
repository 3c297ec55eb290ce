// Pure checks for making a workshop: the organiser may offer this image and size (visible to
// them, allowed in links), the expiry and attendee limit are sane, and the group attendees join
// can grant nothing it should not (no admin/organiser/IdP group, nobody else's group).
import type { Group, Workshop } from '../store/store';
import type { Catalog, Viewer } from '../catalog/catalog';
import { sizeOf } from '../catalog/catalog';

export const MAX_ATTENDEES = 1000;
export const MAX_LIFETIME_HOURS = 90 * 24;
const GROUP_NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

export interface WorkshopRequest {
  name: string;
  image: string;
  /** Size name; null = the image's default size. */
  size: string | null;
  /** Epoch ms. */
  expiresAt: number;
  maxAttendees: number;
  /** Group attendees join; null = a new group named after the workshop id. */
  group: string | null;
}

export interface Organiser extends Viewer {
  name: string;
}

export interface GroupPolicy {
  /** Groups that grant roles (auth.adminGroups, auth.organiserGroups): never joined through a link. */
  privileged: readonly string[];
  isIdpManaged(group: Group): boolean;
}

/** The property marking a group made for workshops, with its organiser's name. */
export const WORKSHOP_ORGANISER = 'workshopOrganiser';

export function defaultGroupName(id: string): string {
  return `workshop-${id.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
}

/** Why the organiser may not send attendees into `group`, or null. `existing` is the stored group, if any. */
export function groupProblem(name: string, existing: Group | undefined, organiser: Organiser, policy: GroupPolicy): string | null {
  if (!GROUP_NAME.test(name)) return `group "${name}" is not a valid name (1-63 lower-case letters, digits, ".", "_" or "-")`;
  if (policy.privileged.includes(name)) return `group "${name}" grants admin or organiser rights; attendees cannot join it through a link`;
  if (!existing) return null;
  if (policy.isIdpManaged(existing)) return `group "${name}" is managed by the identity provider; choose a group of the hub's own`;
  if (!organiser.admin && existing.properties[WORKSHOP_ORGANISER] !== organiser.name) {
    return `group "${name}" exists and was not made for your workshops; choose a new group name`;
  }
  return null;
}

/** Problems with the request (each naming its field), or the workshop to store. */
export function planWorkshop(req: WorkshopRequest, ctx: { id: string; now: number; catalog: Catalog; organiser: Organiser; group: Group | undefined; policy: GroupPolicy }): { ok: true; workshop: Workshop } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const name = req.name.trim();
  if (name.length === 0 || name.length > 120) problems.push('name: 1 to 120 characters');
  const img = ctx.catalog.get(req.image);
  let size = req.size;
  if (!img || !ctx.catalog.isVisible(img, ctx.organiser)) problems.push(`image: "${req.image}" is not in the catalog (or not available to you)`);
  else if (!img.allowInLinks) problems.push(`image: "${img.id}" may not be started from links (allowInLinks is off in the catalog)`);
  else {
    size ??= img.defaultSize;
    if (!sizeOf(img, size)) problems.push(`size: "${size}" is not a size of "${img.id}" (sizes: ${img.sizes.map((s) => s.name).join(', ')})`);
  }
  if (!Number.isFinite(req.expiresAt) || req.expiresAt <= ctx.now) problems.push('expiry: must be in the future');
  else if (req.expiresAt - ctx.now > MAX_LIFETIME_HOURS * 3600_000) problems.push(`expiry: at most ${MAX_LIFETIME_HOURS / 24} days ahead`);
  if (!Number.isInteger(req.maxAttendees) || req.maxAttendees < 1 || req.maxAttendees > MAX_ATTENDEES) problems.push(`max attendees: a whole number from 1 to ${MAX_ATTENDEES}`);
  const group = req.group ?? defaultGroupName(ctx.id);
  const gp = groupProblem(group, ctx.group, ctx.organiser, ctx.policy);
  if (gp) problems.push(`group: ${gp}`);
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    workshop: {
      id: ctx.id, name, image: req.image, size: size as string, group, organiser: ctx.organiser.name,
      created: new Date(ctx.now).toISOString(), expiresAt: new Date(Math.floor(req.expiresAt / 1000) * 1000).toISOString(),
      maxAttendees: req.maxAttendees, revokedAt: null, attendees: [],
    },
  };
}
