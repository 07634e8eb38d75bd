/**
 * The local stack's sign-in: tokens as a deployed pool would issue them, `orgs` claim included
 * (SPEC §9).
 *
 * cognito-local cannot run a version 2 Pre Token Generation trigger (local/README.md), so this
 * signs in against cognito-local (USER_PASSWORD_AUTH, so the sign-in trigger runs), invokes
 * `provisio-pre-token` through the local Invoke API with the version 2 event Cognito would send,
 * and re-signs the ID and access tokens with the claims it added, using cognito-local's own key
 * (the key its JWKS publishes, so the local API's authorizer accepts them).
 */
import { createPrivateKey, sign } from 'node:crypto';
import { createRequire } from 'node:module';
import { functionSpecs } from '../functions/registry.ts';
import type { LocalStackConfig } from './stack.ts';

const require = createRequire(import.meta.url);

export interface LocalTokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

type Claims = Record<string, unknown>;

interface ClaimsOverride {
  response?: {
    claimsAndScopeOverrideDetails?: {
      idTokenGeneration?: { claimsToAddOrOverride?: Claims };
      accessTokenGeneration?: { claimsToAddOrOverride?: Claims };
    } | null;
  };
}

/** cognito-local's signing key and key id (`lib/services/tokenGenerator.js`). */
const COGNITO_LOCAL_KID = 'CognitoLocal';
let signingKey: ReturnType<typeof createPrivateKey> | undefined;
const key = () => {
  signingKey ??= createPrivateKey(
    (require('cognito-local/lib/keys/cognitoLocal.private.json') as { pem: string }).pem,
  );
  return signingKey;
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode(token: string): { header: Claims; payload: Claims } {
  const [header = '', payload = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Claims,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims,
  };
}

/** The token with `claims` added, signed again with cognito-local's key (RS256). */
function withClaims(token: string, claims: Claims): string {
  const { header, payload } = decode(token);
  const input = `${b64({ ...header, alg: 'RS256', kid: COGNITO_LOCAL_KID })}.${b64({ ...payload, ...claims })}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), key()).toString('base64url')}`;
}

/** Invokes a function of the local stack through its Lambda Invoke API. */
async function invoke(config: LocalStackConfig, name: string, event: unknown): Promise<unknown> {
  const response = await fetch(
    `${config.lambdaEndpoint}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`,
    { method: 'POST', body: JSON.stringify(event) },
  );
  const text = await response.text();
  if (!response.ok || response.headers.get('x-amz-function-error')) {
    throw new Error(`${name} failed (${response.status}): ${text}`);
  }
  return JSON.parse(text) as unknown;
}

/** Signs in as `email` and returns the tokens with the pre-token trigger's claims in them. */
export async function localSignIn(
  config: LocalStackConfig,
  email: string,
  password: string,
): Promise<LocalTokens> {
  const response = await fetch(config.cognito.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
    },
    body: JSON.stringify({
      ClientId: config.cognito.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  });
  const answer = (await response.json()) as {
    AuthenticationResult?: { IdToken?: string; AccessToken?: string; RefreshToken?: string };
    message?: string;
    __type?: string;
  };
  const result = answer.AuthenticationResult;
  if (!response.ok || !result?.IdToken || !result.AccessToken || !result.RefreshToken) {
    throw new Error(`sign-in failed: ${answer.__type ?? response.status} ${answer.message ?? ''}`);
  }
  const id = decode(result.IdToken).payload;
  const out = (await invoke(
    config,
    functionSpecs.preToken.localName,
    preTokenEvent(
      // The user's attributes as Cognito hands them to the trigger (strings), from the ID token.
      {
        sub: String(id.sub ?? ''),
        email: String(id.email ?? email),
        ...(id.email_verified !== undefined ? { email_verified: String(id.email_verified) } : {}),
        ...(id.identities !== undefined ? { identities: JSON.stringify(id.identities) } : {}),
      },
      {
        userName: String(id['cognito:username'] ?? email),
        userPoolId: config.cognito.userPoolId,
        clientId: config.cognito.clientId,
      },
    ),
  )) as ClaimsOverride;
  const details = out.response?.claimsAndScopeOverrideDetails;
  return {
    idToken: withClaims(result.IdToken, details?.idTokenGeneration?.claimsToAddOrOverride ?? {}),
    accessToken: withClaims(
      result.AccessToken,
      details?.accessTokenGeneration?.claimsToAddOrOverride ?? {},
    ),
    refreshToken: result.RefreshToken,
  };
}

/**
 * A Pre Token Generation event, version 2, as Cognito sends it to the trigger: the local stack's
 * sign-in, the tests and the benchmark build theirs here.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
 */
export function preTokenEvent(
  userAttributes: Record<string, string>,
  options: {
    triggerSource?: string;
    userName?: string;
    userPoolId?: string;
    clientId?: string;
  } = {},
) {
  return {
    version: '2',
    triggerSource: options.triggerSource ?? 'TokenGeneration_Authentication',
    region: 'us-east-1',
    userPoolId: options.userPoolId ?? 'us-east-1_local',
    userName: options.userName ?? userAttributes.email ?? '',
    callerContext: { awsSdkVersion: 'provisio-local', clientId: options.clientId ?? 'client' },
    request: {
      userAttributes,
      groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [] },
      scopes: ['openid', 'email'],
    },
    response: { claimsAndScopeOverrideDetails: null },
  };
}

/** A token's payload, unverified (for printing). */
export const tokenClaims = (token: string): Claims => decode(token).payload;
