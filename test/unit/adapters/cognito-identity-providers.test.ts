/**
 * The Cognito identity-provider adapter (SPEC §8): its requests as the real AWS SDK client
 * receives them as commands, recorded by a middleware that answers in Cognito's place (no
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
function recordingClient(answer: (call: Call) => unknown) {
  const calls: Call[] = [];
  const client = new sdk.CognitoIdentityProviderClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const call = {
        command: String(context.commandName),
        // A copy: what was sent, whatever the adapter does with its objects afterwards.
        input: structuredClone(args.input) as Record<string, unknown>,
      };
      calls.push(call);
      return { output: { $metadata: {}, ...(answer(call) as object) }, response: {} };
    },
    { step: 'initialize', name: 'recordAndAnswer' },
  );
  return { client, calls };
}

const POOL = 'eu-west-1_Pool';

/** The members of one of the SDK's exported schemas (`[kind, namespace, name, traits, members, …]`). */
const schemaMembers = (schema: string): string[] => {
  const s = (sdk as unknown as Record<string, unknown[] | undefined>)[schema];
  expect(Array.isArray(s?.[4]), `${schema}[4] holds the member names`).toBe(true);
  return s![4] as string[];
};

/** A described app client with every field of the SDK's UserPoolClientType set, distinctly. */
function describedClient(clientId: string): sdk.UserPoolClientType {
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
    // A client that may take a connection's provider (shared/sso/app-clients.ts).
    WriteAttributes: ['email', 'email_verified', 'name', 'custom:groups'],
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
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
  const missing = schemaMembers('UserPoolClientType$').filter((m) => !(m in sample));
  // A field Cognito added to app clients: give it a sample value above.
  expect(missing, 'UserPoolClientType fields without a sample value').toEqual([]);
  return sample as sdk.UserPoolClientType;
}

/**
 * A pool in memory: app clients as described above (or as `clients` says), updated by
 * UpdateUserPoolClient; `fail` may throw for a call instead.
 */
function fakePool(
  options: {
    clients?: Record<string, Partial<sdk.UserPoolClientType>>;
    fail?: (call: Call) => void;
  } = {},
) {
  const clients = new Map<string, sdk.UserPoolClientType>();
  for (const [id, overrides] of Object.entries(options.clients ?? { c1: {}, c2: {} })) {
    clients.set(id, { ...describedClient(id), ...overrides });
  }
  return (call: Call) => {
    options.fail?.(call);
    const id = String(call.input.ClientId);
    if (call.command === 'DescribeUserPoolClientCommand')
      return { UserPoolClient: clients.get(id) };
    if (call.command === 'UpdateUserPoolClientCommand') {
      clients.set(id, { ...clients.get(id), ...(call.input as sdk.UserPoolClientType) });
    }
    return {};
  };
}

function adapter(answer: (call: Call) => unknown = fakePool(), clientIds = ['c1', 'c2']) {
  const { client, calls } = recordingClient(answer);
  const idps = createCognitoIdentityProviders({
    sdk,
    client,
    userPoolId: POOL,
    clientIds,
    groupsAttribute: 'custom:groups',
  });
  return { idps, calls };
}

/** A real SDK exception, as the client throws it. */
function cognitoError(name: string): Error {
  const Type = (sdk as unknown as Record<string, unknown>)[name] as
    | (new (o: {
        message: string;
        $metadata: object;
      }) => Error)
    | undefined;
  return Type
    ? new Type({ message: `${name} says no`, $metadata: { httpStatusCode: 400 } })
    : Object.assign(new Error(`${name} says no`), { name });
}

const failing = (command: string, name: string) => (call: Call) => {
  if (call.command === command) throw cognitoError(name);
};

const commands = (calls: Call[]) => calls.map((c) => c.command.replace(/Command$/, ''));

describe('creating a provider', () => {
  it('SAML by metadata URL: derived name, attribute mapping, the domains as identifiers', async () => {
    const { idps, calls } = adapter();
    await idps.create({
      providerName: 'provisio-0123456789abcdef0123456',
      settings: { type: 'saml', metadataUrl: 'https://idp.example/metadata' },
      domains: ['acme.com', 'xn--bcher-kva.de'],
    });
    // First each app client is checked (SPEC §8), before anything changes.
    expect(calls.slice(0, 2).map((c) => [c.command, c.input.ClientId])).toEqual([
      ['DescribeUserPoolClientCommand', 'c1'],
      ['DescribeUserPoolClientCommand', 'c2'],
    ]);
    calls.splice(0, 2);
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

  it('SAML by metadata document, with the groups attribute the connection names', async () => {
    const { idps, calls } = adapter();
    await idps.create({
      providerName: 'provisio-a',
      settings: { type: 'saml', metadataXml: '<EntityDescriptor/>', groupsClaim: 'memberOf' },
      domains: ['acme.com'],
    });
    expect(calls[2]).toEqual({
      command: 'CreateIdentityProviderCommand',
      input: {
        UserPoolId: POOL,
        ProviderName: 'provisio-a',
        ProviderType: 'SAML',
        ProviderDetails: { MetadataFile: '<EntityDescriptor/>' },
        AttributeMapping: {
          email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
          name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
          'custom:groups': 'memberOf',
        },
        IdpIdentifiers: ['acme.com'],
      },
    });
  });

  it('OIDC: the client secret is in the ProviderDetails sent to Cognito and nowhere else', async () => {
    const { idps, calls } = adapter();
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
    expect(calls[2]).toEqual({
      command: 'CreateIdentityProviderCommand',
      input: {
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
      },
    });
    expect(
      calls.filter((c) => c !== calls[2]).some((c) => JSON.stringify(c.input).includes('s3cr3t')),
    ).toBe(false);
  });

  it('refuses SAML settings without exactly one of metadataUrl and metadataXml, asking nothing of Cognito', async () => {
    const { idps, calls } = adapter();
    for (const settings of [
      { type: 'saml' as const },
      { type: 'saml' as const, metadataUrl: 'https://idp.example/m', metadataXml: '<E/>' },
    ]) {
      await expect(
        idps.create({ providerName: 'provisio-x', settings, domains: ['acme.com'] }),
      ).rejects.toMatchObject({ constructor: ValidationError, field: 'idp.metadataUrl' });
    }
    expect(calls).toEqual([]);
  });

  it('keeps every app client setting through DescribeUserPoolClient → UpdateUserPoolClient', async () => {
    // The SDK's own model of the update request: a setting Cognito adds fails this test until
    // the adapter writes it back too.
    const updatable = schemaMembers('UpdateUserPoolClientRequest$');
    expect([...CLIENT_SETTINGS].sort()).toEqual([...updatable].sort());
    const { idps, calls } = adapter(fakePool({ clients: { c1: {} } }), ['c1']);
    await idps.create({
      providerName: 'provisio-c',
      settings: { type: 'saml', metadataUrl: 'https://idp.example/m' },
      domains: ['acme.com'],
    });
    const described = describedClient('c1') as Record<string, unknown>;
    const update = calls.find((c) => c.command === 'UpdateUserPoolClientCommand')!.input;
    for (const field of updatable) {
      if (field === 'SupportedIdentityProviders') continue;
      expect(update[field], field).toEqual(described[field]);
    }
    expect(update.SupportedIdentityProviders).toEqual(['COGNITO', 'Google', 'provisio-c']);
    // Only what the request models: nothing read-only or secret is written back.
    expect(Object.keys(update).filter((k) => !updatable.includes(k))).toEqual([]);
    for (const field of ['ClientSecret', 'CreationDate', 'LastModifiedDate', 'ClientType']) {
      expect(update, field).not.toHaveProperty(field);
    }
  });

  it('adds the provider once: a client without a list gets just it, a client that has it is not written', async () => {
    const { idps, calls } = adapter(
      fakePool({
        clients: {
          bare: { SupportedIdentityProviders: undefined },
          done: { SupportedIdentityProviders: ['COGNITO', 'provisio-g'] },
        },
      }),
      ['bare', 'done'],
    );
    await idps.create({
      providerName: 'provisio-g',
      settings: { type: 'saml', metadataUrl: 'https://idp.example/m' },
      domains: ['acme.com'],
    });
    const updates = calls.filter((c) => c.command === 'UpdateUserPoolClientCommand');
    expect(updates.map((u) => [u.input.ClientId, u.input.SupportedIdentityProviders])).toEqual([
      // Cognito reads an absent list as no provider at all, so none is invented (not COGNITO).
      ['bare', ['provisio-g']],
    ]);
  });

  it('takes the provider off the clients it reached and deletes it when a client cannot take it', async () => {
    const { idps, calls } = adapter(
      fakePool({
        fail: (call) => {
          if (call.command === 'UpdateUserPoolClientCommand' && call.input.ClientId === 'c2') {
            throw cognitoError('TooManyRequestsException');
          }
        },
      }),
    );
    await expect(
      idps.create({
        providerName: 'provisio-d',
        settings: { type: 'saml', metadataUrl: 'https://idp.example/m' },
        domains: ['acme.com'],
      }),
    ).rejects.toBeInstanceOf(UnavailableError);
    expect(commands(calls)).toEqual([
      'DescribeUserPoolClient', // c1 and c2 checked
      'DescribeUserPoolClient',
      'CreateIdentityProvider',
      'DescribeUserPoolClient',
      'UpdateUserPoolClient',
      'DescribeUserPoolClient',
      'UpdateUserPoolClient', // c2: refused
      'DescribeUserPoolClient', // c1 again: the provider comes off
      'UpdateUserPoolClient',
      'DeleteIdentityProvider',
    ]);
    expect(calls[8]!.input).toMatchObject({
      ClientId: 'c1',
      SupportedIdentityProviders: ['COGNITO', 'Google'],
    });
    expect(calls[9]!.input).toEqual({ UserPoolId: POOL, ProviderName: 'provisio-d' });
  });

  it('a refused create is mapped and touches no client', async () => {
    const { idps, calls } = adapter(
      fakePool({ fail: failing('CreateIdentityProviderCommand', 'DuplicateProviderException') }),
    );
    await expect(
      idps.create({
        providerName: 'provisio-e',
        settings: { type: 'saml', metadataUrl: 'https://idp.example/m' },
        domains: ['acme.com'],
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(commands(calls)).toEqual([
      'DescribeUserPoolClient',
      'DescribeUserPoolClient',
      'CreateIdentityProvider',
    ]);
  });
});

describe('checking the app clients first (SPEC §8, nobody writes their own groups)', () => {
  const saml = { type: 'saml' as const, metadataUrl: 'https://idp.example/m' };

  it('refuses (409) a client whose password or SRP sign-in gives tokens that could rewrite a mapped attribute, naming it and the setting, and changes nothing', async () => {
    const { idps, calls } = adapter(
      fakePool({
        clients: {
          c1: {},
          c2: { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
        },
      }),
    );
    const refused = idps.create({ providerName: 'provisio-h', settings: saml, domains: ['a.com'] });
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toMatchObject({
      statusCode: 409,
      message: expect.stringMatching(/App client "app-c2" \(c2\).*ExplicitAuthFlows/),
      extra: { clientId: 'c2', settings: ['ExplicitAuthFlows'] },
    });
    expect(commands(calls)).toEqual(['DescribeUserPoolClient', 'DescribeUserPoolClient']);
  });

  it('refuses a client that allows the aws.cognito.signin.user.admin scope', async () => {
    const { idps, calls } = adapter(
      fakePool({
        clients: { c1: { AllowedOAuthScopes: ['openid', 'aws.cognito.signin.user.admin'] } },
      }),
      ['c1'],
    );
    await expect(
      idps.create({ providerName: 'provisio-i', settings: saml, domains: ['a.com'] }),
    ).rejects.toMatchObject({
      constructor: ConflictError,
      extra: { clientId: 'c1', settings: ['AllowedOAuthScopes'] },
    });
    expect(commands(calls)).toEqual(['DescribeUserPoolClient']);
  });

  it('refuses a client that cannot write a mapped attribute: OIDC maps email_verified, SAML does not', async () => {
    const clients = { c1: { WriteAttributes: ['email', 'name', 'custom:groups'] } };
    const oidc = {
      type: 'oidc' as const,
      issuer: 'https://i.example',
      clientId: 'a',
      clientSecret: 's',
    };
    const first = adapter(fakePool({ clients }), ['c1']);
    await expect(
      first.idps.create({ providerName: 'provisio-j', settings: oidc, domains: ['a.com'] }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('WriteAttributes: add email_verified'),
      extra: { settings: ['WriteAttributes'] },
    });
    expect(commands(first.calls)).toEqual(['DescribeUserPoolClient']);
    const second = adapter(fakePool({ clients }), ['c1']);
    await second.idps.create({ providerName: 'provisio-j', settings: saml, domains: ['a.com'] });
    expect(commands(second.calls)).toContain('UpdateUserPoolClient');
  });

  it("checks the pool's groups attribute, whatever it is called", async () => {
    const { client, calls } = recordingClient(fakePool({ clients: { c1: {} } }));
    const idps = createCognitoIdentityProviders({
      sdk,
      client,
      userPoolId: POOL,
      clientIds: ['c1'],
      groupsAttribute: 'custom:idp_groups',
    });
    await expect(
      idps.create({ providerName: 'provisio-k', settings: saml, domains: ['a.com'] }),
    ).rejects.toMatchObject({ message: expect.stringContaining('add custom:idp_groups') });
    expect(commands(calls)).toEqual(['DescribeUserPoolClient']);
  });
});

describe('updating, syncing and deleting', () => {
  it('updates settings, attribute mapping and identifiers; long domains are left out', async () => {
    const { idps, calls } = adapter();
    const forty = `${'a'.repeat(32)}.example`;
    const fortyOne = `${'a'.repeat(33)}.example`;
    expect([forty.length, fortyOne.length]).toEqual([40, 41]);
    await idps.update({
      providerName: 'provisio-e',
      settings: {
        type: 'oidc',
        issuer: 'https://login.example',
        clientId: 'app',
        clientSecret: 'rotated',
        groupsClaim: 'roles',
      },
      domains: ['acme.com', forty, fortyOne],
    });
    expect(calls).toEqual([
      {
        command: 'UpdateIdentityProviderCommand',
        input: {
          UserPoolId: POOL,
          ProviderName: 'provisio-e',
          ProviderDetails: {
            client_id: 'app',
            client_secret: 'rotated',
            authorize_scopes: 'openid email profile',
            oidc_issuer: 'https://login.example',
            attributes_request_method: 'GET',
          },
          AttributeMapping: {
            email: 'email',
            email_verified: 'email_verified',
            name: 'name',
            'custom:groups': 'roles',
          },
          IdpIdentifiers: ['acme.com', forty],
        },
      },
    ]);
  });

  it('updates only the identifiers when no settings are given', async () => {
    const { idps, calls } = adapter();
    await idps.update({ providerName: 'provisio-e', domains: ['acme.com'] });
    expect(calls).toEqual([
      {
        command: 'UpdateIdentityProviderCommand',
        input: { UserPoolId: POOL, ProviderName: 'provisio-e', IdpIdentifiers: ['acme.com'] },
      },
    ]);
  });

  it('updating a provider that is gone from the pool is a conflict', async () => {
    const { idps } = adapter(
      fakePool({ fail: failing('UpdateIdentityProviderCommand', 'ResourceNotFoundException') }),
    );
    await expect(
      idps.update({ providerName: 'provisio-gone', domains: ['acme.com'] }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('syncs only the identifiers', async () => {
    const { idps, calls } = adapter();
    await idps.setIdentifiers('provisio-e', []);
    expect(calls).toEqual([
      {
        command: 'UpdateIdentityProviderCommand',
        input: { UserPoolId: POOL, ProviderName: 'provisio-e', IdpIdentifiers: [] },
      },
    ]);
  });

  it('syncing the identifiers of a provider that is gone is a no-op', async () => {
    const { idps } = adapter(() => {
      throw cognitoError('ResourceNotFoundException');
    });
    await expect(idps.setIdentifiers('provisio-gone', ['acme.com'])).resolves.toBeUndefined();
  });

  it('deleting removes the provider from every app client, keeping the rest, then deletes it', async () => {
    const { idps, calls } = adapter(
      fakePool({
        clients: {
          c1: { SupportedIdentityProviders: ['COGNITO', 'provisio-f', 'Google'] },
          c2: { SupportedIdentityProviders: ['provisio-f'] },
        },
      }),
    );
    await idps.delete('provisio-f');
    const updates = calls.filter((c) => c.command === 'UpdateUserPoolClientCommand');
    expect(updates.map((u) => u.input.SupportedIdentityProviders)).toEqual([
      ['COGNITO', 'Google'],
      [],
    ]);
    const described = describedClient('c1') as Record<string, unknown>;
    for (const field of CLIENT_SETTINGS) {
      if (field === 'SupportedIdentityProviders' || field === 'ClientId') continue;
      expect(updates[0]!.input[field], field).toEqual(described[field]);
    }
    expect(calls.at(-1)).toEqual({
      command: 'DeleteIdentityProviderCommand',
      input: { UserPoolId: POOL, ProviderName: 'provisio-f' },
    });
  });

  it('deleting a provider that is gone writes no client and resolves', async () => {
    const { idps, calls } = adapter(
      fakePool({ fail: failing('DeleteIdentityProviderCommand', 'ResourceNotFoundException') }),
    );
    await expect(idps.delete('provisio-gone')).resolves.toBeUndefined();
    expect(commands(calls)).toEqual([
      'DescribeUserPoolClient',
      'DescribeUserPoolClient',
      'DeleteIdentityProvider',
    ]);
  });
});

describe("Cognito's errors", () => {
  it.each([
    ['InvalidParameterException', ValidationError],
    ['DuplicateProviderException', ConflictError],
    ['LimitExceededException', ConflictError],
    ['TooManyRequestsException', UnavailableError],
    ['InternalErrorException', UnavailableError],
    ['ConcurrentModificationException', UnavailableError],
    ['TimeoutError', UnavailableError],
  ])('%s becomes a %o', (name, type) => {
    const error = cognitoError(name);
    const mapped = mapCognitoError(error);
    expect(mapped).toBeInstanceOf(type);
    expect((mapped as Error).cause).toBe(error);
  });

  it('a refused setting names the idp field and carries Cognito\u2019s words', () => {
    expect(mapCognitoError(cognitoError('InvalidParameterException'))).toMatchObject({
      statusCode: 400,
      field: 'idp',
      message: expect.stringContaining('InvalidParameterException says no'),
    });
  });

  it('network failures and 5xx answers are unavailability', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']) {
      const error = Object.assign(new Error(`connect ${code}`), { code });
      expect(mapCognitoError(error), code).toBeInstanceOf(UnavailableError);
    }
    const bad = Object.assign(new Error('Bad Gateway'), {
      name: 'Unknown',
      $metadata: { httpStatusCode: 502 },
    });
    expect(mapCognitoError(bad)).toBeInstanceOf(UnavailableError);
  });

  it('a misconfiguration stays the error it is (a 500)', () => {
    for (const name of ['NotAuthorizedException', 'ResourceNotFoundException']) {
      const error = cognitoError(name);
      expect(mapCognitoError(error), name).toBe(error);
    }
    const bug = new TypeError('x is undefined');
    expect(mapCognitoError(bug)).toBe(bug);
  });

  it('a create the IAM role may not make fails as it is', async () => {
    const { idps } = adapter(
      fakePool({ fail: failing('CreateIdentityProviderCommand', 'NotAuthorizedException') }),
    );
    await expect(
      idps.create({
        providerName: 'provisio-h',
        settings: { type: 'saml', metadataUrl: 'https://idp.example/m' },
        domains: [],
      }),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });
});
