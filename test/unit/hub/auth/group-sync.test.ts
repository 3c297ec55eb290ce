// Membership from the identity provider: IdP-managed groups follow the assertion, the hub's own
// groups (workshops, ...) are kept.
import { isIdpManaged, planMembership } from '../../../../hub/auth/group-sync';

describe('planMembership', () => {
  const managed = new Set(['admins', 'users', 'physics']);
  it.each<[string[], string[], string[]]>([
    [[], ['admins', 'users'], ['admins', 'users']],
    [['admins', 'users'], ['users'], ['users']],
    [['workshop-1', 'admins'], ['physics'], ['workshop-1', 'physics']],
    [['users', 'workshop-1'], ['users', 'new-group'], ['users', 'workshop-1', 'new-group']],
    [['workshop-1'], [], ['workshop-1']],
  ])('%j with %j asserted → %j', (current, asserted, expected) => {
    expect(planMembership(current, asserted, managed)).toEqual(expected);
  });
});

describe('isIdpManaged', () => {
  it('recognises the marker property only', () => {
    expect(isIdpManaged({ properties: { managedBy: 'identity-provider' } })).toBe(true);
    expect(isIdpManaged({ properties: {} })).toBe(false);
    expect(isIdpManaged({ properties: { managedBy: 'someone' } })).toBe(false);
  });
});
