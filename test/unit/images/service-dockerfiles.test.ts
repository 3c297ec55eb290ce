// The hub and proxy images: multi-stage, pinned base, only production dependencies, non-root,
// labelled; the proxy image ships exactly the packages proxy/ imports.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');

function stages(dockerfile: string): string[][] {
  const out: string[][] = [];
  for (const line of dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    if (/^FROM\s/i.test(line)) out.push([]);
    out.at(-1)?.push(line);
  }
  return out;
}

describe.each(['hub', 'proxy'])('images/%s/Dockerfile', (name) => {
  const text = read(`images/${name}/Dockerfile`);
  const all = stages(text);
  const final = all.at(-1)!;

  it('builds in several stages and pins its base to an exact release', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    const arg = /^ARG NODE_IMAGE=(\S+)$/m.exec(text)?.[1];
    expect(arg).toMatch(/:\d+\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/);
    for (const stage of all) expect(stage[0]).toMatch(/^FROM \$\{NODE_IMAGE\}/);
  });

  it('runs as a non-root user', () => {
    const user = final.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
  });

  it('ships no development dependencies', () => {
    expect(text).toMatch(/--omit=dev/);
    expect(final.join('\n')).not.toMatch(/npm (install|ci)\b/);
  });

  it('carries OCI labels with its version', () => {
    for (const label of ['title', 'version', 'source', 'licenses']) expect(text).toContain(`org.opencontainers.image.${label}=`);
  });
});

describe('proxy image dependencies', () => {
  it('lists exactly the packages that proxy/ imports', () => {
    const imports = new Set<string>();
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) {
          for (const m of fs.readFileSync(p, 'utf8').matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g)) {
            const spec = m[1]!;
            if (spec.startsWith('.') || spec.startsWith('node:')) continue;
            imports.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
          }
        }
      }
    };
    walk(path.join(ROOT, 'proxy'));
    const listed = read('images/proxy/runtime-deps.txt').split(/\s+/).filter(Boolean);
    const deps = Object.keys((JSON.parse(read('package.json')) as { dependencies: Record<string, string> }).dependencies);
    expect([...imports].sort()).toEqual([...listed].sort());
    for (const p of listed) expect(deps).toContain(p);
  });
});
