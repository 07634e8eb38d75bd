/**
 * The Cognito identity-provider adapter (SPEC §8): its requests as the real AWS SDK client
 * serialises them into commands, recorded by a middleware that answers in Cognito's place (no
 * network), and its mapping of Cognito's errors.
 */
import * as sdk from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_SETTINGS,
  createCognitoIdentityProviders,
  mapCognitoError,
} from '../../../shared/adapters/cognito/identity-providers.ts';
import { ConflictError, UnavailableError, ValidationError } from '../../../shared/errors.ts';

type Call = { command: string; input: Record<string, unknown> };

/** A real client whose requests are recorded and answered by `answer` (throw to fail one). */
function recordingClient(answer: (call: Call) => unknown = () => ({})) {
  const calls: Call[] = [];
  const client = new sdk.CognitoIdentityProviderClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const call = {
        command: String(context.commandName),
        input: args.input as Record<string, unknown>,
      };
      calls.push(call);
      return { output: { $metadata: {}, ...(answer(call) as object) }, response: {} };
    },
    { step: 'initialize', name: 'recordAndAnswer' },
  );
  return { client, calls };
}

const POOL = 'eu-west-1_Pool';

/** A described app client with every field of the SDK's UserPoolClientType set, distinctly. */
function describedClient(clientId: string): sdk.UserPoolClientType {
  const members = (sdk as unknown as Record<string, unknown[]>).UserPoolClientType$![4] as string[];
  const sample: Record<string, unknown> = {
    UserPoolId: POOL,
    ClientId: clientId,
    ClientName: `app-${clientId}`,
    ClientSecret: 'secret-of-the-client',
    LastModifiedDate: new Date('2026-01-02T00:00:00Z'),
    CreationDate: new Date('2026-01-01T00:00:00Z'),
    RefreshTokenValidity: 30,
    AccessTokenValidity: 60,
    IdTokenValidity: 61,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    ReadAttributes: ['email', 'name'],
    WriteAttributes: ['name'],
    ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    SupportedIdentityProviders: ['COGNITO', 'Google'],
    CallbackURLs: ['https://app.example/callback'],
    LogoutURLs: ['https://app.example/bye'],
    DefaultRedirectURI: 'https://app.example/callback',
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email'],
    AllowedOAuthFlowsUserPoolClient: true,
    AnalyticsConfiguration: { ApplicationId: 'pinpoint', ExternalId: 'x', UserDataShared: false },
    PreventUserExistenceErrors: 'ENABLED',
    EnableTokenRevocation: true,
    EnablePropagateAdditionalUserContextData: false,
    AuthSessionValidity: 7,
    RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 10 },
    ClientType: 'CONFIDENTIAL',
  };
  const missing = members.filter((m) => !(m in sample));
  // A field Cognito added to app clients: give it a sample value above.
  expect(missing, 'UserPoolClientType fields without a sample value').toEqual([]);
  return sample as sdk.UserPoolClientType;
}

function adapter(answer?: (call: Call) => unknown, clientIds = ['c1', 'c2']) {
  const { client, calls } = recordingClient(
    answer ??
      ((call) =>
        call.command === 'DescribeUserPoolClientCommand'
          ? { UserPoolClient: describedClient(String(call.input.ClientId)) }
          : {}),
  );
  const idps = createCognitoIdentityProviders({
    sdk,
    client,
    userPoolId: POOL,
    clientIds,
    groupsAttribute: 'custom:groups',
  });
  return { idps, calls };
}

describe('creating a provider', () => {
  it('SAML by metadata URL: derived name, attribute mapping, the domains as identifiers', async () => {
    const { idps, calls } = adapter();
    await idps.create({
      providerName: 'provisio-0123456789abcdef0123456',
      settings: { type: 'saml', metadataUrl: 'https://idp.example/metadata' },
      domains: ['acme.com', 'xn--bcher-kva.de'],
    });
    expect(calls[0]).toEqual({
      command: 'CreateIdentityProviderCommand',
      input: {
        UserPoolId: POOL,
        ProviderName: 'provisio-0123456789abcdef0123456',
        ProviderType: 'SAML',
        ProviderDetails: { MetadataURL: 'https://idp.example/metadata' },
        AttributeMapping: {
          email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
          name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
          'custom:groups': 'groups',
        },
        IdpIdentifiers: ['acme.com', 'xn--bcher-kva.de'],
      },
    });
    // Then each app client: described, and updated with the provider added.
    expect(calls.slice(1).map((c) => [c.command, c.input.ClientId])).toEqual([
      ['DescribeUserPoolClientCommand', 'c1'],
      ['UpdateUserPoolClientCommand', 'c1'],
      ['DescribeUserPoolClientCommand', 'c2'],
      ['UpdateUserPoolClientCommand', 'c2'],
    ]);
    expect(calls[2]!.input.SupportedIdentityProviders).toEqual([
      'COGNITO',
      'Google',
      'provisio-0123456789abcdef0123456',
    ]);
  });

  it('SAML by metadata document, and OIDC with its client secret sent to Cognito only', async () => {
    const { idps, calls } = adapter();
    await idps.create({
      providerName: 'provisio-a',
      settings: { type: 'saml', metadataXml: '<EntityDescriptor/>', groupsClaim: 'memberOf' },
      domains: ['acme.com'],
    });
    expect(calls[0]!.input).toMatchObject({
      ProviderDetails: { MetadataFile: '<EntityDescriptor/>' },
      AttributeMapping: { 'custom:groups': 'memberOf' },
    });
    calls.length = 0;
    await idps.create({
      providerName: 'provisio-b',
      settings: {
        type: 'oidc',
        issuer: 'https://login.example/v2.0',
        clientId: 'app',
        clientSecret: 's3cr3t',
      },
      domains: ['acme.com'],
    });
    expect(calls[0]!.input).toEqual({
      UserPoolId: POOL,
      ProviderName: 'provisio-b',
      ProviderType: 'OIDC',
      ProviderDetails: {
        client_id: 'app',
        client_secret: 's3cr3t',
        authorize_scopes: 'openid email profile',
        oidc_issuer: 'https://login.example/v2.0',
        attributes_request_method: 'GET',
      },
      AttributeMapping: {
        email: 'email',
        email_verified: 'email_verified',
        name: 'name',
        'custom:groups': 'groups',
      },
      IdpIdentifiers: ['acme.com'],
    });
    // The secret is in that one request and nowhere else.
    expect(calls.slice(1).some((c) => JSON.stringify(c.input).includes('s3cr3t'))).toBe(false);
  });

  it('keeps every app client setting through DescribeUserPoolClient → UpdateUserPoolClient', async () => {
    // The SDK's own model of the update request: a setting Cognito adds fails this test until
    // the adapter writes it back too.
    const modelled = (sdk as unknown as Record<string, unknown[]>).UpdateUserPoolClientRequest$![4];
    expect([...CLIENT_SETTINGS].sort()).toEqual([...(modelled as string[])].sort());
    const { idps, calls } = adapter(undefined, ['c1']);
    await idps.create({
      providerName: 'provisio-c',
      settings: { type: 'saml', metadataUrl: 'https://idp.example/m' },
      domains: ['acme.com'],
    });
    const described = describedClient('c1') as Record<string, unknown>;
    const update = calls.find((c) => c.command === 'UpdateUserPoolClientCommand')!.input;
    for (const field of modelled as string[]) {
      if (field === 'SupportedIdentityProviders') continue;
      expect(update[field], field).toEqual(described[field]);
    }
    // Nothing read-only or secret is written back.
    for (const field of ['ClientSecret', 'CreationDate', 'LastModifiedDate', 'ClientType']) {
      expect(update, field).not.toHaveProperty(field);
    }
  });

  it('deletes the provider again when it cannot be added to an app client', async () => {
    const { idps, calls } = adapter((call) => {
      if (call.command === 'UpdateUserPoolClientCommand') {
        throw Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' });
      }
      return call.command === 'DescribeUserPoolClientCommand'
        ? { UserPoolClient: describedClient('c1') }
        : {};
    });
    await expect(
      idps.create({
        providerName: 'provisio-d',
        settings: { type: 'saml', metadataUrl: 'https://idp.example/m' },
        domains: ['acme.com'],
      }),
    ).rejects.toBeInstanceOf(UnavailableError);
    expect(calls.at(-1)).toEqual({
      command: 'DeleteIdentityProviderCommand',
      input: { UserPoolId: POOL, ProviderName: 'provisio-d' },
    });
  });
});

describe('updating, syncing and deleting', () => {
  it('updates settings and identifiers, or identifiers alone; long domains are left out', async () => {
    const { idps, calls } = adapter();
    const long = `${'a'.repeat(40)}.example`;
    await idps.update({
      providerName: 'provisio-e',
      settings: { type: 'saml', metadataUrl: 'https://idp.example/v2' },
      domains: ['acme.com', long],
    });
    expect(calls[0]).toEqual({
      command: 'UpdateIdentityProviderCommand',
      input: expect.objectContaining({
        ProviderName: 'provisio-e',
        ProviderDetails: { MetadataURL: 'https://idp.example/v2' },
        IdpIdentifiers: ['acme.com'],
      }),
    });
    await idps.setIdentifiers('provisio-e', []);
    expect(calls[1]).toEqual({
      command: 'UpdateIdentityProviderCommand',
      input: { UserPoolId: POOL, ProviderName: 'provisio-e', IdpIdentifiers: [] },
    });
  });

  it('syncing the identifiers of a provider that is gone is a no-op', async () => {
    const { idps } = adapter(() => {
      throw Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' });
    });
    await expect(idps.setIdentifiers('provisio-gone', ['acme.com'])).resolves.toBeUndefined();
  });

  it('deleting removes the provider from every app client, keeping the rest, then deletes it', async () => {
    const { idps, calls } = adapter((call) =>
      call.command === 'DescribeUserPoolClientCommand'
        ? {
            UserPoolClient: {
              ...describedClient(String(call.input.ClientId)),
              SupportedIdentityProviders: ['COGNITO', 'provisio-f'],
            },
          }
        : {},
    );
    await idps.delete('provisio-f');
    const updates = calls.filter((c) => c.command === 'UpdateUserPoolClientCommand');
    expect(updates.map((u) => u.input.SupportedIdentityProviders)).toEqual([
      ['COGNITO'],
      ['COGNITO'],
    ]);
    expect(updates[0]!.input.CallbackURLs).toEqual(['https://app.example/callback']);
    expect(calls.at(-1)!.command).toBe('DeleteIdentityProviderCommand');
  });
});

describe("Cognito's errors", () => {
  const err = (name: string) => Object.assign(new Error(`${name} says no`), { name });
  it.each([
    ['InvalidParameterException', ValidationError],
    ['DuplicateProviderException', ConflictError],
    ['LimitExceededException', ConflictError],
    ['TooManyRequestsException', UnavailableError],
    ['InternalErrorException', UnavailableError],
    ['TimeoutError', UnavailableError],
  ])('%s becomes a %o', (name, type) => {
    expect(mapCognitoError(err(name))).toBeInstanceOf(type);
  });

  it('a refused setting names the idp field; a misconfiguration stays an error (500)', () => {
    expect(mapCognitoError(err('InvalidParameterException'))).toMatchObject({
      statusCode: 400,
      field: 'idp',
    });
    const denied = err('NotAuthorizedException');
    expect(mapCognitoError(denied)).toBe(denied);
  });
});
