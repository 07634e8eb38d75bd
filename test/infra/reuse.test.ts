import { App, type CfnElement, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { cdkJsonContext } from '../../infra/cdk-context.ts';
import { Provisio } from '../../infra/constructs/provisio.ts';
import { ProvisioStack } from '../../infra/provisio-stack.ts';
import { ENV } from '../../shared/config.ts';
import { SKIP_BUNDLING, SYNTH_TIMEOUT_MS } from './helpers.ts';

const POOL_ID = 'eu-west-1_AbCdEfGhI';
const CLIENT_ID = '1example23456789abcdefghij';
const context = () => ({ ...cdkJsonContext(), ...SKIP_BUNDLING });

describe('another CDK app reusing Provisio with its own user pool', () => {
  let stack: Stack;
  let provisio: Provisio;
  let template: Template;

  beforeAll(() => {
    // A product's own app: its stack, its pool, its secret and alarm topic.
    const app = new App({ context: context() });
    stack = new Stack(app, 'Product', { env: { account: '111122223333', region: 'eu-west-1' } });
    const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', POOL_ID);
    provisio = new Provisio(stack, 'Orgs', {
      senderEmail: 'orgs@product.example',
      userPool,
      userPoolClients: [cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', CLIENT_ID)],
      hookSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Hook', 'product/hook'),
      groupsAttribute: 'custom:idp_groups',
      dnsServers: ['1.1.1.1:53', '8.8.8.8:53'],
      alarmTopic: new sns.Topic(stack, 'Alarms', { enforceSSL: true }),
      removalPolicy: RemovalPolicy.DESTROY,
      boundProviders: { AcmeOkta: 'orgs/org-1', CorpEntra: 'companies/co-1' },
      cognitoDomain: 'https://login.product.example',
    });
    template = Template.fromStack(stack);
  }, SYNTH_TIMEOUT_MS);

  it('creates no user pool and no secret of its own', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(provisio.userPool.userPoolId).toBe(POOL_ID);
    expect(provisio.userPoolClient).toBeUndefined();
  });

  it('accepts tokens of the given pool and app client', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: {
        Issuer: `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}`,
        Audience: [CLIENT_ID],
      },
    });
  });

  it('lets that pool, and only it, invoke the sign-in function, and says the owner attaches the triggers', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'cognito-idp.amazonaws.com',
      SourceArn: `arn:aws:cognito-idp:eu-west-1:111122223333:userpool/${POOL_ID}`,
    });
    const infos = Annotations.fromStack(stack).findInfo(
      '*',
      Match.stringLikeRegexp('PostAuthentication and PostConfirmation trigger'),
    );
    expect(infos).toHaveLength(1);
    // SPEC §12: SSO enforcement's triggers, attached by the pool's owner too.
    expect(
      Annotations.fromStack(stack).findInfo(
        '*',
        Match.stringLikeRegexp('PreAuthentication and PreSignUp trigger'),
      ),
    ).toHaveLength(1);
  });

  it('passes its settings to the functions', () => {
    const vars = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (f) =>
        (f as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties
          .Environment.Variables,
    );
    expect(vars.filter((v) => v[ENV.groupsAttribute] === 'custom:idp_groups')).toHaveLength(2);
    // The admin API's verify route and the domain checker look TXT records up, and the admin
    // API and the webhook delivery worker resolve webhook hosts (SPEC §11).
    expect(vars.filter((v) => v[ENV.dnsServers] === '1.1.1.1:53,8.8.8.8:53')).toHaveLength(3);
    expect(vars.map((v) => v[ENV.hookSecretArn]).filter(Boolean)).toEqual([
      'arn:aws:secretsmanager:eu-west-1:111122223333:secret:product/hook',
    ]);
    // SPEC §8: the admin function and the stream worker manage that pool's identity providers.
    const managing = vars.filter((v) => v[ENV.userPoolId] === POOL_ID);
    expect(managing).toHaveLength(2);
    for (const v of managing) {
      expect(v[ENV.userPoolClientIds]).toBe(CLIENT_ID);
      expect(v[ENV.cognitoDomain]).toBe('https://login.product.example');
    }
    // Only the admin function names the operator's bound providers.
    expect(vars.map((v) => v[ENV.boundProviders]).filter(Boolean)).toEqual([
      JSON.stringify({ AcmeOkta: 'orgs/org-1', CorpEntra: 'companies/co-1' }),
    ]);
    expect(provisio.cognitoDomainUrl).toBe('https://login.product.example');
    // A pool it did not create gets no domain from it.
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 0);
  });

  it('sends every alarm and its recovery to the topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    // Errors and throttles of each of the 10 functions and the console's, the notifier's, the
    // webhook publisher's and delivery worker's dead letters, and sign-ins let through without
    // the SSO enforcement check.
    expect(alarms).toHaveLength(26);
    for (const alarm of alarms) {
      const props = (alarm as { Properties: Record<string, unknown> }).Properties;
      expect(props.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Alarms/) }]);
      expect(props.OKActions).toEqual([{ Ref: expect.stringMatching(/^Alarms/) }]);
    }
  });

  it('lets a throw-away stack be deleted', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: { DeletionProtectionEnabled: false },
      DeletionPolicy: 'Delete',
    });
  });

  it('passes cdk-nag AwsSolutions', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  it("alarms on the notifier's dead-letter queue", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
    });
  });
});

describe('Provisio props', () => {
  it('needs the app clients of a given pool', () => {
    const stack = new Stack(new App({ context: context() }), 'S');
    expect(
      () =>
        new Provisio(stack, 'P', {
          senderEmail: 'a@b.example',
          userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', POOL_ID),
        }),
    ).toThrow(/userPoolClients is required/);
  });

  it.each([
    [{ AcmeOkta: 'org-1' }],
    [{ AcmeOkta: 'teams/t1' }],
    [{ 'provisio-0123456789abcdef0123456': 'orgs/o1' }],
  ])('refuses a bad boundProviders binding (%j), naming BOUND_PROVIDERS', (boundProviders) => {
    const stack = new Stack(new App({ context: context() }), 'S');
    expect(() => new Provisio(stack, 'P', { senderEmail: 'a@b.example', boundProviders })).toThrow(
      /BOUND_PROVIDERS/,
    );
  });

  it.each([
    ['My_Pool', /lower-case letters, digits and hyphens/],
    ['-orgs', /starting and ending/],
    ['a'.repeat(64), /1 to 63/],
    ['aws-orgs', /must not contain "aws"/],
    ['orgs-amazon', /must not contain "amazon"/],
    ['mycognito', /must not contain "cognito"/],
  ])('refuses domainPrefix %j before Cognito would', (domainPrefix, why) => {
    const build = () =>
      new Provisio(new Stack(new App({ context: context() }), 'S'), 'P', {
        senderEmail: 'a@b.example',
        domainPrefix,
      });
    expect(build).toThrow(/^domainPrefix ".*" cannot be a Cognito domain prefix/);
    expect(build).toThrow(why);
  });

  it('takes a domainPrefix for the pool it creates, and its URL is the hosted domain', () => {
    const stack = new Stack(new App({ context: context() }), 'S', {
      env: { account: '111122223333', region: 'eu-west-1' },
    });
    const provisio = new Provisio(stack, 'P', {
      senderEmail: 'a@b.example',
      domainPrefix: 'acme-orgs',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'acme-orgs',
    });
    expect(stack.resolve(provisio.cognitoDomainUrl)).toEqual({
      'Fn::Join': [
        '',
        ['https://', { Ref: expect.stringMatching(/Domain/) }, '.auth.eu-west-1.amazoncognito.com'],
      ],
    });
  });

  it('refuses settings for the other kind of pool, and a cognitoDomain that is not a base URL', () => {
    const stack = new Stack(new App({ context: context() }), 'S');
    const pool = cognito.UserPool.fromUserPoolId(stack, 'Pool', POOL_ID);
    const userPoolClients = [cognito.UserPoolClient.fromUserPoolClientId(stack, 'C', CLIENT_ID)];
    expect(
      () =>
        new Provisio(stack, 'A', {
          senderEmail: 'a@b.example',
          cognitoDomain: 'https://login.product.example',
        }),
    ).toThrow(/cognitoDomain is for a given userPool/);
    expect(
      () =>
        new Provisio(stack, 'B', {
          senderEmail: 'a@b.example',
          userPool: pool,
          userPoolClients,
          domainPrefix: 'acme-orgs',
        }),
    ).toThrow(/domainPrefix is for the pool Provisio creates/);
    for (const cognitoDomain of [
      'login.product.example',
      'https://x.example/path',
      'http://x.example',
    ]) {
      expect(
        () =>
          new Provisio(stack, `C${cognitoDomain.length}`, {
            senderEmail: 'a@b.example',
            userPool: pool,
            userPoolClients,
            cognitoDomain,
          }),
      ).toThrow(/cognitoDomain must be the pool domain's base URL/);
    }
  });

  it('rejects a sender that is not an email address', () => {
    const stack = new Stack(new App({ context: context() }), 'S');
    expect(() => new Provisio(stack, 'P', { senderEmail: 'nobody' })).toThrow(/senderEmail/);
  });
});

describe('ProvisioStack context', () => {
  it(
    'attaches to the pool named by context userPoolId',
    () => {
      const app = new App({
        context: {
          ...context(),
          userPoolId: POOL_ID,
          userPoolClientId: `${CLIENT_ID}, other`,
          cognitoDomain: 'https://acme-orgs.auth.eu-west-1.amazoncognito.com',
        },
      });
      const stack = new ProvisioStack(app, 'Attached');
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Cognito::UserPool', 0);
      template.resourceCountIs('AWS::Cognito::UserPoolDomain', 0);
      template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        JwtConfiguration: { Audience: [CLIENT_ID, 'other'] },
      });
      template.hasOutput('SignInFunctionArn', {});
      expect(template.findOutputs('UserPoolClientId')).toEqual({});
      // The pool's existing domain reaches the functions managing its providers, and the outputs.
      template.hasOutput('CognitoDomainUrl', {
        Value: 'https://acme-orgs.auth.eu-west-1.amazoncognito.com',
      });
      const managing = Object.values(template.findResources('AWS::Lambda::Function'))
        .map(
          (f) =>
            (f as { Properties: { Environment: { Variables: Record<string, unknown> } } })
              .Properties.Environment.Variables,
        )
        .filter((v) => v[ENV.userPoolId] === POOL_ID);
      expect(managing.map((v) => [v[ENV.userPoolClientIds], v[ENV.cognitoDomain]])).toEqual([
        [`${CLIENT_ID},other`, 'https://acme-orgs.auth.eu-west-1.amazoncognito.com'],
        [`${CLIENT_ID},other`, 'https://acme-orgs.auth.eu-west-1.amazoncognito.com'],
      ]);
    },
    SYNTH_TIMEOUT_MS,
  );

  it('refuses userPoolId without userPoolClientId', () => {
    const app = new App({ context: { ...context(), userPoolId: POOL_ID } });
    expect(() => new ProvisioStack(app, 'Attached')).toThrow(/userPoolClientId/);
  });

  it(
    'binds providers from context boundProviders, given as JSON text',
    () => {
      const app = new App({
        context: { ...context(), boundProviders: '{"AcmeOkta":"orgs/org-1"}' },
      });
      const stack = new ProvisioStack(app, 'Bound');
      const admin = Template.fromStack(stack).toJSON().Resources[
        stack.getLogicalId(stack.provisio.functions.admin.node.defaultChild as CfnElement)
      ] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
      expect(admin.Properties.Environment.Variables[ENV.boundProviders]).toBe(
        '{"AcmeOkta":"orgs/org-1"}',
      );
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    'binds providers from context boundProviders, given as a JSON object (cdk.json)',
    () => {
      const app = new App({
        context: { ...context(), boundProviders: { CorpEntra: 'companies/co-1' } },
      });
      const stack = new ProvisioStack(app, 'Bound');
      const admin = Template.fromStack(stack).toJSON().Resources[
        stack.getLogicalId(stack.provisio.functions.admin.node.defaultChild as CfnElement)
      ] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
      expect(admin.Properties.Environment.Variables[ENV.boundProviders]).toBe(
        '{"CorpEntra":"companies/co-1"}',
      );
    },
    SYNTH_TIMEOUT_MS,
  );

  it.each([
    ["{AcmeOkta:'orgs/org-1'}", /Context boundProviders is not JSON.*-c boundProviders=/],
    ['["AcmeOkta"]', /Context boundProviders must be a JSON object/],
    ['{"AcmeOkta":"org-1"}', /boundProviders: Malformed environment variable BOUND_PROVIDERS/],
    ['{"provisio-x":"orgs/o1"}', /BOUND_PROVIDERS: "provisio-x" cannot be bound/],
  ])('fails synth on context boundProviders %s, saying why', (boundProviders, message) => {
    const app = new App({ context: { ...context(), boundProviders } });
    expect(() => new ProvisioStack(app, 'Bound')).toThrow(message);
  });

  it('sends notification mail from context senderEmail', () => {
    const app = new App({ context: { ...context(), senderEmail: 'orgs@acme.example' } });
    expect(new ProvisioStack(app, 'S').provisio.senderEmail).toBe('orgs@acme.example');
  });
});
