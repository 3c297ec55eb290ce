// Listening and closing helpers shared by the primary, the workers and the API listener.

import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listen on host:port ('' = all interfaces, port 0 = a free one); resolves with the real port. */
export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host === '' ? undefined : host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stop accepting and drop open connections; resolves when the server is closed. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
