/**
 * Outbox tasks (shared/tasks.ts): each converges on the current state, and a long job runs a
 * bounded batch at a time, leaving a task for the rest.
 */
import { describe, expect, it } from 'vitest';
import { INDEX_BATCH, type OutboxTask, runTask, type TaskDeps } from '../../../shared/tasks.ts';
import { memoryIdentityProviders } from '../../support/core-deps.ts';

function deps(events: number, domains: Record<string, string[]> = {}) {
  const indexed: string[] = [];
  const queued: OutboxTask[] = [];
  const idps = memoryIdentityProviders();
  const d: TaskDeps = {
    providerDomains: async (name) => domains[name],
    identityProviders: idps,
    async indexOrgEvents(_orgId, _companyId, from, limit) {
      const start = Number(from ?? 0);
      const end = Math.min(events, start + limit);
      for (let i = start; i < end; i++) indexed.push(`e${i}`);
      return { indexed: end - start, next: end < events ? String(end) : undefined };
    },
    async enqueue(task) {
      queued.push(task);
    },
  };
  return { d, indexed, queued, idps };
}

describe('outbox tasks', () => {
  it('indexes an org’s history a batch at a time, each run leaving a task for the rest', async () => {
    const { d, indexed, queued } = deps(INDEX_BATCH * 2 + 7);
    let task: OutboxTask | undefined = { type: 'indexOrgEvents', orgId: 'o1', companyId: 'c1' };
    const outcomes: string[] = [];
    while (task) {
      outcomes.push(await runTask(task, d));
      task = queued.shift();
    }
    expect(outcomes).toEqual([
      `indexed ${INDEX_BATCH}, more to come`,
      `indexed ${INDEX_BATCH}, more to come`,
      'indexed 7',
    ]);
    expect(new Set(indexed).size).toBe(INDEX_BATCH * 2 + 7);
  });

  it("sets a provider's identifiers to its connection's domains now, and skips a gone one", async () => {
    const { d, idps } = deps(0, { 'provisio-a': ['acme.org'] });
    await idps.create({
      providerName: 'provisio-a',
      settings: { type: 'saml', metadataUrl: 'https://m' },
      domains: ['acme.com', 'acme.org'],
    });
    expect(await runTask({ type: 'syncProviderIdentifiers', providerName: 'provisio-a' }, d)).toBe(
      'synced',
    );
    expect(idps.providers.get('provisio-a')?.domains).toEqual(['acme.org']);
    expect(await runTask({ type: 'syncProviderIdentifiers', providerName: 'provisio-b' }, d)).toBe(
      'gone',
    );
  });
});
