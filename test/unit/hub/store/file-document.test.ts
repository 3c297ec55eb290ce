// The file store's document parser: round trips, expiry on save, and errors that name the bad entry.
import { emptyState, parseStateDocument, serializeState } from '../../../../hub/store/file-document';

const user = { name: 'ann', admin: false, groups: [], created: '2024-01-01T00:00:00Z', lastActivity: null };

describe('file document', () => {
  test('round-trips entries (including a __proto__ key) and events, leaving out expired entries', () => {
    const state = emptyState();
    state.collections.users.set('__proto__', { value: user, expiresAt: null });
    state.collections.sessions.set('live', { value: { a: 1 }, expiresAt: 2000 });
    state.collections.sessions.set('dead', { value: { a: 2 }, expiresAt: 1000 });
    state.events.push({ id: '1', time: '2024-01-01T00:00:00Z', kind: 'k', user: null, server: null, message: '', data: {} });
    const back = parseStateDocument(serializeState(state, 1000), 'f.json');
    expect(back.collections.users.get('__proto__')).toEqual({ value: user, expiresAt: null });
    expect([...back.collections.sessions.keys()]).toEqual(['live']);
    expect(back.events).toEqual(state.events);
    expect(Object.getPrototypeOf(back.collections.users)).toBe(Map.prototype);
  });

  test.each([
    ['not JSON', '{', /state file f\.json is not valid JSON/],
    ['wrong format', JSON.stringify({ format: 'x', version: 1, collections: {}, events: [] }), /f\.json is invalid: format/],
    ['unknown collection', JSON.stringify({ format: 'sciencehub-state', version: 1, collections: { nope: [] }, events: [] }), /nope/],
    ['bad event', JSON.stringify({ format: 'sciencehub-state', version: 1, collections: {}, events: [{ id: 1 }] }), /events\[0\]\.id/],
    [
      'bad entry',
      JSON.stringify({ format: 'sciencehub-state', version: 1, collections: { users: [{ key: 'a b', value: { ...user, groups: 'x' }, expiresAt: null }] }, events: [] }),
      /users entry "a b": collections\.users\[0\]\.value\.groups/,
    ],
    [
      'duplicate key',
      JSON.stringify({ format: 'sciencehub-state', version: 1, collections: { secrets: [{ key: 'k', value: 'a', expiresAt: null }, { key: 'k', value: 'b', expiresAt: null }] }, events: [] }),
      /secrets has key "k" twice/,
    ],
  ])('%s is refused with a message naming it', (_name, text, message) => {
    expect(() => parseStateDocument(text, 'f.json')).toThrow(message);
  });
});
