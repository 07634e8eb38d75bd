/**
 * API Gateway's JWT authorizer, against the local user pool's keys: what lets a `/v1` request
 * reach the admin function with the caller's claims.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { UnauthorizedError } from '../shared/errors.ts';
import type { JwtAuthorizerContext } from './http-api.ts';

/** Checks an `Authorization` header and yields the request context's `authorizer`. */
export interface JwtAuthorizer {
  /** Rejects with an `UnauthorizedError` when the token is missing or invalid. */
  authorize(authorization: string | undefined): Promise<JwtAuthorizerContext>;
}

/**
 * API Gateway hands claims to the integration as strings: numbers and booleans in their JSON
 * form, arrays as `[a b]` (so `cognito:groups` arrives as `"[admins owners]"`).
 */
export function claimsAsApiGatewaySendsThem(payload: JWTPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) claims[name] = `[${value.join(' ')}]`;
    else if (typeof value === 'object') claims[name] = JSON.stringify(value);
    else claims[name] = String(value);
  }
  return claims;
}

/**
 * An authorizer for tokens of the pool behind `issuer` (`<cognito endpoint>/<userPoolId>`),
 * with the keys at `<issuer>/.well-known/jwks.json`. Like API Gateway it checks the signature
 * (RS256, by `kid`), `iss`, `exp`, `nbf`, `iat`, and that `aud` — or, for an access token that
 * has none, `client_id` — is one of `audience`. Both ID and access tokens pass, as they do in
 * AWS; only the ID token carries `email`, which the admin API takes the caller from.
 */
export function createJwtAuthorizer(options: {
  issuer: string;
  audience: readonly string[];
}): JwtAuthorizer {
  const keys = createRemoteJWKSet(new URL(`${options.issuer}/.well-known/jwks.json`));
  return {
    async authorize(authorization) {
      // API Gateway takes the identity source as is, with or without the `Bearer ` scheme.
      const token = authorization?.replace(/^Bearer\s+/i, '').trim();
      if (!token) throw new UnauthorizedError('Missing bearer token');
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          algorithms: ['RS256'],
        }));
      } catch (error) {
        if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout)) {
          throw new UnauthorizedError(`Invalid token: ${error.message}`);
        }
        throw error;
      }
      if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + 5) {
        throw new UnauthorizedError('Invalid token: issued in the future');
      }
      const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
      const presented = audiences.length > 0 ? audiences : [payload.client_id];
      if (!presented.some((a) => typeof a === 'string' && options.audience.includes(a))) {
        throw new UnauthorizedError('Invalid token: not issued for this API');
      }
      if (payload.token_use !== 'id' && payload.token_use !== 'access') {
        throw new UnauthorizedError('Invalid token: not an ID or access token');
      }
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : null;
      return { jwt: { claims: claimsAsApiGatewaySendsThem(payload), scopes } };
    },
  };
}
