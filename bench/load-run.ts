/**
 * A load run through the Lambda Invoke API of a local stack: many orgs, some with tight seat
 * limits, half reached by password sign-ins (auto-provisioning, invitations), half by SSO with
 * JIT and group mapping; people sign in again and again, many at once. Afterwards every org's
 * counters are checked against its items (bench/invariants.ts).
 *
 * `npm run load` (bench/load.ts) runs the full size against a stack of its own;
 * test/integration/load.test.ts a smaller one against the test stack. Both: loopback only,
 * bounded in count and in time.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { functionSpecs } from '../functions/registry.ts';
import { cognitoEvent, identities, putItem } from '../local/sign-in-fixtures.ts';
import {
  domainVerifiedItem,
  invitationItem,
  orgItem,
  orgNameGuardItem,
  ssoConnectionItem,
  ssoProviderItem,
} from '../shared/adapters/dynamodb/items.ts';
import type { Connection } from '../shared/model/types.ts';
import { keys } from '../shared/table/schema.ts';
import { type AuditReport, auditSeats } from './invariants.ts';

export interface LoadOptions {
  readonly lambda: LambdaClient;
  /** The stack's table, for seeding and the audit. */
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly signIns: number;
  readonly orgs: number;
  readonly concurrency: number;
  /** Stop starting sign-ins after this long (the run then fails). */
  readonly timeLimitMs: number;
  /** Seed of the pseudo-random choices, so that a run can be repeated. @default 7 */
  readonly seed?: number;
  /**
   * The stack's function log (`<dataDir>/logs/functions.log`): a password sign-in that failed
   * inside is let through (SPEC §3.5.6), so only its log line tells; it counts as unexpected.
   */
  readonly functionLog?: string;
}

/** A sign-in that ended in neither a pass nor an expected refusal. */
export interface Unexpected {
  email: string;
  kind: 'password' | 'sso';
  error: string;
  /** Let through without a decision (the password path failing open). */
  degraded?: boolean;
}

export interface LoadReport {
  signIns: number;
  /** Sign-ins the trigger let through. */
  allowed: number;
  /** SSO sign-ins refused with `No seats available` by a full org: expected. */
  refusedForSeats: number;
  unexpected: Unexpected[];
  /** Sign-ins not started because the time limit passed. */
  notStarted: number;
  p50Ms: number;
  p99Ms: number;
  durationMs: number;
  audit: AuditReport;
  /** Orgs whose seats ran out during the run (they had a limit and used all of it). */
  fullOrgs: number;
}

interface SeededOrg {
  id: string;
  name: string;
  domain: string;
  seatLimit: number | null;
  /** Present for SSO orgs. */
  provider?: string;
  invitees: string[];
}

/** mulberry32: a small seeded generator, so a run's choices repeat. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AT = '2026-01-01T00:00:00.000Z';
const FAR_FUTURE = '2099-01-01T00:00:00.000Z';

/**
 * Seeds `count` orgs under a unique prefix through the item writers (the repository layer): even
 * ones auto-provision a verified domain, odd ones have an SSO connection with JIT on; every
 * third has a seat limit below its demand, every fifth a few pending invitations.
 */
async function seed(
  db: DynamoDBDocumentClient,
  tableName: string,
  count: number,
  perOrg: number,
): Promise<SeededOrg[]> {
  const prefix = `ld${randomUUID().slice(0, 6)}`;
  const put = (Item: Record<string, unknown> & { pk: string; sk: string }) =>
    putItem(db, tableName, Item);
  const orgs: SeededOrg[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-o${i}`;
    const id = `org_${randomUUID().slice(0, 8)}`;
    const domain = `o${i}.${prefix}.load`;
    // A third of the orgs cannot seat everyone who signs in.
    const seatLimit = i % 3 === 0 ? Math.max(2, Math.floor(perOrg / 3)) : i % 3 === 1 ? null : 1000;
    const invitees = i % 5 === 0 ? [0, 1, 2].map((k) => `invitee${k}@${domain}`) : [];
    orgs.push({
      id,
      name,
      domain,
      seatLimit,
      invitees,
      ...(i % 2 ? { provider: `${prefix}Idp${i}` } : {}),
    });
  }
  // Several at a time: a few hundred items.
  for (let i = 0; i < orgs.length; i += 10) {
    await Promise.all(
      orgs.slice(i, i + 10).map(async (o) => {
        await put(
          orgItem({
            id: o.id,
            name: o.name,
            companyId: null,
            seatLimit: o.seatLimit,
            seatsUsed: 0,
            ownerCount: 0,
            createdAt: AT,
          }),
        );
        await put(orgNameGuardItem(o.name, o.id, null));
        const scope = { type: 'org' as const, id: o.id };
        let connection: Connection | undefined;
        if (o.provider) {
          connection = {
            id: `sso_${randomUUID().slice(0, 8)}`,
            name: o.provider,
            providerName: o.provider,
            scope,
            domains: [o.domain],
            jit: true,
            scim: false,
            defaultOrg: { id: o.id, name: o.name },
            defaultTeam: null,
          };
          await put(ssoConnectionItem({ ...connection, createdAt: AT }));
          await put(ssoProviderItem(connection));
        }
        await put(
          domainVerifiedItem({
            domain: o.domain,
            scope,
            autoProvisioning: o.provider ? null : { orgId: o.id, orgName: o.name },
            ssoConnectionIds: connection ? [connection.id] : [],
            verifiedAt: AT,
          }),
        );
        for (const email of o.invitees) {
          await put(
            invitationItem(email, {
              orgId: o.id,
              orgName: o.name,
              role: 'member',
              team: 'invited',
              invitedBy: 'owner@load.test',
              createdAt: AT,
              sentAt: AT,
              // Pending whenever the benchmark runs (SPEC §13 expiry is not what it measures).
              expiresAt: FAR_FUTURE,
            }),
          );
          // An invitation holds a seat (SPEC §1).
          await db.send(
            new UpdateCommand({
              TableName: tableName,
              Key: keys.org(o.id),
              UpdateExpression: 'ADD seatsUsed :one',
              ExpressionAttributeValues: { ':one': 1 },
            }),
          );
        }
      }),
    );
  }
  return orgs;
}

const quantile = (xs: number[], q: number) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** Seeds the orgs, runs the sign-ins, audits the counters. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const perOrg = Math.ceil(options.signIns / options.orgs);
  const orgs = await seed(options.db, options.tableName, options.orgs, perOrg);
  const rand = random(options.seed ?? 7);

  // Each org draws its sign-ins from a pool half their number, so most people come back.
  const plan = Array.from({ length: options.signIns }, (_, i) => {
    const org = orgs[i % orgs.length]!;
    const pool = Math.max(2, Math.floor(perOrg / 2));
    const pick = Math.floor(rand() * (pool + org.invitees.length));
    const email = pick < pool ? `user${pick}@${org.domain}` : org.invitees[pick - pool]!;
    const groups = [`${org.name}:team${Math.floor(rand() * 3)}`];
    return { org, email, groups };
  });
  // Shuffled, so that each org sees concurrent sign-ins.
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }

  const report: LoadReport = {
    signIns: plan.length,
    allowed: 0,
    refusedForSeats: 0,
    unexpected: [],
    notStarted: 0,
    p50Ms: 0,
    p99Ms: 0,
    durationMs: 0,
    audit: { orgs: [], problems: [] },
    fullOrgs: 0,
  };
  const times: number[] = [];
  /** Request id of each invocation → the sign-in it ran. */
  const invoked = new Map<string, { email: string; sso: boolean }>();
  const started = performance.now();
  let next = 0;

  async function one(step: (typeof plan)[number]): Promise<void> {
    const sso = !!step.org.provider;
    const attributes: Record<string, string> = {
      email: step.email,
      email_verified: 'true',
      name: 'Load Person',
      ...(sso
        ? {
            identities: identities(step.org.provider!),
            'custom:groups': JSON.stringify(step.groups),
          }
        : {}),
    };
    const t0 = performance.now();
    try {
      const out = await options.lambda.send(
        new InvokeCommand({
          FunctionName: functionSpecs.signIn.localName,
          Payload: new TextEncoder().encode(JSON.stringify(cognitoEvent(attributes))),
        }),
      );
      times.push(performance.now() - t0);
      if (out.$metadata.requestId) invoked.set(out.$metadata.requestId, { email: step.email, sso });
      const payload = out.Payload ? new TextDecoder().decode(out.Payload) : '';
      if (!out.FunctionError) {
        report.allowed++;
        return;
      }
      const message = String((JSON.parse(payload) as { errorMessage?: unknown }).errorMessage);
      // SPEC §3.2.5: a full org refuses an SSO sign-in of someone who is not yet a member.
      if (sso && message.startsWith('No seats available')) {
        report.refusedForSeats++;
        return;
      }
      report.unexpected.push({ email: step.email, kind: sso ? 'sso' : 'password', error: message });
    } catch (error) {
      times.push(performance.now() - t0);
      report.unexpected.push({
        email: step.email,
        kind: sso ? 'sso' : 'password',
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  }

  async function worker(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= plan.length) return;
      if (performance.now() - started > options.timeLimitMs) {
        report.notStarted++;
        continue;
      }
      await one(plan[i]!);
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  report.durationMs = performance.now() - started;
  if (options.functionLog) {
    // Let the stack's log stream catch up with the last invocations.
    await new Promise((r) => setTimeout(r, 200));
    for (const line of (await readFile(options.functionLog, 'utf8')).split('\n')) {
      if (!line.includes('"sign-in decision failed"')) continue;
      const entry = JSON.parse(line) as {
        requestId?: string;
        failsClosed?: boolean;
        error?: { name?: string; message?: string };
      };
      const signIn = entry.requestId ? invoked.get(entry.requestId) : undefined;
      // SSO failures already came back as function errors.
      if (!signIn || entry.failsClosed) continue;
      report.allowed--;
      report.unexpected.push({
        email: signIn.email,
        kind: 'password',
        error: `let through without a decision: ${entry.error?.name}: ${entry.error?.message}`,
        degraded: true,
      });
    }
  }
  report.p50Ms = quantile(times, 0.5);
  report.p99Ms = quantile(times, 0.99);
  report.audit = await auditSeats(
    options.db,
    options.tableName,
    orgs.map((o) => o.id),
  );
  report.fullOrgs = report.audit.orgs.filter(
    (o) => o.seatLimit !== null && o.seatsUsed >= o.seatLimit,
  ).length;
  return report;
}
