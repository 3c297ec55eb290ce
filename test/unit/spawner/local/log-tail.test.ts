// Log tails: last non-empty lines, from text and from the end of a large file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lastLines, readLogTail } from '../../../../spawner/local/log-tail';

describe('lastLines', () => {
  test('returns the last n non-empty lines', () => {
    expect(lastLines('a\nb\r\n\nc\n', 2)).toEqual(['b', 'c']);
    expect(lastLines('a\n', 5)).toEqual(['a']);
    expect(lastLines('a\nb', 0)).toEqual([]);
  });
});

describe('readLogTail', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'log-tail-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('reads only whole lines from the end of a big file', async () => {
    const file = path.join(dir, 'big.log');
    const lines = Array.from({ length: 20000 }, (_, i) => `line ${i} ${'x'.repeat(20)}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect(await readLogTail(file, 3)).toEqual(lines.slice(-3));
  });

  test('a missing file has no tail', async () => {
    expect(await readLogTail(path.join(dir, 'missing.log'), 3)).toEqual([]);
  });
});
