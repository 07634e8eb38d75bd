/**
 * `POST /v1/orgs/{orgId}/invitations:bulk` (SPEC §13): up to 1,000 rows, each with an outcome;
 * all or nothing on seats; every invitee mailed once; an `Idempotency-Key` answers the first
 * result for 24 h.
 *
 * One transaction holds at most 100 items and an invitation takes six (the invitation, its
 * schedule entry, the member check, the event, the mail and the invitee's summary), so 1,000
 * rows cannot be one transaction. Instead:
 *
 * 1. **Reserve.** One transaction starts the run (its record under the key: conditional, so a
 *    concurrent duplicate loses) and takes every seat the new invitations need in one
 *    conditional counter update (`reserveSeats`): enough seats, or nothing at all (409
 *    `{needed, available}`).
 * 2. **Write.** The invitations go in chunks of 16, each chunk one transaction that also counts
 *    its rows as `written` on the run. A chunk refused because one of its people was invited or
 *    joined meanwhile is written again row by row; such a row's outcome becomes
 *    `already_invited` or `already_member` and its reserved seat stays unused.
 * 3. **Finish.** One transaction gives back the reserved seats no invitation used and stores
 *    the answer on the run (`done`).
 *
 * A run cut short (an error, the function's timeout) leaves its record `in-progress` with
 * `reserved` and `written`: the error path marks it `failed` and gives the unused seats back at
 * once, and the scheduled lifecycle run does the same for a run still in progress 15 minutes
 * after it started. The invitations written stay (each is whole: one transaction), their
 * invitees mailed once; a retry (same key or not) finds them `already_invited`.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, ValidationError } from '../errors.ts';
import type { BulkRunRecord, OrgRecord, Write } from '../model/writes.ts';
import { invitationStatus } from '../rules/invitations.ts';
import { freeSeats } from '../rules/seats.ts';
import { type CheckedRow, checkRow, readRows, type ValidRow } from './bulk-rows.ts';
import type { Ctx } from './context.ts';
import { planAbandon } from './invitation-lifecycle.ts';
import { newInvitation, planInvitation } from './invitations.ts';
import type { BulkInvitationsView, BulkOutcomeView } from './schemas.ts';

/** Rows per transaction: six items each and the run's counter stay within 100. */
export const BULK_CHUNK_ROWS = 16;
/** How long an idempotency key answers the first result. */
const KEY_TTL_MS = 24 * 60 * 60 * 1000;
const KEY = /^[\x21-\x7e]{1,200}$/;

export interface BulkRequest {
  contentType: string | undefined;
  body: string;
  dryRun: string | undefined;
  idempotencyKey: string | undefined;
}

type Outcome = BulkOutcomeView['outcome'];

/** A row's outcome as a write refusal: which outcome the failed condition means. */
class RowRefused extends ConflictError {
  constructor(readonly outcome: Outcome) {
    super(`row refused: ${outcome}`);
  }
}

/** The outcome of each row, in row order, before anything is written. */
async function classify(
  ctx: Ctx,
  org: OrgRecord,
  rows: CheckedRow[],
): Promise<{ results: BulkOutcomeView[]; invite: ValidRow[] }> {
  const firstRow = new Map<string, number>();
  const valid = rows.filter((r): r is ValidRow => !('invalid' in r));
  const emails = [...new Set(valid.map((r) => r.email))];
  const found = emails.length ? await ctx.deps.store.getInvitees(org.id, emails) : new Map();
  const now = new Date(ctx.at);
  const invite: ValidRow[] = [];
  const results = rows.map((r): BulkOutcomeView => {
    if ('invalid' in r)
      return { row: r.row, email: r.email, outcome: 'invalid', reason: r.invalid };
    const first = firstRow.get(r.email);
    if (first !== undefined) {
      return {
        row: r.row,
        email: r.email,
        outcome: 'duplicate',
        reason: `the same email as row ${first}`,
      };
    }
    firstRow.set(r.email, r.row);
    const person = found.get(r.email);
    if (person?.member) return { row: r.row, email: r.email, outcome: 'already_member' };
    if (person?.invitation) {
      return invitationStatus(person.invitation, now) === 'expired'
        ? { row: r.row, email: r.email, outcome: 'already_invited', reason: 'expired: resend it' }
        : { row: r.row, email: r.email, outcome: 'already_invited' };
    }
    invite.push(r);
    return { row: r.row, email: r.email, outcome: 'invited' };
  });
  return { results, invite };
}

const answerOf = (
  dryRun: boolean,
  results: BulkOutcomeView[],
  needed: number,
  available: number | null,
): BulkInvitationsView => {
  const counts: Record<string, number> = {
    invited: 0,
    already_member: 0,
    already_invited: 0,
    duplicate: 0,
    invalid: 0,
  };
  for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  return { dryRun, needed, available, counts, results };
};

const notEnoughSeats = (needed: number, available: number | null) =>
  new ConflictError(
    `The new invitations need ${needed} seats and ${available} are free; nothing was invited`,
    { extra: { needed, available } },
  );

const inProgress = (key: string) =>
  new ConflictError(`A request with Idempotency-Key ${key} is still running; retry shortly`);

/** The writes of one row's invitation, its seat already reserved. */
function rowWrites(ctx: Ctx, org: OrgRecord, r: ValidRow): Write[] {
  const invitation = newInvitation(ctx, org, r);
  return planInvitation(ctx, org, r.email, invitation).map((w) =>
    w.kind === 'putInvitation'
      ? { ...w, conflict: new RowRefused('already_invited') }
      : w.kind === 'checkNotMember'
        ? { ...w, conflict: new RowRefused('already_member') }
        : w,
  );
}

/** Writes the rows in chunks; returns the rows a concurrent change refused, with their outcome. */
async function writeRows(
  ctx: Ctx,
  org: OrgRecord,
  key: string,
  rows: ValidRow[],
): Promise<Map<number, Outcome>> {
  const refused = new Map<number, Outcome>();
  const progress = (count: number): Write => ({
    kind: 'bulkRunProgress',
    orgId: org.id,
    key,
    count,
    conflict: `The run of Idempotency-Key ${key} was stopped meanwhile`,
  });
  for (let i = 0; i < rows.length; i += BULK_CHUNK_ROWS) {
    const chunk = rows.slice(i, i + BULK_CHUNK_ROWS);
    try {
      await ctx.deps.store.apply([
        ...chunk.flatMap((r) => rowWrites(ctx, org, r)),
        progress(chunk.length),
      ]);
    } catch (error) {
      if (!(error instanceof RowRefused)) throw error;
      // Someone in the chunk was invited or joined meanwhile: each row on its own.
      for (const r of chunk) {
        try {
          await ctx.deps.store.apply([...rowWrites(ctx, org, r), progress(1)]);
        } catch (rowError) {
          if (!(rowError instanceof RowRefused)) throw rowError;
          refused.set(r.row, rowError.outcome);
        }
      }
    }
  }
  return refused;
}

/** Starts the run and reserves its seats in one transaction; the run as stored. */
async function reserve(
  ctx: Ctx,
  org: OrgRecord,
  run: BulkRunRecord,
  replaces: BulkRunRecord | undefined,
  /** What a run already under the key (a concurrent duplicate) is refused with. */
  taken: ConflictError,
): Promise<void> {
  const seats = new ConflictError('seats');
  try {
    await ctx.deps.store.apply([
      { kind: 'startBulkRun', run, replaces, conflict: taken },
      ...(run.reserved > 0
        ? [
            {
              kind: 'reserveSeats' as const,
              orgId: org.id,
              count: run.reserved,
              seatLimit: org.seatLimit,
              conflict: seats,
            },
          ]
        : []),
    ]);
  } catch (error) {
    if (error !== seats) throw error;
    // The seats (or the limit) changed since the read: say how it stands now.
    const now = await ctx.deps.store.getOrg(org.id);
    const available = now ? freeSeats(now) : 0;
    throw notEnoughSeats(run.reserved, available);
  }
}

/** Gives back what a run cut short did not use and marks it failed; best effort (the schedule retries). */
async function abandon(ctx: Ctx, org: OrgRecord, key: string): Promise<void> {
  try {
    const run = await ctx.deps.store.getBulkRun(org.id, key);
    if (run?.status !== 'in-progress') return;
    await ctx.deps.store.apply(planAbandon(run));
  } catch {
    // The scheduled lifecycle run gives the seats back once the run is 15 minutes old.
  }
}

const stored = (run: BulkRunRecord): BulkInvitationsView =>
  JSON.parse(run.answer ?? '{}') as BulkInvitationsView;

/** `POST /v1/orgs/{orgId}/invitations:bulk`. */
export async function bulkInvitations(
  ctx: Ctx,
  org: OrgRecord,
  request: BulkRequest,
): Promise<BulkInvitationsView> {
  if (request.dryRun !== undefined && request.dryRun !== 'true' && request.dryRun !== 'false') {
    throw new ValidationError('dryRun', 'must be true or false');
  }
  const dryRun = request.dryRun === 'true';
  const given = request.idempotencyKey;
  if (given !== undefined && !KEY.test(given)) {
    throw new ValidationError('Idempotency-Key', 'must be 1–200 printable ASCII characters');
  }
  const now = Date.parse(ctx.at);

  // The same key within 24 h: the first answer, and nothing sent again.
  let previous: BulkRunRecord | undefined;
  if (given !== undefined && !dryRun) {
    previous = await ctx.deps.store.getBulkRun(org.id, given);
    if (previous && Date.parse(previous.expiresAt) > now) {
      if (previous.status === 'done') return stored(previous);
      if (previous.status === 'in-progress') throw inProgress(given);
    }
  }

  const rows = readRows(request.contentType, request.body).map(checkRow);
  const { results, invite } = await classify(ctx, org, rows);
  const needed = invite.length;
  const available = freeSeats(org);
  if (dryRun) return answerOf(true, results, needed, available);
  if (available !== null && needed > available) throw notEnoughSeats(needed, available);

  const key = given ?? `auto-${randomUUID()}`;
  const run: BulkRunRecord = {
    orgId: org.id,
    key,
    status: 'in-progress',
    reserved: needed,
    written: 0,
    startedAt: ctx.at,
    expiresAt: new Date(now + KEY_TTL_MS).toISOString(),
  };
  const taken = inProgress(key);
  try {
    await reserve(ctx, org, run, previous, taken);
  } catch (error) {
    // A concurrent request with the same key started first: its answer, once it has one.
    if (error === taken) {
      const first = await ctx.deps.store.getBulkRun(org.id, key);
      if (first?.status === 'done') return stored(first);
    }
    throw error;
  }

  let refused: Map<number, Outcome>;
  try {
    refused = await writeRows(ctx, org, key, invite);
  } catch (error) {
    await abandon(ctx, org, key);
    throw error;
  }
  const final = results.map((r) => {
    const outcome = refused.get(r.row);
    return outcome ? { ...r, outcome } : r;
  });
  const written = needed - refused.size;
  const answer = answerOf(false, final, written, available);
  await ctx.deps.store.apply([
    ...(refused.size > 0
      ? [{ kind: 'releaseSeats' as const, orgId: org.id, count: refused.size }]
      : []),
    {
      kind: 'finishBulkRun',
      orgId: org.id,
      key,
      status: 'done',
      answer: JSON.stringify(answer),
      written,
    },
  ]);
  return answer;
}
