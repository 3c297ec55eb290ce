// Container image references (registry/repository:tag@sha256:digest), checked against the
// distribution reference grammar. Pure. The catalog requires a tag; a digest pin is optional.

export interface ImageReference {
  /** Registry host (with port) or null for Docker Hub's default. */
  registry: string | null;
  /** Path below the registry, e.g. "jupyter/base-notebook". */
  repository: string;
  tag: string | null;
  /** "sha256:<64 hex>" or null. */
  digest: string | null;
}

// The grammar's pieces: lower-case path components joined by '/', separators '.', '_', '__'
// or runs of '-'; a domain is a host name or IPv4 address with an optional port (or "localhost").
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?`;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);

/** The parsed reference, or a sentence saying what is wrong with it. */
export function parseImageReference(ref: string): ImageReference | string {
  if (typeof ref !== 'string' || ref === '') return 'an image reference must not be empty';
  if (ref.length > 512) return 'an image reference may have at most 512 characters';
  let rest = ref;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return `digest "${digest}" is not sha256: followed by 64 lower-case hex digits`;
  }
  let tag: string | null = null;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return `tag "${tag}" is not valid (letters, digits, "_", "." and "-", at most 128, not starting with "." or "-")`;
  }
  let registry: string | null = null;
  const firstSlash = rest.indexOf('/');
  if (firstSlash >= 0) {
    const first = rest.slice(0, firstSlash);
    // As Docker decides: the first part is a registry if it has a '.' or ':' or is localhost.
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      if (!DOMAIN_RE.test(first)) return `registry "${first}" is not a valid host name with an optional port`;
      registry = first;
      rest = rest.slice(firstSlash + 1);
    }
  }
  if (rest === '') return 'the repository name is missing';
  if (!PATH_RE.test(rest)) return `repository "${rest}" is not valid (lower-case letters and digits, separated by "/", ".", "_", "__" or "-")`;
  if ((registry ? registry.length + 1 : 0) + rest.length > 255) return 'the name (registry and repository) may have at most 255 characters';
  return { registry, repository: rest, tag, digest };
}

/** Back to text: registry/repository:tag@digest. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry ? `${ref.registry}/` : ''}${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The reference without its digest, for matching what a link names against the catalog. */
export function withoutDigest(ref: ImageReference): string {
  return formatImageReference({ ...ref, digest: null });
}
