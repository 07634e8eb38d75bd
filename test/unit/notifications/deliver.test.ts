import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../shared/errors.ts';
import {
  type ClaimResult,
  type DeliveryStore,
  deliver,
} from '../../../shared/notifications/deliver.ts';
import type { Mail, Mailer } from '../../../shared/notifications/mail.ts';
import type { Notification } from '../../../shared/notifications/render.ts';

const notification: Notification = {
  type: 'member_added',
  orgId: 'o1',
  orgName: 'acme',
  companyId: null,
  email: 'ada@acme.com',
  name: null,
  details: { via: 'jit' },
};

/** An in-memory delivery store with the same claim rules as the DynamoDB one. */
function memoryStore(recipients: string[], preset: Record<string, 'claimed' | 'sent'> = {}) {
  const records = new Map<string, 'claimed' | 'sent'>(Object.entries(preset));
  const store: DeliveryStore = {
    recipients: async () => recipients,
    claim: async (_id, to): Promise<ClaimResult> => {
      const r = records.get(to);
      if (r === 'sent') return 'already-sent';
      if (r === 'claimed') return 'in-flight';
      records.set(to, 'claimed');
      return 'claimed';
    },
    release: async (_id, to) => {
      records.delete(to);
    },
    markSent: async (_id, to) => {
      records.set(to, 'sent');
    },
  };
  return { store, records };
}

function mailer(fail: Set<string> = new Set()): Mailer & { sent: Mail[] } {
  const sent: Mail[] = [];
  return {
    sent,
    send: async (mail) => {
      if (fail.has(mail.to)) throw new UnavailableError('SES down');
      sent.push(mail);
      return `m-${sent.length}`;
    },
  };
}

describe('delivering an outbox item', () => {
  it('mails each recipient once, even when listed twice', async () => {
    const { store } = memoryStore(['a@x', 'b@x', 'a@x']);
    const m = mailer();
    const report = await deliver({ id: '1', notification }, store, m);
    expect(m.sent.map((x) => x.to)).toEqual(['a@x', 'b@x']);
    expect(report).toMatchObject({ sent: ['a@x', 'b@x'], pending: [] });
  });

  it('sends nothing again on a replay', async () => {
    const { store } = memoryStore(['a@x']);
    const m = mailer();
    await deliver({ id: '1', notification }, store, m);
    const report = await deliver({ id: '1', notification }, store, m);
    expect(m.sent).toHaveLength(1);
    expect(report.skipped).toEqual(['a@x']);
  });

  it('releases the claim of a failed send so that the retry sends it, and serves the others', async () => {
    const { store, records } = memoryStore(['a@x', 'b@x']);
    const report = await deliver({ id: '1', notification }, store, mailer(new Set(['a@x'])));
    expect(report.pending).toEqual(['a@x']);
    expect(report.sent).toEqual(['b@x']);
    expect(records.has('a@x')).toBe(false);
    const m = mailer();
    await deliver({ id: '1', notification }, store, m);
    expect(m.sent.map((x) => x.to)).toEqual(['a@x']);
  });

  it('leaves a recipient whose send is in flight elsewhere pending, without mailing', async () => {
    const { store } = memoryStore(['a@x'], { 'a@x': 'claimed' });
    const m = mailer();
    const report = await deliver({ id: '1', notification }, store, m);
    expect(report.pending).toEqual(['a@x']);
    expect(m.sent).toEqual([]);
  });

  it('records a mail SES accepted even when the first writes of the record fail', async () => {
    const { store, records } = memoryStore(['a@x']);
    let failures = 2;
    const flaky: DeliveryStore = {
      ...store,
      markSent: async (...args) => {
        if (failures-- > 0) throw new UnavailableError('table busy');
        return store.markSent(...args);
      },
    };
    const m = mailer();
    const report = await deliver({ id: '1', notification }, flaky, m);
    expect(m.sent).toHaveLength(1);
    expect(report).toMatchObject({ sent: ['a@x'], pending: [], unrecorded: [] });
    expect(records.get('a@x')).toBe('sent');
  });

  it('never mails twice because the record of a sent mail could not be written', async () => {
    const { store, records } = memoryStore(['a@x', 'b@x']);
    const broken: DeliveryStore = {
      ...store,
      markSent: async (_id, to, ...rest) => {
        if (to === 'a@x') throw new UnavailableError('table down');
        return store.markSent(_id, to, ...rest);
      },
    };
    const m = mailer();
    const report = await deliver({ id: '1', notification }, broken, m);
    // Sent, unrecorded, and neither released nor pending: a retry of the record right away
    // finds the claim in flight and sends nothing.
    expect(report).toMatchObject({ sent: ['a@x', 'b@x'], unrecorded: ['a@x'], pending: [] });
    expect(records.get('a@x')).toBe('claimed');
    const retry = await deliver({ id: '1', notification }, broken, m);
    expect(m.sent.map((x) => x.to)).toEqual(['a@x', 'b@x']);
    expect(retry).toMatchObject({ sent: [], skipped: ['b@x'], pending: ['a@x'] });
  });
});
