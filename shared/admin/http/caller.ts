/**
 * Who calls the admin API (SPEC §8). API Gateway's JWT authorizer (locally, its stand-in) has
 * checked the token's signature, issuer, audience and expiry; this decides whether the token's
 * `email` names the caller:
 * - a password user's token, when `email_verified` is true;
 * - a Cognito social provider's, when `email_verified` is true (the provider verified it);
 * - an SSO connection's provider's, for an email on that connection's verified domains only,
 *   whatever it says about verification;
 * - nothing else: an unbound federated provider, or a provider vouching outside its domains,
 *   proves nothing about the address (the "nOAuth" takeover).
 *
 * SPEC §12: a trusted token of an address whose domain enforces SSO (`on`) is 401 `SSO required`
 * unless it comes from the enforcing connection's provider or names a break-glass owner.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { normaliseEmail } from '../../domains/normalise.ts';
import { UnauthorizedError } from '../../errors.ts';
import type { Caller, CallerLookup } from '../../model/writes.ts';
import { enforce } from '../../trust/enforcement.ts';
import { cognitoIdentity, needsConnection, vouch } from '../../trust/vouch.ts';

/** The claims the rule reads, as the authorizer hands them over (strings) or as signed. */
export interface CallerClaims {
  email?: unknown;
  email_verified?: unknown;
  /** Cognito's `identities`: a JSON array (or its text) of the user's linked providers. */
  identities?: unknown;
}

/**
 * The token's claims: the authorizer's, with `identities` read from the bearer token itself.
 * API Gateway passes claims on as strings and flattens arrays (`[a b]`), which loses an array of
 * objects such as `identities`; the token in the `Authorization` header is the one the authorizer
 * has just verified (the route's identity source), so its payload is read as it was signed.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 */
export function callerClaims(event: APIGatewayProxyEventV2): CallerClaims {
  const claims =
    (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } })
      .authorizer?.jwt?.claims ?? {};
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  const token = header?.replace(/^Bearer\s+/i, '').trim();
  const payload = token?.split('.')[1];
  if (payload) {
    try {
      const signed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
      if (typeof signed === 'object' && signed !== null && 'identities' in signed) {
        return { ...claims, identities: (signed as { identities: unknown }).identities };
      }
      // The signed token has no identities: whatever the claims say, there are none.
      const { identities: _ignored, ...rest } = claims;
      return rest;
    } catch {
      // Not a JWT we can read: fall back to the authorizer's claims (parsed strictly below).
    }
  }
  return claims;
}

/**
 * SPEC §8's rule (shared/trust/vouch.ts) and §12's (shared/trust/enforcement.ts) at the admin
 * API's door. `lookup` reads, in one round trip, the verified-domain item of the email's domain
 * and, for a federated provider that is not a social one, the SSO connection naming it (its
 * sign-in copy). A token either rule refuses is 401, saying why.
 */
export async function trustedCaller(
  claims: CallerClaims,
  lookup: (domain: string, providerName: string | undefined) => Promise<Partial<CallerLookup>>,
): Promise<Caller> {
  const identity = cognitoIdentity(claims);
  if (identity.email === undefined || identity.email === null) {
    throw new UnauthorizedError('A bearer token with an email claim is required (an ID token)');
  }
  const address = normaliseEmail(identity.email);
  const provider = needsConnection(identity.provider) ? identity.provider : undefined;
  // An email that does not parse is refused by the rule below, whatever the table says.
  const { connection, enforcement } =
    address || provider ? await lookup(address?.domain ?? '', provider) : {};
  const trust = vouch(identity, connection);
  if (!trust.trusted) {
    throw new UnauthorizedError(
      trust.reason === 'unreadable_identities'
        ? "The token's identities claim could not be read"
        : trust.reason === 'email_not_verified' && !identity.provider
          ? "The token's email address is not verified"
          : trust.message,
    );
  }
  const enforced = enforce(trust.email, identity.provider ?? null, enforcement);
  if (enforced.action === 'deny') throw new UnauthorizedError(enforced.message);
  return { email: trust.email };
}
