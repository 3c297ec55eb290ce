// stripHopByHop: a client's connection headers never reach the pooled upstream connection.
import { responseHeaders, stripHopByHop } from '../../../proxy/hop-by-hop';

it('removes Connection and the headers it names', () => {
  const h = { connection: 'close, X-Secret-Hop', 'x-secret-hop': '1', host: 'a', accept: '*/*' };
  stripHopByHop(h);
  expect(h).toEqual({ host: 'a', accept: '*/*' });
});

it('removes the always hop-by-hop headers', () => {
  const h = { 'keep-alive': 'timeout=5', 'proxy-connection': 'keep-alive', te: 'trailers', host: 'a' };
  stripHopByHop(h);
  expect(h).toEqual({ host: 'a' });
});

it('leaves end-to-end headers alone', () => {
  const h = { host: 'a', cookie: 'c=1', authorization: 'token x' };
  stripHopByHop(h);
  expect(h).toEqual({ host: 'a', cookie: 'c=1', authorization: 'token x' });
});

describe('responseHeaders', () => {
  const b = (...values: string[]): Buffer[] => values.map((v) => Buffer.from(v, 'latin1'));

  it('drops hop-by-hop headers of the answer and keeps the rest with their case', () => {
    expect(responseHeaders(b('Content-Type', 'text/plain', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2')))
      .toEqual(['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
  });

  it('drops what the Connection header names', () => {
    expect(responseHeaders(b('X-Private', '1', 'Connection', 'close, x-private', 'Date', 'd'))).toEqual(['Date', 'd']);
  });

  it('keeps latin1 bytes as they came', () => {
    expect(responseHeaders(b('X-Name', 'caf\u00e9'))).toEqual(['X-Name', 'caf\u00e9']);
  });
});
