// The replica's local copy applies changes in sequence order, whatever order they arrive in.
import { ReplicaTable } from '../../../proxy/replica-table';

const t = (target: string) => ({ target });

describe('ReplicaTable', () => {
  it('applies newer changes and ignores older or repeated ones', () => {
    const table = new ReplicaTable();
    expect(table.apply(2, { op: 'set', path: '/a', data: t('http://two') })).toBe(true);
    expect(table.apply(1, { op: 'set', path: '/a/', data: t('http://one') })).toBe(false);
    expect(table.apply(2, { op: 'set', path: '/a', data: t('http://again') })).toBe(false);
    expect(table.local.lookup('/a/x')?.data.target).toBe('http://two');
    expect(table.apply(3, { op: 'delete', path: '/a' })).toBe(true);
    expect(table.apply(2, { op: 'set', path: '/a', data: t('http://late') })).toBe(false);
    expect(table.local.lookup('/a/x')).toBeUndefined();
  });

  it('a full load replaces the copy but keeps what changed after the snapshot', () => {
    const table = new ReplicaTable();
    table.apply(1, { op: 'set', path: '/old', data: t('http://old') });
    table.apply(7, { op: 'set', path: '/fresh', data: t('http://fresh') });
    table.apply(8, { op: 'delete', path: '/gone' });
    // Snapshot taken at seq 5: it does not know /fresh yet and still has /gone.
    table.load(5, { '/gone': t('http://gone'), '/kept': t('http://kept') });
    expect(table.local.snapshot()).toEqual({ '/fresh': t('http://fresh'), '/kept': t('http://kept') });
    expect(table.loadedSeq).toBe(5);
    // Changes at or below the snapshot are already in it.
    expect(table.apply(4, { op: 'set', path: '/other', data: t('http://x') })).toBe(false);
    expect(table.apply(6, { op: 'set', path: '/other', data: t('http://y') })).toBe(true);
  });

  it('ignores a snapshot older than the last one', () => {
    const table = new ReplicaTable();
    table.load(10, { '/a': t('http://a') });
    table.load(9, {});
    expect(table.local.snapshot()).toEqual({ '/a': t('http://a') });
  });

  it('tells listeners about every change to the copy', () => {
    const table = new ReplicaTable();
    const seen: string[] = [];
    table.local.onChange((c) => seen.push(c.op === 'reset' ? `reset:${Object.keys(c.routes).join(',')}` : `${c.op}:${c.path}`));
    table.apply(1, { op: 'set', path: '/a/', data: t('http://a') });
    table.apply(2, { op: 'delete', path: '/a' });
    table.load(3, { '/b': t('http://b') });
    expect(seen).toEqual(['set:/a', 'delete:/a', 'reset:/b']);
  });
});

describe('ReplicaTable after the shared store lost its data', () => {
  it('knows the newest change it saw, and can start over from a lower counter', () => {
    const table = new ReplicaTable();
    table.load(40, { '/a': t('http://a') });
    table.apply(42, { op: 'set', path: '/b', data: t('http://b') });
    expect(table.knownSeq).toBe(42);
    table.restart(0, {});
    expect(table.knownSeq).toBe(0);
    expect(table.apply(1, { op: 'set', path: '/c', data: t('http://c') })).toBe(true);
    expect(table.local.snapshot()).toEqual({ '/c': t('http://c') });
  });
});
