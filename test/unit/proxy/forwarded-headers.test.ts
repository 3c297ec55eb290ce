// Upstream request headers: hop-by-hop dropped, X-Forwarded-* as http-proxy/CHP add them, custom
// headers set, the cookie filter applied, and the body flag.
import { forwardedPort, upstreamHeaders, type ForwardedHeaderOptions } from '../../../proxy/forwarded-headers';

const plain: ForwardedHeaderOptions = { xForward: true, customHeaders: [], customNames: new Set() };
const facts = { remoteAddress: '10.0.0.7', encrypted: false, websocket: false };

function asObject(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < list.length; i += 2) out[(list[i] as string).toLowerCase()] = list[i + 1] as string;
  return out;
}

describe('upstreamHeaders', () => {
  it('keeps end-to-end headers in order and adds X-Forwarded-*', () => {
    const { list, hasBody } = upstreamHeaders(['Host', 'hub.example.org:8000', 'Accept', '*/*', 'Cookie', 'c=1'], facts, plain);
    expect(hasBody).toBe(false);
    expect(list).toEqual([
      'Host', 'hub.example.org:8000', 'Accept', '*/*', 'Cookie', 'c=1',
      'x-forwarded-for', '10.0.0.7', 'x-forwarded-port', '8000', 'x-forwarded-proto', 'http', 'x-forwarded-host', 'hub.example.org:8000',
    ]);
  });

  it('appends to X-Forwarded-For/-Port/-Proto from an earlier proxy and keeps its X-Forwarded-Host', () => {
    const { list } = upstreamHeaders(
      ['host', 'inner:8000', 'X-Forwarded-For', '1.2.3.4', 'x-forwarded-proto', 'https', 'x-forwarded-port', '443', 'x-forwarded-host', 'outer.example'],
      facts, plain,
    );
    expect(asObject(list)).toMatchObject({ 'x-forwarded-for': '1.2.3.4,10.0.0.7', 'x-forwarded-proto': 'https,http', 'x-forwarded-port': '443,8000', 'x-forwarded-host': 'outer.example' });
    expect(list.filter((h) => h.toLowerCase() === 'x-forwarded-for')).toHaveLength(1);
  });

  it('drops hop-by-hop headers and those Connection names, never Host', () => {
    const { list } = upstreamHeaders(
      ['Host', 'a', 'Connection', 'close, X-Hop, host', 'X-Hop', '1', 'Keep-Alive', 'timeout=5', 'TE', 'trailers', 'Trailer', 'x',
        'Proxy-Connection', 'keep-alive', 'Proxy-Authorization', 'Basic x', 'Upgrade', 'h2c', 'Expect', '100-continue', 'X-Keep', 'y'],
      facts, { ...plain, xForward: false },
    );
    expect(list).toEqual(['Host', 'a', 'X-Keep', 'y']);
  });

  it('notices a body from Content-Length or Transfer-Encoding (and drops the latter)', () => {
    expect(upstreamHeaders(['Content-Length', '12'], facts, plain).hasBody).toBe(true);
    expect(upstreamHeaders(['Content-Length', '0'], facts, plain).hasBody).toBe(false);
    const chunked = upstreamHeaders(['Transfer-Encoding', 'chunked'], facts, plain);
    expect(chunked.hasBody).toBe(true);
    expect(chunked.list.map((h) => h.toLowerCase())).not.toContain('transfer-encoding');
  });

  it('leaves X-Forwarded-* from the client alone with --no-x-forward', () => {
    const { list } = upstreamHeaders(['X-Forwarded-For', '6.6.6.6'], facts, { ...plain, xForward: false });
    expect(list).toEqual(['X-Forwarded-For', '6.6.6.6']);
  });

  it('sets custom headers, replacing a client header of the same name', () => {
    const options = { ...plain, xForward: false, customHeaders: ['x-deployment', 'prod'], customNames: new Set(['x-deployment']) };
    expect(upstreamHeaders(['X-Deployment', 'spoofed', 'A', 'b'], facts, options).list).toEqual(['A', 'b', 'x-deployment', 'prod']);
  });

  it('passes each Cookie header through the filter', () => {
    const filter = (v: string): string | undefined => (v === 'drop=1' ? undefined : v.toUpperCase());
    expect(upstreamHeaders(['Cookie', 'drop=1', 'Cookie', 'a=1'], facts, { ...plain, xForward: false }, filter).list).toEqual(['Cookie', 'A=1']);
  });

  it('hands the Upgrade value over separately for websockets and says ws/wss', () => {
    const ws = upstreamHeaders(['Host', 'h', 'Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'], { ...facts, websocket: true, encrypted: true }, plain);
    expect(ws.upgrade).toBe('websocket');
    expect(asObject(ws.list)).toMatchObject({ 'sec-websocket-key': 'k', 'x-forwarded-proto': 'wss', 'x-forwarded-port': '443' });
    expect(Object.keys(asObject(ws.list))).not.toEqual(expect.arrayContaining(['connection']));
    expect(Object.keys(asObject(ws.list))).not.toEqual(expect.arrayContaining(['upgrade']));
  });
});

describe('forwardedPort', () => {
  it.each([
    ['h:8000', false, '8000'],
    ['h', false, '80'],
    ['h', true, '443'],
    [undefined, false, '80'],
    ['[::1]:9000', false, '9000'],
    ['[::1]', true, '443'],
    ['h:', false, '80'],
  ] as const)('%s (tls %s) → %s', (host, tls, port) => {
    expect(forwardedPort(host, tls)).toBe(port);
  });
});
