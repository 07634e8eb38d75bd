/**
 * The user pool's identity providers through Cognito (SPEC §8): the providers Provisio creates
 * for SSO connections, added to (and removed from) the app clients. The only module that speaks
 * to Cognito's identity-provider API; it turns Cognito's errors into the domain's.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateIdentityProvider.html
 */
import type {
  CognitoIdentityProviderClient,
  UpdateUserPoolClientCommandInput,
  UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Config } from '../../config.ts';
import { ConflictError, UnavailableError, ValidationError } from '../../errors.ts';
import {
  attributeMapping,
  type IdentityProviders,
  type IdpSettings,
  idpIdentifiers,
} from '../../sso/identity-providers.ts';

/**
 * The Cognito SDK module. Functions load it with `import()` on first use (it is shipped beside
 * their bundle, `ON_DEMAND_PACKAGES`), so it never weighs on a cold start.
 */
export type CognitoSdk = typeof import('@aws-sdk/client-cognito-identity-provider');

/** A Cognito client for the pool's region: a request that hangs fails instead of waiting. */
export function createCognitoClient(
  sdk: CognitoSdk,
  config: Config,
): CognitoIdentityProviderClient {
  return new sdk.CognitoIdentityProviderClient({
    region: config.region,
    maxAttempts: 3,
    // As for DynamoDB (client.ts): a request past its timeout fails instead of waiting on.
    requestHandler: { connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true },
  });
}

/** `ProviderDetails` of a provider's settings. */
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
  return settings.metadataUrl
    ? { MetadataURL: settings.metadataUrl }
    : { MetadataFile: settings.metadataXml ?? '' };
}

const name = (error: unknown) => (error as { name?: string } | null)?.name ?? '';
const message = (error: unknown) => (error as { message?: string } | null)?.message ?? '';

/** Cognito's errors as the domain's: what the caller can fix is 400/409, the rest 503 or a bug. */
export function mapCognitoError(error: unknown): unknown {
  switch (name(error)) {
    case 'InvalidParameterException':
      return new ValidationError('idp', `was refused by Cognito: ${message(error)}`, {
        cause: error,
      });
    case 'DuplicateProviderException':
      return new ConflictError(
        `The provider's name or one of its domains (as an identifier) is already used by another identity provider of the user pool; a domain just detached from another connection is released within seconds, so retry shortly (${message(error)})`,
        { cause: error },
      );
    case 'LimitExceededException':
      return new ConflictError(
        `The user pool cannot take another identity provider: ${message(error)}`,
        {
          cause: error,
        },
      );
    case 'TooManyRequestsException':
    case 'InternalErrorException':
    case 'TimeoutError':
    case 'RequestTimeout':
    case 'ECONNRESET':
    case 'ECONNREFUSED':
      return new UnavailableError('Cognito is unavailable; try again in a moment', {
        cause: error,
      });
    default:
      return error;
  }
}

const isNotFound = (error: unknown) => name(error) === 'ResourceNotFoundException';

/**
 * The settings `UpdateUserPoolClient` takes. It resets any setting it is not given to its
 * default, so every one of them is written back as `DescribeUserPoolClient` answered it. The
 * unit test holds this list to the SDK's own model of the request: a setting added to Cognito
 * fails it until it is listed here.
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
] as const satisfies readonly (keyof UpdateUserPoolClientCommandInput)[];

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

/** The Cognito implementation of the port. */
export function createCognitoIdentityProviders(deps: {
  sdk: CognitoSdk;
  client: CognitoIdentityProviderClient;
  userPoolId: string;
  clientIds: readonly string[];
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

  /** Adds or removes a provider on every app client, keeping each client's other settings. */
  async function onClients(providerName: string, add: boolean): Promise<void> {
    for (const clientId of deps.clientIds) {
      const described = await send(() =>
        client.send(
          new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }),
        ),
      );
      const current = described.UserPoolClient;
      if (!current) continue;
      const before = current.SupportedIdentityProviders ?? [];
      const after = add
        ? before.includes(providerName)
          ? before
          : [...before, providerName]
        : before.filter((p) => p !== providerName);
      if (after.length === before.length && after.every((p, i) => p === before[i])) continue;
      await send(() => client.send(new UpdateUserPoolClientCommand(clientUpdate(current, after))));
    }
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

  return {
    async create({ providerName, settings, domains }) {
      await send(() =>
        client.send(
          new CreateIdentityProviderCommand({
            UserPoolId: userPoolId,
            ProviderName: providerName,
            ProviderType: settings.type === 'oidc' ? 'OIDC' : 'SAML',
            ProviderDetails: providerDetails(settings),
            AttributeMapping: attributeMapping(settings, deps.groupsAttribute),
            IdpIdentifiers: idpIdentifiers(domains),
          }),
        ),
      );
      try {
        await onClients(providerName, true);
      } catch (error) {
        // Not on every client: the provider goes again, so a retry starts from scratch.
        await deleteProvider(providerName).catch(() => {});
        throw error;
      }
    },

    async update({ providerName, settings, domains }) {
      await send(() =>
        client.send(
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
        ),
      );
    },

    async setIdentifiers(providerName, domains) {
      try {
        await client.send(
          new UpdateIdentityProviderCommand({
            UserPoolId: userPoolId,
            ProviderName: providerName,
            IdpIdentifiers: idpIdentifiers(domains),
          }),
        );
      } catch (error) {
        if (!isNotFound(error)) throw mapCognitoError(error);
      }
    },

    async delete(providerName) {
      await onClients(providerName, false);
      await deleteProvider(providerName);
    },
  };
}
