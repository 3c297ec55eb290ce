// The server state machine as a table: every (from, to) pair, and which states are active.
import { canTransition, isActive } from '../../../../hub/servers/state';
import type { ServerStateName } from '../../../../hub/store/store';

const STATES: ServerStateName[] = ['stopped', 'pending', 'running', 'stopping', 'failed'];
const ALLOWED = new Set([
  'stopped>pending',
  'failed>pending', 'failed>stopped',
  'pending>running', 'pending>failed', 'pending>stopping',
  'running>stopping', 'running>stopped', 'running>failed',
  'stopping>stopped', 'stopping>failed',
]);

describe('canTransition', () => {
  const pairs = STATES.flatMap((from) => STATES.map((to) => [from, to] as [ServerStateName, ServerStateName]));
  it.each(pairs)('%s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(ALLOWED.has(`${from}>${to}`));
  });

  it('no state transitions to itself', () => {
    for (const s of STATES) expect(canTransition(s, s)).toBe(false);
  });
});

describe('isActive', () => {
  it.each<[ServerStateName, boolean]>([
    ['pending', true], ['running', true], ['stopping', true], ['stopped', false], ['failed', false],
  ])('%s → %s', (state, active) => {
    expect(isActive(state)).toBe(active);
  });
});
