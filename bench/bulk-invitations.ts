/**
 * The admin function's bulk invitation (SPEC §13, `POST /v1/orgs/{orgId}/invitations:bulk`) of
 * 1,000 CSV rows, all new people, against its floor, measured in turns on DynamoDB Local.
 *
 * What the route cannot avoid: reading the caller's access and the run under its key, reading
 * each row's membership and invitation (BatchGetItems of 100 keys), and writing the 1,000
 * invitations with their schedule entries, events, mails and summaries — 6,000 items that
 * DynamoDB's 100-item transactions split into chunks — plus the reservation and the finish.
 * The floor is exactly those requests: every request of one captured run, replayed raw on the
 * same client settings with fresh addresses and ids (the same number of BatchGetItems and of
 * TransactWriteItems, of the same sizes, in the same order). The ratio is what Provisio adds:
 * parsing and checking the CSV, building the items, and the time between requests.
 */
import { randomUUID } from 'node:crypto';
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createSignInFixture, lambdaContext } from '../local/sign-in-fixtures.ts';
import { createDynamoClient } from '../shared/adapters/dynamodb/client.ts';
import { ENV, readConfig } from '../shared/config.ts';
import { EVENT_COUNTER_SK, type Key } from '../shared/table/schema.ts';
import { installMeter, type SentRequest } from './meter.ts';
import { sendNumbered } from './numbering.ts';
import { type VersusFloor, versusFloor } from './versus-floor.ts';

/** Rows of the measured request: SPEC §13's most. */
export const BULK_ROWS = 1_000;
const OWNER = 'owner@bulk.bench';
/** How long one DynamoDB request may take here (see below). */
const BENCH_DYNAMODB_TIMEOUT_MS = 5000;

type Handler = (
  event: APIGatewayProxyEventV2,
  context: unknown,
) => Promise<{ statusCode: number; body?: string }>;

/** Each string of `value` through `rename`, binary values as they are. */
function renamed(value: unknown, rename: (s: string) => string): unknown {
  if (typeof value === 'string') return rename(value);
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((v) => renamed(v, rename));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [rename(k), renamed(v, rename)]),
    );
  }
  return value;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Whether a captured read is of event counters only (`sendNumbered` reads them afresh). */
function readsCountersOnly(input: Record<string, unknown>): boolean {
  const requests = Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: Key[] }>);
  const keys = requests.flatMap((r) => r.Keys ?? []);
  return keys.length > 0 && keys.every((k) => k.sk === EVENT_COUNTER_SK);
}

/**
 * Sends one captured request again, raw; a transaction with events is numbered afresh (its
 * counters read, as the path reads them: the captured counter read is not sent twice).
 */
function replay(
  db: DynamoDBDocumentClient,
  tableName: string,
  r: SentRequest,
  input: Record<string, unknown>,
) {
  if (r.op.startsWith('TransactWrite')) return sendNumbered(db, tableName, input as never);
  if (r.op.startsWith('BatchGet')) {
    if (readsCountersOnly(input)) return Promise.resolve();
    return db.send(new BatchGetCommand(input as never));
  }
  if (r.op.startsWith('Get')) return db.send(new GetCommand(input as never));
  throw new Error(`bulk floor: no replay for ${r.op}`);
}

export async function measureBulkInvitations(
  endpoint: string,
  options: { iterations: number; warmup: number; tableName: string },
): Promise<VersusFloor> {
  // The handler is built below from a configuration read after this table is named.
  const fx = await createSignInFixture(endpoint, { tableName: options.tableName });
  try {
    const org = await fx.org('bench-bulk', { seatLimit: null });
    await fx.member(OWNER, org, { role: 'owner', via: 'creator' });
    Object.assign(process.env, {
      [ENV.tableName]: fx.tableName,
      [ENV.dynamodbEndpoint]: endpoint,
      [ENV.awsRegion]: 'us-east-1',
      // DynamoDB Local on a busy machine takes longer over a 97-item transaction than the
      // deployed budget allows; handler and floor get the same budget.
      [ENV.dynamodbTimeoutMs]: String(BENCH_DYNAMODB_TIMEOUT_MS),
    });
    // Its own configuration, read now: the process's (loadConfig) was read and kept by the
    // first handler the bench imported, before this budget was set.
    const admin = await import('../functions/admin/handler.ts');
    const handler = admin.createHandler(admin.createAdminDeps(readConfig())) as unknown as Handler;
    const floorDb = createDynamoClient({
      region: 'us-east-1',
      dynamodbEndpoint: endpoint,
      dynamodbTimeoutMs: BENCH_DYNAMODB_TIMEOUT_MS,
    });

    const csv = (tag: string) =>
      `email,role,team\n${Array.from(
        { length: BULK_ROWS },
        (_, n) => `p${n}-${tag}@bulk.bench,member,bench`,
      ).join('\n')}\n`;
    const path = `/v1/orgs/${org.id}/invitations:bulk`;
    const event = (tag: string) =>
      ({
        version: '2.0',
        routeKey: 'ANY /v1/{proxy+}',
        rawPath: path,
        rawQueryString: '',
        headers: { 'content-type': 'text/csv', 'idempotency-key': `key-${tag}` },
        requestContext: {
          domainName: 'api.bench',
          http: { method: 'POST', path },
          authorizer: { jwt: { claims: { email: OWNER, email_verified: 'true' }, scopes: [] } },
        },
        body: csv(tag),
        isBase64Encoded: false,
      }) as unknown as APIGatewayProxyEventV2;
    const run = async (tag: string) => {
      // As much time as a Lambda function can have: DynamoDB Local is far slower than DynamoDB
      // over 6,000 transaction items, and the ratio, not the time, is what is measured.
      const context = {
        ...lambdaContext('provisio-admin'),
        getRemainingTimeInMillis: () => 900_000,
      };
      const res = await handler(event(tag), context);
      const body = JSON.parse(res.body ?? '{}') as { counts?: { invited?: number } };
      if (res.statusCode !== 200 || body.counts?.invited !== BULK_ROWS) {
        throw new Error(`bulk: ${res.statusCode} ${res.body?.slice(0, 300)}`);
      }
    };

    // One run captured: its requests are the floor's, renamed for fresh people each time.
    const meter = installMeter();
    let captured: SentRequest[];
    try {
      meter.reset();
      await run('cap');
      captured = meter.requests();
    } finally {
      meter.uninstall();
    }
    const floorRun = async (i: number) => {
      const ids = new Map<string, string>();
      const rename = (s: string) =>
        s
          .replaceAll('-cap@', `-floor${i}@`)
          .replaceAll('key-cap', `key-floor${i}`)
          .replaceAll(UUID, (id) => {
            if (id === org.id) return id;
            if (!ids.has(id)) ids.set(id, randomUUID());
            return ids.get(id)!;
          });
      for (const r of captured) {
        // Without the meter's ReturnConsumedCapacity: the handler's runs are not metered either.
        const { ReturnConsumedCapacity: _metered, ...input } = renamed(r.input, rename) as Record<
          string,
          unknown
        >;
        await replay(floorDb, fx.tableName, r, input);
      }
    };

    const result = await versusFloor(
      {
        name: `bulk invitation (${BULK_ROWS.toLocaleString('en')} CSV rows, all invited)`,
        floor: `the same ${captured.filter((r) => r.op.startsWith('TransactWrite')).length} TransactWriteItems and ${captured.filter((r) => !r.op.startsWith('TransactWrite')).length} reads, raw`,
        run: (i) => run(`run${i}`),
        floorRun,
      },
      options,
    );
    floorDb.destroy();
    return result;
  } finally {
    await fx.drop();
  }
}
