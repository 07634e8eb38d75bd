/**
 * Configuration: environment variable names are written here once; the CDK constructs set them
 * through `envFor` and the handlers read them once, at cold start, through `loadConfig`.
 */

import { type BoundProviders, CREATED_PROVIDER_PREFIX } from './sso/identity-providers.ts';
import type { ScopeRef } from './table/schema.ts';

/** Every environment variable Provisio reads. */
export const ENV = {
  tableName: 'TABLE_NAME',
  senderEmail: 'SENDER_EMAIL',
  hookSecret: 'HOOK_SECRET',
  hookSecretArn: 'HOOK_SECRET_ARN',
  groupsAttribute: 'GROUPS_ATTRIBUTE',
  dnsServers: 'DNS_SERVERS',
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  dynamodbTimeoutMs: 'DYNAMODB_TIMEOUT_MS',
  sesEndpoint: 'SES_ENDPOINT',
  awsRegion: 'AWS_REGION',
  userPoolId: 'USER_POOL_ID',
  userPoolClientIds: 'USER_POOL_CLIENT_IDS',
  cognitoDomain: 'COGNITO_DOMAIN',
  boundProviders: 'BOUND_PROVIDERS',
  idpRegistryFile: 'IDP_REGISTRY_FILE',
  webhookAllowLoopback: 'WEBHOOK_ALLOW_HTTP_LOOPBACK',
  webhookRetryScale: 'WEBHOOK_RETRY_SCALE',
  webhookQueueUrl: 'WEBHOOK_QUEUE_URL',
  sqsEndpoint: 'SQS_ENDPOINT',
  eventBusName: 'EVENT_BUS_NAME',
  eventBridgeEndpoint: 'EVENTBRIDGE_ENDPOINT',
} as const;

/** The Cognito attribute that carries IdP groups unless configured otherwise (SPEC §2). */
export const DEFAULT_GROUPS_ATTRIBUTE = 'custom:groups';

/**
 * Stream records the webhook publisher takes at once (its CDK event source and the local stack's
 * poller alike): it publishes a batch's events in parallel, and every event of the deployment
 * passes through it, most with no subscriber.
 */
export const PUBLISHER_BATCH_SIZE = 100;

export interface Config {
  /** The single DynamoDB table. */
  readonly tableName: string;
  /** Optional DynamoDB endpoint (the local stack); unset in AWS. */
  readonly dynamodbEndpoint: string | undefined;
  /**
   * How long one DynamoDB request may take before it fails (two attempts per call). Unset in AWS
   * (500 ms); the local stack gives DynamoDB Local, which is far slower, more.
   */
  readonly dynamodbTimeoutMs: number | undefined;
  /** Optional SES endpoint (the local stack); unset in AWS. */
  readonly sesEndpoint: string | undefined;
  readonly region: string;
  /** Cognito attribute holding IdP groups (SPEC §2). @default custom:groups */
  readonly groupsAttribute: string;
  /** Resolvers for domain verification, `host:port` each; empty means the system's. */
  readonly dnsServers: readonly string[];
  readonly senderEmail: string | undefined;
  /** The user pool whose identity providers Provisio manages (SPEC §8). */
  readonly userPoolId: string | undefined;
  /** App clients a created identity provider is added to. */
  readonly userPoolClientIds: readonly string[];
  /** The pool's hosted domain (`https://…`), for the URLs an IdP needs. */
  readonly cognitoDomain: string | undefined;
  /** Provider names the operator bound to one scope each (SPEC §8). */
  readonly boundProviders: BoundProviders;
  /** The local stack's identity-provider registry (cognito-local has no IdP API); unset in AWS. */
  readonly idpRegistryFile: string | undefined;
  /** SPEC §11: webhooks may call `http://` loopback addresses (the local stack). @default false */
  readonly webhookAllowLoopback: boolean;
  /** Multiplies the webhook retry schedule (a test setting; 1 in AWS). @default 1 */
  readonly webhookRetryScale: number;
  /** The webhook delivery queue (the publisher and the delivery worker). */
  readonly webhookQueueUrl: string | undefined;
  /** Optional SQS endpoint (the local stack); unset in AWS. */
  readonly sqsEndpoint: string | undefined;
  /** The EventBridge bus every event is put on (SPEC §11), when one is configured. */
  readonly eventBusName: string | undefined;
  /** Optional EventBridge endpoint (the local stack); unset in AWS. */
  readonly eventBridgeEndpoint: string | undefined;
}

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`Missing required environment variable ${name}`);
  return value;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function optionalMs(env: Env, name: string): number | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1 || ms > 60_000) {
    throw new Error(
      `Malformed environment variable ${name}: "${raw}" is not a number of milliseconds (1-60000)`,
    );
  }
  return ms;
}

function parseDnsServers(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((server) => {
      if (!/^(\[[0-9a-fA-F:.]+\]|[^:\s]+)(:\d{1,5})?$/.test(server)) {
        throw new Error(
          `Malformed environment variable ${ENV.dnsServers}: "${server}" is not host:port`,
        );
      }
      return server;
    });
}

/**
 * `BOUND_PROVIDERS`: a JSON object `{"<providerName>": "orgs/<id>" | "companies/<id>"}`. A name
 * Provisio derives for the providers it creates (`provisio-…`) cannot be bound.
 */
export function parseBoundProviders(raw: string | undefined): BoundProviders {
  const bound = new Map<string, ScopeRef>();
  if (!raw) return bound;
  const fail = (why: string): never => {
    throw new Error(`Malformed environment variable ${ENV.boundProviders}: ${why}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return fail('not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail('not an object of providerName to "orgs/<id>" or "companies/<id>"');
  }
  for (const [name, scope] of Object.entries(parsed)) {
    if (!name.trim() || name.startsWith(CREATED_PROVIDER_PREFIX)) {
      fail(`"${name}" cannot be bound (empty, or a name Provisio derives)`);
    }
    const m = typeof scope === 'string' ? /^(orgs|companies)\/([^/\s]+)$/.exec(scope) : null;
    if (!m) fail(`"${name}" must map to "orgs/<id>" or "companies/<id>"`);
    bound.set(name, { type: m![1] === 'orgs' ? 'org' : 'company', id: m![2]! });
  }
  return bound;
}

const list = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Reads and validates the environment; throws naming the first missing or malformed variable. */
export function readConfig(env: Env = process.env): Config {
  return Object.freeze({
    tableName: required(env, ENV.tableName),
    dynamodbEndpoint: optional(env, ENV.dynamodbEndpoint),
    dynamodbTimeoutMs: optionalMs(env, ENV.dynamodbTimeoutMs),
    sesEndpoint: optional(env, ENV.sesEndpoint),
    region: optional(env, ENV.awsRegion) ?? 'us-east-1',
    groupsAttribute: optional(env, ENV.groupsAttribute) ?? DEFAULT_GROUPS_ATTRIBUTE,
    dnsServers: Object.freeze(parseDnsServers(optional(env, ENV.dnsServers))),
    senderEmail: optional(env, ENV.senderEmail),
    userPoolId: optional(env, ENV.userPoolId),
    userPoolClientIds: Object.freeze(list(optional(env, ENV.userPoolClientIds))),
    cognitoDomain: optional(env, ENV.cognitoDomain),
    boundProviders: parseBoundProviders(optional(env, ENV.boundProviders)),
    idpRegistryFile: optional(env, ENV.idpRegistryFile),
    webhookAllowLoopback: flag(env, ENV.webhookAllowLoopback),
    webhookRetryScale: positive(env, ENV.webhookRetryScale) ?? 1,
    webhookQueueUrl: optional(env, ENV.webhookQueueUrl),
    sqsEndpoint: optional(env, ENV.sqsEndpoint),
    eventBusName: optional(env, ENV.eventBusName),
    eventBridgeEndpoint: optional(env, ENV.eventBridgeEndpoint),
  });
}

/** `true` or `false` (or unset: false). */
function flag(env: Env, name: string): boolean {
  const raw = optional(env, name);
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new Error(`Malformed environment variable ${name}: "${raw}" is not true or false`);
}

/** A positive number, or unset. */
function positive(env: Env, name: string): number | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`Malformed environment variable ${name}: "${raw}" is not a positive number`);
  }
  return value;
}

let cached: Config | undefined;

/** The process's configuration, read on first use and kept. */
export function loadConfig(): Config {
  cached ??= readConfig();
  return cached;
}

/** Environment bindings, one helper per binding, used by the CDK constructs and the local stack. */
export const envFor = {
  table: (tableName: string) => ({ [ENV.tableName]: tableName }),
  sender: (email: string) => ({ [ENV.senderEmail]: email }),
  hookSecretArn: (arn: string) => ({ [ENV.hookSecretArn]: arn }),
  hookSecret: (secret: string) => ({ [ENV.hookSecret]: secret }),
  groupsAttribute: (name: string) => ({ [ENV.groupsAttribute]: name }),
  dnsServers: (servers: readonly string[]) => ({ [ENV.dnsServers]: servers.join(',') }),
  dynamodbEndpoint: (url: string) => ({ [ENV.dynamodbEndpoint]: url }),
  dynamodbTimeoutMs: (ms: number) => ({ [ENV.dynamodbTimeoutMs]: String(ms) }),
  sesEndpoint: (url: string) => ({ [ENV.sesEndpoint]: url }),
  /** What a function managing the pool's identity providers needs (SPEC §8). */
  identityProviders: (p: {
    userPoolId: string;
    clientIds: readonly string[];
    cognitoDomain?: string | undefined;
  }) => ({
    [ENV.userPoolId]: p.userPoolId,
    [ENV.userPoolClientIds]: p.clientIds.join(','),
    ...(p.cognitoDomain ? { [ENV.cognitoDomain]: p.cognitoDomain } : {}),
  }),
  /** Operator-bound providers, `{providerName: "orgs/<id>" | "companies/<id>"}`. */
  boundProviders: (bound: Readonly<Record<string, string>>) =>
    Object.keys(bound).length ? { [ENV.boundProviders]: JSON.stringify(bound) } : {},
  idpRegistryFile: (path: string) => ({ [ENV.idpRegistryFile]: path }),
  /** SPEC §11: let webhooks call http:// loopback addresses (local development only). */
  webhookAllowLoopback: (allow: boolean) => ({ [ENV.webhookAllowLoopback]: String(allow) }),
  webhookRetryScale: (scale: number) => ({ [ENV.webhookRetryScale]: String(scale) }),
  webhookQueue: (url: string) => ({ [ENV.webhookQueueUrl]: url }),
  sqsEndpoint: (url: string) => ({ [ENV.sqsEndpoint]: url }),
  eventBus: (name: string) => ({ [ENV.eventBusName]: name }),
  eventBridgeEndpoint: (url: string) => ({ [ENV.eventBridgeEndpoint]: url }),
} as const;
