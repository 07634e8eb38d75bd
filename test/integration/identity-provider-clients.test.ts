/**
 * SPEC §8, "Nobody writes their own groups", on an attached pool: creating an SSO connection
 * checks every app client the provider would go to (shared/sso/app-clients.ts) before anything
 * changes, and refuses (409) a client that would let people write a mapped attribute or could
 * not write one, naming it and the setting. The admin handler runs in this process with the
 * Cognito adapter over cognito-local's app clients (DescribeUserPoolClient,
 * UpdateUserPoolClient). cognito-local has no identity-provider API, so only the
 * `*IdentityProvider` calls are answered here, and recorded.
 */
import { createRequire } from 'node:module';
import type { CreateUserPoolClientCommandInput } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import {
  type CognitoSdk,
  createCognitoIdentityProviders,
} from '../../shared/adapters/cognito/identity-providers.ts';
import { mappedAttributes } from '../../shared/sso/app-clients.ts';
import { adminDeps, expectProblem, inProcessApi, uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite } from '../support/admin-suite.ts';
import { cognitoClient, localStack } from '../support/local-stack.ts';

// The same one-file build cognitoClient() uses, so the adapter's commands are its commands.
const sdk = createRequire(import.meta.url)(
  '@aws-sdk/client-cognito-identity-provider',
) as CognitoSdk;

const { env, owner, newOrg, verifiedDomain } = adminSuite();
const saml = { type: 'saml', metadataUrl: 'https://idp.example.test/app/metadata' };

/** A client for cognito-local whose identity-provider calls are answered (and recorded) here. */
function cognitoWithProviders() {
  const client = cognitoClient();
  const providerCalls: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      if (command.endsWith('IdentityProviderCommand')) {
        providerCalls.push(command.replace(/Command$/, ''));
        return { output: { $metadata: {} }, response: {} };
      }
      return next(args);
    },
    { step: 'initialize', name: 'identityProvidersAnsweredHere' },
  );
  return { client, providerCalls };
}

/** An app client of the local pool with these settings; returns its id. */
async function newAppClient(settings: Partial<CreateUserPoolClientCommandInput>): Promise<string> {
  const client = cognitoClient();
  try {
    const created = await client.send(
      new sdk.CreateUserPoolClientCommand({
        UserPoolId: localStack().cognito.userPoolId,
        ClientName: uniqueSlug('app'),
        ...settings,
      }),
    );
    return created.UserPoolClient!.ClientId!;
  } finally {
    client.destroy();
  }
}

async function describeAppClient(clientId: string) {
  const client = cognitoClient();
  try {
    const described = await client.send(
      new sdk.DescribeUserPoolClientCommand({
        UserPoolId: localStack().cognito.userPoolId,
        ClientId: clientId,
      }),
    );
    return described.UserPoolClient!;
  } finally {
    client.destroy();
  }
}

/** The admin handler in this process, adding providers to `clientIds` of the local pool. */
function adminWithClients(clientIds: string[]) {
  const { client, providerCalls } = cognitoWithProviders();
  const api = inProcessApi(
    adminDeps(env.db, env.tableName, [], {
      identityProviders: createCognitoIdentityProviders({
        sdk,
        client,
        userPoolId: localStack().cognito.userPoolId,
        clientIds,
        groupsAttribute: 'custom:groups',
      }),
    }),
  );
  return { api, providerCalls };
}

/** What the construct's federation client has (infra/constructs/user-pool.ts). */
const FEDERATION: Partial<CreateUserPoolClientCommandInput> = {
  WriteAttributes: mappedAttributes('custom:groups'),
  ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
  AllowedOAuthFlowsUserPoolClient: true,
  AllowedOAuthFlows: ['code'],
  AllowedOAuthScopes: ['openid', 'email', 'profile'],
  CallbackURLs: ['https://app.example.test/callback'],
  SupportedIdentityProviders: ['COGNITO'],
};

async function createConnection(api: ReturnType<typeof adminWithClients>['api']) {
  const org = await newOrg();
  const domain = await verifiedDomain(`orgs/${org.id}`);
  const answer = await api.call('POST', `/v1/orgs/${org.id}/sso-connections`, {
    as: owner,
    body: { name: 'Okta', idp: saml, domains: [domain] },
  });
  const listed = await api.call('GET', `/v1/orgs/${org.id}/sso-connections`, { as: owner });
  return { answer, listed };
}

describe('creating a connection on an attached pool checks its app clients (SPEC §8)', () => {
  it('adds the provider to a federation client, keeping every other setting', async () => {
    const clientId = await newAppClient(FEDERATION);
    const before = await describeAppClient(clientId);
    const { api, providerCalls } = adminWithClients([clientId]);
    const { answer } = await createConnection(api);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(providerCalls).toEqual(['CreateIdentityProvider']);
    const after = await describeAppClient(clientId);
    expect(after.SupportedIdentityProviders).toEqual(['COGNITO', answer.body.providerName]);
    const { SupportedIdentityProviders: _a, LastModifiedDate: _b, ...kept } = before;
    expect(after).toMatchObject(kept);
  });

  it('refuses (409) a client whose password sign-in gives tokens that could rewrite the groups attribute, naming it and the setting, and changes nothing', async () => {
    const safe = await newAppClient(FEDERATION);
    const unsafe = await newAppClient({
      ...FEDERATION,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    const { api, providerCalls } = adminWithClients([safe, unsafe]);
    const { answer, listed } = await createConnection(api);
    expectProblem(answer, 409);
    expect(answer.body).toMatchObject({ clientId: unsafe, settings: ['ExplicitAuthFlows'] });
    expect(answer.body.detail).toContain(unsafe);
    expect(answer.body.detail).toContain('ExplicitAuthFlows: allow only ALLOW_REFRESH_TOKEN_AUTH');
    // Nothing was created, no client was written, no connection was stored.
    expect(providerCalls).toEqual([]);
    for (const id of [safe, unsafe]) {
      expect((await describeAppClient(id)).SupportedIdentityProviders).toEqual(['COGNITO']);
    }
    expect(listed.body.items).toEqual([]);
  });

  it('refuses (409) a client that allows the aws.cognito.signin.user.admin scope', async () => {
    const clientId = await newAppClient({
      ...FEDERATION,
      AllowedOAuthScopes: ['openid', 'aws.cognito.signin.user.admin'],
    });
    const { api, providerCalls } = adminWithClients([clientId]);
    const { answer } = await createConnection(api);
    expectProblem(answer, 409);
    expect(answer.body).toMatchObject({ clientId, settings: ['AllowedOAuthScopes'] });
    expect(providerCalls).toEqual([]);
  });

  it('refuses (409) a client that cannot write the groups attribute, as a federated sign-in would fail', async () => {
    const clientId = await newAppClient({ ...FEDERATION, WriteAttributes: ['email', 'name'] });
    const { api } = adminWithClients([clientId]);
    const { answer } = await createConnection(api);
    expectProblem(answer, 409);
    expect(answer.body).toMatchObject({ clientId, settings: ['WriteAttributes'] });
    expect(answer.body.detail).toContain('WriteAttributes: add custom:groups');
  });
});
