/**
 * The user pool's identity providers through Cognito (SPEC §8): the providers Provisio creates
 * for SSO connections, added to (and removed from) the app clients. The only module that speaks
 * to Cognito's identity-provider API; it turns Cognito's errors into the domain's.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateIdentityProvider.html
 *
 * It imports the SDK for its types only: the module itself is handed in (`deps.sdk`), loaded by
 * `index.ts` with `import()` on first use, so the SDK never loads at a cold start of the admin
 * and notifier functions.
 */
import type {
  CognitoIdentityProviderClient,
  UpdateUserPoolClientCommandInput,
  UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Config } from '../../config.ts';
import { ConflictError, UnavailableError, ValidationError } from '../../errors.ts';
import { log } from '../../observability.ts';
import { assertFederationClient } from '../../sso/app-clients.ts';
import {
  attributeMapping,
  type IdentityProviders,
  type IdpSettings,
  idpIdentifiers,
} from '../../sso/identity-providers.ts';

/**
 * The Cognito SDK module. Functions load it with `import()` on first use (a chunk of its own
 * beside the handler, infra/constructs/provisio-function.ts), so it never weighs on a cold
 * start.
 */
export type CognitoSdk = typeof import('@aws-sdk/client-cognito-identity-provider');

/**
 * A Cognito client for the pool's region, built once per process: a request that hangs fails
 * after 5 s instead of holding the admin request until API Gateway's 29 s.
 */
export function createCognitoClient(
  sdk: CognitoSdk,
  config: Pick<Config, 'region'>,
): CognitoIdentityProviderClient {
  return new sdk.CognitoIdentityProviderClient({
    region: config.region,
    maxAttempts: 3,
    // As for DynamoDB (client.ts): without throwOnRequestTimeout, @smithy/node-http-handler only
    // logs when requestTimeout passes and the request waits on.
    requestHandler: { connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true },
  });
}

/**
 * `ProviderDetails` of a provider's settings, as `CreateIdentityProvider` takes them. SAML takes
 * exactly one of `MetadataURL` and `MetadataFile`; OIDC's `client_secret` goes to Cognito only.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateIdentityProvider.html#CognitoUserPools-CreateIdentityProvider-request-ProviderDetails
 */
export function providerDetails(settings: IdpSettings): Record<string, string> {
  if (settings.type === 'oidc') {
    return {
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      authorize_scopes: 'openid email profile',
      oidc_issuer: settings.issuer,
      attributes_request_method: 'GET',
    };
  }
  const { metadataUrl, metadataXml } = settings;
  // The admin API checks this first (shared/admin/sso.ts); the same field and words here.
  if (!metadataUrl === !metadataXml) {
    throw new ValidationError('idp.metadataUrl', 'give exactly one of metadataUrl and metadataXml');
  }
  return metadataUrl ? { MetadataURL: metadataUrl } : { MetadataFile: metadataXml! };
}

const errorName = (error: unknown) => (error as { name?: unknown } | null)?.name;
const errorCode = (error: unknown) => (error as { code?: unknown } | null)?.code;
const errorMessage = (error: unknown) => String((error as { message?: unknown })?.message ?? '');
const httpStatus = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;

/** What the SDK's own retry strategy counts as transient (@smithy/core, retry). */
const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

/**
 * Cognito's errors as the domain's: what the caller can fix is 400/409, what passes is 503, the
 * rest (NotAuthorizedException: the function's IAM is wrong; ResourceNotFoundException of the
 * pool or an app client: the configuration is) is returned as is, a 500.
 */
export function mapCognitoError(error: unknown): unknown {
  const name = errorName(error);
  switch (name) {
    case 'InvalidParameterException':
      return new ValidationError('idp', `was refused by Cognito: ${errorMessage(error)}`, {
        cause: error,
      });
    case 'DuplicateProviderException':
      // Cognito keeps names and IdpIdentifiers unique in a pool.
      return new ConflictError(
        `The provider's name or one of its domains (as an identifier) is already used by another identity provider of the user pool; a domain just detached from another connection is released within seconds, so retry shortly (${errorMessage(error)})`,
        { cause: error },
      );
    case 'LimitExceededException':
      // Identity providers per pool are a quota:
      // https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
      return new ConflictError(
        `The user pool cannot take another identity provider: ${errorMessage(error)}`,
        { cause: error },
      );
    case 'TooManyRequestsException':
    case 'InternalErrorException':
    // Two writes to the same provider or app client at once; the next attempt goes through.
    case 'ConcurrentModificationException':
      return unavailable(error);
  }
  if (
    (typeof name === 'string' && TRANSIENT_NAMES.has(name)) ||
    (typeof errorCode(error) === 'string' && NETWORK_CODES.has(errorCode(error) as string)) ||
    TRANSIENT_STATUS.has(httpStatus(error) as number)
  ) {
    return unavailable(error);
  }
  return error;
}

const unavailable = (cause: unknown) =>
  new UnavailableError('Cognito is unavailable; try again in a moment', { cause });

const isNotFound = (error: unknown) => errorName(error) === 'ResourceNotFoundException';

/**
 * The settings `UpdateUserPoolClient` takes. It resets any setting it is not given to its
 * default, so every one of them is written back as `DescribeUserPoolClient` answered it (and
 * nothing read-only: `ClientSecret`, `CreationDate`, `LastModifiedDate`). The unit test holds
 * this list to the SDK's own model of the request: a setting added to Cognito fails it until it
 * is listed here.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserPoolClient.html
 */
export const CLIENT_SETTINGS = [
  'UserPoolId',
  'ClientId',
  'ClientName',
  'RefreshTokenValidity',
  'AccessTokenValidity',
  'IdTokenValidity',
  'TokenValidityUnits',
  'ReadAttributes',
  'WriteAttributes',
  'ExplicitAuthFlows',
  'SupportedIdentityProviders',
  'CallbackURLs',
  'LogoutURLs',
  'DefaultRedirectURI',
  'AllowedOAuthFlows',
  'AllowedOAuthScopes',
  'AllowedOAuthFlowsUserPoolClient',
  'AnalyticsConfiguration',
  'PreventUserExistenceErrors',
  'EnableTokenRevocation',
  'EnablePropagateAdditionalUserContextData',
  'AuthSessionValidity',
  'RefreshTokenRotation',
] as const satisfies readonly (keyof UpdateUserPoolClientCommandInput & keyof UserPoolClientType)[];

/** The update that keeps every setting of `client` but its identity providers. */
export function clientUpdate(
  client: UserPoolClientType,
  supportedIdentityProviders: string[],
): UpdateUserPoolClientCommandInput {
  const update: Record<string, unknown> = {};
  for (const key of CLIENT_SETTINGS) {
    if (client[key] !== undefined) update[key] = client[key];
  }
  return {
    ...(update as unknown as UpdateUserPoolClientCommandInput),
    SupportedIdentityProviders: supportedIdentityProviders,
  };
}

/**
 * The Cognito implementation of the port.
 *
 * - `create` first checks each app client (`assertFederationClient`: a `ConflictError` naming
 *   the client and the setting to change), then creates the provider and adds it to each app
 *   client; if that fails, it is taken off the clients it reached and deleted again (best
 *   effort), and the error is thrown.
 * - `update` sends the new settings and identifiers. A change of type is refused by the core
 *   (`ValidationError('idp.type')`, shared/admin/sso.ts); should one get here, Cognito refuses
 *   the other type's details and that is a `ValidationError('idp')`: no extra Describe call.
 *   A provider that is gone from the pool is a `ConflictError` (as in the local registry).
 * - `setIdentifiers` and `delete` of a provider that is gone do nothing.
 *
 * App clients are read, then written whole: Cognito has no conditional update, so two
 * connections created at the same instant can each write the client with only their own
 * provider added. Connections are created by hand, seconds apart, which makes that rare.
 */
export function createCognitoIdentityProviders(deps: {
  /** The SDK module (`await import('@aws-sdk/client-cognito-identity-provider')`). */
  sdk: CognitoSdk;
  client: CognitoIdentityProviderClient;
  userPoolId: string;
  /** The app clients a created provider is added to. */
  clientIds: readonly string[];
  /** The pool attribute IdP groups map to (`Config.groupsAttribute`). */
  groupsAttribute: string;
}): IdentityProviders {
  const { client, userPoolId } = deps;
  const {
    CreateIdentityProviderCommand,
    DeleteIdentityProviderCommand,
    DescribeUserPoolClientCommand,
    UpdateIdentityProviderCommand,
    UpdateUserPoolClientCommand,
  } = deps.sdk;
  const send = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw mapCognitoError(error);
    }
  };

  /**
   * Adds the provider to, or removes it from, one app client, keeping its other settings.
   * Cognito treats an absent `SupportedIdentityProviders` as none (not even `COGNITO`).
   * Returns whether the client was written.
   */
  async function onClient(clientId: string, providerName: string, add: boolean) {
    const described = await send(() =>
      client.send(
        new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }),
      ),
    );
    const current = described.UserPoolClient;
    if (!current) return false;
    const before = current.SupportedIdentityProviders ?? [];
    if (before.includes(providerName) === add) return false;
    const after = add ? [...before, providerName] : before.filter((p) => p !== providerName);
    await send(() => client.send(new UpdateUserPoolClientCommand(clientUpdate(current, after))));
    return true;
  }

  async function deleteProvider(providerName: string): Promise<void> {
    try {
      await client.send(
        new DeleteIdentityProviderCommand({ UserPoolId: userPoolId, ProviderName: providerName }),
      );
    } catch (error) {
      if (!isNotFound(error)) throw mapCognitoError(error);
    }
  }

  /**
   * Sets a provider's identifiers (its connection's domains), and its IdP settings when given.
   * Answers the `ResourceNotFoundException` when the pool no longer has the provider, else
   * undefined; any other failure is thrown as a domain error.
   */
  async function updateProvider(
    providerName: string,
    domains: readonly string[],
    settings?: IdpSettings,
  ): Promise<unknown> {
    try {
      await client.send(
        new UpdateIdentityProviderCommand({
          UserPoolId: userPoolId,
          ProviderName: providerName,
          IdpIdentifiers: idpIdentifiers(domains),
          ...(settings
            ? {
                ProviderDetails: providerDetails(settings),
                AttributeMapping: attributeMapping(settings, deps.groupsAttribute),
              }
            : {}),
        }),
      );
      return undefined;
    } catch (error) {
      if (!isNotFound(error)) throw mapCognitoError(error);
      return error;
    }
  }

  /**
   * Undoes a half-done create, so that a retry starts from scratch. Best effort, each step on
   * its own: the create's own error is the one the caller hears; these are logged.
   */
  async function undoCreate(providerName: string, addedTo: readonly string[]): Promise<void> {
    const steps = [
      ...addedTo.map((clientId) => () => onClient(clientId, providerName, false)),
      () => deleteProvider(providerName),
    ];
    for (const step of steps) {
      await step().catch((error: unknown) =>
        log.error('identity provider left behind by a failed create', {
          providerName,
          error: String(error),
        }),
      );
    }
  }

  return {
    async create({ providerName, settings, domains }) {
      const details = providerDetails(settings);
      const mapping = attributeMapping(settings, deps.groupsAttribute);
      // SPEC §8: before anything changes, every client that would take the provider must write
      // each mapped attribute and give people no token that could rewrite one
      // (shared/sso/app-clients.ts); else 409, naming the client and the setting.
      for (const clientId of deps.clientIds) {
        const described = await send(() =>
          client.send(
            new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }),
          ),
        );
        if (described.UserPoolClient) {
          assertFederationClient(described.UserPoolClient, Object.keys(mapping));
        }
      }
      await send(() =>
        client.send(
          new CreateIdentityProviderCommand({
            UserPoolId: userPoolId,
            ProviderName: providerName,
            ProviderType: settings.type === 'oidc' ? 'OIDC' : 'SAML',
            ProviderDetails: details,
            AttributeMapping: mapping,
            IdpIdentifiers: idpIdentifiers(domains),
          }),
        ),
      );
      const addedTo: string[] = [];
      try {
        for (const clientId of deps.clientIds) {
          if (await onClient(clientId, providerName, true)) addedTo.push(clientId);
        }
      } catch (error) {
        await undoCreate(providerName, addedTo);
        throw error;
      }
    },

    async update({ providerName, settings, domains }) {
      const missing = await updateProvider(providerName, domains, settings);
      if (missing) {
        throw new ConflictError(
          `Identity provider ${providerName} is no longer in the user pool; delete the connection and create it again`,
          { cause: missing },
        );
      }
    },

    async setIdentifiers(providerName, domains) {
      // A provider already gone has no identifiers to set.
      await updateProvider(providerName, domains);
    },

    async delete(providerName) {
      for (const clientId of deps.clientIds) await onClient(clientId, providerName, false);
      await deleteProvider(providerName);
    },
  };
}
