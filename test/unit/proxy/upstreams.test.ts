// Target URLs as forwarding sees them, and one pool per origin.
import { parseTarget, Upstreams } from '../../../proxy/upstreams';

describe('parseTarget', () => {
  it.each([
    ['http://127.0.0.1:34707', { origin: 'http://127.0.0.1:34707', secure: false, hostname: '127.0.0.1', port: 34707, basePath: '' }],
    ['http://127.0.0.1:34707/', { origin: 'http://127.0.0.1:34707', basePath: '' }],
    ['https://pod.ns.svc', { origin: 'https://pod.ns.svc', secure: true, port: 443 }],
    ['ws://h:1/base/', { origin: 'http://h:1', secure: false, basePath: '/base' }],
    ['wss://h/x/y', { origin: 'https://h', secure: true, basePath: '/x/y' }],
    ['http://[::1]:8888', { origin: 'http://[::1]:8888', hostname: '::1', port: 8888 }],
  ])('%s', (target, expected) => {
    expect(parseTarget(target)).toMatchObject(expected);
  });

  it.each(['not a url', 'file:///etc/passwd', 'ftp://h/x', 'http://'])('refuses %s', (target) => {
    expect(parseTarget(target)).toBeUndefined();
  });
});

describe('Upstreams', () => {
  it('shares one pool between targets of one origin and closes unused pools on sweep', async () => {
    const upstreams = new Upstreams({ rejectUnauthorized: true }, 1000);
    try {
      const a = upstreams.get('http://127.0.0.1:1/a');
      const b = upstreams.get('http://127.0.0.1:1/b');
      expect(a?.slot).toBe(b?.slot);
      expect(upstreams.get('garbage')).toBeUndefined();
      upstreams.sweep(); // marks unused
      upstreams.sweep(); // closes
      const again = upstreams.get('http://127.0.0.1:1/a');
      expect(again?.slot).not.toBe(a?.slot);
    } finally {
      await upstreams.close();
    }
  });
});
