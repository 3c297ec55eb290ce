// The precedence rule of culler overrides, field by field: user, then image, then the most
// generous group, then the default; and the config section's validation.
import { CullerConfigSchema, type CullerConfigInput } from '../../../../hub/culler/config';
import { catalogImageId, imageMatches, moreGenerous, resolvePolicy, usesGroups } from '../../../../hub/culler/policy';
import { parseConfig, ConfigError } from '../../../../hub/config/load';

const config = (input: CullerConfigInput = {}) => CullerConfigSchema.parse(input);

const overrides: CullerConfigInput['overrides'] = {
  users: { alice: { timeoutSeconds: 7200 }, carol: { maxAgeSeconds: 600 } },
  images: { astro: { timeoutSeconds: 1200 }, 'astro:gpu': { timeoutSeconds: 300 }, 'registry.example/x': { maxAgeSeconds: 86_400 } },
  groups: { staff: { timeoutSeconds: 14_400 }, workshop: { timeoutSeconds: 1800, maxAgeSeconds: 4 * 3600 }, vip: { timeoutSeconds: 0 } },
};
const c = config({ timeoutSeconds: 3600, maxAgeSeconds: 0, overrides });

describe('resolvePolicy', () => {
  it('uses the defaults when nothing matches', () => {
    expect(resolvePolicy(c, { user: 'bob', image: null, groups: [] })).toEqual({
      enabled: true, timeoutSeconds: 3600, maxAgeSeconds: 0, warnBeforeSeconds: 900, source: { timeout: 'default', maxAge: 'default' },
    });
  });

  it('a user override wins over the image and the groups', () => {
    const p = resolvePolicy(c, { user: 'alice', image: 'astro:gpu', groups: ['workshop', 'vip'] });
    expect(p.timeoutSeconds).toBe(7200);
    expect(p.source.timeout).toBe('user:alice');
    // ... field by field: alice sets no maxAge, so the group's applies.
    expect(p.maxAgeSeconds).toBe(4 * 3600);
    expect(p.source.maxAge).toBe('group:workshop');
  });

  it('the image wins over the groups; an exact image match beats a match on the id', () => {
    expect(resolvePolicy(c, { user: 'bob', image: 'astro:gpu', groups: ['vip'] })).toMatchObject({ timeoutSeconds: 300, source: { timeout: 'image:astro:gpu' } });
    expect(resolvePolicy(c, { user: 'bob', image: 'astro:1.2', groups: ['vip'] })).toMatchObject({ timeoutSeconds: 1200, source: { timeout: 'image:astro' } });
    expect(resolvePolicy(c, { user: 'bob', image: 'astro', groups: [] }).timeoutSeconds).toBe(1200);
    expect(resolvePolicy(c, { user: 'bob', image: 'registry.example/x@sha256:abc', groups: [] })).toMatchObject({ maxAgeSeconds: 86_400, timeoutSeconds: 3600 });
    // A longer image name that merely starts with the key is another image.
    expect(resolvePolicy(c, { user: 'bob', image: 'astronomy:1', groups: [] }).source.timeout).toBe('default');
  });

  it('matches the catalog id the server was started with (user_options.image) as exactly as the reference', () => {
    const byId = config({ overrides: { images: { astro: { timeoutSeconds: 1200 }, 'ghcr.io/sciencehub/astro': { timeoutSeconds: 900 } } } });
    const subject = { user: 'bob', image: 'ghcr.io/sciencehub/astro:2025.01.0', groups: [] };
    expect(resolvePolicy(byId, { ...subject, imageId: 'astro' })).toMatchObject({ timeoutSeconds: 1200, source: { timeout: 'image:astro' } });
    expect(resolvePolicy(byId, { ...subject, imageId: null })).toMatchObject({ timeoutSeconds: 900, source: { timeout: 'image:ghcr.io/sciencehub/astro' } });
    expect(resolvePolicy(byId, { user: 'bob', image: null, imageId: 'astro', groups: [] }).timeoutSeconds).toBe(1200);
    expect(catalogImageId({ image: 'astro', size: 'small' })).toBe('astro');
    expect(catalogImageId({ image: 7 })).toBeNull();
    expect(catalogImageId({})).toBeNull();
  });

  it('of several groups the most generous wins, and 0 (never) beats any number', () => {
    expect(resolvePolicy(c, { user: 'bob', image: null, groups: ['workshop', 'staff'] })).toMatchObject({ timeoutSeconds: 14_400, source: { timeout: 'group:staff' } });
    expect(resolvePolicy(c, { user: 'bob', image: null, groups: ['staff', 'vip', 'workshop'] })).toMatchObject({ timeoutSeconds: 0, source: { timeout: 'group:vip' } });
    expect(resolvePolicy(c, { user: 'bob', image: null, groups: ['workshop'] })).toMatchObject({ timeoutSeconds: 1800, maxAgeSeconds: 4 * 3600 });
    expect(resolvePolicy(c, { user: 'bob', image: null, groups: ['nobody-configured-this'] }).source.timeout).toBe('default');
  });

  it('a group override beats a default even when it is stricter', () => {
    expect(resolvePolicy(c, { user: 'bob', image: null, groups: ['workshop'] }).timeoutSeconds).toBeLessThan(c.timeoutSeconds);
  });

  it('a user override of 0 exempts that user from idleness culling only', () => {
    const exempt = config({ maxAgeSeconds: 3600, overrides: { users: { dora: { timeoutSeconds: 0 } } } });
    expect(resolvePolicy(exempt, { user: 'dora', image: null, groups: [] })).toMatchObject({ timeoutSeconds: 0, maxAgeSeconds: 3600 });
  });

  it('is not fooled by user names that are object prototype keys', () => {
    for (const user of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(resolvePolicy(c, { user, image: null, groups: [user] }).source).toEqual({ timeout: 'default', maxAge: 'default' });
    }
  });

  it('carries enabled and the warning window through', () => {
    expect(resolvePolicy(config({ enabled: false, warnBeforeSeconds: 60 }), { user: 'x', image: null, groups: [] })).toMatchObject({ enabled: false, warnBeforeSeconds: 60 });
  });
});

describe('helpers', () => {
  it('imageMatches', () => {
    expect(imageMatches('astro', 'astro')).toBe('exact');
    expect(imageMatches('astro', 'astro:1.0')).toBe('id');
    expect(imageMatches('astro', 'astro@sha256:00')).toBe('id');
    expect(imageMatches('astro', 'astrox:1.0')).toBeNull();
    expect(imageMatches('astro:1.0', 'astro')).toBeNull();
  });

  it('moreGenerous', () => {
    expect(moreGenerous(10, 20)).toBe(20);
    expect(moreGenerous(0, 20)).toBe(0);
    expect(moreGenerous(20, 0)).toBe(0);
  });

  it('usesGroups', () => {
    expect(usesGroups(c)).toBe(true);
    expect(usesGroups(config())).toBe(false);
  });
});

describe('the culler config section', () => {
  it('has safe defaults: on, in the hub, 1 hour idle, no max age, checked every 5 minutes, warned 15 minutes before', () => {
    expect(parseConfig({}).culler).toEqual({
      enabled: true, runInHub: true, timeoutSeconds: 3600, maxAgeSeconds: 0, intervalSeconds: 300, concurrency: 10, warnBeforeSeconds: 900,
      overrides: { users: {}, images: {}, groups: {} },
    });
  });

  it.each<[unknown, RegExp]>([
    [{ timeoutSeconds: -1 }, /culler\.timeoutSeconds: .*>=0/],
    [{ timeoutSeconds: 1.5 }, /culler\.timeoutSeconds: expected int.*got 1\.5/],
    [{ intervalSeconds: 0 }, /culler\.intervalSeconds: .*>0/],
    [{ concurrency: 0 }, /culler\.concurrency/],
    [{ overrides: { users: { alice: {} } } }, /culler\.overrides\.users\.alice: set timeoutSeconds or maxAgeSeconds/],
    [{ overrides: { groups: { staff: { timeout: 5 } } } }, /culler\.overrides\.groups\.staff: unknown key "timeout"/],
    [{ overrides: { images: { '': { timeoutSeconds: 5 } } } }, /culler\.overrides\.images/],
    [{ overrides: { teams: {} } }, /culler\.overrides: unknown key "teams"/],
    [{ timeout: 5 }, /culler: unknown key "timeout"/],
  ])('refuses %j with the key path', (culler, message) => {
    let err: unknown;
    try { parseConfig({ culler }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.join('\n')).toMatch(message);
  });
});
