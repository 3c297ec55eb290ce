// URL-prefix trie over path segments with longest-prefix lookup. Pure data structure:
// no I/O, no URL decoding or validation (callers hand in clean, decoded paths).

/** Split a path into its segments: leading and trailing slashes are ignored, '/' is []. */
export function pathSegments(path: string): string[] {
  let start = 0;
  let end = path.length;
  while (start < end && path.charCodeAt(start) === 47) start++;
  while (end > start && path.charCodeAt(end - 1) === 47) end--;
  return start === end ? [] : path.slice(start, end).split('/');
}

/** The canonical key of a segment list: '/' for the root, '/a/b' otherwise. */
export function segmentsToPath(segments: readonly string[]): string {
  return '/' + segments.join('/');
}

interface TrieNode<T> {
  children: Map<string, TrieNode<T>> | undefined;
  hasValue: boolean;
  value: T | undefined;
}

export interface PrefixMatch<T> {
  prefix: string;
  /** Number of path segments the prefix covers (0 for '/'). */
  depth: number;
  value: T;
}

function newNode<T>(): TrieNode<T> {
  return { children: undefined, hasValue: false, value: undefined };
}

export class UrlTrie<T> {
  private readonly root: TrieNode<T> = newNode<T>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Set the value stored at exactly `path`, replacing any previous one. */
  set(path: string, value: T): void {
    let node = this.root;
    for (const seg of pathSegments(path)) {
      if (node.children === undefined) node.children = new Map();
      let child = node.children.get(seg);
      if (child === undefined) {
        child = newNode<T>();
        node.children.set(seg, child);
      }
      node = child;
    }
    if (!node.hasValue) this.count++;
    node.hasValue = true;
    node.value = value;
  }

  /** The value stored at exactly `path`, if any. */
  get(path: string): T | undefined {
    let node: TrieNode<T> | undefined = this.root;
    for (const seg of pathSegments(path)) {
      node = node.children?.get(seg);
      if (node === undefined) return undefined;
    }
    return node.hasValue ? node.value : undefined;
  }

  /** Remove the value at exactly `path`; prunes branches left empty. True if something was removed. */
  delete(path: string): boolean {
    const segments = pathSegments(path);
    const trail: TrieNode<T>[] = [this.root];
    let node: TrieNode<T> | undefined = this.root;
    for (const seg of segments) {
      node = node.children?.get(seg);
      if (node === undefined) return false;
      trail.push(node);
    }
    if (!node.hasValue) return false;
    node.hasValue = false;
    node.value = undefined;
    this.count--;
    for (let i = segments.length; i > 0; i--) {
      const child = trail[i];
      const parent = trail[i - 1];
      if (child === undefined || parent === undefined) break;
      if (child.hasValue || (child.children !== undefined && child.children.size > 0)) break;
      parent.children?.delete(segments[i - 1] as string);
    }
    return true;
  }

  /** The longest stored prefix of `path` (whole segments only), or undefined if none matches. */
  longestPrefix(path: string): PrefixMatch<T> | undefined {
    const segments = pathSegments(path);
    let node: TrieNode<T> | undefined = this.root;
    let bestDepth = -1;
    let best: T | undefined;
    if (node.hasValue) {
      bestDepth = 0;
      best = node.value;
    }
    for (let i = 0; i < segments.length; i++) {
      node = node.children?.get(segments[i] as string);
      if (node === undefined) break;
      if (node.hasValue) {
        bestDepth = i + 1;
        best = node.value;
      }
    }
    if (bestDepth < 0) return undefined;
    return { prefix: segmentsToPath(segments.slice(0, bestDepth)), depth: bestDepth, value: best as T };
  }

  /**
   * The value at the longest stored prefix of `path` (whole segments), without building the
   * prefix string or a segment array: the per-request lookup.
   */
  longestValue(path: string): T | undefined {
    let start = 0;
    let end = path.length;
    while (start < end && path.charCodeAt(start) === 47) start++;
    while (end > start && path.charCodeAt(end - 1) === 47) end--;
    let node: TrieNode<T> = this.root;
    let best = node.hasValue ? node.value : undefined;
    while (start < end && node.children !== undefined) {
      let slash = path.indexOf('/', start);
      if (slash < 0 || slash > end) slash = end;
      const child = node.children.get(path.slice(start, slash));
      if (child === undefined) break;
      node = child;
      if (node.hasValue) best = node.value;
      start = slash + 1;
    }
    return best;
  }

  /** Remove every value. */
  clear(): void {
    this.root.children = undefined;
    this.root.hasValue = false;
    this.root.value = undefined;
    this.count = 0;
  }

  /** Every stored value, parents before children. */
  values(): T[] {
    const out: T[] = [];
    const stack: TrieNode<T>[] = [this.root];
    while (stack.length > 0) {
      const node = stack.pop() as TrieNode<T>;
      if (node.hasValue) out.push(node.value as T);
      if (node.children !== undefined) for (const child of node.children.values()) stack.push(child);
    }
    return out;
  }
}
