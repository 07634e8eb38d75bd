/**
 * The scheduled domain checker (SPEC §5): an EventBridge rule invokes it every hour (the local
 * stack every few seconds). Each run re-checks the TXT record of every claim whose check is due:
 * pending domains hourly for 72 hours, verified ones daily; `shared/domains/check-schedule.ts`
 * says what each answer changes. Thin: it builds the dependencies once, runs the core and logs.
 *
 * The same run then runs the invitation lifecycle (SPEC §13, `shared/admin/invitation-lifecycle.ts`):
 * invitations past their expiry are expired (seat freed) within the hour, expired ones deleted
 * after 30 days, and bulk runs cut short give their seats back.
 *
 * One bad domain never fails the run (it is logged and counted, and stays due); only a failure
 * to read the due claims does, so that the errors alarm sees a checker that cannot work.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
 */
import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createTxtLookup } from '../../shared/adapters/dns/txt.ts';
import { createAdminStore } from '../../shared/adapters/dynamodb/admin-store.ts';
import { createDynamoClient } from '../../shared/adapters/dynamodb/client.ts';
import { createDomainCheckStore } from '../../shared/adapters/dynamodb/domain-check-store.ts';
import { createLifecycleStore } from '../../shared/adapters/dynamodb/lifecycle-store.ts';
import {
  type CheckRunSummary,
  type DomainCheckerDeps,
  runDomainChecks,
} from '../../shared/admin/domain-checker.ts';
import {
  type LifecycleDeps,
  type LifecycleSummary,
  runInvitationLifecycle,
} from '../../shared/admin/invitation-lifecycle.ts';
import { type Config, loadConfig } from '../../shared/config.ts';
import { invocation, log, metric } from '../../shared/observability.ts';

/** Time left at which a run stops taking new claims; the rest stay due for the next run. */
const STOP_MARGIN_MS = 15_000;

/** The production dependencies over the configured table and resolvers. */
export function createDomainCheckerDeps(
  config: Config = loadConfig(),
): DomainCheckerDeps & LifecycleDeps {
  const db = createDynamoClient(config, { requestTimeoutMs: 3000, maxAttempts: 3 });
  return {
    store: createAdminStore(db, config.tableName),
    checks: createDomainCheckStore(db, config.tableName),
    lifecycle: createLifecycleStore(db, config.tableName),
    lookupTxt: createTxtLookup(config.dnsServers),
    newId: () => randomUUID(),
  };
}

type RunContext = Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>;

/** Whether a run should stop taking new work: the function is nearly out of time. */
const nearTimeout = (context: RunContext | undefined) => () =>
  context?.getRemainingTimeInMillis ? context.getRemainingTimeInMillis() < STOP_MARGIN_MS : false;

/** What a job's run ends with: its outcomes as a metric by outcome, and one line. */
function reportRun<S extends { outcomes: Record<string, number> }>(
  metricName: string,
  message: string,
  summary: S,
  requestId: string | undefined,
  now: Date,
): S {
  for (const [outcome, count] of Object.entries(summary.outcomes)) {
    metric(metricName, { Outcome: outcome }, count);
  }
  log.info(message, { requestId, at: now.toISOString(), ...summary });
  return summary;
}

/**
 * One invitation lifecycle run at `now` (SPEC §13; tests move the clock by handing in their
 * own): logs each entry's outcome, emits the `InvitationLifecycle` metric by outcome and stops
 * early when `context` says the function is nearly out of time.
 */
export async function runScheduledLifecycle(
  deps: LifecycleDeps,
  now: Date,
  context?: RunContext,
): Promise<LifecycleSummary> {
  const requestId = context?.awsRequestId;
  const summary = await runInvitationLifecycle(deps, now, {
    shouldStop: nearTimeout(context),
    onReport: (r) => {
      const fields = {
        requestId,
        ...r.entry,
        outcome: r.outcome,
        ...(r.error ? { error: r.error } : {}),
      };
      if (r.outcome === 'error') log.error('invitation lifecycle step failed', fields);
      else if (r.outcome === 'conflict') log.warn('invitation left for the next run', fields);
      else log.info('invitation lifecycle step', fields);
    },
  });
  return reportRun('InvitationLifecycle', 'invitation lifecycle run', summary, requestId, now);
}

/**
 * One run at `now`, as the handler makes it on each scheduled event: logs each claim's
 * outcome, emits the `DomainChecks` metric by outcome and stops early when `context` says the
 * function is nearly out of time.
 */
export async function runScheduledChecks(
  deps: DomainCheckerDeps,
  now: Date,
  context?: RunContext,
): Promise<CheckRunSummary> {
  const requestId = context?.awsRequestId;
  const summary = await runDomainChecks(deps, now, {
    shouldStop: nearTimeout(context),
    onReport: (r) => {
      const fields = {
        requestId,
        domain: r.domain,
        scope: `${r.scope.type}:${r.scope.id}`,
        outcome: r.outcome,
        ...(r.error ? { error: r.error } : {}),
      };
      if (r.outcome === 'error') log.error('domain check failed', fields);
      else if (r.outcome === 'conflict' || r.outcome === 'unavailable') {
        log.warn('domain check left for the next run', fields);
      } else log.info('domain checked', fields);
    },
  });
  return reportRun('DomainChecks', 'domain checker run', summary, requestId, now);
}

// Built once per execution environment, at cold start.
const deps = createDomainCheckerDeps();

/** What a scheduled run did: the domain checks, and the invitation lifecycle's outcomes. */
export type ScheduledRunSummary = CheckRunSummary & { invitations: LifecycleSummary };

export const handler = middy<ScheduledEvent, ScheduledRunSummary>(
  invocation(async (_event: ScheduledEvent, context: Context) => {
    const now = new Date();
    // Each job runs whatever the other did; a failure of either still fails the run (the alarm).
    const [checks, invitations] = await Promise.allSettled([
      runScheduledChecks(deps, now, context),
      runScheduledLifecycle(deps, now, context),
    ]);
    if (checks.status === 'rejected') throw checks.reason;
    if (invitations.status === 'rejected') throw invitations.reason;
    return { ...checks.value, invitations: invitations.value };
  }),
);
