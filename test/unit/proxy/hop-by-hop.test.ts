// stripHopByHop: a client's connection headers never reach the pooled upstream connection.
import { stripHopByHop } from '../../../proxy/hop-by-hop';

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
