/**
 * The deployed stack of SPEC §7: the `Provisio` construct plus the outputs a deployer needs.
 * Settings come from props, else from CDK context (`cdk deploy -c userPoolId=…`).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { Provisio } from './constructs/provisio.ts';

export interface ProvisioStackProps extends StackProps {
  /**
   * Attach to this existing user pool instead of creating one.
   * @default - context `userPoolId`, else a new pool
   */
  readonly userPoolId?: string;
  /**
   * App client ids of that pool whose tokens the admin API accepts (comma-separated in context).
   * @default - context `userPoolClientId`; required with `userPoolId`
   */
  readonly userPoolClientIds?: readonly string[];
  /**
   * App client ids of that pool that SSO connections' providers are added to (comma-separated in
   * context): hosted sign-in only, without `aws.cognito.signin.user.admin` (README, "App
   * clients that take SSO providers").
   * @default - context `federationClientId`, else the app clients of `userPoolClientIds`
   */
  readonly federationClientIds?: readonly string[];
  /**
   * Sender of notification mail.
   * @default - context `senderEmail`, else 'no-reply@example.com'
   */
  readonly senderEmail?: string;
  /**
   * An SNS topic that receives alarms.
   * @default - context `alarmTopicArn`, else alarms without notification
   */
  readonly alarmTopicArn?: string;
  /**
   * Operator-bound identity providers (SPEC §8): `{providerName: "orgs/<id>" | "companies/<id>"}`.
   * @default - context `boundProviders` (a JSON object, or its text), else none
   */
  readonly boundProviders?: Readonly<Record<string, string>>;
  /**
   * The hosted domain (`https://…`) of the pool given with `userPoolId`.
   * @default - context `cognitoDomain`, else none
   */
  readonly cognitoDomain?: string;
  /**
   * The Cognito domain prefix of a created pool.
   * @default - context `domainPrefix`, else one derived from the stack
   */
  readonly domainPrefix?: string;
}

/** Context `boundProviders`: a JSON object, or its text (as `-c boundProviders='{…}'` gives it). */
function boundProvidersOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const expected = `a JSON object of providerName to "orgs/<id>" or "companies/<id>", e.g. -c boundProviders='{"AcmeOkta":"orgs/<orgId>"}'`;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new Error(
        `Context boundProviders is not JSON (${(error as Error).message}); give ${expected}`,
      );
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`Context boundProviders must be ${expected}`);
  }
  return parsed as Record<string, string>;
}

export class ProvisioStack extends Stack {
  public readonly provisio: Provisio;

  constructor(scope: Construct, id: string, props: ProvisioStackProps = {}) {
    super(scope, id, {
      description: 'Provisio: organizations, verified domains, SSO JIT and seats for sign-in',
      ...props,
    });
    const context = (key: string): string | undefined => {
      const value: unknown = this.node.tryGetContext(key);
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
    };

    const userPoolId = props.userPoolId ?? context('userPoolId');
    const list = (key: string) =>
      (context(key) ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    const clientIds = props.userPoolClientIds ?? list('userPoolClientId');
    const federationClientIds = props.federationClientIds ?? list('federationClientId');
    if (!userPoolId && federationClientIds.length > 0) {
      throw new Error(
        'federationClientId is for an attached pool (userPoolId); the pool Provisio creates has its own federation client',
      );
    }
    if (userPoolId && clientIds.length === 0) {
      throw new Error(
        'With userPoolId, also give userPoolClientId (the app client ids whose tokens the admin API accepts), e.g. -c userPoolClientId=abc123',
      );
    }
    const userPool = userPoolId
      ? cognito.UserPool.fromUserPoolId(this, 'ExistingUserPool', userPoolId)
      : undefined;
    const userPoolClients = userPoolId
      ? clientIds.map((clientId, i) =>
          cognito.UserPoolClient.fromUserPoolClientId(this, `ExistingClient${i}`, clientId),
        )
      : undefined;
    const federationClients = federationClientIds.length
      ? federationClientIds.map((clientId, i) =>
          cognito.UserPoolClient.fromUserPoolClientId(this, `FederationClient${i}`, clientId),
        )
      : undefined;
    const alarmTopicArn = props.alarmTopicArn ?? context('alarmTopicArn');

    this.provisio = new Provisio(this, 'Provisio', {
      senderEmail: props.senderEmail ?? context('senderEmail') ?? 'no-reply@example.com',
      userPool,
      userPoolClients,
      federationClients,
      alarmTopic: alarmTopicArn
        ? sns.Topic.fromTopicArn(this, 'AlarmTopic', alarmTopicArn)
        : undefined,
      boundProviders:
        props.boundProviders ?? boundProvidersOf(this.node.tryGetContext('boundProviders')),
      cognitoDomain: props.cognitoDomain ?? context('cognitoDomain'),
      domainPrefix: props.domainPrefix ?? context('domainPrefix'),
    });

    const p = this.provisio;
    new CfnOutput(this, 'ApiUrl', { value: p.apiUrl, description: 'Base URL; routes under v1/' });
    if (p.consoleUrl) {
      new CfnOutput(this, 'ConsoleUrl', { value: p.consoleUrl, description: 'The admin console' });
    }
    new CfnOutput(this, 'TableName', { value: p.table.tableName });
    new CfnOutput(this, 'UserPoolId', { value: p.userPool.userPoolId });
    if (p.userPoolClient) {
      new CfnOutput(this, 'UserPoolClientId', { value: p.userPoolClient.userPoolClientId });
    }
    if (p.federationClient) {
      new CfnOutput(this, 'FederationClientId', {
        value: p.federationClient.userPoolClientId,
        description: 'App client of the hosted sign-in pages; SSO connections are added to it',
      });
    }
    if (p.cognitoDomainUrl) {
      new CfnOutput(this, 'CognitoDomainUrl', {
        value: p.cognitoDomainUrl,
        description: 'Hosted sign-in domain: SSO sign-ins federate through it',
      });
    }
    new CfnOutput(this, 'HookSecretArn', { value: p.hookSecret.secretArn });
    new CfnOutput(this, 'PreTokenFunctionArn', {
      value: p.functions.preToken.functionArn,
      description:
        'Pre Token Generation trigger (event version 2) of the user pool: the orgs claim',
    });
    new CfnOutput(this, 'PreAuthFunctionArn', {
      value: p.functions.preAuth.functionArn,
      description:
        'PreAuthentication and PreSignUp trigger of the user pool: SSO enforcement (SPEC §12)',
    });
    new CfnOutput(this, 'SignInFunctionArn', {
      value: p.functions.signIn.functionArn,
      description: 'PostAuthentication and PostConfirmation trigger of the user pool',
    });
  }
}
