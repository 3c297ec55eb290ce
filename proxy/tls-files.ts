// Reads the PEM files the TLS flags name (public listener, API listener, and the identity shown to
// https targets). A file that cannot be read is an error naming the flag, at start-up.

import { readFile } from 'node:fs/promises';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import { ProxyOptionsError, type ProxyOptions } from './options';
import type { UpstreamTls } from './upstreams';

export interface LoadedTls {
  /** TLS options of the public listener; undefined for plain http. */
  public: TlsOptions | undefined;
  /** TLS options of the API listener; undefined for plain http. */
  api: TlsOptions | undefined;
  /** What https targets see and are checked against. */
  upstream: UpstreamTls;
}

async function read(flag: string, file: string | undefined): Promise<Buffer | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(file);
  } catch (err) {
    throw new ProxyOptionsError(`${flag}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

async function listener(
  flags: { key: string; cert: string; ca: string },
  files: { key: string | undefined; cert: string | undefined; ca: string | undefined },
  passphrase: string | undefined,
  requestCert: boolean,
  rejectUnauthorized: boolean,
): Promise<TlsOptions | undefined> {
  const key = await read(flags.key, files.key);
  const cert = await read(flags.cert, files.cert);
  if (key === undefined || cert === undefined) return undefined;
  const ca = await read(flags.ca, files.ca);
  const base: SecureContextOptions = { key, cert, ...(ca !== undefined ? { ca } : {}), ...(passphrase !== undefined ? { passphrase } : {}) };
  return { ...base, requestCert, rejectUnauthorized: requestCert && rejectUnauthorized };
}

export async function loadTls(o: Omit<ProxyOptions, 'authToken'>): Promise<LoadedTls> {
  const publicTls = await listener(
    { key: '--ssl-key', cert: '--ssl-cert', ca: '--ssl-ca' },
    { key: o.sslKey, cert: o.sslCert, ca: o.sslCa },
    o.sslKeyPassphrase, o.sslRequestCert, o.sslRejectUnauthorized,
  );
  const apiTls = await listener(
    { key: '--api-ssl-key', cert: '--api-ssl-cert', ca: '--api-ssl-ca' },
    { key: o.apiSslKey, cert: o.apiSslCert, ca: o.apiSslCa },
    o.apiSslKeyPassphrase, o.apiSslRequestCert, o.apiSslRejectUnauthorized,
  );
  const clientCa = await read('--client-ssl-ca', o.clientSslCa);
  return {
    public: publicTls,
    api: apiTls,
    upstream: {
      key: await read('--client-ssl-key', o.clientSslKey),
      cert: await read('--client-ssl-cert', o.clientSslCert),
      ca: clientCa === undefined ? undefined : [clientCa],
      rejectUnauthorized: !o.insecure,
    },
  };
}
