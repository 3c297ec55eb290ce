// The catalog schema and loader: the repository's catalog is valid, and every kind of mistake
// is reported with the key path of the bad value.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../../../hub/config/load';
import { catalogFor, loadCatalog, parseCatalog } from '../../../../hub/catalog/catalog';
import { bundledCatalogPath, catalogPath } from '../../../../hub/catalog/config';
import { parseConfig } from '../../../../hub/config/load';
import { startHub } from '../../../../hub/app';
import pino from 'pino';

const DIGEST = `sha256:${'0f'.repeat(32)}`;

export function image(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'base', displayName: 'Base', description: 'Base image', version: '1.0.0', image: 'ghcr.io/x/base:1.0.0',
    source: { dockerfile: 'base/Dockerfile' }, sizes: [{ name: 'small', memory: '2G', cpuLimit: 1 }], defaultSize: 'small', ...over,
  };
}

function problems(doc: unknown): string[] {
  try {
    parseCatalog(doc, 'catalog.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected the catalog to be refused');
}

describe('the repository catalog', () => {
  it('is valid and has a visible default, JWST/HST tags and a deprecated entry with a successor', () => {
    const catalog = loadCatalog(bundledCatalogPath());
    expect(catalog.images.length).toBeGreaterThanOrEqual(2);
    expect(catalog.defaultFor({ admin: false, groups: [] })?.id).toBe(catalog.defaultImageId);
    expect(catalog.images.some((i) => i.tags.includes('JWST') && i.tags.includes('HST'))).toBe(true);
    const old = catalog.images.find((i) => i.deprecated);
    expect(old?.successor && catalog.get(old.successor)).toBeTruthy();
  });

  it('is the default of images.catalog, and catalogFor reads it once per config', () => {
    const config = parseConfig({});
    expect(config.images.catalog).toBeNull();
    expect(catalogPath(config.images)).toBe(bundledCatalogPath());
    expect(catalogFor(config.images)).toBe(catalogFor(config.images));
  });
});

describe('catalog validation', () => {
  it('accepts a minimal catalog and fills the defaults', () => {
    const c = parseCatalog({ defaultImage: 'base', images: [image()] }, 'x');
    const img = c.get('base');
    expect(img).toMatchObject({ tags: [], visibleTo: [], allowInLinks: false, prePull: false, deprecated: false, successor: null });
    expect(img?.sizes[0]).toEqual({ name: 'small', memory: 2 * 2 ** 30, memoryGuarantee: null, cpuLimit: 1, cpuGuarantee: null });
  });

  it('names the path of a bad memory, CPU, unknown key and missing field', () => {
    const bad = image({ sizes: [{ name: 'small', memory: '2GB', cpuLimit: 'lots' }, { name: 'big', memory: '4G', cpuLimit: 1, colour: 'red' }] });
    delete bad.description;
    const out = problems({ defaultImage: 'base', images: [image({ id: 'other' }), bad] });
    expect(out).toEqual(expect.arrayContaining([
      expect.stringMatching(/^images\.1\.sizes\.0\.memory: expected a memory size such as 512M.*got "2GB"/),
      expect.stringMatching(/^images\.1\.sizes\.0\.cpuLimit: expected a CPU amount.*got "lots"/),
      expect.stringMatching(/^images\.1\.sizes\.1: unknown key "colour"/),
      expect.stringMatching(/^images\.1\.description: /),
    ]));
  });

  it.each([
    [{ image: 'ghcr.io/x/Base:1.0.0' }, /^images\.0\.image: not a valid image reference: repository/],
    [{ image: 'ghcr.io/x/base' }, /^images\.0\.image: the image reference needs a tag/],
    [{ image: 'ghcr.io/x/base:latest', version: 'latest' }, /^images\.0\.image: the tag "latest" is not a version/],
    [{ image: 'ghcr.io/x/base:1.0.1' }, /^images\.0\.image: the tag "1.0.1" differs from version "1.0.0"/],
    [{ image: `ghcr.io/x/base:1.0.0@sha256:${'0f'.repeat(10)}` }, /^images\.0\.image: .*digest/],
    [{ defaultSize: 'huge' }, /^images\.0\.defaultSize: no size named "huge" \(sizes: small\)/],
    [{ id: 'Base!' }, /^images\.0\.id: expected 1-63 lower-case/],
    [{ sizes: [] }, /^images\.0\.sizes: an image needs at least one size/],
    [{ sizes: [{ name: 'small', memory: '2G', cpuLimit: 1 }, { name: 'small', memory: '4G', cpuLimit: 2 }] }, /^images\.0\.sizes\.1\.name: duplicate size name "small"/],
    [{ sizes: [{ name: 'small', memory: '2G', memoryGuarantee: '3G', cpuLimit: 1 }] }, /^images\.0\.sizes\.0\.memoryGuarantee: the guarantee is larger/],
    [{ sizes: [{ name: 'small', memory: '2G', cpuLimit: 1, cpuGuarantee: 2 }] }, /^images\.0\.sizes\.0\.cpuGuarantee: the guarantee is larger/],
    [{ source: { dockerfile: '/etc/Dockerfile' } }, /^images\.0\.source/],
    [{ source: {} }, /^images\.0\.source: expected \{dockerfile/],
    [{ successor: 'nope' }, /^images\.0\.successor: no image with id "nope"/],
    [{ successor: 'base' }, /^images\.0\.successor: an image cannot succeed itself/],
    [{ deprecated: true }, /^images\.0\.successor: a deprecated image must name its successor/],
    [{ allowInLinks: 'yes' }, /^images\.0\.allowInLinks: expected boolean/],
  ])('%p is refused with its path', (over, why) => {
    expect(problems({ defaultImage: 'base', images: [image(over)] })).toEqual(expect.arrayContaining([expect.stringMatching(why)]));
  });

  it('accepts a digest-pinned reference and a successor chain', () => {
    const c = parseCatalog({
      defaultImage: 'new',
      images: [image({ id: 'old', deprecated: true, successor: 'new' }), image({ id: 'new', image: `ghcr.io/x/base:1.0.0@${DIGEST}` })],
    }, 'x');
    expect(c.byReference('ghcr.io/x/base:1.0.0')?.id).toBe('old'); // first match by tag
    expect(c.byReference(`ghcr.io/x/base:1.0.0@${DIGEST}`)?.id).toBe('new');
    expect(c.byReference(`ghcr.io/x/base:1.0.0@sha256:${'11'.repeat(32)}`)).toBeUndefined();
  });

  it('refuses duplicate ids, an unknown or deprecated default, an empty catalog and unknown top-level keys', () => {
    expect(problems({ defaultImage: 'base', images: [image(), image()] })).toContain('images.1.id: duplicate id "base" (also images.0.id), got "base"');
    expect(problems({ defaultImage: 'nope', images: [image()] })).toEqual([expect.stringMatching(/^defaultImage: no image with id "nope"/)]);
    expect(problems({ defaultImage: 'old', images: [image({ id: 'old', deprecated: true, successor: 'base' }), image()] }))
      .toEqual([expect.stringMatching(/^defaultImage: "old" is deprecated/)]);
    expect(problems({ defaultImage: 'base', images: [] })).toEqual([expect.stringMatching(/^images: the catalog needs at least one image/)]);
    expect(problems({ defaultImage: 'base', images: [image()], extra: 1 })).toEqual(['(top level): unknown key "extra"']);
    expect(problems(null)).toEqual(expect.arrayContaining([expect.stringMatching(/^defaultImage: /)]));
  });

  it('reports an unreadable file and bad YAML with the file name', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'catalog-'));
    try {
      expect(() => loadCatalog(path.join(dir, 'missing.yaml'))).toThrow(/missing\.yaml[\s\S]*ENOENT/);
      writeFileSync(path.join(dir, 'bad.yaml'), 'images: [\n');
      expect(() => loadCatalog(path.join(dir, 'bad.yaml'))).toThrow(/bad\.yaml[\s\S]*YAML/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('visibility: everyone, groups, admins', () => {
    const c = parseCatalog({ defaultImage: 'open', images: [image({ id: 'open' }), image({ id: 'team', visibleTo: ['jwst'] })] }, 'x');
    expect(c.visibleTo({ admin: false, groups: [] }).map((i) => i.id)).toEqual(['open']);
    expect(c.visibleTo({ admin: false, groups: ['jwst'] }).map((i) => i.id)).toEqual(['open', 'team']);
    expect(c.visibleTo({ admin: true, groups: [] }).map((i) => i.id)).toEqual(['open', 'team']);
  });
});

describe('at hub start-up', () => {
  it('images.catalog must be a path', () => {
    expect(() => parseConfig({ images: { catalog: 5 } })).toThrow(/images\.catalog: expected string/);
    expect(() => parseConfig({ images: { colour: 'red' } })).toThrow(/images: unknown key "colour"/);
  });

  it('a bad catalog stops the hub before anything starts, naming the file and the key path', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'catalog-start-'));
    try {
      const file = path.join(dir, 'catalog.yaml');
      writeFileSync(file, 'defaultImage: base\nimages:\n  - id: base\n    displayName: B\n    description: d\n    version: 1.0.0\n    image: x/base:1.0.0\n    source: { external: x }\n    sizes: [{ name: small, memory: 2GB, cpuLimit: 1 }]\n    defaultSize: small\n');
      const config = parseConfig({ images: { catalog: file }, auth: { dev: { allowed: true, openSignup: true } }, store: { kind: 'file', path: path.join(dir, 'state.json') } });
      const started = startHub(config, pino({ level: 'silent' }));
      await expect(started).rejects.toThrow(ConfigError);
      await expect(started).rejects.toThrow(/catalog\.yaml:\n {2}images\.0\.sizes\.0\.memory: expected a memory size/);
      expect(existsSync(path.join(dir, 'state.json'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

