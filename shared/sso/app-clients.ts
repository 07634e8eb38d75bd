/**
 * Which Cognito app clients may take a connection's provider (SPEC §8, "Nobody writes their own
 * groups"). Pure: it judges a client as `DescribeUserPoolClient` answers it.
 *
 * Two facts of Cognito meet here:
 * - Cognito writes every mapped attribute at each federated sign-in, through the app client the
 *   person signs in with, and fails the sign-in when that client may not write one of them. So a
 *   client taking the provider must list every mapped attribute in `WriteAttributes`.
 *   https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html#CognitoUserPools-Type-UserPoolClientType-WriteAttributes
 * - `WriteAttributes` is also what a person may change about themselves with
 *   `UpdateUserAttributes`, whose access token must carry `aws.cognito.signin.user.admin`.
 *   https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserAttributes.html
 *   A client issues that scope in two ways: managed login (the hosted pages) grants it when it
 *   is among `AllowedOAuthScopes` and requested, and every token of the SDK's sign-in flows
 *   (`InitiateAuth`, `AdminInitiateAuth`: password, SRP, custom, choice-based) carries it, whatever
 *   the client's scopes. A refresh gives tokens with the scopes of the sign-in it continues, so
 *   `ALLOW_REFRESH_TOKEN_AUTH` alone issues it only where one of the others already did.
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
 *
 * So a client taking a connection's provider must write every mapped attribute, must not allow
 * the scope, and must allow no explicit auth flow but `ALLOW_REFRESH_TOKEN_AUTH`: its people
 * sign in through the hosted pages only, and none of its tokens can rewrite their email,
 * `email_verified` or groups. (A pre token generation trigger can add scopes too; an attached
 * pool's operator must not make it add this one: README, "App clients that take SSO providers".)
 */
import { ConflictError } from '../errors.ts';
import { attributeMapping } from './identity-providers.ts';

/** The scope whose access tokens may call `UpdateUserAttributes` for their own user. */
export const SELF_SERVICE_SCOPE = 'aws.cognito.signin.user.admin';

/** The one explicit auth flow a client taking a connection's provider may allow. */
export const REFRESH_TOKEN_FLOW = 'ALLOW_REFRESH_TOKEN_AUTH';

/**
 * What Cognito allows a client created without `ExplicitAuthFlows`.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html#CognitoUserPools-CreateUserPoolClient-request-ExplicitAuthFlows
 */
export const DEFAULT_AUTH_FLOWS = [
  'ALLOW_REFRESH_TOKEN_AUTH',
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_CUSTOM_AUTH',
] as const;

/** The attributes a provider Provisio creates maps, for one type or (no type) for both. */
export function mappedAttributes(groupsAttribute: string, type?: 'saml' | 'oidc'): string[] {
  const oidc = Object.keys(
    attributeMapping({ type: 'oidc', issuer: '', clientId: '', clientSecret: '' }, groupsAttribute),
  );
  const saml = Object.keys(attributeMapping({ type: 'saml' }, groupsAttribute));
  if (type) return type === 'oidc' ? oidc : saml;
  return [...new Set([...oidc, ...saml])];
}

/** An app client as `DescribeUserPoolClient` answers it (the fields judged here). */
export interface AppClientSettings {
  ClientId?: string | undefined;
  ClientName?: string | undefined;
  /** Absent when the client has Cognito's default (the standard attributes, no custom one). */
  WriteAttributes?: readonly string[] | undefined;
  /** Absent: `DEFAULT_AUTH_FLOWS`. */
  ExplicitAuthFlows?: readonly string[] | undefined;
  AllowedOAuthScopes?: readonly string[] | undefined;
}

/** One setting of a client to change, and how. */
export interface AppClientProblem {
  setting: 'WriteAttributes' | 'AllowedOAuthScopes' | 'ExplicitAuthFlows';
  /** What to do, in words. */
  change: string;
}

/**
 * What keeps `client` from taking a provider that maps `mapped`: none when it may. Every problem
 * is listed, so that the operator fixes them in one go.
 */
export function federationClientProblems(
  client: AppClientSettings,
  mapped: readonly string[],
): AppClientProblem[] {
  const problems: AppClientProblem[] = [];
  const writes = client.WriteAttributes?.length ? client.WriteAttributes : undefined;
  if (!writes) {
    problems.push({
      setting: 'WriteAttributes',
      change: `set it explicitly to include ${mapped.join(', ')} (unset, Cognito's default writes no custom attribute, and a federated sign-in fails on a mapped attribute the client cannot write)`,
    });
  } else {
    const missing = mapped.filter((a) => !writes.includes(a));
    if (missing.length) {
      problems.push({
        setting: 'WriteAttributes',
        change: `add ${missing.join(', ')} (a federated sign-in fails on a mapped attribute the client cannot write)`,
      });
    }
  }
  if (client.AllowedOAuthScopes?.includes(SELF_SERVICE_SCOPE)) {
    problems.push({
      setting: 'AllowedOAuthScopes',
      change: `remove ${SELF_SERVICE_SCOPE} (its access tokens let people rewrite their own email and groups)`,
    });
  }
  const flows = client.ExplicitAuthFlows ?? DEFAULT_AUTH_FLOWS;
  const selfService = flows.filter((f) => f !== REFRESH_TOKEN_FLOW);
  if (selfService.length) {
    problems.push({
      setting: 'ExplicitAuthFlows',
      change: `allow only ${REFRESH_TOKEN_FLOW}, not ${selfService.join(', ')}${client.ExplicitAuthFlows ? '' : " (unset, Cognito's default)"} (the tokens of those flows always carry ${SELF_SERVICE_SCOPE}); people sign in through the hosted pages`,
    });
  }
  return problems;
}

/**
 * Throws a `ConflictError` (409) naming the client and each setting to change when `client`
 * cannot take a provider that maps `mapped`.
 */
export function assertFederationClient(client: AppClientSettings, mapped: readonly string[]): void {
  const problems = federationClientProblems(client, mapped);
  if (!problems.length) return;
  const name = client.ClientName ? `"${client.ClientName}" (${client.ClientId})` : client.ClientId;
  throw new ConflictError(
    `App client ${name} cannot take an SSO connection's identity provider; change its settings: ${problems
      .map((p) => `${p.setting}: ${p.change}`)
      .join('; ')}`,
    { extra: { clientId: client.ClientId, settings: problems.map((p) => p.setting) } },
  );
}
