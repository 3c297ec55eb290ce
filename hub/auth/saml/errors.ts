// Why a SAML response was refused, in words a user (and the admin reading the log) can act on.
// Pure: maps node-saml's errors and our own checks to a 4xx status, a reason label and a message.

export interface SamlRefusal {
  status: 400 | 401 | 403 | 404 | 429;
  /** Stable label for logs and metrics. */
  reason: string;
  message: string;
}

/** Thrown by our own checks after node-saml accepted a response (replay, unusable identity). */
export class SamlRefusalError extends Error {
  override name = 'SamlRefusalError';
  constructor(readonly refusal: SamlRefusal) {
    super(refusal.message);
  }
}

const RULES: Array<[RegExp, Omit<SamlRefusal, 'message'>, (idp: string) => string]> = [
  [/InResponseTo is missing/i, { status: 401, reason: 'unsolicited' },
    () => 'The sign-in response does not answer a sign-in started on this hub (it has no InResponseTo). Start the sign-in from this hub.'],
  [/InResponseTo is not valid|SubjectInResponseTo is not valid/i, { status: 401, reason: 'in-response-to' },
    () => 'The sign-in response does not answer a sign-in started on this hub, or that sign-in was already completed or took too long. Start again.'],
  [/InResponseTo does not match/i, { status: 401, reason: 'in-response-to' },
    () => 'The sign-in response names two different requests (InResponseTo mismatch).'],
  [/multiple assertions|more than one element|Too many signatures|too many transforms|Only 1 signed reference/i, { status: 400, reason: 'malformed' },
    () => 'The sign-in response has an ambiguous structure (several assertions or signatures) and was not accepted.'],
  [/signature/i, { status: 401, reason: 'signature' },
    (idp) => `The sign-in response is not signed by ${idp}'s identity provider, or was changed after it was signed.`],
  [/expired|too old/i, { status: 401, reason: 'expired' },
    () => 'The sign-in response has expired. Start the sign-in again (if this keeps happening, the clocks of the hub and the identity provider disagree).'],
  [/not yet valid/i, { status: 401, reason: 'not-yet-valid' },
    () => 'The sign-in response is not valid yet (the clocks of the hub and the identity provider disagree).'],
  [/audience|AudienceRestriction/i, { status: 401, reason: 'audience' },
    () => 'The sign-in response is meant for another service (its audience is not this hub).'],
  [/issuer/i, { status: 401, reason: 'issuer' },
    (idp) => `The sign-in response does not come from ${idp}'s identity provider (unknown issuer).`],
  [/subject confirmation/i, { status: 401, reason: 'subject-confirmation' },
    () => 'The sign-in response has no valid subject confirmation (it may have expired or be meant for another service).'],
  [/decrypt|EncryptedAssertion|encrypted/i, { status: 400, reason: 'encryption' },
    () => 'The encrypted assertion in the sign-in response could not be decrypted with this hub\'s key.'],
  [/Missing SAML assertion/i, { status: 400, reason: 'no-assertion' },
    () => 'The sign-in response holds no assertion about who you are.'],
  [/XML|xmldom|Non-whitespace|unclosed|Unexpected|Invalid character|attribute/i, { status: 400, reason: 'malformed' },
    () => 'The sign-in response is not a well-formed SAML message.'],
];

/** A refusal for any error met while validating a SAML response. */
export function describeSamlError(err: unknown, institution: string): SamlRefusal {
  if (err instanceof SamlRefusalError) return err.refusal;
  const message = err instanceof Error ? err.message : String(err);
  if ((err as { name?: string } | null)?.name === 'SamlStatusError' || /^SAML provider returned/.test(message)) {
    const detail = message.replace(/^SAML provider returned /, '').slice(0, 200);
    return { status: 403, reason: 'idp-refused', message: `${institution}'s identity provider did not sign you in (${detail}).` };
  }
  for (const [pattern, base, text] of RULES) {
    if (pattern.test(message)) return { ...base, message: text(institution) };
  }
  return { status: 400, reason: 'invalid', message: 'The sign-in response could not be accepted.' };
}
