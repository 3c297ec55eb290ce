// Architecture rule: nothing in proxy/ or spawner/ imports from hub/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return /\.(ts|js)$/.test(name) ? [full] : [];
  });
}

it.each(['proxy', 'spawner'])('%s/ never imports hub/', (folder) => {
  const offenders = sources(path.join(root, folder)).filter((file) =>
    /(from|require\()\s*['"][^'"]*\/hub(\/|['"])/.test(readFileSync(file, 'utf8')));
  expect(offenders.map((f) => path.relative(root, f))).toEqual([]);
});
