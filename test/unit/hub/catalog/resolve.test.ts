import { parseCatalog, type Viewer } from '../../../../hub/catalog/catalog';
import { NO_LIMITS, allowedChoices, resolveChoice, type SizeLimits } from '../../../../hub/catalog/resolve';
import { emptyChoice, type SpawnChoice } from '../../../../hub/catalog/spawn-options';

const G = 2 ** 30;
const sizes = [
  { name: 'small', memory: '2G', cpuLimit: 1 },
  { name: 'medium', memory: '8G', memoryGuarantee: '4G', cpuLimit: 2, cpuGuarantee: 1 },
  { name: 'large', memory: '16G', cpuLimit: 4 },
];
const entry = (id: string, over: Record<string, unknown> = {}) => ({
  id, displayName: id.toUpperCase(), description: 'd', version: '1.0', image: `ghcr.io/x/${id}:1.0`, source: { external: 'x' },
  sizes, defaultSize: 'medium', allowInLinks: true, ...over,
});
const catalog = parseCatalog({
  defaultImage: 'base',
  images: [entry('base'), entry('astro'), entry('team', { visibleTo: ['jwst'] }), entry('nolinks', { allowInLinks: false })],
}, 'test');
const anyone: Viewer = { admin: false, groups: [] };
const choice = (over: Partial<SpawnChoice>): SpawnChoice => ({ ...emptyChoice(), ...over });
const resolve = (over: Partial<SpawnChoice>, limits: SizeLimits = NO_LIMITS, via: 'form' | 'link' = 'link', viewer = anyone) =>
  resolveChoice(catalog, viewer, choice(over), { via, limits });

describe('resolveChoice', () => {
  it('defaults: the default image at its default size, as resources', () => {
    expect(resolve({})).toMatchObject({ ok: true, image: { id: 'base' }, size: { name: 'medium' }, resources: { memLimit: 8 * G, memGuarantee: 4 * G, cpuLimit: 2, cpuGuarantee: 1 } });
  });

  it('picks the smallest size that fits mem_limit and cpu_limit', () => {
    expect(resolve({ image: 'astro', memLimit: 3 * G })).toMatchObject({ ok: true, size: { name: 'medium' } });
    expect(resolve({ image: 'astro', cpuLimit: 3 })).toMatchObject({ ok: true, size: { name: 'large' } });
    expect(resolve({ image: 'astro', memLimit: 2 * G, cpuLimit: 1 })).toMatchObject({ ok: true, size: { name: 'small' } });
    expect(resolve({ image: 'astro', size: 'large', memLimit: 16 * G })).toMatchObject({ ok: true, size: { name: 'large' } });
  });

  it('finds an image by its reference', () => {
    expect(resolve({ image: 'ghcr.io/x/astro:1.0' })).toMatchObject({ ok: true, image: { id: 'astro' } });
  });

  it.each<[Partial<SpawnChoice>, number, string, RegExp]>([
    [{ image: 'nope' }, 400, 'unknown-image', /"nope" is not in this hub's catalog/],
    [{ image: 'docker.io/evil/miner:1' }, 400, 'unknown-image', /not in this hub's catalog/],
    [{ image: 'Evil/Miner:1' }, 400, 'bad-image', /not a catalog id nor a valid image reference/],
    [{ image: 'team' }, 403, 'not-visible', /not available to you/],
    [{ image: 'nolinks' }, 403, 'not-in-links', /cannot be started from a link/],
    [{ image: 'astro', size: 'huge' }, 400, 'unknown-size', /no size "huge" \(sizes: small, medium, large\)/],
    [{ image: 'astro', memLimit: 64 * G }, 400, 'no-size-fits', /No size of "astro" offers 64 GiB/],
    [{ image: 'astro', size: 'small', cpuLimit: 2 }, 400, 'no-size-fits', /Size "small" of "astro" does not offer 2 CPUs/],
  ])('%p is refused (%d %s)', (over, status, code, message) => {
    const out = resolve(over);
    expect(out).toMatchObject({ ok: false, status, code });
    expect(!out.ok && out.message).toMatch(message);
  });

  it('the form may start what links may not; group members and admins see group images', () => {
    expect(resolve({ image: 'nolinks' }, NO_LIMITS, 'form')).toMatchObject({ ok: true });
    expect(resolve({ image: 'team' }, NO_LIMITS, 'link', { admin: false, groups: ['jwst'] })).toMatchObject({ ok: true });
    expect(resolve({ image: 'team' }, NO_LIMITS, 'link', { admin: true, groups: [] })).toMatchObject({ ok: true });
  });

  it('refuses a size over the quota, naming the limit and what is allowed', () => {
    const out = resolve({ image: 'astro', memLimit: 16 * G }, { memory: 8 * G, cpu: null });
    expect(out).toMatchObject({ ok: false, status: 403, code: 'over-quota' });
    expect(!out.ok && out.message).toBe('large (16 GiB, 4 CPUs) is over your quota (at most 8 GiB of memory per server). Sizes of "astro" you may use: small (2 GiB, 1 CPU), medium (8 GiB, 2 CPUs).');
  });

  it('takes a bigger fitting size within the quota before refusing', () => {
    expect(resolve({ image: 'astro', memLimit: 1 * G }, { memory: null, cpu: 1 })).toMatchObject({ ok: true, size: { name: 'small' } });
  });

  it('without an explicit size, falls back from an over-quota default to the largest allowed size', () => {
    expect(resolve({ image: 'astro' }, { memory: 4 * G, cpu: null })).toMatchObject({ ok: true, size: { name: 'small' } });
    const none = resolve({ image: 'astro' }, { memory: G, cpu: null });
    expect(none).toMatchObject({ ok: false, status: 403, code: 'over-quota' });
    expect(!none.ok && none.message).toMatch(/the smallest is small \(2 GiB, 1 CPU\)/);
  });
});

describe('allowedChoices', () => {
  it('lists visible images with the sizes within the limits; links only allowInLinks images', () => {
    const form = allowedChoices(catalog, anyone, { memory: 8 * G, cpu: 2 }, 'form');
    expect(form.map((c) => [c.image.id, c.sizes.map((s) => s.name)])).toEqual([
      ['base', ['small', 'medium']], ['astro', ['small', 'medium']], ['nolinks', ['small', 'medium']],
    ]);
    expect(allowedChoices(catalog, anyone, NO_LIMITS, 'link').map((c) => c.image.id)).toEqual(['base', 'astro']);
    expect(allowedChoices(catalog, anyone, { memory: G, cpu: null }, 'form')).toEqual([]);
  });
});
