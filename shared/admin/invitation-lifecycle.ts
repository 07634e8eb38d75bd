/**
 * The invitation lifecycle run (SPEC §13), scheduled hourly with the domain checker: it reads
 * the entries of the lifecycle schedule that are due and, one transaction each,
 *
 * - expires an invitation past its `expiresAt`: `invitation_expired`, its seat freed (the
 *   `invitation-expired` move of shared/rules/seats.ts), kept and listed as expired;
 * - deletes an expired invitation 30 days after it expired;
 * - gives back the seats of a bulk run still in progress 15 minutes after it started (a run cut
 *   short: `bulk-invitations.ts`).
 *
 * Every write is conditioned on the item as read, so a resend, an acceptance or a revocation
 * meanwhile wins and the entry is looked at again when it is next due. I/O only through the
 * ports it is handed.
 */
import type { AdminDeps, AdminStore, BulkRunRecord, OrgRecord, Write } from '../model/writes.ts';
import { BULK_RUN_STALE_MS, lifecycleStep } from '../rules/invitations.ts';
import { newEvent, type RecordCtx } from './context.ts';

/** Who the run's events name as the actor. */
export const LIFECYCLE_ACTOR = 'invitation-lifecycle';

/** An entry of the lifecycle schedule. */
export type DueEntry =
  | { kind: 'invitation'; orgId: string; email: string }
  | { kind: 'bulkRun'; orgId: string; key: string };

/** Where the next page of due entries starts; opaque. */
export type DueCursor = Record<string, unknown>;

/** The run's own read; `shared/adapters/dynamodb/lifecycle-store.ts` implements it. */
export interface LifecycleStore {
  /** Entries due at `now`, earliest first, one page at a time. */
  due(
    now: Date,
    page: { limit: number; cursor?: DueCursor | undefined },
  ): Promise<{ entries: DueEntry[]; cursor: DueCursor | undefined }>;
}

export interface LifecycleDeps extends Pick<AdminDeps, 'newId'> {
  store: AdminStore;
  lifecycle: LifecycleStore;
}

export type LifecycleOutcome =
  | 'expired'
  | 'deleted'
  | 'released'
  /** Not due when read again (resent, accepted, revoked meanwhile), or gone. */
  | 'skipped'
  /** Changed under the run; it stays due for the next one. */
  | 'conflict'
  | 'error';

export interface LifecycleReport {
  entry: DueEntry;
  outcome: LifecycleOutcome;
  error?: string;
}

export interface LifecycleSummary {
  outcomes: Record<LifecycleOutcome, number>;
}

/** The writes that end a run cut short: its unused seats back, `failed` (as read). */
export function planAbandon(run: BulkRunRecord): Write[] {
  const unused = run.reserved - run.written;
  return [
    ...(unused > 0 ? [{ kind: 'releaseSeats' as const, orgId: run.orgId, count: unused }] : []),
    {
      kind: 'finishBulkRun',
      orgId: run.orgId,
      key: run.key,
      status: 'failed',
      written: run.written,
    },
  ];
}

const PAGE = 100;

async function step(
  deps: LifecycleDeps,
  now: Date,
  entry: DueEntry,
  orgs: Map<string, OrgRecord | undefined>,
): Promise<LifecycleOutcome> {
  const { store } = deps;
  if (entry.kind === 'bulkRun') {
    const run = await store.getBulkRun(entry.orgId, entry.key);
    if (
      run?.status !== 'in-progress' ||
      Date.parse(run.startedAt) + BULK_RUN_STALE_MS > now.getTime()
    ) {
      return 'skipped';
    }
    await store.apply(planAbandon(run));
    return 'released';
  }
  const invitation = await store.getInvitation(entry.orgId, entry.email);
  if (!invitation) return 'skipped';
  const what = lifecycleStep(invitation, now);
  if (what === 'none') return 'skipped';
  if (what === 'delete') {
    await store.apply([
      { kind: 'deleteInvitation', orgId: entry.orgId, email: entry.email, asRead: invitation },
    ]);
    return 'deleted';
  }
  if (!orgs.has(entry.orgId)) orgs.set(entry.orgId, await store.getOrg(entry.orgId));
  const org = orgs.get(entry.orgId);
  if (!org) throw new Error(`org ${entry.orgId} of an invitation is gone`);
  const ctx: RecordCtx = {
    deps,
    caller: { email: LIFECYCLE_ACTOR },
    at: now.toISOString(),
  };
  await store.apply([
    {
      kind: 'updateInvitation',
      email: entry.email,
      before: invitation,
      after: { ...invitation, expiredAt: ctx.at },
    },
    { kind: 'orgCounters', orgId: org.id, seats: 'invitation-expired' },
    {
      kind: 'event',
      event: newEvent(ctx, org, 'invitation_expired', entry.email, {
        role: invitation.role,
        team: invitation.team,
        expiresAt: invitation.expiresAt,
        invitedBy: invitation.invitedBy,
      }),
    },
  ]);
  return 'expired';
}

/**
 * One run at `now`: every due entry, page by page, until none is left or `shouldStop` says the
 * function is nearly out of time (the rest stay due). One bad entry never stops the run.
 */
export async function runInvitationLifecycle(
  deps: LifecycleDeps,
  now: Date,
  options: { shouldStop?: () => boolean; onReport?: (r: LifecycleReport) => void } = {},
): Promise<LifecycleSummary> {
  const outcomes: Record<LifecycleOutcome, number> = {
    expired: 0,
    deleted: 0,
    released: 0,
    skipped: 0,
    conflict: 0,
    error: 0,
  };
  const orgs = new Map<string, OrgRecord | undefined>();
  let cursor: DueCursor | undefined;
  do {
    const page = await deps.lifecycle.due(now, { limit: PAGE, cursor });
    for (const entry of page.entries) {
      if (options.shouldStop?.()) return { outcomes };
      let report: LifecycleReport;
      try {
        report = { entry, outcome: await step(deps, now, entry, orgs) };
      } catch (error) {
        const conflict =
          error instanceof Error && 'statusCode' in error && error.statusCode === 409;
        report = {
          entry,
          outcome: conflict ? 'conflict' : 'error',
          error: error instanceof Error ? error.message : String(error),
        };
      }
      outcomes[report.outcome]++;
      options.onReport?.(report);
    }
    cursor = page.cursor;
  } while (cursor);
  return { outcomes };
}
