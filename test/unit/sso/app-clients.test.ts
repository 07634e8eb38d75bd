/**
 * Which app clients may take a connection's provider (SPEC §8, "Nobody writes their own
 * groups"): a client must write every mapped attribute and issue no token that lets a person
 * rewrite one (shared/sso/app-clients.ts).
 */
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../shared/errors.ts';
import {
  type AppClientSettings,
  assertFederationClient,
  federationClientProblems,
  mappedAttributes,
  SELF_SERVICE_SCOPE,
} from '../../../shared/sso/app-clients.ts';

const MAPPED = mappedAttributes('custom:groups');

/** The client the construct creates for connection providers (infra/constructs/user-pool.ts). */
const SAFE: AppClientSettings = {
  ClientId: 'c1',
  ClientName: 'federation',
  WriteAttributes: ['custom:groups', 'email', 'email_verified', 'name'],
  ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
  AllowedOAuthScopes: ['openid', 'email', 'profile'],
};

describe('the attributes a provider maps', () => {
  it('are email, email_verified (OIDC only), name and the groups attribute', () => {
    expect(mappedAttributes('custom:groups', 'oidc')).toEqual([
      'email',
      'email_verified',
      'name',
      'custom:groups',
    ]);
    expect(mappedAttributes('custom:groups', 'saml')).toEqual(['email', 'name', 'custom:groups']);
    expect([...MAPPED].sort()).toEqual(['custom:groups', 'email', 'email_verified', 'name']);
  });
});

describe('a client that may take a connection provider', () => {
  it('writes every mapped attribute and signs people in through the hosted pages only', () => {
    expect(federationClientProblems(SAFE, MAPPED)).toEqual([]);
    expect(() => assertFederationClient(SAFE, MAPPED)).not.toThrow();
  });

  it('may also write other attributes and allow other scopes', () => {
    const client = {
      ...SAFE,
      WriteAttributes: [...SAFE.WriteAttributes!, 'given_name', 'custom:other'],
      AllowedOAuthScopes: ['openid', 'phone', 'api.example/read'],
    };
    expect(federationClientProblems(client, MAPPED)).toEqual([]);
  });
});

describe('a client refused, with the setting to change', () => {
  it.each<[string, Partial<AppClientSettings>, string[]]>([
    [
      'allows the self-service scope',
      { AllowedOAuthScopes: ['openid', SELF_SERVICE_SCOPE] },
      ['AllowedOAuthScopes'],
    ],
    [
      'allows password sign-in (its tokens always carry the scope)',
      { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
      ['ExplicitAuthFlows'],
    ],
    [
      'allows SRP',
      { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
      ['ExplicitAuthFlows'],
    ],
    [
      'allows server-side password sign-in',
      { ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'] },
      ['ExplicitAuthFlows'],
    ],
    [
      'allows custom or choice-based sign-in',
      { ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_USER_AUTH'] },
      ['ExplicitAuthFlows'],
    ],
    [
      'allows a legacy flow name',
      { ExplicitAuthFlows: ['USER_PASSWORD_AUTH'] },
      ['ExplicitAuthFlows'],
    ],
    [
      "has no flows set (Cognito's default allows SRP and custom)",
      { ExplicitAuthFlows: undefined },
      ['ExplicitAuthFlows'],
    ],
    [
      'cannot write the groups attribute',
      { WriteAttributes: ['email', 'email_verified', 'name'] },
      ['WriteAttributes'],
    ],
    [
      'cannot write email_verified',
      { WriteAttributes: ['email', 'name', 'custom:groups'] },
      ['WriteAttributes'],
    ],
    [
      "has no write attributes set (Cognito's default writes no custom attribute)",
      { WriteAttributes: undefined },
      ['WriteAttributes'],
    ],
    ['has an empty write list', { WriteAttributes: [] }, ['WriteAttributes']],
    [
      'has every problem at once (all are named, to be fixed in one go)',
      {
        WriteAttributes: undefined,
        ExplicitAuthFlows: undefined,
        AllowedOAuthScopes: [SELF_SERVICE_SCOPE],
      },
      ['WriteAttributes', 'AllowedOAuthScopes', 'ExplicitAuthFlows'],
    ],
  ])('when it %s', (_, overrides, settings) => {
    const client = { ...SAFE, ...overrides };
    expect(federationClientProblems(client, MAPPED).map((p) => p.setting)).toEqual(settings);
  });

  it('names the missing attributes and the flows to drop', () => {
    const problems = federationClientProblems(
      {
        ...SAFE,
        WriteAttributes: ['email', 'name'],
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      },
      MAPPED,
    );
    expect(problems[0]!.change).toMatch(/^add email_verified, custom:groups /);
    expect(problems[1]!.change).toMatch(
      /^allow only ALLOW_REFRESH_TOKEN_AUTH, not ALLOW_USER_SRP_AUTH /,
    );
  });

  it('is a 409 ConflictError naming the client and each setting', () => {
    const client = { ...SAFE, AllowedOAuthScopes: [SELF_SERVICE_SCOPE] };
    let thrown: unknown;
    try {
      assertFederationClient(client, MAPPED);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConflictError);
    expect(thrown).toMatchObject({
      statusCode: 409,
      message: expect.stringMatching(
        /^App client "federation" \(c1\) .*AllowedOAuthScopes: remove aws\.cognito\.signin\.user\.admin/,
      ),
      extra: { clientId: 'c1', settings: ['AllowedOAuthScopes'] },
    });
  });
});
