// Why a start failed, as a SpawnError with words for the user (pure): an abort (the hub's
// timeout, a stop, a cancel), a request Kubernetes would refuse, or what the API server answered.
import { SpawnError } from '../errors';
import { describeApiError, isRetriable } from './api-errors';
import { ManifestError } from './manifests/pod';

export function toSpawnError(err: unknown, abort: AbortSignal, lastMessage: string): SpawnError {
  if (abort.aborted) {
    const reason: unknown = abort.reason;
    if (reason instanceof SpawnError) return reason;
    if ((reason as { name?: unknown } | null)?.name === 'TimeoutError') {
      return new SpawnError(`Your server did not start in time${lastMessage ? ` (last status: ${lastMessage})` : ''}.`, 'timeout');
    }
    return new SpawnError('Starting your server was cancelled.', 'aborted', String(reason));
  }
  if (err instanceof SpawnError) return err;
  if (err instanceof ManifestError) return new SpawnError(`Your server cannot be started with these settings: ${err.message}.`, 'invalid-request', err.message);
  const api = describeApiError(err);
  const detail = `${api.status ?? 'no answer'} ${api.reason ?? ''}: ${api.message}`;
  if (api.status === 403) return new SpawnError('The hub is not allowed to create your server (a cluster permission is missing).', 'forbidden', detail);
  if (api.status === 422 || api.status === 400) return new SpawnError(`The cluster refused your server's settings: ${api.message}`, 'invalid', detail);
  if (isRetriable(err)) {
    return new SpawnError('The cluster is too busy or unreachable to start your server right now; try again in a minute.', 'api-unavailable', detail);
  }
  return new SpawnError('Your server could not be started.', 'spawn-failed', detail);
}
