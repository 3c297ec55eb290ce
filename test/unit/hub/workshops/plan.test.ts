import { parseCatalog } from '../../../../hub/catalog/catalog';
import { defaultGroupName, groupProblem, planWorkshop, WORKSHOP_ORGANISER, type WorkshopRequest } from '../../../../hub/workshops/plan';
import type { Group } from '../../../../hub/store/store';

const NOW = Date.parse('2025-03-01T10:00:00Z');
const entry = (id: string, over: Record<string, unknown> = {}) => ({
  id, displayName: id, description: 'd', version: '1.0', image: `ghcr.io/x/${id}:1.0`, source: { external: 'x' },
  sizes: [{ name: 'small', memory: '2G', cpuLimit: 1 }, { name: 'large', memory: '16G', cpuLimit: 4 }], defaultSize: 'small', allowInLinks: true, ...over,
});
const catalog = parseCatalog({ defaultImage: 'astro', images: [entry('astro'), entry('team', { visibleTo: ['jwst'] }), entry('nolinks', { allowInLinks: false })] }, 't');
const olga = { name: 'olga', admin: false, groups: [] as string[] };
const policy = { privileged: ['admins', 'organisers'], isIdpManaged: (g: Group) => g.properties.managedBy === 'identity-provider' };
const group = (properties: Record<string, unknown>): Group => ({ name: 'g', properties, created: new Date(NOW).toISOString() });
const req = (over: Partial<WorkshopRequest> = {}): WorkshopRequest => ({
  name: ' JWST data day ', image: 'astro', size: null, expiresAt: NOW + 8 * 3600_000, maxAttendees: 40, group: null, ...over,
});
const plan = (over: Partial<WorkshopRequest> = {}, organiser = olga, existing?: Group) =>
  planWorkshop(req(over), { id: 'AbCdEfGhIjKlMnOp', now: NOW, catalog, organiser, group: existing, policy });

describe('planWorkshop', () => {
  it('makes a workshop with the default size, a new group, whole-second expiry and no attendees', () => {
    expect(plan({ expiresAt: NOW + 3600_000 + 123 })).toEqual({
      ok: true,
      workshop: {
        id: 'AbCdEfGhIjKlMnOp', name: 'JWST data day', image: 'astro', size: 'small', group: 'workshop-abcdefghijklmnop', organiser: 'olga',
        created: '2025-03-01T10:00:00.000Z', expiresAt: '2025-03-01T11:00:00.000Z', maxAttendees: 40, revokedAt: null, attendees: [],
      },
    });
    expect(defaultGroupName('A_b-C')).toBe('workshop-abc');
  });

  it.each<[Partial<WorkshopRequest>, RegExp]>([
    [{ name: '  ' }, /^name: /],
    [{ image: 'nope' }, /^image: "nope" is not in the catalog/],
    [{ image: 'team' }, /^image: "team" is not in the catalog \(or not available to you\)/],
    [{ image: 'nolinks' }, /^image: "nolinks" may not be started from links/],
    [{ size: 'huge' }, /^size: "huge" is not a size of "astro" \(sizes: small, large\)/],
    [{ expiresAt: NOW }, /^expiry: must be in the future/],
    [{ expiresAt: NOW + 91 * 24 * 3600_000 }, /^expiry: at most 90 days ahead/],
    [{ maxAttendees: 0 }, /^max attendees: /],
    [{ maxAttendees: 1001 }, /^max attendees: /],
    [{ maxAttendees: 2.5 }, /^max attendees: /],
    [{ group: 'Bad Group' }, /^group: group "Bad Group" is not a valid name/],
    [{ group: 'admins' }, /^group: group "admins" grants admin or organiser rights/],
  ])('%p is refused, naming the field', (over, problem) => {
    const out = plan(over);
    expect(out.ok).toBe(false);
    expect(!out.ok && out.problems).toEqual([expect.stringMatching(problem)]);
  });

  it('a group member may use a group image', () => {
    expect(plan({ image: 'team' }, { ...olga, groups: ['jwst'] })).toMatchObject({ ok: true });
  });
});

describe('groupProblem', () => {
  it('lets an organiser reuse only their own workshop groups; admins any hub group; nobody IdP or role groups', () => {
    expect(groupProblem('g', group({ [WORKSHOP_ORGANISER]: 'olga' }), olga, policy)).toBeNull();
    expect(groupProblem('g', group({ [WORKSHOP_ORGANISER]: 'paul' }), olga, policy)).toMatch(/was not made for your workshops/);
    expect(groupProblem('g', group({}), olga, policy)).toMatch(/was not made for your workshops/);
    expect(groupProblem('g', group({}), { ...olga, admin: true }, policy)).toBeNull();
    expect(groupProblem('g', group({ managedBy: 'identity-provider' }), { ...olga, admin: true }, policy)).toMatch(/identity provider/);
    expect(groupProblem('organisers', undefined, { ...olga, admin: true }, policy)).toMatch(/grants admin or organiser rights/);
    expect(groupProblem('fresh', undefined, olga, policy)).toBeNull();
  });
});
