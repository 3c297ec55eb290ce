import { parseLinkQuery, parseUserOptions } from '../../../../hub/catalog/spawn-options';

const G = 2 ** 30;

describe('parseLinkQuery (magic links)', () => {
  it('reads JupyterHub names', () => {
    expect(parseLinkQuery('?image=astro&mem_limit=16G&cpu_limit=2')).toEqual({
      ok: true, value: { image: 'astro', size: null, memLimit: 16 * G, cpuLimit: 2, workshop: null, serverName: null },
    });
  });

  it("reads JupyterHub 6's opt- names, profile as the image, our size and server_name", () => {
    const out = parseLinkQuery('opt-profile=astro&opt-size=large&opt-mem_limit=1.5Gi&opt-cpu_limit=500m&server_name=gpu');
    expect(out).toEqual({ ok: true, value: { image: 'astro', size: 'large', memLimit: 1.5 * G, cpuLimit: 0.5, workshop: null, serverName: 'gpu' } });
  });

  it('accepts an image reference and an empty query', () => {
    expect(parseLinkQuery('image=ghcr.io%2Fx%2Fastro%3A1.0')).toMatchObject({ ok: true, value: { image: 'ghcr.io/x/astro:1.0' } });
    expect(parseLinkQuery('')).toMatchObject({ ok: true, value: { image: null, size: null, memLimit: null, cpuLimit: null } });
  });

  it.each([
    ['image=a&image=b', 'image is given more than once'],
    ['image=a&opt-image=b', 'opt-image repeats image'],
    ['image=a&profile=b', 'profile repeats image'],
    ['mem_limit=16GB', 'mem_limit: expected a memory size such as 512M, 16G, 1.5Gi or a whole number of bytes, got "16GB"'],
    ['cpu_limit=lots', 'cpu_limit: expected a CPU amount such as 0.5, 2 or 500m, got "lots"'],
    ['memory=16G', 'unknown parameter "memory"'],
    ['next=/hub/home', 'unknown parameter "next"'],
    ['opt-server_name=x', 'unknown parameter "opt-server_name"'],
    ['opt-opt-image=a', 'unknown parameter "opt-opt-image"'],
    ['workshop=abc', 'unknown parameter "workshop"'],
    ['image=', 'image is empty'],
    ['server_name=', 'server_name is empty'],
  ])('%s → %s', (query, problem) => {
    expect(parseLinkQuery(query)).toEqual({ ok: false, problems: [problem] });
  });

  it('lists every problem at once', () => {
    const out = parseLinkQuery('image=a&image=b&cpu_limit=0&foo=1');
    expect(out.ok).toBe(false);
    expect(!out.ok && out.problems).toHaveLength(3);
  });
});

describe('parseUserOptions (REST API body)', () => {
  it('reads names and numbers, and an empty body', () => {
    expect(parseUserOptions({ image: 'astro', mem_limit: 2 * G, cpu_limit: 0.5 })).toMatchObject({ ok: true, value: { image: 'astro', memLimit: 2 * G, cpuLimit: 0.5 } });
    expect(parseUserOptions({ 'opt-size': 'small', workshop: 'w1' })).toMatchObject({ ok: true, value: { size: 'small', workshop: 'w1' } });
    expect(parseUserOptions({})).toMatchObject({ ok: true, value: { image: null } });
  });

  it('refuses unknown, repeated and mistyped options', () => {
    expect(parseUserOptions({ colour: 'red' })).toEqual({ ok: false, problems: [expect.stringMatching(/^unknown option "colour"/)] });
    expect(parseUserOptions({ image: 'a', profile: 'b' })).toEqual({ ok: false, problems: ['profile repeats image'] });
    expect(parseUserOptions({ image: 42 })).toEqual({ ok: false, problems: ['image: expected text, got 42'] });
    expect(parseUserOptions({ size: 'x'.repeat(600) })).toEqual({ ok: false, problems: ['size is longer than 512 characters'] });
    expect(parseUserOptions({ mem_limit: -1 })).toEqual({ ok: false, problems: [expect.stringMatching(/^mem_limit: expected a memory size/)] });
  });
});
