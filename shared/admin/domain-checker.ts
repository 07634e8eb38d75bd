/**
 * The domain checker's core (SPEC §5): finds the claims whose check is due, looks each TXT
 * record up, decides with `check-schedule.ts` and writes the change in one transaction through
 * the admin store. Verifying goes through `markVerified`, the very change the admin verify
 * route makes. I/O only through the ports it is handed.
 */

import {
  type CheckDecision,
  type CheckOutcome,
  DOMAIN_CHECKER_ACTOR,
  decideCheck,
  isDue,
  type TxtLookupResult,
} from '../domains/check-schedule.ts';
import { matchTxt } from '../domains/rules.ts';
import { ConflictError, UnavailableError } from '../errors.ts';
import type {
  AdminDeps,
  CompanyRecord,
  ConnectionRecord,
  DomainClaimRecord,
  ScopeContext,
  Write,
} from '../model/writes.ts';
import type { ScopeRef } from '../table/schema.ts';
import { type Ctx, companyScope, newEvent, newNotification, orgScope } from './context.ts';
import { planDomainDetach } from './domain-loss.ts';
import { markVerified } from './domains.ts';

/** Where the next page of due claims starts (the index's `LastEvaluatedKey`); opaque. */
export type DueCursor = Record<string, unknown>;

/** The checker's own reads; `shared/adapters/dynamodb/domain-check-store.ts` implements them. */
export interface DomainCheckStore {
  /** Claims whose next check is due at `now`, earliest first, one page at a time. */
  dueClaims(
    now: Date,
    page: { limit: number; cursor?: DueCursor | undefined },
  ): Promise<{ claims: DomainClaimRecord[]; cursor: DueCursor | undefined }>;
  getCompany(companyId: string): Promise<CompanyRecord | undefined>;
}

export interface DomainCheckerDeps extends Pick<AdminDeps, 'store' | 'lookupTxt' | 'newId'> {
  checks: DomainCheckStore;
}

/** How one claim's check ended. */
export type CheckReportOutcome =
  | CheckOutcome
  /** The record was found, but another org or company verified the domain first. */
  | 'verified-elsewhere'
  /** No longer due when read again (another run, or an admin, got there first), or gone. */
  | 'skipped'
  /** The claim kept changing under the check; it stays due for the next run. */
  | 'conflict'
  /** Anything else (the claim's org or company is gone, a store failure); logged. */
  | 'error';

export interface CheckReport {
  domain: string;
  scope: ScopeRef;
  outcome: CheckReportOutcome;
  error?: string;
}

/** Looks the claim's TXT record up; a failed look-up is `unavailable`, never `missing`. */
export async function lookUpClaim(
  lookupTxt: AdminDeps['lookupTxt'],
  claim: DomainClaimRecord,
): Promise<TxtLookupResult> {
  try {
    const records = await lookupTxt(claim.domain);
    return matchTxt(records, claim.txtValue).verified
      ? { kind: 'found' }
      : { kind: 'missing', records };
  } catch (error) {
    if (error instanceof UnavailableError) return { kind: 'unavailable', reason: error.message };
    throw error;
  }
}

const changedMeanwhile = (domain: string) =>
  `${domain} changed meanwhile (an admin or another run of the domain checker); it stays due`;

/**
 * The writes of losing verification (SPEC §5, §8): the claim back to pending with
 * auto-provisioning off, the sign-in's copy removed (so sign-ins stop auto-provisioning), the
 * domain detached from the SSO connections that served it (their IdP speaks only for verified
 * domains, so another scope may verify and attach it), the events and the owners' notifications.
 */
export function planVerificationLost(
  ctx: Ctx,
  scope: ScopeContext,
  before: DomainClaimRecord,
  decided: DomainClaimRecord,
  connections: readonly ConnectionRecord[] = [],
): Write[] {
  const domain = before.domain;
  const after: DomainClaimRecord = { ...decided, ssoConnectionIds: [] };
  const writes: Write[] = [
    { kind: 'updateClaim', before, after, conflict: changedMeanwhile(domain) },
    { kind: 'deleteVerified', domain, scope: scope.ref, conflict: changedMeanwhile(domain) },
    ...planDomainDetach(ctx, scope, domain, connections, 'domain_verification_lost'),
  ];
  if (before.autoProvisioning.enabled) {
    writes.push({
      kind: 'event',
      event: newEvent(ctx, scope, 'auto_provisioning_disabled', domain, {
        orgId: before.autoProvisioning.orgId,
        reason: 'domain_verification_lost',
      }),
    });
  }
  writes.push(
    {
      kind: 'event',
      event: newEvent(ctx, scope, 'domain_verification_lost', domain, {
        missingSince: after.missingSince,
        autoProvisioningDisabled: before.autoProvisioning.enabled,
      }),
    },
    {
      kind: 'outbox',
      notification: newNotification(
        ctx,
        scope,
        'domain_verification_lost',
        { email: DOMAIN_CHECKER_ACTOR, name: null },
        { domain, txtRecordName: domain, txtRecordValue: before.txtValue },
      ),
    },
  );
  return writes;
}

async function loadScope(
  deps: DomainCheckerDeps,
  ref: ScopeRef,
): Promise<ScopeContext | undefined> {
  if (ref.type === 'org') {
    const org = await deps.store.getOrg(ref.id);
    return org ? orgScope(org) : undefined;
  }
  const company = await deps.checks.getCompany(ref.id);
  return company ? companyScope(company) : undefined;
}

/** Whether what the store's claim condition compares is still as read. */
const sameState = (a: DomainClaimRecord, b: DomainClaimRecord) =>
  a.status === b.status &&
  a.txtValue === b.txtValue &&
  JSON.stringify(a.autoProvisioning) === JSON.stringify(b.autoProvisioning) &&
  JSON.stringify(a.ssoConnectionIds) === JSON.stringify(b.ssoConnectionIds);

async function applyDecision(
  ctx: Ctx,
  scope: ScopeContext,
  claim: DomainClaimRecord,
  decision: CheckDecision,
): Promise<void> {
  switch (decision.action) {
    case 'keep':
      return;
    case 'verify':
      await markVerified(ctx, scope, claim);
      return;
    case 'update':
      await ctx.deps.store.apply([
        {
          kind: 'updateClaim',
          before: claim,
          after: decision.after,
          conflict: changedMeanwhile(claim.domain),
        },
      ]);
      return;
    case 'lose': {
      const connections = await ctx.deps.store.getConnections(scope.ref, claim.ssoConnectionIds);
      await ctx.deps.store.apply(
        planVerificationLost(ctx, scope, claim, decision.after, connections),
      );
      return;
    }
  }
}

const refuse = () => Promise.reject(new Error('The domain checker manages no identity providers'));
const noIdentityProviders: AdminDeps['identityProviders'] = {
  create: refuse,
  update: refuse,
  setIdentifiers: refuse,
  delete: refuse,
};

/** How often a check reads the claim again after a concurrent change before leaving it due. */
const ATTEMPTS = 2;

/**
 * Checks one claim at `now`: reads it again (consistently; the index may lag), and when it is
 * still due looks its record up, decides and writes, every write conditional on the state read.
 * A concurrent change makes it read and decide again once; after that the claim stays due.
 */
/** The domain checker manages no webhooks. */
const noWebhooks: AdminDeps['webhooks'] = {
  store: {
    getWebhook: async () => undefined,
    listWebhooks: async () => ({ items: [], nextCursor: null }),
    listDeliveries: async () => ({ items: [], nextCursor: null }),
  },
  resolve: async () => [],
  policy: { allowLoopback: false },
  newSecret: () => {
    throw new Error('The domain checker issues no webhook secrets');
  },
};

export async function checkDomain(
  deps: DomainCheckerDeps,
  ref: { scope: ScopeRef; domain: string },
  now: Date,
): Promise<CheckReport> {
  const report = (outcome: CheckReportOutcome, error?: string): CheckReport => ({
    domain: ref.domain,
    scope: ref.scope,
    outcome,
    ...(error ? { error } : {}),
  });
  const ctx: Ctx = {
    deps: {
      ...deps,
      now: () => now,
      newToken: () => {
        throw new Error('The domain checker issues no verification tokens');
      },
      // A detached domain leaves a provider's identifiers through the outbox, not from here.
      identityProviders: noIdentityProviders,
      boundProviders: new Map(),
      serviceProvider: { domainUrl: undefined, userPoolId: undefined },
      webhooks: noWebhooks,
    },
    caller: { email: DOMAIN_CHECKER_ACTOR },
    at: now.toISOString(),
  };
  for (let attempt = 1; ; attempt++) {
    const claim = await deps.store.getClaim(ref.scope, ref.domain);
    if (!claim || !isDue(claim, now)) return report('skipped');
    const scope = await loadScope(deps, claim.scope);
    if (!scope) return report('error', `${claim.scope.type} ${claim.scope.id} not found`);
    const decision = decideCheck(claim, await lookUpClaim(deps.lookupTxt, claim), now);
    try {
      await applyDecision(ctx, scope, claim, decision);
      return report(decision.outcome, decision.action === 'keep' ? decision.reason : undefined);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (decision.action === 'verify') {
        // Either the claim changed, or another org or company holds the domain's one
        // verification: then the claim stays pending on its hourly schedule.
        const current = await deps.store.getClaim(ref.scope, ref.domain);
        if (current && sameState(current, claim)) {
          await ctx.deps.store.apply([
            {
              kind: 'updateClaim',
              before: current,
              after: { ...current, nextCheckAt: decision.otherwise.nextCheckAt },
              conflict: changedMeanwhile(claim.domain),
            },
          ]);
          return report('verified-elsewhere');
        }
      }
      if (attempt >= ATTEMPTS) return report('conflict', error.message);
    }
  }
}

/** What one run did. */
export interface CheckRunSummary {
  /** Claims looked at (including those skipped on a second read). */
  checked: number;
  /** How many checks ended each way. */
  outcomes: Partial<Record<CheckReportOutcome, number>>;
  /** The run stopped before the end (out of time); the rest stays due for the next run. */
  stoppedEarly: boolean;
}

export interface CheckRunOptions {
  /** Checks in flight at once. @default 8 */
  concurrency?: number;
  /** Due claims read per query. @default 50 */
  pageSize?: number;
  /** Asked before each claim: true stops the run (e.g. the Lambda is nearly out of time). */
  shouldStop?: () => boolean;
  /** Called with each claim's report as it ends. */
  onReport?: (report: CheckReport) => void;
}

/**
 * One run of the checker at `now`: every due claim, page by page, a few at a time. One claim's
 * failure is reported and the run goes on; only a failure to read the due claims rejects.
 */
export async function runDomainChecks(
  deps: DomainCheckerDeps,
  now: Date,
  options: CheckRunOptions = {},
): Promise<CheckRunSummary> {
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const pageSize = options.pageSize ?? 50;
  const shouldStop = options.shouldStop ?? (() => false);
  const summary: CheckRunSummary = { checked: 0, outcomes: {}, stoppedEarly: false };
  const record = (r: CheckReport) => {
    summary.checked++;
    summary.outcomes[r.outcome] = (summary.outcomes[r.outcome] ?? 0) + 1;
    options.onReport?.(r);
  };

  let cursor: DueCursor | undefined;
  do {
    if (shouldStop()) {
      summary.stoppedEarly = true;
      break;
    }
    // Claims checked in this page move out of the due range; the cursor goes on after them.
    const page = await deps.checks.dueClaims(now, { limit: pageSize, cursor });
    const queue = [...page.claims];
    const worker = async () => {
      for (let claim = queue.shift(); claim; claim = queue.shift()) {
        if (shouldStop()) {
          summary.stoppedEarly = true;
          return;
        }
        const ref = { scope: claim.scope, domain: claim.domain };
        try {
          record(await checkDomain(deps, ref, now));
        } catch (error) {
          record({ ...ref, outcome: 'error', error: String(error) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    cursor = summary.stoppedEarly ? undefined : page.cursor;
  } while (cursor);
  return summary;
}
