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
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { UnauthorizedError } from '../../errors.ts';
import type { Connection } from '../../model/types.ts';
import type { Caller } from '../../model/writes.ts';
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
 * SPEC §8's rule (shared/trust/vouch.ts) at the admin API's door. `providerConnection` looks a
 * provider name up among the SSO connections (their sign-in copies); it is asked only for a
 * federated provider that is not a social one. A token the rule does not trust is 401, saying why.
 */
export async function trustedCaller(
  claims: CallerClaims,
  providerConnection: (providerName: string) => Promise<Connection | undefined>,
): Promise<Caller> {
  const identity = cognitoIdentity(claims);
  if (identity.email === undefined || identity.email === null) {
    throw new UnauthorizedError('A bearer token with an email claim is required (an ID token)');
  }
  const connection = needsConnection(identity.provider)
    ? await providerConnection(identity.provider)
    : undefined;
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
  return { email: trust.email };
}
