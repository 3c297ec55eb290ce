// The spawner registry and the hub config's `spawner` section built from it.
import pino from 'pino';
import { createSpawner, SPAWNER_KINDS, SpawnerConfigSchema, spawnerRegistry, type SpawnerConfig } from '../../../spawner/registry';
import { ManualClock } from './manual-clock';

describe('SpawnerConfigSchema', () => {
  test('an absent section means the local spawner with its defaults', () => {
    const config: SpawnerConfig = SpawnerConfigSchema.parse(undefined);
    expect(config).toEqual({ kind: 'local', ...spawnerRegistry.local.configSchema.parse({}) });
    expect(config.kind === 'local' && config.stateDir).toBe('./.state/local-spawner');
  });

  test('local settings are validated as the local section', () => {
    expect(SpawnerConfigSchema.parse({ kind: 'local', stopGraceSeconds: 1 })).toMatchObject({ kind: 'local', stopGraceSeconds: 1 });
    const bad = SpawnerConfigSchema.safeParse({ kind: 'local', stopGraceSeconds: 'soon' });
    expect(bad.error?.issues[0]?.path).toEqual(['stopGraceSeconds']);
    const unknown = SpawnerConfigSchema.safeParse({ kind: 'local', replicas: 2 });
    expect(unknown.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['replicas'] });
  });

  test('an unknown kind names the kinds there are', () => {
    const result = SpawnerConfigSchema.safeParse({ kind: 'docker' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['kind']);
    expect(result.error?.issues[0]?.message).toContain('local');
  });

  test('the registry lists its kinds', () => {
    expect(SPAWNER_KINDS).toEqual(['local', 'kubernetes']);
  });
});

describe('createSpawner', () => {
  test('builds the chosen spawner and logs the choice', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const spawner = createSpawner(SpawnerConfigSchema.parse({ kind: 'local', stateDir: '/nonexistent/sciencehub' }), {
      logger,
      clock: new ManualClock(),
    });
    expect(spawner.kind).toBe('local');
    expect(lines.map((l) => JSON.parse(l) as { msg: string; kind: string })).toContainEqual(
      expect.objectContaining({ msg: 'spawner selected', kind: 'local' }),
    );
    await spawner.close();
  });
});
