// Start failures as the user reads them.
import { ApiException } from '@kubernetes/client-node';
import { SpawnError } from '../../../../spawner/errors';
import { ManifestError } from '../../../../spawner/kubernetes/manifests/pod';
import { toSpawnError } from '../../../../spawner/kubernetes/spawn-failure';

const live = new AbortController().signal;
const status = (code: number, message: string) => new ApiException(code, 'x', JSON.stringify({ kind: 'Status', code, message }), {});

describe('toSpawnError', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['a SpawnError passes through', new SpawnError('Boom.', 'crashed'), 'crashed', /^Boom\.$/],
    ['a refused size', new ManifestError('the memory guarantee (2Gi) is above the limit (1Gi)'), 'invalid-request', /cannot be started with these settings: the memory guarantee/],
    ['403', status(403, 'pods is forbidden'), 'forbidden', /not allowed to create your server/],
    ['422', status(422, 'Pod "x" is invalid: spec.containers[0].image: Required value'), 'invalid', /^The cluster refused your server's settings: Pod "x" is invalid/],
    ['503 after retries', status(503, 'etcd leader changed'), 'api-unavailable', /too busy or unreachable/],
    ['no answer', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'api-unavailable', /too busy or unreachable/],
    ['anything else', new TypeError('oops'), 'spawn-failed', /^Your server could not be started\.$/],
  ])('%s', (_label, err, reason, message) => {
    const e = toSpawnError(err, live, '');
    expect(e).toBeInstanceOf(SpawnError);
    expect(e.reason).toBe(reason);
    expect(e.userMessage).toMatch(message);
  });

  it('an abort wins over the error it caused', () => {
    const stopped = new AbortController();
    stopped.abort(new SpawnError('The server was stopped while starting.', 'stopped'));
    expect(toSpawnError(new Error('x'), stopped.signal, '').reason).toBe('stopped');
    const timedOut = new AbortController();
    timedOut.abort(new DOMException('timed out', 'TimeoutError'));
    expect(toSpawnError(new Error('x'), timedOut.signal, 'Pulling image x')).toMatchObject({
      reason: 'timeout', userMessage: 'Your server did not start in time (last status: Pulling image x).',
    });
    const cancelled = new AbortController();
    cancelled.abort(new Error('user left'));
    expect(toSpawnError(new Error('x'), cancelled.signal, '').reason).toBe('aborted');
  });
});
