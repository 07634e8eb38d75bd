/**
 * The workers' steps over in-memory ports: which endpoints an event goes to, what a replay
 * queues, and that a delivery not due yet is queued again rather than sent.
 */
import { describe, expect, it } from 'vitest';
import type {
  DeliveryMessage,
  PublishedEvent,
  WebhookRecord,
} from '../../../shared/model/webhooks.ts';
import {
  type DeliveryDeps,
  deliverOnce,
  publish,
  replay,
} from '../../../shared/webhooks/worker.ts';

const event = (over: Partial<PublishedEvent> = {}): PublishedEvent => ({
  id: 'e1',
  type: 'member_added',
  at: '2026-01-01T00:00:00.000Z',
  seq: 1,
  orgId: 'o1',
  companyId: 'c1',
  actor: 'provisio',
  subject: 'ada@example.com',
  details: {},
  ...over,
});

const webhook = (over: Partial<WebhookRecord>): WebhookRecord => ({
  id: 'w',
  scope: { type: 'org', id: 'o1' },
  scopeName: 'acme',
  companyId: 'c1',
  url: 'https://hooks.example.com/in',
  types: null,
  description: null,
  enabled: true,
  disabledReason: null,
  failingSince: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  rev: 1,
  ...over,
});

function queue() {
  const sent: { message: DeliveryMessage; delaySeconds: number }[] = [];
  return { sent, enqueue: async (m: typeof sent) => void sent.push(...m) };
}

describe('publish', () => {
  it("sends an org's event to the org's and its company's endpoints that subscribe", async () => {
    const q = queue();
    const byScope: Record<string, WebhookRecord[]> = {
      'org:o1': [webhook({ id: 'a' }), webhook({ id: 'b', types: ['domain_added'] })],
      'company:c1': [
        webhook({ id: 'c', scope: { type: 'company', id: 'c1' } }),
        webhook({ id: 'd', scope: { type: 'company', id: 'c1' }, enabled: false }),
      ],
    };
    const put: unknown[] = [];
    const out = await publish(event(), {
      store: { webhooksOf: async (s) => byScope[`${s.type}:${s.id}`] ?? [] },
      enqueue: q.enqueue,
      bus: { put: async (e) => void put.push(...e) },
    });
    expect(out).toEqual({ queued: 2, bus: true });
    expect(q.sent.map((m) => m.message.webhookId).sort()).toEqual(['a', 'c']);
    expect(q.sent.every((m) => m.message.attempt === 1 && m.message.event.id === 'e1')).toBe(true);
    expect(put).toEqual([
      {
        type: 'member_added',
        at: event().at,
        detail: expect.objectContaining({ id: 'e1', seq: 1 }),
      },
    ]);
  });

  it("sends a company-level event to the company's endpoints only", async () => {
    const asked: string[] = [];
    await publish(event({ orgId: null }), {
      store: {
        webhooksOf: async (s) => {
          asked.push(s.type);
          return [];
        },
      },
      enqueue: queue().enqueue,
    });
    expect(asked).toEqual(['company']);
  });
});

describe('replay', () => {
  const events = Array.from({ length: 5 }, (_, i) =>
    event({ id: `e${i + 3}`, seq: i + 3, type: i % 2 ? 'domain_added' : 'member_added' }),
  );

  it('queues the events from fromSeq on, of the types the endpoint takes, marked as a replay', async () => {
    const q = queue();
    const asked: number[] = [];
    const out = await replay(
      { id: 'r', webhookId: 'w', scope: { type: 'org', id: 'o1' }, fromSeq: 3, at: '', actor: '' },
      {
        store: { getWebhook: async () => webhook({ types: ['member_added'] }) },
        readEvents: async (_scope, after, _types, cursor) => {
          asked.push(after);
          return cursor
            ? { items: events.slice(3), nextCursor: null }
            : { items: events.slice(0, 3), nextCursor: 'next' };
        },
        enqueue: q.enqueue,
      },
    );
    expect(asked).toEqual([2, 2]);
    expect(out).toEqual({ queued: 3, truncated: false });
    expect(q.sent.map((m) => m.message.event.id)).toEqual(['e3', 'e5', 'e7']);
    expect(q.sent.every((m) => m.message.replay === true && m.message.attempt === 1)).toBe(true);
  });

  it('queues nothing for an endpoint deleted or disabled meanwhile', async () => {
    for (const found of [undefined, webhook({ enabled: false })]) {
      const q = queue();
      const out = await replay(
        {
          id: 'r',
          webhookId: 'w',
          scope: { type: 'org', id: 'o1' },
          fromSeq: 1,
          at: '',
          actor: '',
        },
        {
          store: { getWebhook: async () => found },
          readEvents: async () => ({ items: events, nextCursor: null }),
          enqueue: q.enqueue,
        },
      );
      expect(out.queued).toBe(0);
      expect(q.sent).toEqual([]);
    }
  });
});

describe('deliverOnce', () => {
  it('queues a message that is not due yet again, for the rest of its wait (15 min at most)', async () => {
    const q = queue();
    const now = new Date('2026-01-01T00:00:00.000Z');
    const deps = {
      enqueue: q.enqueue,
      now: () => now,
      store: {
        getWebhook: async () => {
          throw new Error('not read before it is due');
        },
      },
    } as unknown as DeliveryDeps;
    const message: DeliveryMessage = {
      webhookId: 'w',
      scope: { type: 'org', id: 'o1' },
      event: event(),
      attempt: 6,
      dueAt: '2026-01-01T10:00:00.000Z',
    };
    expect(await deliverOnce(message, deps)).toEqual({ outcome: 'deferred' });
    expect(q.sent).toEqual([{ message, delaySeconds: 900 }]);
  });
});
