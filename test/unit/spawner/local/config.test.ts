// The local spawner's config section: defaults, strictness, and clear errors.
import { LocalSpawnerConfigSchema } from '../../../../spawner/local/config';

describe('LocalSpawnerConfigSchema', () => {
  test('an empty section gets every default', () => {
    expect(LocalSpawnerConfigSchema.parse({})).toEqual({
      cmd: ['jupyterhub-singleuser'],
      args: [],
      env: {},
      ip: '127.0.0.1',
      stateDir: './.state/local-spawner',
      notebookDir: null,
      stopGraceSeconds: 5,
      allowRoot: 'auto',
      maxConcurrentStarts: 'auto',
      logTailLines: 40,
    });
  });

  test.each([
    [{ cmd: [] }, 'cmd'],
    [{ stopGraceSeconds: -1 }, 'stopGraceSeconds'],
    [{ allowRoot: 'yes' }, 'allowRoot'],
    [{ env: { 'BAD NAME': 'x' } }, 'env'],
    [{ logTailLines: 1.5 }, 'logTailLines'],
    [{ maxConcurrentStarts: 0 }, 'maxConcurrentStarts'],
    [{ maxConcurrentStarts: 'all' }, 'maxConcurrentStarts'],
  ])('rejects %j at %s', (input, key) => {
    const result = LocalSpawnerConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0]).toBe(key);
  });

  test('unknown keys are refused', () => {
    const result = LocalSpawnerConfigSchema.safeParse({ cmdd: ['x'] });
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['cmdd'] });
  });

  test('every field is described', () => {
    const undescribed = Object.entries(LocalSpawnerConfigSchema.shape).filter(([, field]) => !field.description);
    expect(undescribed.map(([key]) => key)).toEqual([]);
  });
});
