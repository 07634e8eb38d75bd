import { type App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FunctionId, functionSpecs } from '../../functions/registry.ts';
import { cdkJsonContext } from '../../infra/cdk-context.ts';
import {
  ADMIN_IDP_ACTIONS,
  DEFAULT_GROUPS_ATTRIBUTE,
  STREAM_IDP_ACTIONS,
} from '../../infra/constructs/provisio.ts';
import { createApp } from '../../infra/create-app.ts';
import type { ProvisioStack } from '../../infra/provisio-stack.ts';
import { ENV, readConfig } from '../../shared/config.ts';
import { GSI1, OUTBOX_SK, tableDefinition } from '../../shared/table/schema.ts';
import { SKIP_BUNDLING, SYNTH_TIMEOUT_MS } from './helpers.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let app: App;
let stack: ProvisioStack;
let template: Template;

beforeAll(() => {
  ({ app, stack } = createApp({ context: { ...cdkJsonContext(), ...SKIP_BUNDLING } }));
  // Synthesizes the whole app, cdk-nag included: an unacknowledged error would throw here.
  template = Template.fromStack(stack);
}, SYNTH_TIMEOUT_MS);

/** The logical id of the function built for a registry entry. */
function functionLogicalId(id: FunctionId): string {
  return stack.getLogicalId(stack.provisio.functions[id].node.defaultChild as CfnElement);
}

function functionResource(id: FunctionId): Resource {
  return template.toJSON().Resources[functionLogicalId(id)] as Resource;
}

/** Every statement of the inline policies attached to a function's role. */
function statementsOf(id: FunctionId): Statement[] {
  const roleId = stack.getLogicalId(
    stack.provisio.functions[id].role!.node.defaultChild as CfnElement,
  );
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies)
    .flatMap((p) => (p as Resource).Properties.PolicyDocument as { Statement: Statement[] })
    .flatMap((doc) => doc.Statement);
}

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const tableRef = () =>
  stack.getLogicalId(stack.provisio.table.node.defaultChild as dynamodb.CfnTable);
const userPoolRef = () =>
  stack.getLogicalId(stack.provisio.userPool.node.defaultChild as CfnElement);

describe('the table', () => {
  it('has the keys, index, TTL and stream of tableDefinition', () => {
    const d = tableDefinition;
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: d.partitionKey, KeyType: 'HASH' },
        { AttributeName: d.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: d.globalSecondaryIndexes.map((g) => ({
        IndexName: g.indexName,
        KeySchema: [
          { AttributeName: g.partitionKey, KeyType: 'HASH' },
          { AttributeName: g.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      AttributeDefinitions: Match.arrayWith(
        [
          d.partitionKey,
          d.sortKey,
          ...d.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey]),
        ].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      ),
      TimeToLiveSpecification: { AttributeName: d.timeToLiveAttribute, Enabled: true },
      StreamSpecification: { StreamViewType: d.streamViewType },
    });
  });

  it('is on-demand, recoverable, protected and encrypted with the AWS-managed key', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('the functions', () => {
  it('builds one function per registry entry, and the admin console’s', () => {
    // The console's function is its construct's own (test/infra/console.test.ts).
    template.resourceCountIs('AWS::Lambda::Function', Object.keys(functionSpecs).length + 1);
    for (const id of Object.keys(functionSpecs) as FunctionId[]) {
      expect(functionResource(id).Properties.Description).toBe(functionSpecs[id].description);
    }
  });

  it.each(Object.keys(functionSpecs) as FunctionId[])(
    '%s runs Node.js 22 on arm64 with active tracing, an ESM handler and its own log group',
    (id) => {
      const props = functionResource(id).Properties;
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.TracingConfig).toEqual({ Mode: 'Active' });
      expect(props.Handler).toBe('index.handler');
      expect(props.LoggingConfig).toEqual({
        LogGroup: { Ref: expect.any(String) },
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        SystemLogLevel: 'WARN',
      });
      const logGroupId = (props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(template.toJSON().Resources[logGroupId]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 30 },
      });
    },
  );

  it('sets the environment through the ENV names', () => {
    const env = (id: FunctionId) =>
      (functionResource(id).Properties.Environment as { Variables: Record<string, unknown> })
        .Variables;
    const tableName = { Ref: tableRef() };
    expect(env('signIn')).toEqual({
      [ENV.tableName]: tableName,
      [ENV.groupsAttribute]: DEFAULT_GROUPS_ATTRIBUTE,
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(env('signInHook')).toEqual({
      [ENV.tableName]: tableName,
      [ENV.groupsAttribute]: DEFAULT_GROUPS_ATTRIBUTE,
      [ENV.hookSecretArn]: { Ref: expect.stringMatching(/^ProvisioHookSecret/) },
      NODE_OPTIONS: '--enable-source-maps',
    });
    // SPEC §8: the functions that manage the pool's identity providers know the pool, its
    // federation client and its hosted domain.
    const pool = {
      [ENV.userPoolId]: { Ref: userPoolRef() },
      [ENV.userPoolClientIds]: { Ref: expect.stringMatching(/FederationClient/) },
      [ENV.cognitoDomain]: expect.objectContaining({ 'Fn::Join': expect.any(Array) }),
    };
    expect(env('admin')).toEqual({
      [ENV.tableName]: tableName,
      ...pool,
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(env('notifier')).toMatchObject(pool);
    expect(env('domainChecker')).toEqual({
      [ENV.tableName]: tableName,
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('uses the same default groups attribute as the handlers', () => {
    expect(readConfig({ [ENV.tableName]: 't' }).groupsAttribute).toBe(DEFAULT_GROUPS_ATTRIBUTE);
  });

  it('gives the sign-in trigger less than the 5 s Cognito waits', () => {
    expect(functionResource('signIn').Properties.Timeout).toBeLessThanOrEqual(5);
  });
});

describe('least privilege', () => {
  const itemWrite = [
    'dynamodb:ConditionCheckItem',
    'dynamodb:DeleteItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ];
  const itemRead = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];

  it.each([
    ['signIn', [...itemRead, ...itemWrite]],
    ['signInHook', [...itemRead, ...itemWrite]],
    ['admin', [...itemRead, ...itemWrite, 'dynamodb:BatchWriteItem']],
    ['domainChecker', [...itemRead, ...itemWrite]],
  ] as [FunctionId, string[]][])(
    '%s gets exactly its item actions on the table and Query on the index',
    (id, expected) => {
      const dynamo = statementsOf(id).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('dynamodb:')),
      );
      const onTable = dynamo.filter((s) =>
        JSON.stringify(s.Resource).includes(`"Fn::GetAtt":["${tableRef()}","Arn"]}`),
      );
      const onTableOnly = onTable.filter((s) => !JSON.stringify(s.Resource).includes('/index/'));
      expect(onTableOnly.flatMap(actionsOf).sort()).toEqual([...expected].sort());
      const onIndex = dynamo.filter((s) => JSON.stringify(s.Resource).includes('/index/'));
      expect(onIndex).toEqual([
        {
          Effect: 'Allow',
          Action: 'dynamodb:Query',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableRef(), 'Arn'] }, `/index/${GSI1}`]] },
        },
      ]);
      expect(dynamo).toHaveLength(onTable.length);
    },
  );

  it('grants no wildcard action and no wildcard resource except X-Ray’s and ListStreams', () => {
    for (const [, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
      const doc = (policy as Resource).Properties.PolicyDocument as { Statement: Statement[] };
      for (const s of doc.Statement) {
        for (const action of actionsOf(s)) expect(action).not.toContain('*');
        const resources = JSON.stringify(s.Resource);
        if (resources.includes('*')) {
          expect(s.Resource).toBe('*');
          // Neither X-Ray's writes nor dynamodb:ListStreams (the notifier's stream event source)
          // support resource-level permissions.
          const allowed = [
            'xray:PutTelemetryRecords',
            'xray:PutTraceSegments',
            'dynamodb:ListStreams',
          ];
          for (const action of actionsOf(s)) expect(allowed).toContain(action);
        }
      }
    }
  });

  it.each([
    ['admin', ADMIN_IDP_ACTIONS],
    ['notifier', STREAM_IDP_ACTIONS],
    ['signIn', []],
    ['signInHook', []],
    ['domainChecker', []],
  ] as [FunctionId, readonly string[]][])(
    '%s gets exactly its identity-provider actions (SPEC §8), on the pool only',
    (id, expected) => {
      const cognito = statementsOf(id).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('cognito-idp:')),
      );
      expect(cognito.flatMap(actionsOf).sort()).toEqual(
        expected.map((a) => `cognito-idp:${a}`).sort(),
      );
      for (const s of cognito) {
        expect(s.Resource).toEqual({ 'Fn::GetAtt': [userPoolRef(), 'Arn'] });
      }
    },
  );

  it('admin may create, update and delete identity providers and update app clients, nothing else', () => {
    expect([...ADMIN_IDP_ACTIONS].sort()).toEqual([
      'CreateIdentityProvider',
      'DeleteIdentityProvider',
      'DescribeUserPoolClient',
      'UpdateIdentityProvider',
      'UpdateUserPoolClient',
    ]);
    expect([...STREAM_IDP_ACTIONS]).toEqual(['UpdateIdentityProvider']);
  });

  it('uses no AWS-managed policy', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect((role as Resource).Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('lets only the sign-in hook read the hook secret, and it gets its ARN', () => {
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0]!;
    const readers = (Object.keys(functionSpecs) as FunctionId[]).filter((id) =>
      statementsOf(id).some(
        (s) => JSON.stringify(s.Resource) === JSON.stringify({ Ref: secretId }),
      ),
    );
    expect(readers).toEqual(['signInHook']);
    const hookSecretStatement = statementsOf('signInHook').find(
      (s) => JSON.stringify(s.Resource) === JSON.stringify({ Ref: secretId }),
    );
    expect(actionsOf(hookSecretStatement!).sort()).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
  });
});

describe('the hook secret', () => {
  it('is generated in Secrets Manager and kept when the stack goes', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: {
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      },
      DeletionPolicy: 'Retain',
    });
  });
});

describe('the HTTP API', () => {
  const routeTarget = (routeKey: string) => {
    const routes = template.findResources('AWS::ApiGatewayV2::Route', {
      Properties: { RouteKey: routeKey },
    });
    expect(Object.keys(routes)).toHaveLength(1);
    const props = (Object.values(routes)[0] as Resource).Properties;
    const integrationId = (props.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })[
      'Fn::Join'
    ][1][1].Ref;
    const integration = template.toJSON().Resources[integrationId] as Resource;
    const uri = JSON.stringify(integration.Properties.IntegrationUri);
    const fn = (Object.keys(functionSpecs) as FunctionId[]).find((id) =>
      uri.includes(functionLogicalId(id)),
    );
    return { props, fn, integration };
  };

  it('routes the admin API to the admin function behind the JWT authorizer', () => {
    const { props, fn, integration } = routeTarget('ANY /v1/{proxy+}');
    expect(fn).toBe('admin');
    expect(props.AuthorizationType).toBe('JWT');
    expect(props.AuthorizerId).toEqual({ Ref: expect.any(String) });
    expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
  });

  it('serves the OpenAPI document from the admin function without auth', () => {
    const { props, fn } = routeTarget('GET /v1/openapi.json');
    expect(fn).toBe('admin');
    expect(props.AuthorizationType).toBe('NONE');
  });

  it('routes the sign-in hook to its function without JWT (it checks its HMAC signature)', () => {
    const { props, fn } = routeTarget('POST /v1/hooks/sign-in');
    expect(fn).toBe('signInHook');
    expect(props.AuthorizationType).toBe('NONE');
  });

  it('routes SCIM to its function without JWT (it checks the connection’s SCIM token)', () => {
    const { props, fn, integration } = routeTarget('ANY /scim/v2/{proxy+}');
    expect(fn).toBe('scim');
    expect(props.AuthorizationType).toBe('NONE');
    expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
  });

  it('has no other route but the admin console’s two (test/infra/console.test.ts)', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 6);
  });

  it('checks tokens of the user pool, for its app clients', () => {
    const poolId = stack.getLogicalId(stack.provisio.userPool.node.defaultChild as CfnElement);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: {
          'Fn::Join': [
            '',
            ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: poolId }],
          ],
        },
        Audience: [
          { Ref: Match.stringLikeRegexp('AppClient') },
          { Ref: Match.stringLikeRegexp('FederationClient') },
        ],
      },
    });
  });

  it('throttles the default stage and logs access to a log group', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context.requestId'),
      },
    });
  });
});

describe('the user pool', () => {
  it('signs people in by email, lets them sign up, verifies email and declares the groups attribute', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      Schema: Match.arrayWith([
        Match.objectLike({
          Name: DEFAULT_GROUPS_ATTRIBUTE.replace('custom:', ''),
          AttributeDataType: 'String',
          Mutable: true,
        }),
      ]),
    });
  });

  it('has a hosted domain for federation, its URL an output (SPEC §8)', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      UserPoolId: { Ref: userPoolRef() },
      Domain: { 'Fn::Join': ['-', Match.arrayWith(['provisio'])] },
    });
    template.hasOutput('CognitoDomainUrl', {});
  });

  it('has an app client allowing USER_PASSWORD_AUTH and SRP', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']),
      GenerateSecret: false,
    });
  });

  it('calls the sign-in function after authentication and after confirmation', () => {
    const signIn = { 'Fn::GetAtt': [functionLogicalId('signIn'), 'Arn'] };
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PostAuthentication: signIn, PostConfirmation: signIn },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'cognito-idp.amazonaws.com',
      FunctionName: signIn,
    });
  });

  it('calls the pre-token function, event version 2, on the Essentials plan (SPEC §9)', () => {
    const preToken = { 'Fn::GetAtt': [functionLogicalId('preToken'), 'Arn'] };
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'ESSENTIALS',
      LambdaConfig: {
        PreTokenGenerationConfig: { LambdaArn: preToken, LambdaVersion: 'V2_0' },
      },
    });
    template.hasOutput('PreTokenFunctionArn', {});
    // It reads one item: GetItem on the table, nothing else.
    const dynamo = statementsOf('preToken').filter((st) =>
      actionsOf(st).some((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamo.flatMap(actionsOf)).toEqual(['dynamodb:GetItem']);
  });

  it('calls the pre-auth function before authentication and sign-up, and alarms when it fails open (SPEC §12)', () => {
    const preAuth = { 'Fn::GetAtt': [functionLogicalId('preAuth'), 'Arn'] };
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PreAuthentication: preAuth, PreSignUp: preAuth },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'cognito-idp.amazonaws.com',
      FunctionName: preAuth,
    });
    template.hasOutput('PreAuthFunctionArn', {});
    // One GetItem and the puts and updates it records: no query, no delete, no batch.
    const dynamo = statementsOf('preAuth').filter((st) =>
      actionsOf(st).some((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamo.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(dynamo.map((st) => st.Resource)).toEqual([{ 'Fn::GetAtt': [tableRef(), 'Arn'] }]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Provisio',
      MetricName: 'EnforcementCheckFailures',
      Statistic: 'Sum',
      Threshold: 1,
    });
  });
});

describe('the stream notifier', () => {
  it('wakes only for outbox INSERTs, reports partial batch failures and retries boundedly', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionLogicalId('notifier') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      StartingPosition: 'TRIM_HORIZON',
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { Keys: { sk: { S: [OUTBOX_SK] } } },
            }),
          },
        ],
      },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('sends what still fails to an encrypted, SSL-only dead-letter queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('may send mail from the sender identity only, and is the only function that may', () => {
    const senders = (Object.keys(functionSpecs) as FunctionId[]).filter((id) =>
      statementsOf(id).some((s) => actionsOf(s).includes('ses:SendEmail')),
    );
    expect(senders).toEqual(['notifier']);
    const ses = statementsOf('notifier').find((s) => actionsOf(s).includes('ses:SendEmail'))!;
    expect(JSON.stringify(ses.Resource)).toContain('identity/');
    expect(JSON.stringify(ses.Resource)).not.toContain('identity/*');
  });
});

describe('the domain checker', () => {
  it('runs every hour on an EventBridge schedule that targets it', () => {
    const rules = template.findResources('AWS::Events::Rule');
    expect(Object.keys(rules)).toHaveLength(1);
    const rule = Object.values(rules)[0] as Resource;
    expect(rule.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [functionLogicalId('domainChecker'), 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 2 },
        },
      ],
    });
    expect(rule.Properties.EventPattern).toBeUndefined();
    expect(stack.provisio.domainCheckerRule.node.path).toMatch(/DomainCheckerSchedule\/Rule$/);
  });

  it('may be invoked by that rule only', () => {
    const ruleId = Object.keys(template.findResources('AWS::Events::Rule'))[0]!;
    const permissions = Object.values(
      template.findResources('AWS::Lambda::Permission', {
        Properties: {
          FunctionName: { 'Fn::GetAtt': [functionLogicalId('domainChecker'), 'Arn'] },
        },
      }),
    ).map((p) => (p as Resource).Properties);
    expect(permissions).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [functionLogicalId('domainChecker'), 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      },
    ]);
  });

  it('has five minutes per run, and reads and writes the table without sending mail or reading the hook secret', () => {
    expect(functionResource('domainChecker').Properties.Timeout).toBe(300);
    const actions = statementsOf('domainChecker').flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('ses:') || a.startsWith('secretsmanager:'))).toEqual(
      [],
    );
  });
});

describe('alarms', () => {
  it.each(Object.keys(functionSpecs) as FunctionId[])(
    'watches errors and throttles of %s',
    (id) => {
      const fnRef = { Ref: functionLogicalId(id) };
      for (const metric of ['Errors', 'Throttles']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [{ Name: 'FunctionName', Value: fnRef }],
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
      }
    },
  );
});

describe('cdk-nag AwsSolutions', () => {
  it('finds no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(
      report.violations.map((v) => `${v.ruleName} ${v.violatingResources[0]?.constructPath}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('fails synthesis on an unacknowledged finding, and the direct check sees it too', () => {
    const { app: other } = createApp({ context: { ...cdkJsonContext(), ...SKIP_BUNDLING } });
    const extra = new Stack(other, 'Extra');
    new dynamodb.Table(extra, 'NoRecovery', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
    expect(() => Template.fromStack(extra)).toThrow(/AwsSolutions-DDB3/);
    const report = new AwsSolutionsChecks().validateScope(other);
    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-DDB3');
  });

  it('acknowledges only these rules, each on the resource it concerns, each with a reason', () => {
    const acknowledged: string[] = [];
    for (const construct of app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [rule, reason] of Object.entries(entry.data as Record<string, unknown>)) {
          expect(String(reason ?? '').length).toBeGreaterThan(40);
          const path = construct.node.path.replace(/^Provisio\/Provisio\//, '');
          acknowledged.push(`${rule.replace(/^annotation::/i, '')} ${path}`);
        }
      }
    }
    expect(acknowledged.sort()).toEqual(
      [
        ...(
          [
            'SignIn',
            'SignInHook',
            'Notifier',
            'Admin',
            'PreToken',
            'PreAuth',
            'Scim',
            'DomainChecker',
            'WebhookPublisher',
            'WebhookDelivery',
          ] as const
        ).flatMap((fn) => [
          `AwsSolutions-L1 ${fn}/Function`,
          `AwsSolutions-IAM5[Resource::*] ${fn}/Role`,
        ]),
        'AwsSolutions-COG2 Users/Pool',
        'AwsSolutions-COG8 Users/Pool',
        'AwsSolutions-SMG4 HookSecret',
        'AwsSolutions-SQS3 NotifierStream/DeadLetters',
        'AwsSolutions-SQS3 Webhooks/DeliveryDeadLetters',
        'AwsSolutions-SQS3 Webhooks/PublisherDeadLetters',
        'AwsSolutions-APIG4 Http/Api/GET--v1--openapi.json',
        'AwsSolutions-APIG4 Http/Api/POST--v1--hooks--sign-in',
        'AwsSolutions-APIG4 Http/Api/ANY--scim--v2--{proxy+}',
        'AwsSolutions-L1 Console/Server/Function',
        'AwsSolutions-IAM5[Resource::*] Console/Server/Role',
        'AwsSolutions-APIG4 Http/Api/GET--console',
        'AwsSolutions-APIG4 Http/Api/GET--console--{proxy+}',
      ].sort(),
    );
  });
});
