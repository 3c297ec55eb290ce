import { formatImageReference, parseImageReference, withoutDigest } from '../../../../hub/catalog/image-ref';

const DIGEST = `sha256:${'a1'.repeat(32)}`;

describe('parseImageReference', () => {
  it.each([
    ['ghcr.io/sciencehub/astro:2025.01.0', { registry: 'ghcr.io', repository: 'sciencehub/astro', tag: '2025.01.0', digest: null }],
    ['jupyter/base-notebook:2024-10-07', { registry: null, repository: 'jupyter/base-notebook', tag: '2024-10-07', digest: null }],
    ['python:3.11.10-slim-bookworm', { registry: null, repository: 'python', tag: '3.11.10-slim-bookworm', digest: null }],
    [`quay.io/jupyter/scipy-notebook:2024-10-07@${DIGEST}`, { registry: 'quay.io', repository: 'jupyter/scipy-notebook', tag: '2024-10-07', digest: DIGEST }],
    [`registry.example.org:5000/a/b/c@${DIGEST}`, { registry: 'registry.example.org:5000', repository: 'a/b/c', tag: null, digest: DIGEST }],
    ['localhost/x__y.z-w:1', { registry: 'localhost', repository: 'x__y.z-w', tag: '1', digest: null }],
    ['localhost:5000/img', { registry: 'localhost:5000', repository: 'img', tag: null, digest: null }],
  ])('parses %s', (ref, expected) => {
    expect(parseImageReference(ref)).toEqual(expected);
    expect(formatImageReference(parseImageReference(ref) as never)).toBe(ref);
  });

  it.each([
    ['', /empty/],
    ['Astro:1', /repository "Astro"/],
    ['ghcr.io/Sciencehub/astro:1', /repository/],
    ['astro:', /tag ""/],
    ['astro:-1', /tag "-1"/],
    ['astro:1@sha256:abc', /digest/],
    [`astro@md5:${'a'.repeat(32)}`, /digest/],
    ['a//b:1', /repository/],
    ['a/b_-c:1', /repository/],
    ['-bad.io/x:1', /registry/],
    ['ghcr.io/:1', /repository name is missing/],
    [`a:${'x'.repeat(129)}`, /tag/],
    ['a b:1', /repository/],
  ])('refuses %p', (ref, why) => {
    const out = parseImageReference(ref);
    expect(typeof out).toBe('string');
    expect(out).toMatch(why);
  });

  it('drops the digest for matching', () => {
    expect(withoutDigest(parseImageReference(`a/b:1@${DIGEST}`) as never)).toBe('a/b:1');
  });
});
