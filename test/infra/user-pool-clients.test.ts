/**
 * SPEC §8, "Nobody writes their own groups": the app clients that take connection providers can
 * write every mapped attribute (AWS requires it) and issue no token that lets a person rewrite
 * their own email, `email_verified` or groups; a created pool keeps a verified email until a new
 * one is verified. The template is judged by the same rule connection creation applies to an
 * attached pool's clients (shared/sso/app-clients.ts).
 */
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { cdkJsonContext } from '../../infra/cdk-context.ts';
import { DEFAULT_GROUPS_ATTRIBUTE, Provisio } from '../../infra/constructs/provisio.ts';
import { createApp } from '../../infra/create-app.ts';
import { ProvisioStack } from '../../infra/provisio-stack.ts';
import { ENV } from '../../shared/config.ts';
import {
  federationClientProblems,
  mappedAttributes,
  SELF_SERVICE_SCOPE,
} from '../../shared/sso/app-clients.ts';
import { SKIP_BUNDLING, SYNTH_TIMEOUT_MS } from './helpers.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Vars = Record<string, unknown>;

const POOL_ID = 'eu-west-1_AbCdEfGhI';
const context = () => ({ ...cdkJsonContext(), ...SKIP_BUNDLING });

/** The app clients of a template, by logical id. */
function clientsOf(template: Template): Record<string, Resource> {
  return template.findResources('AWS::Cognito::UserPoolClient') as Record<string, Resource>;
}

/** The environment of every function of a template. */
function functionVars(template: Template): Vars[] {
  return Object.values(template.findResources('AWS::Lambda::Function')).map(
    (f) =>
      (f as { Properties: { Environment: { Variables: Vars } } }).Properties.Environment.Variables,
  );
}

/** A template client's properties in the shape `DescribeUserPoolClient` answers. */
const described = (r: Resource) => ({
  ClientId: 'template',
  WriteAttributes: r.Properties.WriteAttributes as string[] | undefined,
  ExplicitAuthFlows: r.Properties.ExplicitAuthFlows as string[] | undefined,
  AllowedOAuthScopes: r.Properties.AllowedOAuthScopes as string[] | undefined,
});

describe('the created pool (SPEC §8, nobody writes their own groups)', () => {
  let stack: ProvisioStack;
  let template: Template;
  let app: App;
  const logicalId = (c: cognito.IUserPoolClient) =>
    stack.getLogicalId(c.node.defaultChild as CfnElement);

  beforeAll(() => {
    ({ app, stack } = createApp({ context: context() }));
    // cdk-nag runs in synthesis: an unacknowledged finding would throw here.
    template = Template.fromStack(stack);
  }, SYNTH_TIMEOUT_MS);

  it('keeps a verified email until a new one is verified (keepOriginal)', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
    });
  });

  it('adds connection providers to the federation client only', () => {
    const federation = logicalId(stack.provisio.federationClient!);
    const managing = functionVars(template).filter((v) => v[ENV.userPoolClientIds] !== undefined);
    expect(managing).toHaveLength(2); // the admin function and the stream worker
    for (const v of managing) expect(v[ENV.userPoolClientIds]).toEqual({ Ref: federation });
    expect(Object.keys(clientsOf(template)).sort()).toEqual(
      [federation, logicalId(stack.provisio.userPoolClient!)].sort(),
    );
    template.hasOutput('FederationClientId', { Value: { Ref: federation } });
  });

  it('the federation client writes every mapped attribute, grants no aws.cognito.signin.user.admin scope and allows no SDK sign-in flow', () => {
    const client = clientsOf(template)[logicalId(stack.provisio.federationClient!)]!;
    expect(client.Properties).toMatchObject({
      WriteAttributes: [...mappedAttributes(DEFAULT_GROUPS_ATTRIBUTE)].sort(),
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      GenerateSecret: false,
    });
    expect(client.Properties.AllowedOAuthScopes).not.toContain(SELF_SERVICE_SCOPE);
    // The rule connection creation applies to an attached pool's clients passes it.
    expect(
      federationClientProblems(described(client), mappedAttributes(DEFAULT_GROUPS_ATTRIBUTE)),
    ).toEqual([]);
  });

  it('the password client takes no connection provider, has no OAuth, and cannot write email_verified or groups', () => {
    const client = clientsOf(template)[logicalId(stack.provisio.userPoolClient!)]!;
    expect(client.Properties).toMatchObject({
      SupportedIdentityProviders: ['COGNITO'],
      AllowedOAuthFlowsUserPoolClient: false,
      // Sign-up gives email and name; a changed email waits for verification (keepOriginal).
      WriteAttributes: ['email', 'name'],
    });
    expect(client.Properties.AllowedOAuthScopes).toBeUndefined();
  });

  it('no app client both takes connection providers and can give a person a token to rewrite a mapped attribute', () => {
    const federationIds = new Set(
      functionVars(template)
        .map((v) => v[ENV.userPoolClientIds])
        .filter(Boolean)
        .map((ref) => (ref as { Ref: string }).Ref),
    );
    for (const [id, client] of Object.entries(clientsOf(template))) {
      expect(client.Properties.AllowedOAuthScopes ?? [], id).not.toContain(SELF_SERVICE_SCOPE);
      if (federationIds.has(id)) {
        expect(
          federationClientProblems(described(client), mappedAttributes(DEFAULT_GROUPS_ATTRIBUTE)),
          id,
        ).toEqual([]);
      } else {
        expect(client.Properties.SupportedIdentityProviders, id).toEqual(['COGNITO']);
        expect(client.Properties.WriteAttributes, id).not.toContain('email_verified');
        expect(client.Properties.WriteAttributes, id).not.toContain(DEFAULT_GROUPS_ATTRIBUTE);
      }
    }
  });

  it('accepts tokens of both clients at the admin API', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: {
        Audience: [
          { Ref: logicalId(stack.provisio.userPoolClient!) },
          { Ref: logicalId(stack.provisio.federationClient!) },
        ],
      },
    });
  });

  it('passes cdk-nag AwsSolutions', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it(
    'writes the pool’s own groups attribute, and sends people back to the given URLs',
    () => {
      const other = new Stack(new App({ context: context() }), 'Other');
      new Provisio(other, 'P', {
        senderEmail: 'a@b.example',
        groupsAttribute: 'custom:idp_groups',
        callbackUrls: ['https://app.example/callback'],
        logoutUrls: ['https://app.example/bye'],
      });
      const clients = Object.values(clientsOf(Template.fromStack(other)));
      const federation = clients.find((c) => c.Properties.AllowedOAuthFlowsUserPoolClient)!;
      expect(federation.Properties).toMatchObject({
        WriteAttributes: ['custom:idp_groups', 'email', 'email_verified', 'name'],
        CallbackURLs: ['https://app.example/callback'],
        LogoutURLs: ['https://app.example/bye'],
      });
    },
    SYNTH_TIMEOUT_MS,
  );
});

describe('an attached pool', () => {
  it(
    'adds connection providers to the given federation clients, and accepts their tokens too',
    () => {
      const stack = new Stack(new App({ context: context() }), 'Product');
      new Provisio(stack, 'Orgs', {
        senderEmail: 'a@b.example',
        userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', POOL_ID),
        userPoolClients: [cognito.UserPoolClient.fromUserPoolClientId(stack, 'Api', 'api')],
        federationClients: [cognito.UserPoolClient.fromUserPoolClientId(stack, 'Sso', 'sso')],
      });
      const template = Template.fromStack(stack);
      const managing = functionVars(template).filter((v) => v[ENV.userPoolId] === POOL_ID);
      expect(managing.map((v) => v[ENV.userPoolClientIds])).toEqual(['sso', 'sso']);
      template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        JwtConfiguration: { Audience: ['api', 'sso'] },
      });
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    'takes the federation clients from context federationClientId',
    () => {
      const app = new App({
        context: {
          ...context(),
          userPoolId: POOL_ID,
          userPoolClientId: 'api',
          federationClientId: 'sso1, sso2',
        },
      });
      const template = Template.fromStack(new ProvisioStack(app, 'Attached'));
      const managing = functionVars(template).filter((v) => v[ENV.userPoolId] === POOL_ID);
      expect(managing.map((v) => v[ENV.userPoolClientIds])).toEqual(['sso1,sso2', 'sso1,sso2']);
      template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        JwtConfiguration: { Audience: ['api', 'sso1', 'sso2'] },
      });
    },
    SYNTH_TIMEOUT_MS,
  );

  it('refuses settings of the created pool’s federation client', () => {
    const stack = new Stack(new App({ context: context() }), 'S');
    expect(
      () =>
        new Provisio(stack, 'P', {
          senderEmail: 'a@b.example',
          userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', POOL_ID),
          userPoolClients: [cognito.UserPoolClient.fromUserPoolClientId(stack, 'Api', 'api')],
          callbackUrls: ['https://app.example/callback'],
        }),
    ).toThrow(/callbackUrls and logoutUrls are for the federation client/);
    const app = new App({ context: { ...context(), federationClientId: 'sso' } });
    expect(() => new ProvisioStack(app, 'Created')).toThrow(
      /federationClientId is for an attached pool/,
    );
  });
});
