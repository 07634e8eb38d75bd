/**
 * Delivering one outbox item (SPEC §4): every recipient gets it exactly once.
 *
 * Each delivery is claimed with a conditional write before sending and marked sent after. A
 * failed send releases its claim so that the retry sends it; a claim left by a crashed
 * invocation expires after a lease, and the record is retried until then. So a retried batch
 * never mails twice, and nothing is lost.
 */
import { backoffMs, sleep } from '../backoff.ts';
import type { Mailer } from './mail.ts';
import { type Notification, type RenderContext, renderNotification } from './render.ts';

export interface OutboxEntry {
  id: string;
  notification: Notification;
}

export type ClaimResult = 'claimed' | 'already-sent' | 'in-flight';

/** What delivery needs from storage. */
export interface DeliveryStore {
  /** Who receives this notification: owners of the org and of its company, or the invitee. */
  recipients(n: Notification): Promise<string[]>;
  claim(outboxId: string, recipient: string, now: Date, leaseMs: number): Promise<ClaimResult>;
  release(outboxId: string, recipient: string): Promise<void>;
  markSent(outboxId: string, recipient: string, messageId: string, now: Date): Promise<void>;
}

/** How long a claim protects a send in progress. Longer than the notifier's timeout. */
export const DELIVERY_LEASE_MS = 2 * 60 * 1000;

export interface DeliveryReport {
  sent: string[];
  skipped: string[];
  /** Recipients not served this time; the record must be retried. */
  pending: string[];
  /**
   * Sent (SES accepted the mail) but not recorded as sent: their claim stays until its lease
   * runs out. Not a reason to retry the record: that could only mail them again.
   */
  unrecorded: string[];
  errors: unknown[];
}

/**
 * How often a mail SES accepted is recorded as sent before giving up: SES's SendEmail takes no
 * idempotency key, so a mail accepted but not recorded may go out again once its claim's lease
 * runs out (docs/performance.md, "Mail exactly once").
 */
export const MARK_SENT_ATTEMPTS = 4;

export async function deliver(
  entry: OutboxEntry,
  store: DeliveryStore,
  mailer: Mailer,
  options: { now?: () => Date; context?: RenderContext } = {},
): Promise<DeliveryReport> {
  const now = options.now ?? (() => new Date());
  const report: DeliveryReport = {
    sent: [],
    skipped: [],
    pending: [],
    unrecorded: [],
    errors: [],
  };
  const recipients = [...new Set(await store.recipients(entry.notification))];
  for (const to of recipients) {
    const claim = await store.claim(entry.id, to, now(), DELIVERY_LEASE_MS);
    if (claim === 'already-sent') {
      report.skipped.push(to);
      continue;
    }
    if (claim === 'in-flight') {
      report.pending.push(to);
      continue;
    }
    let messageId: string;
    try {
      messageId = await mailer.send(renderNotification(entry.notification, to, options.context));
    } catch (error) {
      report.pending.push(to);
      report.errors.push(error);
      await store.release(entry.id, to);
      continue;
    }
    report.sent.push(to);
    // Accepted: recording it is all that stands between this mail and a second one.
    for (let attempt = 1; ; attempt++) {
      try {
        await store.markSent(entry.id, to, messageId, now());
        break;
      } catch (error) {
        if (attempt < MARK_SENT_ATTEMPTS) {
          await sleep(backoffMs(attempt, { baseMs: 100 }));
          continue;
        }
        report.unrecorded.push(to);
        report.errors.push(error);
        break;
      }
    }
  }
  return report;
}
