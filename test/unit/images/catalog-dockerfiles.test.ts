// The catalog and the Dockerfiles agree: each catalog entry is built by a Dockerfile here (or is
// marked external), the version label equals the catalog version, every base image is pinned,
// the image runs jupyterhub-singleuser as a non-root user, and Python packages are pinned.
// (Nothing is built: this machine has no container engine.)
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCatalog } from '../../../hub/catalog/catalog';
import { bundledCatalogPath } from '../../../hub/catalog/config';
import { parseImageReference, withoutDigest } from '../../../hub/catalog/image-ref';

const IMAGES = path.resolve(__dirname, '../../../images');
const catalog = loadCatalog(bundledCatalogPath());

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buffer = '';
  let start = 0;
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.trim();
    if (buffer === '' && (line === '' || line.startsWith('#'))) return;
    if (buffer !== '' && line.startsWith('#')) return;
    if (buffer === '') start = i + 1;
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1).trimEnd()} `;
      return;
    }
    const full = buffer + line;
    buffer = '';
    const m = /^(\w+)\s+([\s\S]*)$/.exec(full);
    if (m) out.push({ keyword: (m[1] as string).toUpperCase(), args: (m[2] as string).trim(), line: start });
  });
  return out;
}

/** KEY="value" pairs of LABEL instructions. */
function labels(instructions: Instruction[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ins of instructions.filter((i) => i.keyword === 'LABEL')) {
    for (const m of ins.args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)) out[m[1] as string] = (m[2] as string).replace(/^"|"$/g, '');
  }
  return out;
}

/** A FROM is pinned by a digest or by an exact version tag (x.y.z or a date), never latest. */
function pinProblem(from: string): string | null {
  const ref = from.split(/\s+/).find((w) => !w.startsWith('--')) as string;
  const parsed = parseImageReference(ref);
  if (typeof parsed === 'string') return `${ref}: ${parsed}`;
  if (parsed.digest) return null;
  if (!parsed.tag || parsed.tag === 'latest') return `${ref} has no version tag or digest`;
  if (!/\d+\.\d+\.\d+|\d{4}-\d{2}-\d{2}/.test(parsed.tag)) return `${ref}: tag "${parsed.tag}" is not an exact version (x.y.z or a date)`;
  return null;
}

const built = catalog.images.filter((img) => 'dockerfile' in img.source);
const dockerfileOf = (img: (typeof built)[number]) => path.join(IMAGES, (img.source as { dockerfile: string }).dockerfile);

describe('catalog and Dockerfiles', () => {
  it('every catalog entry has a Dockerfile here or says where it comes from', () => {
    expect(built.length).toBeGreaterThanOrEqual(2);
    for (const img of catalog.images) {
      if ('dockerfile' in img.source) expect({ id: img.id, exists: existsSync(dockerfileOf(img)) }).toEqual({ id: img.id, exists: true });
      else expect(img.source.external.length).toBeGreaterThan(10);
    }
  });

  describe.each(built.map((img) => [img.id, img] as const))('%s', (_id, img) => {
    const instructions = parseDockerfile(readFileSync(dockerfileOf(img), 'utf8'));
    const label = labels(instructions);

    it('is labelled with the OCI labels, the version equal to the catalog version and the image tag', () => {
      expect(label['org.opencontainers.image.version']).toBe(img.version);
      expect(label['org.opencontainers.image.title']).toBeTruthy();
      expect(label['org.opencontainers.image.description']).toBeTruthy();
      expect(label['org.opencontainers.image.licenses']).toBeTruthy();
      expect((parseImageReference(img.image) as { tag: string }).tag).toBe(img.version);
    });

    it('pins every base image, and a catalog base at a version the catalog offers', () => {
      const froms = instructions.filter((i) => i.keyword === 'FROM');
      expect(froms.length).toBeGreaterThan(0);
      for (const from of froms) {
        expect({ from: from.args, problem: pinProblem(from.args) }).toEqual({ from: from.args, problem: null });
        const ref = parseImageReference(from.args.split(/\s+/)[0] as string);
        if (typeof ref === 'string') continue;
        const ours = catalog.images.filter((c) => {
          const own = parseImageReference(c.image);
          return typeof own !== 'string' && own.registry === ref.registry && own.repository === ref.repository;
        });
        if (ours.length) expect(ours.map((c) => withoutDigest(parseImageReference(c.image) as never))).toContain(withoutDigest(ref));
      }
      expect(label['org.opencontainers.image.base.name']).toBe(froms.at(-1)?.args.split(/\s+/)[0]);
    });

    it('ends as a non-root user', () => {
      const users = instructions.filter((i) => i.keyword === 'USER');
      expect(users.length).toBeGreaterThan(0);
      const last = (users.at(-1) as Instruction).args.split(':')[0];
      expect(['root', '0', '']).not.toContain(last);
    });

    it('runs jupyterhub-singleuser (itself, or through the catalog image it is built on)', () => {
      const runs = (ins: Instruction[]) => ins.filter((i) => i.keyword === 'CMD').at(-1)?.args.includes('jupyterhub-singleuser') ?? false;
      if (runs(instructions)) return;
      const from = instructions.filter((i) => i.keyword === 'FROM').at(-1)?.args.split(/\s+/)[0] as string;
      const base = catalog.byReference(from);
      expect(base && 'dockerfile' in base.source).toBeTruthy();
      expect(runs(parseDockerfile(readFileSync(dockerfileOf(base as never), 'utf8')))).toBe(true);
    });

    it('pins every Python requirement it installs', () => {
      const req = path.join(path.dirname(dockerfileOf(img)), 'requirements.txt');
      const copies = instructions.some((i) => i.keyword === 'COPY' && i.args.includes('requirements.txt'));
      if (!copies) return;
      const lines = readFileSync(req, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(l).toMatch(/^[A-Za-z0-9_.-]+(\[[\w,]+\])?==\d[\w.]*$/);
      for (const run of instructions.filter((i) => i.keyword === 'RUN' && /pip install/.test(i.args))) {
        expect(run.args.replace(/-r \S+/g, '')).not.toMatch(/pip install(?:\s+--?[\w-]+)*\s+[A-Za-z]/);
      }
    });
  });

  it('the astronomy image has the JWST pipeline at a pinned release and a named kernel', () => {
    const astro = catalog.get('astro');
    expect(astro?.tags).toEqual(expect.arrayContaining(['JWST', 'HST']));
    const dir = path.dirname(dockerfileOf(astro as never));
    const req = readFileSync(path.join(dir, 'requirements.txt'), 'utf8');
    for (const pkg of ['jwst', 'astropy', 'photutils', 'ginga', 'ipywidgets']) expect(req).toMatch(new RegExp(`^${pkg}==\\d+\\.\\d+\\.\\d+$`, 'm'));
    expect(readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toMatch(/ipykernel install --sys-prefix --name astro-[\w.]+ --display-name "[^"]+"/);
  });

  it('the Dockerfile parser joins continuations and skips comments', () => {
    expect(parseDockerfile('# c\nFROM a:1.0.0\nLABEL x="1" \\\n  # inner\n  y="2"\nUSER 1000\n')).toEqual([
      { keyword: 'FROM', args: 'a:1.0.0', line: 2 }, { keyword: 'LABEL', args: 'x="1" y="2"', line: 3 }, { keyword: 'USER', args: '1000', line: 6 },
    ]);
    expect(pinProblem('python:3.11')).toMatch(/not an exact version/);
    expect(pinProblem('python')).toMatch(/no version tag/);
    expect(pinProblem(`python@sha256:${'a'.repeat(64)}`)).toBeNull();
  });
});
