/**
 * The sign-in paths of issue 7, each through the real Cognito trigger handler
 * (functions/sign-in/handler.ts, its DynamoDB client built at module scope with the production
 * settings) against DynamoDB Local, next to its floor measured in the same run: the bare
 * DynamoDB calls the path cannot avoid — one consistent BatchGetItem of what every decision must
 * know (the person, the email's verified domain and, through an IdP, the SSO provider: items of
 * three partitions, so one request at best), plus, for a path that writes, the path's own
 * TransactWriteItems sent again for a fresh person (what the spec makes it write: the member, the
 * seat, the audit event, the outbox item...).
 *
 * The outbox items each sign-in writes are then handed to the real notifier handler, as the
 * table's stream would, with SES answered by a stub on loopback: what the notifier reads,
 * writes, mails and logs belongs to the path's bill.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchGetCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import {
  cognitoEvent,
  createSignInFixture,
  identities,
  lambdaContext,
} from '../local/sign-in-fixtures.ts';
import { createDynamoClient } from '../shared/adapters/dynamodb/client.ts';
import { transactionOf } from '../shared/adapters/dynamodb/writes/index.ts';
import { ENV } from '../shared/config.ts';
import { EVENT_COUNTER_SK, keys } from '../shared/table/schema.ts';
import { installMeter, type Reading, type SentRequest, since } from './meter.ts';
import { sendNumbered } from './numbering.ts';

type Item = Record<string, unknown>;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** The measured figures of one path. */
export interface PathMeasurement {
  name: string;
  /** Sequential round trips of one sign-in (reads and the write). */
  roundTrips: number;
  readRoundTrips: number;
  /** Transactions per sign-in. */
  writes: number;
  requests: number;
  transactItems: number;
  /** Billed request units per sign-in, sign-in function only. */
  readUnits: number;
  writeUnits: number;
  /** ConsumedCapacity DynamoDB Local reported per sign-in (read, write). */
  reportedReadUnits: number;
  reportedWriteUnits: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  floor: string;
  floorP50Ms: number;
  ratio: number;
  /**
   * The path's own requests sent bare — its read round trips replayed as they were sent, then
   * the floor's transaction — so that the gap to the floor splits into requests and code.
   */
  bareP50Ms: number;
  /** Median time of a sign-in with no DynamoDB request in flight: Provisio's own code. */
  codeP50Ms: number;
  /** Log bytes per sign-in (sign-in function). */
  logBytes: number;
  notifier: {
    /** Outbox items per sign-in: one notifier invocation each. */
    invocations: number;
    meanMs: number;
    mails: number;
    readUnits: number;
    writeUnits: number;
    logBytes: number;
  };
  /** What the path must achieve (issue 7). */
  target: { roundTrips: number; reads: number; writes: number; text: string };
}

export interface PathOptions {
  iterations: number;
  warmup: number;
  /**
   * The table to create (and drop at the end). The handlers read their configuration once per
   * process, so every measurement of one bench run uses the same table name.
   */
  tableName: string;
}

type Trigger = (event: unknown, context: unknown) => Promise<unknown>;
type Notifier = (event: DynamoDBStreamEvent, context: unknown) => Promise<unknown>;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Counts and drops the handlers' JSON log lines (the bench's own output is not JSON). */
export function captureJsonLogs(): { bytes(): number; reset(): void; restore(): void } {
  const write = process.stdout.write.bind(process.stdout);
  let bytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk === 'string' && chunk.startsWith('{')) {
      bytes += Buffer.byteLength(chunk);
      return true;
    }
    return write(chunk, ...(rest as []));
  }) as typeof process.stdout.write;
  return {
    bytes: () => bytes,
    reset: () => {
      bytes = 0;
    },
    restore: () => {
      process.stdout.write = write;
    },
  };
}

/** SES on loopback: answers SendEmail (SESv2) with a message id and counts the mails. */
async function startSesStub(): Promise<{
  endpoint: string;
  mails(): number;
  close(): Promise<void>;
}> {
  let mails = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && req.url?.startsWith('/v2/email/outbound-emails')) mails++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ MessageId: randomUUID() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    mails: () => mails,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A stream record of an outbox INSERT, as DynamoDB Streams delivers it. */
function streamEvent(item: Record<string, unknown>, seq: number): DynamoDBStreamEvent {
  return {
    Records: [
      {
        eventID: randomUUID(),
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
          NewImage: marshall(item, { removeUndefinedValues: true }) as Record<string, never>,
          SequenceNumber: String(seq),
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
    ],
  };
}

/** Measures every path; DynamoDB Local must be running at `endpoint`. */
export async function measurePaths(
  endpoint: string,
  options: PathOptions,
): Promise<PathMeasurement[]> {
  const logs = captureJsonLogs();
  const ses = await startSesStub();
  const meter = installMeter();
  try {
    const fx = await createSignInFixture(endpoint, { tableName: options.tableName });
    // The handlers read their configuration when they load, as at a Lambda cold start.
    Object.assign(process.env, {
      [ENV.tableName]: fx.tableName,
      [ENV.dynamodbEndpoint]: endpoint,
      [ENV.sesEndpoint]: ses.endpoint,
      [ENV.senderEmail]: 'bench@example.com',
      [ENV.awsRegion]: 'us-east-1',
    });
    const trigger = (await import('../functions/sign-in/handler.ts')).handler as unknown as Trigger;
    const notifier = (await import('../functions/notifier/handler.ts'))
      .handler as unknown as Notifier;
    // The floor uses a client built like the handler's.
    const floorDb = createDynamoClient({ region: 'us-east-1', dynamodbEndpoint: endpoint });

    // The scene: an org with auto-provisioning; a company with an SSO connection over two orgs;
    // an org whose connection has JIT off. Each org has an owner, who is mailed.
    const acme = await fx.org('bench-acme');
    await fx.verifiedDomain('acme.bench', { type: 'org', id: acme.id }, { autoProvisioning: acme });
    // SPEC §11: each org is subscribed to a webhook endpoint that never answers. Delivery runs off
    // the table's stream, after the sign-in has answered; the sign-in reads nothing of webhooks,
    // and these figures are the proof that it pays nothing for them.
    const subscribe = (org: { id: string; name: string }, companyId: string | null = null) =>
      sendNumbered(floorDb, fx.tableName, {
        TransactItems: transactionOf(fx.tableName, [
          {
            kind: 'putWebhook',
            webhook: {
              id: randomUUID(),
              scope: { type: 'org', id: org.id },
              scopeName: org.name,
              companyId,
              url: 'https://hangs.bench.example/hook',
              types: null,
              description: 'never answers',
              enabled: true,
              disabledReason: null,
              failingSince: null,
              createdAt: new Date().toISOString(),
              rev: 1,
            },
          },
        ]).map((i) => i.item),
      });
    await subscribe(acme);
    const companyId = await fx.company('Bench Co');
    const eng = await fx.org('bench-eng', { companyId });
    const ops = await fx.org('bench-ops', { companyId });
    await subscribe(eng, companyId);
    await fx.ssoDomain('sso.bench', {
      providerName: 'BenchIdp',
      scope: { type: 'company', id: companyId },
      defaultOrg: eng,
    });
    const closed = await fx.org('bench-closed');
    await fx.ssoDomain('closed.bench', {
      providerName: 'BenchClosed',
      scope: { type: 'org', id: closed.id },
      defaultOrg: closed,
      jit: false,
    });
    for (const org of [acme, eng, ops, closed])
      await fx.member(`owner@${org.name}.bench`, org, { role: 'owner' });

    const password = (email: string) =>
      cognitoEvent({ email, email_verified: 'true', name: 'Bench Person' });
    const sso = (email: string, provider: string, groups: string[] = []) =>
      cognitoEvent({
        email,
        email_verified: 'true',
        name: 'Bench Person',
        identities: identities(provider),
        'custom:groups': JSON.stringify(groups),
      });
    // A returning member: joined once before the measurement.
    await trigger(password('returning@acme.bench'), lambdaContext());
    // Another, whose summary is made to say an earlier day before each of its sign-ins: the
    // first sign-in of a day writes the day (SPEC §13), once.
    await trigger(password('daily@acme.bench'), lambdaContext());
    const forgetTheDay = (email: string) => () =>
      floorDb.send(
        new UpdateCommand({
          TableName: fx.tableName,
          Key: keys.personSummary(email),
          UpdateExpression: 'SET lastSignInOn = :before',
          ExpressionAttributeValues: { ':before': '2000-01-01' },
        }),
      );

    /** The floor's read: the person, the domain and the provider, in one request. */
    const floorRead = (floor: { domain: string; provider?: string }) =>
      floorDb.send(
        new BatchGetCommand({
          RequestItems: {
            [fx.tableName]: {
              Keys: [
                keys.account('returning@acme.bench'),
                keys.domainVerified(floor.domain),
                ...(floor.provider ? [keys.ssoProvider(floor.provider)] : []),
              ],
              ConsistentRead: true,
            },
          },
        }),
      );
    /**
     * The floor's transaction: the path's own, as it was sent, for a fresh person — the same
     * items, conditions, index entries and sizes, with the email, the username and every id
     * (events, outbox items) replaced, so that every condition holds again.
     */
    const transactionFor = (sent: SentRequest | undefined) => {
      if (!sent) return undefined;
      const text = JSON.stringify(sent.input);
      const items = (sent.input.TransactItems ?? []) as { Put?: { Item: Item } }[];
      const tokens = new Set<string>(text.match(UUID) ?? []);
      for (const i of items) {
        const item = i.Put?.Item;
        if (item?.entity === 'usernameGuard') tokens.add(String(item.username));
        if (typeof item?.email === 'string') tokens.add(item.email);
        if (typeof item?.subject === 'string') tokens.add(item.subject);
      }
      return async () => {
        let fresh = text;
        // Longest first, so that a token inside another is replaced with it.
        for (const token of [...tokens].sort((a, b) => b.length - a.length)) {
          fresh = fresh.split(token).join(`${randomUUID().slice(0, 8)}${token.slice(8)}`);
        }
        // Events are numbered (SPEC §11): their counters read and the events numbered afresh.
        return sendNumbered(floorDb, fx.tableName, JSON.parse(fresh));
      };
    };

    /** The read round trips of a run, replayed with the floor's client. */
    const reads: Record<string, (input: never) => GetCommand | QueryCommand | BatchGetCommand> = {
      GetCommand: (input) => new GetCommand(input),
      QueryCommand: (input) => new QueryCommand(input),
      BatchGetCommand: (input) => new BatchGetCommand(input),
    };
    const readWaves = (sent: SentRequest[]) => {
      const waves = new Map<number, SentRequest[]>();
      for (const r of sent) waves.set(r.roundTrip, [...(waves.get(r.roundTrip) ?? []), r]);
      // The counters' read is the floor transaction's own (above): not replayed twice.
      const countersOnly = (r: SentRequest) =>
        r.op === 'BatchGetCommand' &&
        Object.values(
          (r.input as { RequestItems: Record<string, { Keys: { sk: string }[] }> }).RequestItems,
        ).every((t) => t.Keys.every((k) => k.sk === EVENT_COUNTER_SK));
      return [...waves.values()].filter(
        (w) => w.every((r) => r.op in reads) && !w.every(countersOnly),
      );
    };
    const replay = async (waves: SentRequest[][]) => {
      for (const wave of waves) {
        await Promise.all(
          wave.map((r) => floorDb.send(reads[r.op]!(r.input as never) as GetCommand)),
        );
      }
    };

    const joining = { roundTrips: 3, reads: 2, writes: 1, text: '≤ 2 reads + 1 transaction' };
    const paths = [
      {
        name: 'returning member',
        event: () => password('returning@acme.bench'),
        floor: { domain: 'acme.bench' },
        denies: false,
        target: { roundTrips: 1, reads: 1, writes: 0, text: '1 round trip, no write' },
      },
      {
        name: 'returning member, first sign-in of the day',
        prepare: forgetTheDay('daily@acme.bench'),
        event: () => password('daily@acme.bench'),
        floor: { domain: 'acme.bench' },
        denies: false,
        target: { roundTrips: 2, reads: 1, writes: 1, text: '1 read + 1 update (no transaction)' },
      },
      {
        name: 'new member (auto-provisioning)',
        event: () => password(`new-${randomUUID().slice(0, 8)}@acme.bench`),
        floor: { domain: 'acme.bench' },
        denies: false,
        target: joining,
      },
      {
        name: 'SSO JIT, two mapped groups',
        event: () =>
          sso(`sso-${randomUUID().slice(0, 8)}@sso.bench`, 'BenchIdp', [
            'bench-eng:dev',
            'bench-ops:oncall',
          ]),
        floor: { domain: 'sso.bench', provider: 'BenchIdp' },
        denies: false,
        target: joining,
      },
      {
        name: 'SSO JIT off, denial',
        event: () => sso(`deny-${randomUUID().slice(0, 8)}@closed.bench`, 'BenchClosed'),
        floor: { domain: 'closed.bench', provider: 'BenchClosed' },
        denies: true,
        target: { ...joining, text: '≤ 2 reads + 1 transaction (the audit event)' },
      },
    ];

    type Samples = {
      times: number[];
      floorTimes: number[];
      bareTimes: number[];
      lastReads: SentRequest[][];
      per: Reading[];
      logBytes: number[];
      floorItems: number;
      floorTransaction: (() => Promise<unknown>) | undefined;
      /** The path's own write is one UpdateItem, not a transaction. */
      floorUpdate: boolean;
      notifierTimes: number[];
      notifierReads: Reading[];
      notifierLogBytes: number[];
      outbox: number;
      mails: number;
      measured: number;
    };
    const samples: Samples[] = paths.map(() => ({
      times: [],
      floorTimes: [],
      bareTimes: [],
      lastReads: [],
      per: [],
      logBytes: [],
      floorItems: 0,
      floorTransaction: undefined,
      floorUpdate: false,
      notifierTimes: [],
      notifierReads: [],
      notifierLogBytes: [],
      outbox: 0,
      mails: 0,
      measured: 0,
    }));

    let seq = 0;
    // Paths take turns, each next to its floor, so that all see the same machine.
    for (let i = 0; i < options.warmup + options.iterations; i++) {
      const measuring = i >= options.warmup;
      for (const [p, path] of paths.entries()) {
        const s = samples[p]!;
        const f0 = performance.now();
        await floorRead(path.floor);
        await s.floorTransaction?.();
        const f1 = performance.now();
        await replay(s.lastReads);
        await s.floorTransaction?.();
        const f2 = performance.now();

        // Not timed: what the path needs before each sign-in (after its floor, which may write).
        await path.prepare?.();
        meter.reset();
        logs.reset();
        const t0 = performance.now();
        try {
          await trigger(path.event(), lambdaContext());
          if (path.denies) throw new Error(`${path.name}: the sign-in was let through`);
        } catch (error) {
          if (!path.denies || !/^Access denied/.test((error as Error).message)) throw error;
        }
        const t1 = performance.now();
        const reading = meter.read();
        const outbox = meter.written('outbox');
        s.lastReads = readWaves(meter.requests());
        const signInLogBytes = logs.bytes();
        // The floor's transaction is this sign-in's, sent again for a fresh person.
        const update = meter.requests().find((r) => r.op === 'UpdateCommand');
        s.floorTransaction =
          transactionFor(meter.requests().find((r) => r.op === 'TransactWriteCommand')) ??
          // A lone update (the day of a sign-in) is sent again as it was: it writes the same.
          (update ? () => floorDb.send(new UpdateCommand(update.input as never)) : undefined);
        s.floorUpdate ||= !!update && !reading.transactions;
        s.floorItems = Math.max(s.floorItems, reading.transactItems);

        // The notifier, once per outbox item, as the stream would invoke it.
        const notifierStart = meter.read();
        logs.reset();
        const mailsBefore = ses.mails();
        let notifierMs = 0;
        for (const item of outbox) {
          const n0 = performance.now();
          const response = (await notifier(
            streamEvent(item, ++seq),
            lambdaContext('provisio-notifier'),
          )) as { batchItemFailures: unknown[] };
          notifierMs += performance.now() - n0;
          if (response.batchItemFailures.length)
            throw new Error(`${path.name}: the notifier failed to deliver`);
        }
        if (!measuring) continue;
        s.measured++;
        s.times.push(t1 - t0);
        s.floorTimes.push(f1 - f0);
        s.bareTimes.push(f2 - f1);
        s.per.push(reading);
        s.logBytes.push(signInLogBytes);
        s.outbox += outbox.length;
        s.mails += ses.mails() - mailsBefore;
        if (outbox.length) s.notifierTimes.push(notifierMs / outbox.length);
        s.notifierReads.push(since(meter.read(), notifierStart));
        s.notifierLogBytes.push(logs.bytes());
      }
    }

    const results = paths.map((path, p): PathMeasurement => {
      const s = samples[p]!;
      const max = (f: (r: Reading) => number) => Math.max(...s.per.map(f));
      const avg = (rs: Reading[], f: (r: Reading) => number) => mean(rs.map(f));
      const p50 = quantile(s.times, 0.5);
      const floorP50 = quantile(s.floorTimes, 0.5);
      return {
        name: path.name,
        roundTrips: max((r) => r.roundTrips),
        readRoundTrips: max((r) => r.roundTrips - r.writeRoundTrips),
        writes: max((r) => r.writeRoundTrips),
        requests: max((r) => r.requests),
        transactItems: max((r) => r.transactItems),
        readUnits: round(avg(s.per, (r) => r.billed.read)),
        writeUnits: round(avg(s.per, (r) => r.billed.write)),
        reportedReadUnits: round(avg(s.per, (r) => r.reported.read)),
        reportedWriteUnits: round(avg(s.per, (r) => r.reported.write)),
        p50Ms: round(p50),
        p99Ms: round(quantile(s.times, 0.99)),
        meanMs: round(mean(s.times)),
        floor: `BatchGetItem of ${path.floor.provider ? 3 : 2} items${
          s.floorItems
            ? ` + its event counters' BatchGetItem + its TransactWriteItems (${s.floorItems} items)`
            : s.floorUpdate
              ? ' + its UpdateItem'
              : ''
        }`,
        floorP50Ms: round(floorP50),
        ratio: round(p50 / floorP50),
        bareP50Ms: round(quantile(s.bareTimes, 0.5)),
        codeP50Ms: round(
          quantile(
            s.per.map((r, i) => s.times[i]! - r.busyMs),
            0.5,
          ),
        ),
        logBytes: Math.round(mean(s.logBytes)),
        notifier: {
          invocations: round(s.outbox / s.measured),
          meanMs: round(mean(s.notifierTimes)),
          mails: round(s.mails / s.measured),
          readUnits: round(avg(s.notifierReads, (r) => r.billed.read)),
          writeUnits: round(avg(s.notifierReads, (r) => r.billed.write)),
          logBytes: Math.round(mean(s.notifierLogBytes)),
        },
        target: path.target,
      };
    });
    floorDb.destroy();
    await fx.drop();
    return results;
  } finally {
    meter.uninstall();
    await ses.close();
    logs.restore();
  }
}
