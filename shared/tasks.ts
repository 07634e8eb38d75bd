/**
 * Outbox tasks: work a change leaves for after its transaction commits, written in that very
 * transaction (so it is never lost) and run by the stream worker, which retries what fails
 * and dead-letters what keeps failing, as it does for mail. Each task converges on the current
 * state, so running one twice changes nothing the second time.
 */
import { type SyncIdentifiersDeps, syncProviderIdentifiers } from './sso/sync-identifiers.ts';

export type OutboxTask =
  /** SPEC §8: a provider's `IdpIdentifiers` follow the domains its connection serves now. */
  | { type: 'syncProviderIdentifiers'; providerName: string }
  /**
   * SPEC §5: an org that joined a company brings its history into the company's activity. A run
   * indexes a bounded number of events and leaves a task for the rest (`from`).
   */
  | { type: 'indexOrgEvents'; orgId: string; companyId: string; from?: string | undefined };

/** Events indexed by one run of an `indexOrgEvents` task. */
export const INDEX_BATCH = 500;

export interface TaskDeps extends SyncIdentifiersDeps {
  /** Indexes up to `limit` of the org's events from `from`; `next` is where the rest start. */
  indexOrgEvents(
    orgId: string,
    companyId: string,
    from: string | undefined,
    limit: number,
  ): Promise<{ indexed: number; next: string | undefined }>;
  /** Writes another task to the outbox. */
  enqueue(task: OutboxTask): Promise<void>;
}

/** Runs one task; resolves with what it did, in words for the log. */
export async function runTask(task: OutboxTask, deps: TaskDeps): Promise<string> {
  switch (task.type) {
    case 'syncProviderIdentifiers':
      return syncProviderIdentifiers(task.providerName, deps);
    case 'indexOrgEvents': {
      const { indexed, next } = await deps.indexOrgEvents(
        task.orgId,
        task.companyId,
        task.from,
        INDEX_BATCH,
      );
      if (next) await deps.enqueue({ ...task, from: next });
      return `indexed ${indexed}${next ? ', more to come' : ''}`;
    }
  }
}
