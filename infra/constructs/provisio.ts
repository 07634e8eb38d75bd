/**
 * Provisio as one reusable construct (SPEC §7): the table, one function per entry of
 * `functionSpecs`, the HTTP API, the Cognito sign-in triggers, the stream notifier, the hourly
 * domain checker, webhooks and EventBridge (SPEC §11), the hook secret and the alarms.
 * Any CDK app can instantiate it; `ProvisioStack` is just one such app.
 */
import { Annotations, Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type FunctionId, functionSpecs } from '../../functions/registry.ts';
import { DEFAULT_GROUPS_ATTRIBUTE, envFor, parseBoundProviders } from '../../shared/config.ts';
import { ProvisioAlarms } from './alarms.ts';
import { ProvisioConsole } from './console.ts';
import { DomainCheckerSchedule } from './domain-checker-schedule.ts';
import { ProvisioHttpApi } from './http-api.ts';
import { ProvisioNotifier } from './notifier.ts';
import { ProvisioFunction } from './provisio-function.ts';
import { ProvisioTable, type TableAccess, tableAccess } from './table.ts';
import { ProvisioUserPool } from './user-pool.ts';
import { ProvisioWebhooks } from './webhooks.ts';

export { DEFAULT_GROUPS_ATTRIBUTE };

export interface ProvisioProps {
  /**
   * The address notification mail is sent from (`SENDER_EMAIL`); it must be an SES-verified
   * identity in the stack's region. Used by the stream notifier.
   */
  readonly senderEmail: string;
  /**
   * An existing user pool to attach to. Cognito triggers cannot be added to an imported pool
   * from CDK without overwriting its configuration, so its owner attaches the sign-in function
   * (`functions.signIn`) as the PostAuthentication and PostConfirmation trigger; Provisio
   * already allows the pool to invoke it.
   * @default - a new pool with email sign-in, self sign-up and email verification, its
   * PostAuthentication and PostConfirmation triggers wired to the sign-in function
   */
  readonly userPool?: cognito.IUserPool;
  /**
   * App clients whose tokens the admin API accepts (the JWT audience). Required with `userPool`.
   * @default - the app clients created with the pool
   */
  readonly userPoolClients?: readonly cognito.IUserPoolClient[];
  /**
   * App clients that SSO connections' identity providers are added to (their tokens are accepted
   * too). Each must write every attribute a provider maps and issue no token carrying
   * `aws.cognito.signin.user.admin` (no such OAuth scope, no explicit auth flow but
   * ALLOW_REFRESH_TOKEN_AUTH): connection creation refuses (409) one that does not (SPEC §8,
   * README "App clients that take SSO providers").
   * @default - with `userPool`, `userPoolClients`; else the federation client created with the
   * pool
   */
  readonly federationClients?: readonly cognito.IUserPoolClient[];
  /**
   * Where the hosted pages send people back after signing in with the created pool's federation
   * client. Not with `userPool`.
   * @default ['https://example.com'] (CDK's placeholder)
   */
  readonly callbackUrls?: readonly string[];
  /**
   * Where the hosted pages send people after signing out of the created pool's federation
   * client. Not with `userPool`.
   * @default - none
   */
  readonly logoutUrls?: readonly string[];
  /**
   * The HMAC secret of the HTTP sign-in hook (SPEC §5); its whole secret string is the key.
   * @default - a generated 64-character secret in Secrets Manager
   */
  readonly hookSecret?: secretsmanager.ISecret;
  /**
   * The Cognito attribute holding IdP groups (SPEC §2).
   * @default 'custom:groups'
   */
  readonly groupsAttribute?: string;
  /**
   * DNS resolvers for domain verification, `host:port` each.
   * @default - the Lambda environment's resolver
   */
  readonly dnsServers?: readonly string[];
  /**
   * How long function and access logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to stateful resources (table, created user pool, generated secret, log
   * groups) when they leave the stack. Anything but `DESTROY` keeps deletion protection on.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Where alarms are sent.
   * @default - alarms without notification
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Throttling of the API's default stage.
   * @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly apiThrottle?: apigwv2.ThrottleSettings;
  /**
   * Bundle the AWS SDK v3 into every function instead of using the runtime's copy.
   * @default false
   */
  readonly bundleAwsSdk?: boolean;
  /**
   * Identity providers the operator created by hand, each bound to the one org or company that
   * may name it in an SSO connection: `{providerName: "orgs/<id>" | "companies/<id>"}`. Every
   * other connection gets a provider Provisio creates from the IdP's settings (SPEC §8).
   * @default - none
   */
  readonly boundProviders?: Readonly<Record<string, string>>;
  /**
   * The prefix of the Cognito domain added to a pool the construct creates: the hosted sign-in
   * pages federation goes through, and the ACS URL and redirect URI an IdP is given. Lower-case
   * letters, digits and hyphens; unique in the region; without `aws`, `amazon` or `cognito`.
   * Not with `userPool` (give `cognitoDomain` instead).
   * @default - `provisio-`, the first group of the stack's id (a UUID) and a hash of the
   * construct's path
   */
  readonly domainPrefix?: string;
  /**
   * The hosted domain (`https://…`) of the pool given in `userPool`, if it has one: the admin API
   * answers the URLs an IdP needs from it. Only with `userPool`.
   * @default - none: those URLs are answered as null
   */
  readonly cognitoDomain?: string;
  /**
   * Serve the admin console from the HTTP API at `/console/` (docs/console.md). People sign in
   * with the created pool's app client or, with `userPool`, the first of `userPoolClients`,
   * which must then allow USER_PASSWORD_AUTH and have no secret.
   * @default true
   */
  readonly console?: boolean;
  /**
   * SPEC §11: an EventBridge bus every event is put on (`Source: "provisio"`, `DetailType`: the
   * event type, `Detail`: the event with its seq), or `'create'` for a new bus.
   * @default - none: events reach webhooks only
   */
  readonly eventBus?: events.IEventBus | 'create';
}

/** Values a function's environment is built from. */
interface WiringContext {
  readonly tableName: string;
  readonly groupsAttribute: string;
  readonly dnsServers: readonly string[];
  readonly hookSecretArn: string;
  readonly senderEmail: string;
}

/** How one function of `functionSpecs` is deployed: its table access, environment and sizing. */
interface FunctionWiring {
  readonly tableAccess: TableAccess;
  readonly environment: (ctx: WiringContext) => Record<string, string>;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default 1 */
  readonly errorsAlarmThreshold?: number;
}

/** What a sign-in reads: the table and the groups attribute. */
const signInEnvironment = (ctx: WiringContext) => ({
  ...envFor.table(ctx.tableName),
  ...envFor.groupsAttribute(ctx.groupsAttribute),
});

/** What a TXT lookup needs besides the table: the DNS servers, when any are given. */
const lookupEnvironment = (ctx: WiringContext) => ({
  ...envFor.table(ctx.tableName),
  ...(ctx.dnsServers.length > 0 ? envFor.dnsServers(ctx.dnsServers) : {}),
});

/**
 * One entry per function of the registry: adding a function to `functionSpecs` does not
 * compile until it is wired here.
 */
const functionWiring = {
  signIn: {
    tableAccess: tableAccess.readWrite,
    environment: signInEnvironment,
    memorySize: 512,
    // Cognito waits 5 seconds for a trigger and then fails the sign-in:
    // https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
    timeout: Duration.seconds(5),
    // A denied sign-in is a thrown error by Cognito's contract (SPEC §3.4), so a few errors
    // are expected; the alarm is for failures beyond ordinary denials.
    errorsAlarmThreshold: 10,
  },
  signInHook: {
    tableAccess: tableAccess.readWrite,
    environment: (ctx) => ({
      ...signInEnvironment(ctx),
      ...envFor.hookSecretArn(ctx.hookSecretArn),
    }),
    memorySize: 512,
  },
  notifier: {
    tableAccess: tableAccess.readWrite,
    environment: (ctx) => ({
      ...envFor.table(ctx.tableName),
      ...envFor.sender(ctx.senderEmail),
    }),
    timeout: Duration.seconds(60),
  },
  admin: {
    tableAccess: tableAccess.readWriteBatch,
    environment: lookupEnvironment,
  },
  preToken: {
    tableAccess: tableAccess.getItem,
    environment: (ctx) => envFor.table(ctx.tableName),
    memorySize: 512,
    // Cognito waits 5 seconds for a trigger; the claim's own budget is 1 s (it fails open).
    timeout: Duration.seconds(5),
  },
  preAuth: {
    tableAccess: tableAccess.enforcement,
    environment: (ctx) => envFor.table(ctx.tableName),
    memorySize: 512,
    // Cognito waits 5 seconds for a trigger; the check's own budget is 1 s (it fails open), and
    // recording what it did another 1 s.
    timeout: Duration.seconds(5),
    // A refused sign-in is a thrown error by Cognito's contract (SPEC §12): expected, like the
    // sign-in's denials.
    errorsAlarmThreshold: 10,
  },
  scim: {
    // Reads whole SCIM partitions (Query) and people's items; writes transactions.
    tableAccess: tableAccess.readWriteBatch,
    environment: (ctx) => envFor.table(ctx.tableName),
    // A group push writes one transaction per person.
    timeout: Duration.seconds(29),
  },
  domainChecker: {
    tableAccess: tableAccess.readWrite,
    environment: lookupEnvironment,
    // A run checks every due claim a few at a time and stops taking new ones 15 s before this;
    // what is left stays due for the next hourly run.
    timeout: Duration.minutes(5),
  },
  // SPEC §11: reads a scope's webhooks; queues deliveries (the queue URL and bus are added by
  // infra/constructs/webhooks.ts).
  webhookPublisher: {
    tableAccess: tableAccess.read,
    environment: (ctx) => envFor.table(ctx.tableName),
    timeout: Duration.seconds(60),
  },
  // Reads an endpoint and its secrets, records attempts, disables (a transaction with the
  // event and the owners' mail); resolves the endpoint's host itself.
  webhookDelivery: {
    tableAccess: tableAccess.readWrite,
    environment: lookupEnvironment,
    // A batch's messages run at once, each POST at most 15 s.
    timeout: Duration.seconds(60),
  },
} as const satisfies Record<FunctionId, FunctionWiring>;

/** Provisio's serverless backend, ready to be added to any stack. */
export class Provisio extends Construct {
  public readonly table: dynamodb.Table;
  /** One function per entry of `functionSpecs`, by id. */
  public readonly functions: Readonly<Record<FunctionId, lambda.Function>>;
  public readonly api: apigwv2.HttpApi;
  /** The base URL of the API (`…/`); routes live under `v1/`. */
  public readonly apiUrl: string;
  public readonly userPool: cognito.IUserPool;
  /** The app client created with the pool; undefined when `userPool` was given. */
  public readonly userPoolClient: cognito.IUserPoolClient | undefined;
  /**
   * The created pool's client that connection providers are added to (hosted pages only);
   * undefined when `userPool` was given.
   */
  public readonly federationClient: cognito.IUserPoolClient | undefined;
  public readonly hookSecret: secretsmanager.ISecret;
  public readonly alarms: ProvisioAlarms;
  /** The address notification mail is sent from. */
  public readonly senderEmail: string;
  /** Outbox records the notifier could not deliver after its retries. */
  public readonly notifierDeadLetterQueue: sqs.IQueue;
  /** SPEC §11: the delivery queue, its worker's and the publisher's dead letters, the bus. */
  public readonly webhooks: ProvisioWebhooks;
  /** The EventBridge rule that runs the domain checker every hour. */
  public readonly domainCheckerRule: events.Rule;
  /** The admin console; undefined when `console` is false. */
  public readonly console: ProvisioConsole | undefined;
  /** Where the admin console opens (`…/console/`); undefined when `console` is false. */
  public readonly consoleUrl: string | undefined;
  /** The pool's hosted domain (`https://…`), when known: where SSO sign-ins federate through. */
  public readonly cognitoDomainUrl: string | undefined;

  private readonly store: ProvisioTable;

  constructor(scope: Construct, id: string, props: ProvisioProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.senderEmail) && !/^[^@\s]+@[^@\s]+$/.test(props.senderEmail)) {
      throw new Error(`senderEmail must be an email address, got "${props.senderEmail}"`);
    }
    if (props.userPool && !props.userPoolClients?.length) {
      throw new Error(
        'userPoolClients is required with userPool: the admin API accepts tokens of those app clients only',
      );
    }
    if (props.userPool && props.domainPrefix !== undefined) {
      throw new Error(
        'domainPrefix is for the pool Provisio creates; with userPool, give its existing domain as cognitoDomain',
      );
    }
    if (props.userPool && (props.callbackUrls || props.logoutUrls)) {
      throw new Error(
        'callbackUrls and logoutUrls are for the federation client of the pool Provisio creates; with userPool, set them on your own app clients',
      );
    }
    if (!props.userPool && props.cognitoDomain !== undefined) {
      throw new Error(
        'cognitoDomain is for a given userPool; the pool Provisio creates gets its own domain (domainPrefix)',
      );
    }
    if (
      props.cognitoDomain !== undefined &&
      !Token.isUnresolved(props.cognitoDomain) &&
      !/^https:\/\/[a-z0-9.-]+\/?$/i.test(props.cognitoDomain)
    ) {
      throw new Error(
        `cognitoDomain must be the pool domain's base URL, https://<prefix>.auth.<region>.amazoncognito.com or https://<custom domain>, got "${props.cognitoDomain}"`,
      );
    }
    this.senderEmail = props.senderEmail;
    const boundProviders = props.boundProviders ?? {};
    // A bad binding fails synth, naming the variable the functions would refuse at cold start.
    try {
      parseBoundProviders(JSON.stringify(boundProviders));
    } catch (error) {
      throw new Error(`boundProviders: ${(error as Error).message}`, { cause: error });
    }
    const groupsAttribute = props.groupsAttribute ?? DEFAULT_GROUPS_ATTRIBUTE;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.store = new ProvisioTable(this, 'Data', { removalPolicy });
    this.table = this.store.table;

    this.hookSecret = props.hookSecret ?? this.createHookSecret(removalPolicy);

    const ctx: WiringContext = {
      tableName: this.table.tableName,
      groupsAttribute,
      dnsServers: props.dnsServers ?? [],
      hookSecretArn: this.hookSecret.secretArn,
      senderEmail: props.senderEmail,
    };
    this.alarms = new ProvisioAlarms(this, 'Alarms', { alarmTopic: props.alarmTopic });

    const functions = {} as Record<FunctionId, lambda.Function>;
    for (const fid of Object.keys(functionSpecs) as FunctionId[]) {
      const spec = functionSpecs[fid];
      const wiring: FunctionWiring = functionWiring[fid];
      const construct = new ProvisioFunction(this, pascal(fid), {
        entry: spec.entry,
        description: spec.description,
        environment: wiring.environment(ctx),
        memorySize: wiring.memorySize,
        timeout: wiring.timeout,
        logRetention: props.logRetention,
        removalPolicy,
        bundleAwsSdk: props.bundleAwsSdk,
      });
      this.store.grant(construct.function, wiring.tableAccess);
      this.alarms.watchFunction(pascal(fid), construct.function, {
        errorsThreshold: wiring.errorsAlarmThreshold,
      });
      functions[fid] = construct.function;
    }
    this.functions = functions;
    // SPEC §12: enforcement lets sign-ins through when the table cannot answer; someone must know.
    this.alarms.watchCount(
      'EnforcementCheckFailures',
      'EnforcementCheckFailures',
      'PreAuth: sign-ins let through without the SSO enforcement check (the table did not answer in time)',
    );

    this.hookSecret.grantRead(functions.signInHook);
    this.notifierDeadLetterQueue = new ProvisioNotifier(this, 'NotifierStream', {
      function: functions.notifier,
      table: this.table,
      senderEmail: props.senderEmail,
      alarms: this.alarms,
    }).deadLetterQueue;
    this.webhooks = new ProvisioWebhooks(this, 'Webhooks', {
      publisher: functions.webhookPublisher,
      delivery: functions.webhookDelivery,
      table: this.table,
      alarms: this.alarms,
      eventBus: props.eventBus,
    });
    this.domainCheckerRule = new DomainCheckerSchedule(this, 'DomainCheckerSchedule', {
      function: functions.domainChecker,
    }).rule;

    const ids = (clients: readonly cognito.IUserPoolClient[] | undefined) =>
      (clients ?? []).map((c) => c.userPoolClientId);
    let jwtAudience: string[];
    let federationClientIds: string[];
    if (props.userPool) {
      this.userPool = props.userPool;
      this.userPoolClient = undefined;
      this.federationClient = undefined;
      federationClientIds = ids(props.federationClients ?? props.userPoolClients);
      jwtAudience = [...new Set([...ids(props.userPoolClients), ...federationClientIds])];
      this.allowImportedPoolToInvoke(props.userPool, functions.signIn);
      this.allowImportedPoolToInvoke(
        props.userPool,
        functions.preToken,
        'PreTokenGeneration (event version 2)',
      );
      this.allowImportedPoolToInvoke(
        props.userPool,
        functions.preAuth,
        'PreAuthentication and PreSignUp',
      );
      this.cognitoDomainUrl = props.cognitoDomain;
    } else {
      const created = new ProvisioUserPool(this, 'Users', {
        groupsAttribute,
        removalPolicy,
        domainPrefix: props.domainPrefix,
        callbackUrls: props.callbackUrls,
        logoutUrls: props.logoutUrls,
      });
      this.cognitoDomainUrl = created.domainUrl;
      // SPEC §2: a federated user's first sign-in runs PostConfirmation, later ones
      // PostAuthentication; the one sign-in function handles both.
      created.userPool.addTrigger(cognito.UserPoolOperation.POST_AUTHENTICATION, functions.signIn);
      created.userPool.addTrigger(cognito.UserPoolOperation.POST_CONFIRMATION, functions.signIn);
      // SPEC §9: the orgs claim. Event version 2 (claims in access tokens, JSON values) needs
      // the Essentials or Plus feature plan (user-pool.ts sets Essentials).
      created.userPool.addTrigger(
        cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
        functions.preToken,
        cognito.LambdaVersion.V2_0,
      );
      // SPEC §12: SSO enforcement refuses a sign-in without SSO before it authenticates, and a
      // self-service sign-up of an enforced address.
      created.userPool.addTrigger(cognito.UserPoolOperation.PRE_AUTHENTICATION, functions.preAuth);
      created.userPool.addTrigger(cognito.UserPoolOperation.PRE_SIGN_UP, functions.preAuth);
      this.userPool = created.userPool;
      this.userPoolClient = created.userPoolClient;
      this.federationClient = created.federationClient;
      // SPEC §8: providers go to the federation client only; the password client's tokens
      // carry aws.cognito.signin.user.admin (infra/constructs/user-pool.ts).
      federationClientIds = [
        created.federationClient.userPoolClientId,
        ...ids(props.federationClients),
      ];
      jwtAudience = [
        ...new Set([
          created.userPoolClient.userPoolClientId,
          ...federationClientIds,
          ...ids(props.userPoolClients),
        ]),
      ];
    }

    this.manageIdentityProviders(functions, federationClientIds, boundProviders);

    const http = new ProvisioHttpApi(this, 'Http', {
      functions,
      userPool: this.userPool,
      jwtAudience,
      throttle: props.apiThrottle,
      logRetention: props.logRetention,
      removalPolicy,
    });
    this.api = http.httpApi;
    this.apiUrl = http.url;

    const consoleClient = this.userPoolClient ?? props.userPoolClients?.[0];
    this.console =
      props.console === false || !consoleClient
        ? undefined
        : new ProvisioConsole(this, 'Console', {
            httpApi: this.api,
            userPoolClient: consoleClient,
            logRetention: props.logRetention,
            removalPolicy,
          });
    if (this.console) this.alarms.watchFunction('Console', this.console.function);
    this.consoleUrl = this.console ? `${this.apiUrl}console/` : undefined;
  }

  /**
   * SPEC §8: the admin function creates, updates and deletes the pool's identity providers for
   * SSO connections and adds them to the federation app clients (`clientIds`); the stream worker
   * (the notifier) only re-syncs a provider's identifiers. Each gets exactly those actions, on
   * this pool only.
   */
  private manageIdentityProviders(
    functions: Record<FunctionId, lambda.Function>,
    clientIds: readonly string[],
    boundProviders: Readonly<Record<string, string>>,
  ): void {
    const env = envFor.identityProviders({
      userPoolId: this.userPool.userPoolId,
      clientIds,
      cognitoDomain: this.cognitoDomainUrl,
    });
    const grant = (fn: lambda.Function, actions: string[]) => {
      for (const [name, value] of Object.entries(env)) fn.addEnvironment(name, value);
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: actions.map((a) => `cognito-idp:${a}`),
          resources: [this.userPool.userPoolArn],
        }),
      );
    };
    grant(functions.admin, [...ADMIN_IDP_ACTIONS]);
    for (const [name, value] of Object.entries(envFor.boundProviders(boundProviders))) {
      functions.admin.addEnvironment(name, value);
    }
    grant(functions.notifier, [...STREAM_IDP_ACTIONS]);
  }

  private createHookSecret(removalPolicy: RemovalPolicy): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'HookSecret', {
      description: 'Provisio HTTP sign-in hook: HMAC-SHA256 key of the Provisio-Signature header',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The hook secret is an HMAC key shared with an external IdP integration, which must change it in step; a rotation Lambda cannot update the other side, so it is rotated by hand (put a new value here and in the IdP).',
    });
    return secret;
  }

  /**
   * The pool's owner attaches the triggers (the console, or UpdateUserPool with the pool's full
   * configuration — UpdateUserPool resets every setting it is not given, which is why CDK does
   * not do it here). This lets that pool, and only it, invoke the sign-in function.
   */
  private allowImportedPoolToInvoke(
    pool: cognito.IUserPool,
    fn: lambda.Function,
    trigger = 'PostAuthentication and PostConfirmation',
  ): void {
    fn.addPermission('InvokeByUserPool', {
      principal: new iam.ServicePrincipal('cognito-idp.amazonaws.com'),
      sourceArn: pool.userPoolArn,
    });
    Annotations.of(this).addInfo(
      `Attach ${fn.node.path} as the ${trigger} trigger of user pool ${pool.userPoolId}: CDK does not change a pool it did not create.`,
    );
  }
}

/** What the admin function may do to the pool (SPEC §8), and nothing more. */
export const ADMIN_IDP_ACTIONS = [
  'CreateIdentityProvider',
  'UpdateIdentityProvider',
  'DeleteIdentityProvider',
  'DescribeUserPoolClient',
  'UpdateUserPoolClient',
] as const;

/** What the stream worker may do: re-sync a provider's identifiers. */
export const STREAM_IDP_ACTIONS = ['UpdateIdentityProvider'] as const;

function pascal(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}
