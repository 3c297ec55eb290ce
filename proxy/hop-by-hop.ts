// Hop-by-hop request headers (RFC 9110 §7.6.1) belong to the client's connection, not to our
// pooled connection to the target: a client's `Connection: close` must not close (or poison)
// a keep-alive socket that other users' requests share.
import type { IncomingHttpHeaders } from 'node:http';

const ALWAYS = ['keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer'];

/** Removes hop-by-hop headers in place; cheap when the request has no Connection header. */
export function stripHopByHop(headers: IncomingHttpHeaders): void {
  const connection = headers.connection;
  if (connection === undefined && headers['keep-alive'] === undefined && headers['proxy-connection'] === undefined) return;
  if (typeof connection === 'string') {
    for (const name of connection.split(',')) {
      const h = name.trim().toLowerCase();
      if (h && h !== 'upgrade') delete headers[h];
    }
  }
  delete headers.connection;
  for (const h of ALWAYS) delete headers[h];
}
