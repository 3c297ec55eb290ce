// A workshop as pages and the API show it: labels from the catalog, status, the signed link. Pure.
import type { Workshop } from '../store/store';
import type { Catalog } from '../catalog/catalog';
import { sizeOf } from '../catalog/catalog';
import { describeSize } from '../catalog/resolve';
import type { WorkshopOffer, WorkshopRow } from '../pages/workshops';
import type { Viewer } from '../catalog/catalog';

export function workshopStatus(w: Workshop, now: number): WorkshopRow['status'] {
  return w.revokedAt !== null ? 'closed' : now >= Date.parse(w.expiresAt) ? 'expired' : 'open';
}

export function utcMinute(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

export function workshopRow(w: Workshop, catalog: Catalog, url: string, now: number): WorkshopRow {
  const img = catalog.get(w.image);
  const size = img ? sizeOf(img, w.size) : undefined;
  return {
    id: w.id, name: w.name, url, group: w.group, organiser: w.organiser, expiresAt: utcMinute(w.expiresAt),
    imageLabel: img ? `${img.displayName}, version ${img.version}` : `${w.image} (no longer in the catalog)`,
    sizeLabel: size ? describeSize(size) : w.size, attendees: w.attendees.length, maxAttendees: w.maxAttendees, status: workshopStatus(w, now),
  };
}

/** What an organiser may offer: visible images allowed in links, each size. */
export function workshopOffers(catalog: Catalog, organiser: Viewer): WorkshopOffer[] {
  return catalog.visibleTo(organiser).filter((img) => img.allowInLinks).flatMap((img) =>
    img.sizes.map((s) => ({ value: `${img.id}/${s.name}`, label: `${img.displayName} ${img.version}: ${describeSize(s)}` })));
}

/** The API model (snake_case). */
export function workshopModel(w: Workshop, url: string, now: number): Record<string, unknown> {
  return {
    id: w.id, name: w.name, image: w.image, size: w.size, group: w.group, organiser: w.organiser, created: w.created,
    expires_at: w.expiresAt, max_attendees: w.maxAttendees, attendees: w.attendees.length,
    places_left: Math.max(0, w.maxAttendees - w.attendees.length), revoked_at: w.revokedAt, status: workshopStatus(w, now), url,
  };
}
