// The standalone culler's pure parts: scopes it needs, reading JupyterHub-shaped models, the
// flags-over-config merge; and coalesce(), which makes many culls share one proxy read.
import { CullerConfigSchema } from '../../../../hub/culler/config';
import { candidatesFromUser, missingScopes, modelState } from '../../../../hub/culler/remote';
import { cullerConfigFrom } from '../../../../hub/culler/cli';
import { coalesce } from '../../../../hub/culler/activity';
import { ConfigError } from '../../../../hub/config/load';
import { ManualClock } from '../../spawner/manual-clock';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe('missingScopes', () => {
  const plain = CullerConfigSchema.parse({});
  const withGroups = CullerConfigSchema.parse({ overrides: { groups: { staff: { timeoutSeconds: 60 } } } });

  it('needs list:users, read:servers and delete:servers, filtered or not', () => {
    expect(missingScopes(['list:users', 'read:servers', 'delete:servers', 'read:users:name'], plain)).toEqual([]);
    expect(missingScopes(['list:users!group=ws', 'read:servers!group=ws', 'delete:servers!group=ws'], plain)).toEqual([]);
    expect(missingScopes(['list:users', 'read:servers', 'read:users:activity'], plain)).toEqual(['delete:servers']);
    expect(missingScopes([], plain)).toEqual(['list:users', 'read:servers', 'delete:servers']);
  });

  it('needs read:users:groups only when group overrides are configured', () => {
    expect(missingScopes(['list:users', 'read:servers', 'delete:servers'], withGroups)).toEqual(['read:users:groups']);
    expect(missingScopes(['list:users', 'read:servers', 'delete:servers', 'read:users:groups'], withGroups)).toEqual([]);
  });
});

describe('reading the API models', () => {
  it('maps ready/pending/stopped flags to states', () => {
    expect(modelState({ ready: true, pending: null })).toBe('running');
    expect(modelState({ ready: false, pending: 'spawn' })).toBe('pending');
    expect(modelState({ ready: false, pending: 'stop' })).toBe('stopping');
    expect(modelState({ ready: false, pending: null, stopped: true })).toBe('stopped');
    expect(modelState({ ready: false, pending: null, stopped: false })).toBe('pending');
  });

  it('turns a user model into candidates: each server with image, times and the groups when readable', () => {
    const user = {
      kind: 'user', name: 'alice', groups: ['staff', 7],
      servers: {
        '': { name: '', ready: true, pending: null, started: '2025-01-01T00:00:00Z', last_activity: '2025-01-01T01:00:00.5Z', image: 'astro:1', user_options: { image: 'astro', size: 'small' } },
        gpu: { name: 'gpu', ready: false, pending: 'spawn', started: null, last_activity: null },
      },
    };
    expect(candidatesFromUser(user)).toEqual([
      { user: 'alice', name: '', state: 'running', image: 'astro:1', imageId: 'astro', started: '2025-01-01T00:00:00Z', lastActivity: '2025-01-01T01:00:00.5Z', groups: ['staff'] },
      { user: 'alice', name: 'gpu', state: 'pending', image: null, imageId: null, started: null, lastActivity: null, groups: ['staff'] },
    ]);
    expect(candidatesFromUser({ name: 'bob' })).toEqual([]);
    expect(candidatesFromUser({ servers: {} })).toEqual([]);
  });
});

describe('cullerConfigFrom (flags over the config file)', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'culler-cli-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the culler section of the hub config, flags winning', () => {
    const file = path.join(dir, 'hub.yaml');
    writeFileSync(file, 'culler:\n  timeoutSeconds: 600\n  concurrency: 3\n  overrides:\n    users:\n      alice: {timeoutSeconds: 0}\n');
    const c = cullerConfigFrom({ config: file, timeout: 120, pageSize: 200, logLevel: 'info' }, {});
    expect(c).toMatchObject({ timeoutSeconds: 120, concurrency: 3, overrides: { users: { alice: { timeoutSeconds: 0 } } } });
  });

  it('uses the defaults without a file, and names the flag of a bad value', () => {
    expect(cullerConfigFrom({ pageSize: 200, logLevel: 'info', cullEvery: 2 }, {})).toMatchObject({ timeoutSeconds: 3600, intervalSeconds: 2 });
    expect(() => cullerConfigFrom({ pageSize: 200, logLevel: 'info', concurrency: 0 }, {})).toThrow(ConfigError);
    expect(() => cullerConfigFrom({ pageSize: 200, logLevel: 'info', concurrency: 0 }, {})).toThrow(/culler\.concurrency/);
  });
});

describe('coalesce', () => {
  it('shares one run among callers within the window, runs again after it, and does not keep a failure', async () => {
    const clock = new ManualClock(1000);
    let runs = 0;
    let fail = false;
    const shared = coalesce(async () => {
      runs++;
      if (fail) throw new Error('proxy down');
      return runs;
    }, 2000, clock);
    expect(await Promise.all([shared(), shared(), shared()])).toEqual([1, 1, 1]);
    await clock.sleep(1999);
    expect(await shared()).toBe(1);
    await clock.sleep(1);
    expect(await shared()).toBe(2);
    await clock.sleep(5000);
    fail = true;
    await expect(shared()).rejects.toThrow('proxy down');
    fail = false;
    expect(await shared()).toBe(4);
    expect(runs).toBe(4);
  });
});
