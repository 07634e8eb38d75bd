/**
 * The identity-provider IAM grants (SPEC §8) against what the code sends: each function may do
 * exactly the Cognito actions its code path calls. A call added to the adapter without its grant
 * would be AccessDenied only in AWS, and a grant no call needs is privilege to spare; both fail
 * here. The commands are recorded from the real SDK client (a middleware answers in Cognito's
 * place, no network); test/infra/provisio-stack.test.ts checks the template holds these grants.
 */
import * as sdk from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { ADMIN_IDP_ACTIONS, STREAM_IDP_ACTIONS } from '../../infra/constructs/provisio.ts';
import { createCognitoIdentityProviders } from '../../shared/adapters/cognito/identity-providers.ts';
import { syncProviderIdentifiers } from '../../shared/sso/sync-identifiers.ts';

/** The adapter over a client that records the IAM action of every command it is sent. */
function recordingAdapter(answer: (action: string) => unknown = () => ({})) {
  const actions = new Set<string>();
  const client = new sdk.CognitoIdentityProviderClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  });
  client.middlewareStack.add(
    (_next, context) => async () => {
      const action = String(context.commandName).replace(/Command$/, '');
      actions.add(action);
      return { output: { $metadata: {}, ...(answer(action) as object) }, response: {} };
    },
    { step: 'initialize', name: 'recordAndAnswer' },
  );
  const idps = createCognitoIdentityProviders({
    sdk,
    client,
    userPoolId: 'eu-west-1_Pool',
    clientIds: ['c1'],
    groupsAttribute: 'custom:groups',
  });
  return { idps, actions };
}

const describedClient = (action: string) =>
  action === 'DescribeUserPoolClient'
    ? {
        UserPoolClient: {
          UserPoolId: 'eu-west-1_Pool',
          ClientId: 'c1',
          SupportedIdentityProviders: ['COGNITO'],
          // One that may take a connection's provider (shared/sso/app-clients.ts).
          WriteAttributes: ['email', 'email_verified', 'name', 'custom:groups'],
          ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        },
      }
    : {};

describe('identity-provider grants match the calls', () => {
  it('the admin function: everything the adapter does (create, update, identifiers, delete)', async () => {
    const { idps, actions } = recordingAdapter(describedClient);
    const providerName = 'provisio-0123456789abcdef0123456';
    await idps.create({
      providerName,
      settings: { type: 'saml', metadataUrl: 'https://idp.example/metadata' },
      domains: ['acme.com'],
    });
    await idps.update({
      providerName,
      settings: { type: 'oidc', issuer: 'https://idp.example', clientId: 'c', clientSecret: 's' },
      domains: ['acme.com'],
    });
    await idps.setIdentifiers(providerName, []);
    await idps.delete(providerName);
    // A create whose app-client update fails deletes the provider again.
    const failing = recordingAdapter((action) => {
      if (action === 'UpdateUserPoolClient') throw new Error('refused');
      return describedClient(action);
    });
    await expect(
      failing.idps.create({
        providerName,
        settings: { type: 'saml', metadataXml: '<EntityDescriptor/>' },
        domains: [],
      }),
    ).rejects.toThrow();
    const called = new Set([...actions, ...failing.actions]);
    expect([...called].sort()).toEqual([...ADMIN_IDP_ACTIONS].sort());
  });

  it('the notifier: its one task, re-syncing a provider’s identifiers', async () => {
    // TaskDeps gives the stream worker `setIdentifiers` only (shared/sso/sync-identifiers.ts).
    const { idps, actions } = recordingAdapter();
    await syncProviderIdentifiers('provisio-0123456789abcdef0123456', {
      providerDomains: async () => ['acme.com'],
      identityProviders: idps,
    });
    expect([...actions].sort()).toEqual([...STREAM_IDP_ACTIONS].sort());
  });
});
