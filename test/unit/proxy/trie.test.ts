// URL trie: exact get/set/delete, longest-prefix matching on whole segments.
import { pathSegments, UrlTrie } from '../../../proxy/trie';

describe('pathSegments', () => {
  it.each([
    ['/', []],
    ['', []],
    ['/a', ['a']],
    ['/a/', ['a']],
    ['//a//b//', ['a', '', 'b']],
    ['/user/alice/lab', ['user', 'alice', 'lab']],
  ])('%s → %j', (path, expected) => {
    expect(pathSegments(path)).toEqual(expected);
  });
});

describe('UrlTrie', () => {
  function trieOf(...paths: string[]): UrlTrie<string> {
    const trie = new UrlTrie<string>();
    for (const p of paths) trie.set(p, `v${p}`);
    return trie;
  }

  it('finds the longest prefix', () => {
    const trie = trieOf('/', '/user', '/user/alice', '/user/alice/gpu');
    expect(trie.longestPrefix('/user/alice/gpu/lab')).toEqual({ prefix: '/user/alice/gpu', depth: 3, value: 'v/user/alice/gpu' });
    expect(trie.longestPrefix('/user/alice/lab')).toEqual({ prefix: '/user/alice', depth: 2, value: 'v/user/alice' });
    expect(trie.longestPrefix('/user/bob')).toEqual({ prefix: '/user', depth: 1, value: 'v/user' });
    expect(trie.longestPrefix('/hub/home')).toEqual({ prefix: '/', depth: 0, value: 'v/' });
  });

  it('matches whole segments only', () => {
    const trie = trieOf('/user/al');
    expect(trie.longestPrefix('/user/alice')).toBeUndefined();
    expect(trie.longestPrefix('/user/al/x')?.prefix).toBe('/user/al');
  });

  it("root '/' matches everything and nothing matches without it", () => {
    expect(trieOf('/').longestPrefix('/anything/at/all')?.prefix).toBe('/');
    expect(trieOf('/').longestPrefix('/')?.prefix).toBe('/');
    expect(trieOf('/a').longestPrefix('/b')).toBeUndefined();
    expect(new UrlTrie<string>().longestPrefix('/')).toBeUndefined();
  });

  it('treats trailing slashes as the same key', () => {
    const trie = trieOf('/user/alice/');
    expect(trie.get('/user/alice')).toBe('v/user/alice/');
    expect(trie.longestPrefix('/user/alice/')?.prefix).toBe('/user/alice');
    expect(trie.longestPrefix('/user/alice')?.prefix).toBe('/user/alice');
    trie.set('/user/alice', 'replaced');
    expect(trie.size).toBe(1);
    expect(trie.get('/user/alice/')).toBe('replaced');
  });

  it('handles unicode segments', () => {
    const trie = trieOf('/user/zoë', '/user/用户');
    expect(trie.longestPrefix('/user/zoë/lab')?.value).toBe('v/user/zoë');
    expect(trie.longestPrefix('/user/用户/tree')?.prefix).toBe('/user/用户');
    expect(trie.longestPrefix('/user/zoe/lab')).toBeUndefined();
  });

  it('removes values and prunes without touching neighbours', () => {
    const trie = trieOf('/', '/user/alice', '/user/alice/gpu', '/user/bob');
    expect(trie.delete('/user/alice')).toBe(true);
    expect(trie.delete('/user/alice')).toBe(false);
    expect(trie.delete('/user')).toBe(false);
    expect(trie.delete('/nope/deeper')).toBe(false);
    expect(trie.longestPrefix('/user/alice/lab')?.prefix).toBe('/');
    expect(trie.longestPrefix('/user/alice/gpu/x')?.prefix).toBe('/user/alice/gpu');
    expect(trie.delete('/user/alice/gpu')).toBe(true);
    expect(trie.longestPrefix('/user/alice/gpu/x')?.prefix).toBe('/');
    expect(trie.get('/user/bob')).toBe('v/user/bob');
    expect(trie.size).toBe(2);
    expect(trie.delete('/')).toBe(true);
    expect(trie.longestPrefix('/x')).toBeUndefined();
    expect(trie.values()).toEqual(['v/user/bob']);
  });

  it('get is exact, not prefix', () => {
    const trie = trieOf('/user/alice');
    expect(trie.get('/user')).toBeUndefined();
    expect(trie.get('/user/alice/lab')).toBeUndefined();
  });
});

describe('UrlTrie.longestValue (the per-request lookup)', () => {
  it('agrees with longestPrefix on every case', () => {
    const trie = new UrlTrie<string>();
    for (const p of ['/', '/user', '/user/alice', '/user/alice/gpu', '/a//b', '/用户']) trie.set(p, `v${p}`);
    for (const path of ['/', '', '/user', '/user/', '/user/alice/gpu/lab', '/user/alice/lab', '/user/alicex', '//user//alice//', '/a//b/c', '/a/b', '/用户/x', '/hub/home']) {
      expect(trie.longestValue(path)).toBe(trie.longestPrefix(path)?.value);
    }
    const empty = new UrlTrie<string>();
    expect(empty.longestValue('/x')).toBeUndefined();
    trie.clear();
    expect(trie.size).toBe(0);
    expect(trie.longestValue('/user/alice')).toBeUndefined();
  });
});
