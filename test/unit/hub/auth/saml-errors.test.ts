// What a refused SAML response says: node-saml's errors and our own, mapped to a 4xx, a reason
// label and a message a person can act on (never node-saml's raw text).
import { SamlRefusalError, describeSamlError } from '../../../../hub/auth/saml/errors';

describe('describeSamlError', () => {
  it.each<[string, number, string, RegExp]>([
    ['Invalid document signature', 401, 'signature', /not signed by Example U's identity provider, or was changed after/],
    ['Invalid signature', 401, 'signature', /changed after it was signed/],
    ['Invalid signature: No response found', 401, 'signature', /not signed/],
    ['Invalid signature: multiple assertions', 400, 'malformed', /several assertions or signatures/],
    ['SAML assertion expired: clocks skewed too much', 401, 'expired', /has expired/],
    ['SAML assertion expired: assertion too old', 401, 'expired', /has expired/],
    ['SAML assertion not yet valid', 401, 'not-yet-valid', /not valid yet/],
    ['SAML assertion audience mismatch. Expected: a Received: b', 401, 'audience', /meant for another service/],
    ['SAML assertion has no AudienceRestriction', 401, 'audience', /meant for another service/],
    ['InResponseTo is not valid', 401, 'in-response-to', /does not answer a sign-in started on this hub/],
    ['InResponseTo is missing from response', 401, 'unsolicited', /no InResponseTo/],
    ['InResponseTo does not match subjectInResponseTo', 401, 'in-response-to', /mismatch/],
    ['Unknown SAML issuer. Expected: x Received: y', 401, 'issuer', /unknown issuer/],
    ['No valid subject confirmation found among those available in the SAML assertion', 401, 'subject-confirmation', /subject confirmation/],
    ['Missing SAML assertion', 400, 'no-assertion', /holds no assertion/],
    ['[xmldom error]\tinvalid doc source', 400, 'malformed', /not a well-formed SAML message/],
    ['Not a valid XML document', 400, 'malformed', /not a well-formed SAML message/],
    ['something nobody expected', 400, 'invalid', /could not be accepted/],
  ])('%p → %i %s', (message, status, reason, text) => {
    const r = describeSamlError(new Error(message), 'Example U');
    expect(r).toEqual({ status, reason, message: expect.stringMatching(text) });
    expect(r.message).not.toContain(message);
  });

  it('reports the IdP refusing the sign-in with its status', () => {
    const err = Object.assign(new Error('SAML provider returned Responder error: NoAuthnContext'), { name: 'SamlStatusError' });
    expect(describeSamlError(err, 'Example U')).toEqual({ status: 403, reason: 'idp-refused', message: "Example U's identity provider did not sign you in (Responder error: NoAuthnContext)." });
  });

  it('passes our own refusals through', () => {
    const refusal = { status: 401 as const, reason: 'replay', message: 'This sign-in response was already used.' };
    expect(describeSamlError(new SamlRefusalError(refusal), 'X')).toBe(refusal);
  });
});
