/**
 * The local stack (SPEC §6) as a function: `npm start` (local/start.ts) and the integration
 * tests' globalSetup both call `startLocalStack`.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DynamoDBRecord } from 'aws-lambda';
import { CONSOLE_DIST, ensureConsoleBuilt } from '../console/build.ts';
import { type FunctionSpec, functionSpecs, logSubscriptions } from '../functions/registry.ts';
import { ENV, envFor, PUBLISHER_BATCH_SIZE } from '../shared/config.ts';
import { attr, OUTBOX_SK, prefix, WEBHOOK_REPLAY_SK } from '../shared/table/schema.ts';
import { type ApiServer, startApiServer } from './api-server.ts';
import { createLocalAwsServices } from './aws-services.ts';
import { ensureUserPool, startCognito } from './cognito.ts';
import { ensureTable, startDynamoDb } from './dynamodb.ts';
import { checkJava } from './java.ts';
import { createJwtAuthorizer } from './jwt-authorizer.ts';
import { createLambdaRuntime } from './lambda-runtime.ts';
import {
  LOCAL_ACCOUNT_ID,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  LOCAL_SENDER_EMAIL,
  LOCAL_TABLE_NAME,
  type LocalStackOptions,
  resolveOptions,
} from './options.ts';
import { assertPortFree, type Reaper, startReaper } from './processes.ts';
import { startSchedule } from './scheduler.ts';
import { startSes } from './ses.ts';
import { startStreamPoller } from './stream-poller.ts';
import { LOCAL_QUEUE_NAME, startLocalQueue } from './webhook-queue.ts';

/** `<dataDir>/local.json`: everything a client of the local stack needs. */
export interface LocalStackConfig {
  readonly apiUrl: string;
  /** Endpoint for an AWS SDK Lambda client (the same server as `apiUrl`). */
  readonly lambdaEndpoint: string;
  readonly dynamodb: { readonly endpoint: string; readonly tableName: string };
  readonly ses: { readonly endpoint: string };
  readonly cognito: {
    readonly endpoint: string;
    readonly userPoolId: string;
    readonly clientId: string;
  };
  /** The HMAC secret of the HTTP sign-in hook (SPEC §5). */
  readonly hookSecret: string;
}

/** A running local stack. */
export interface LocalStack {
  readonly config: LocalStackConfig;
  /** The absolute data directory. */
  readonly dataDir: string;
  /** Stops every service and child process; safe to call more than once. */
  stop(): Promise<void>;
  /** Settles (never rejects) if a child process dies on its own while the stack runs. */
  readonly crashed: Promise<Error>;
}

/** The project root, which `functionSpecs` entries are relative to. */
const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * The notifier's event source filter, as infra/constructs/notifier.ts sets it: outbox INSERTs.
 */
export function isOutboxInsert(record: DynamoDBRecord): boolean {
  return record.eventName === 'INSERT' && record.dynamodb?.Keys?.[attr.sk]?.S === OUTBOX_SK;
}

/**
 * The webhook publisher's filter, as infra/constructs/webhooks.ts sets it: event item and
 * replay request INSERTs.
 */
export function isPublishable(record: DynamoDBRecord): boolean {
  const sk = record.dynamodb?.Keys?.[attr.sk]?.S ?? '';
  return record.eventName === 'INSERT' && (sk.startsWith(prefix.event) || sk === WEBHOOK_REPLAY_SK);
}

/** The local EventBridge bus's name (its PutEvents is served at the API port). */
export const LOCAL_EVENT_BUS = 'provisio-local';

/** Seconds between two runs of the local domain checker (`DOMAIN_CHECK_INTERVAL_SECONDS`). */
export const DOMAIN_CHECK_INTERVAL_ENV = 'DOMAIN_CHECK_INTERVAL_SECONDS';
/** @default 10 s locally: a due claim is handled within seconds, not within the hour. */
const DEFAULT_DOMAIN_CHECK_INTERVAL_S = 10;

/**
 * Functions that run on a schedule, by their `functionSpecs` key, and how often. In AWS an
 * EventBridge rule runs the domain checker hourly (infra/constructs/domain-checker-schedule.ts);
 * locally it runs every `DOMAIN_CHECK_INTERVAL_SECONDS` (default 10), so a check that falls due
 * is made within seconds. Each run only checks the claims that are due, so a shorter interval
 * does not check a domain more often than its schedule says.
 */
export function localSchedules(env: NodeJS.ProcessEnv = process.env): Record<string, number> {
  const raw = env[DOMAIN_CHECK_INTERVAL_ENV]?.trim();
  const seconds = raw ? Number(raw) : DEFAULT_DOMAIN_CHECK_INTERVAL_S;
  if (!Number.isFinite(seconds) || seconds < 1) {
    throw new Error(
      `Malformed environment variable ${DOMAIN_CHECK_INTERVAL_ENV}: "${raw}" is not a number of seconds (1 or more)`,
    );
  }
  return { domainChecker: Math.round(seconds * 1000) };
}

/** What the stack keeps in its data directory; `--fresh` removes exactly these. */
/** cognito-local has no identity-provider API: created providers are kept in this file (local/README.md). */
const IDP_REGISTRY_FILE = 'identity-providers.json';

const DATA_ENTRIES = [
  'dynamodb',
  'cognito',
  'logs',
  'hook-secret',
  'local.json',
  IDP_REGISTRY_FILE,
];

async function loadOrCreateHookSecret(dataDir: string): Promise<string> {
  const file = join(dataDir, 'hook-secret');
  try {
    const secret = (await readFile(file, 'utf8')).trim();
    if (secret) return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('hex');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** How long a handler's DynamoDB request may take in the local stack (`DYNAMODB_TIMEOUT_MS`). */
const LOCAL_DYNAMODB_TIMEOUT_MS = 2000;

/**
 * The environment the handlers read (shared/config.ts), set in this process before any handler
 * is imported. `DNS_SERVERS`, `GROUPS_ATTRIBUTE` and `BOUND_PROVIDERS` pass through from the
 * caller's environment.
 */
function handlerEnvironment(
  config: Omit<LocalStackConfig, 'cognito'> & { dataDir: string },
): Record<string, string> {
  return {
    ...envFor.table(config.dynamodb.tableName),
    ...envFor.dynamodbEndpoint(config.dynamodb.endpoint),
    // DynamoDB Local on a busy laptop or CI machine answers in tens of milliseconds, sometimes
    // hundreds: give its requests 2 s rather than the 500 ms that suit DynamoDB.
    ...envFor.dynamodbTimeoutMs(
      Number(process.env[ENV.dynamodbTimeoutMs]) || LOCAL_DYNAMODB_TIMEOUT_MS,
    ),
    ...envFor.sesEndpoint(config.ses.endpoint),
    ...envFor.hookSecret(config.hookSecret),
    ...envFor.sender(process.env[ENV.senderEmail]?.trim() || LOCAL_SENDER_EMAIL),
    ...envFor.idpRegistryFile(join(config.dataDir, IDP_REGISTRY_FILE)),
    // SPEC §11: the local stack lets webhooks call http:// on loopback, queues deliveries in
    // process and serves PutEvents itself.
    ...envFor.webhookAllowLoopback(true),
    ...envFor.sqsEndpoint(config.apiUrl),
    ...envFor.webhookQueue(`${config.apiUrl}/${LOCAL_ACCOUNT_ID}/${LOCAL_QUEUE_NAME}`),
    ...envFor.eventBus(LOCAL_EVENT_BUS),
    ...envFor.eventBridgeEndpoint(config.apiUrl),
    [ENV.awsRegion]: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}

/**
 * Starts DynamoDB Local, SES, cognito-local and the API server, creates the table and the user
 * pool if missing, writes `<dataDir>/local.json` and resolves when everything answers.
 *
 * Checks first, before starting anything: Java 17+ (else a `JavaMissingError` saying how to
 * install it) and that every port is free. On any failure it stops what it started and rejects.
 * It sets the handlers' environment (TABLE_NAME, DYNAMODB_ENDPOINT, ...) in `process.env`.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const o = resolveOptions(options);
  // A malformed interval fails before anything starts.
  const schedules = localSchedules();
  await checkJava();
  await Promise.all([
    assertPortFree(o.ports.api, 'API'),
    assertPortFree(o.ports.dynamodb, 'DynamoDB Local'),
    assertPortFree(o.ports.ses, 'SES'),
    assertPortFree(o.ports.cognito, 'cognito-local'),
  ]);
  if (o.fresh) {
    await Promise.all(
      DATA_ENTRIES.map((entry) => rm(join(o.dataDir, entry), { recursive: true, force: true })),
    );
  }
  await mkdir(o.dataDir, { recursive: true });

  const apiUrl = `http://localhost:${o.ports.api}`;
  const partial = {
    apiUrl,
    lambdaEndpoint: apiUrl,
    dynamodb: { endpoint: `http://localhost:${o.ports.dynamodb}`, tableName: LOCAL_TABLE_NAME },
    ses: { endpoint: `http://localhost:${o.ports.ses}` },
    hookSecret: await loadOrCreateHookSecret(o.dataDir),
  };
  Object.assign(process.env, handlerEnvironment({ ...partial, dataDir: o.dataDir }));
  // A session token from the developer's own AWS login would ride along with the local keys.
  delete process.env.AWS_SESSION_TOKEN;

  const echo = o.quiet ? undefined : o.log;
  const reaper: Reaper = startReaper();
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopping = true;
    stopped ??= Promise.allSettled(stops.map((s) => s())).then(() => reaper.dismiss());
    return stopped;
  };

  await mkdir(join(o.dataDir, 'logs'), { recursive: true });
  // Handlers log JSON lines to stdout, as in Lambda; quiet keeps them in a file instead.
  const functionLog = o.quiet
    ? createWriteStream(join(o.dataDir, 'logs', 'functions.log'))
    : undefined;
  functionLog?.on('error', () => {});
  stops.push(async () => {
    functionLog?.end();
  });
  const runtime = createLambdaRuntime({
    functions: Object.values(functionSpecs),
    // As the construct subscribes them (functions/registry.ts).
    logSubscriptions: logSubscriptions.map((s) => ({
      from: functionSpecs[s.from].localName,
      to: functionSpecs[s.to].localName,
      record: s.record,
    })),
    root: PROJECT_ROOT,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    ...(functionLog ? { output: (chunk: string | Uint8Array) => functionLog.write(chunk) } : {}),
    onInvocation: (r) =>
      o.log(
        `λ ${r.functionName} ${r.outcome}${r.error ? ` (${r.error.errorType}: ${r.error.errorMessage})` : ''} ${r.durationMs}ms`,
      ),
  });

  // The admin console (console/), built only when its sources changed, in the JVM's shadow too.
  // A failed build costs the console, never the stack.
  const consoleBuild = ensureConsoleBuilt().then(
    (built) => (built ? o.log('admin console built') : undefined),
    (error: unknown) =>
      o.log(`warning: the admin console did not build: ${(error as Error)?.message ?? error}`),
  );

  try {
    const started = Date.now();
    // Everything in parallel: the JVM's start dominates, the rest fits in its shadow.
    const cognitoStarted = startCognito({
      port: o.ports.cognito,
      dataDir: o.dataDir,
      lambdaEndpoint: partial.lambdaEndpoint,
      triggerFunction: functionSpecs.signIn.localName,
      // SPEC §12: PreAuthentication and PreSignUp, which cognito-local cannot run itself.
      preAuthFunction: functionSpecs.preAuth.localName,
      reaper,
      echo,
    });
    // The pool's id is part of the handlers' environment (SPEC §8: the SAML audience), which
    // they read when they load: the pool comes first, then the handlers warm up.
    const pooled = cognitoStarted.then(async (service) => {
      const pool = await ensureUserPool(service.endpoint);
      Object.assign(
        process.env,
        envFor.identityProviders({
          userPoolId: pool.userPoolId,
          clientIds: [pool.clientId],
          cognitoDomain: service.endpoint,
        }),
      );
      return pool;
    });
    const [dynamo, , cognito, pool, warmFailures] = await settleAll(
      [
        startDynamoDb({
          port: o.ports.dynamodb,
          dataDir: o.dataDir,
          inMemory: o.inMemory,
          reaper,
          echo,
        }),
        startSes({ port: o.ports.ses }),
        cognitoStarted,
        pooled,
        pooled.then(() => runtime.warm()),
      ] as const,
      (service) => stops.push(() => service.stop()),
    );
    for (const failure of warmFailures) {
      o.log(`warning: ${failure.functionName} does not load yet: ${failure.error.errorMessage}`);
    }
    await ensureTable(dynamo.endpoint, partial.dynamodb.tableName);
    await consoleBuild;
    const webhookQueue = startLocalQueue({
      apiUrl,
      runtime,
      functionName: functionSpecs.webhookDelivery.localName,
      deadLetterFile: join(o.dataDir, 'logs', 'webhook-dead-letters.jsonl'),
      log: o.log,
    });
    stops.push(() => webhookQueue.stop());
    const api: ApiServer = await startApiServer({
      port: o.ports.api,
      runtime,
      authorizer: createJwtAuthorizer({
        issuer: `${cognito.endpoint}/${pool.userPoolId}`,
        audience: [pool.clientId],
      }),
      log: o.log,
      aws: createLocalAwsServices(webhookQueue),
      // Same origin as the API, so `apiUrl` stays empty; Cognito is called directly.
      console: {
        root: CONSOLE_DIST,
        config: { apiUrl: '', cognito: { endpoint: cognito.endpoint, clientId: pool.clientId } },
      },
    });
    stops.push(() => api.stop());

    // The stream-triggered notifier, with the batch size and retries of its CDK event source.
    const poller = startStreamPoller({
      endpoint: dynamo.endpoint,
      tableName: partial.dynamodb.tableName,
      functionName: functionSpecs.notifier.localName,
      runtime,
      filter: isOutboxInsert,
      batchSize: 10,
      retryAttempts: 10,
      // Beside DynamoDB Local's files, so `--fresh` forgets both together.
      checkpointFile: join(o.dataDir, 'dynamodb', 'stream-checkpoints.json'),
      deadLetterFile: join(o.dataDir, 'logs', 'dead-letters.jsonl'),
      log: o.log,
    });
    stops.push(() => poller.stop());
    // SPEC §11: the webhook publisher on the same stream, with its own position.
    const publisher = startStreamPoller({
      endpoint: dynamo.endpoint,
      tableName: partial.dynamodb.tableName,
      functionName: functionSpecs.webhookPublisher.localName,
      runtime,
      filter: isPublishable,
      batchSize: PUBLISHER_BATCH_SIZE,
      retryAttempts: 10,
      checkpointFile: join(o.dataDir, 'dynamodb', 'publisher-stream-checkpoints.json'),
      deadLetterFile: join(o.dataDir, 'logs', 'dead-letters.jsonl'),
      log: o.log,
    });
    stops.push(() => publisher.stop());
    for (const [id, spec] of Object.entries(functionSpecs as Record<string, FunctionSpec>)) {
      const everyMs = schedules[id];
      if (everyMs === undefined) continue;
      const schedule = startSchedule({ functionName: spec.localName, everyMs, runtime });
      stops.push(() => schedule.stop());
    }

    const config: LocalStackConfig = {
      ...partial,
      cognito: { endpoint: cognito.endpoint, ...pool },
    };
    const file = join(o.dataDir, 'local.json');
    await writeFile(`${file}.tmp`, `${JSON.stringify(config, null, 2)}\n`);
    await rename(`${file}.tmp`, file);
    o.log(`started in ${((Date.now() - started) / 1000).toFixed(1)}s`);

    const crashed = Promise.race(
      [dynamo, cognito].map((child) =>
        child.exited.then((how) => new Error(`${how}\n${child.tail()}`)),
      ),
    ).then((error) => (stopping ? new Promise<Error>(() => {}) : error));
    return { config, dataDir: o.dataDir, stop, crashed };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * `Promise.all` that lets every promise settle, hands each started service to `started` (so a
 * failure elsewhere can stop it), then rejects with the first failure.
 */
async function settleAll<T extends readonly Promise<unknown>[]>(
  promises: T,
  started: (service: { stop(): Promise<void> }) => void,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  for (const result of results) {
    if (result.status === 'fulfilled' && isStoppable(result.value)) started(result.value);
  }
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as never;
}

function isStoppable(value: unknown): value is { stop(): Promise<void> } {
  return typeof (value as { stop?: unknown } | null)?.stop === 'function';
}
