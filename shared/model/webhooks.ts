/**
 * The vocabulary of SPEC §11 webhooks: an endpoint as stored, its signing secrets (kept apart:
 * only deliveries read them), an attempt, and the message the publisher queues per endpoint and
 * event. The ports the admin API and the delivery worker use are here too.
 */

import type { ScopeRef } from '../table/schema.ts';
import type { EventType } from './events.ts';
import type { Page, PageRequest } from './page.ts';
import type { Write } from './writes.ts';

/** A webhook endpoint of an org or a company. */
export interface WebhookRecord {
  id: string;
  scope: ScopeRef;
  /** The org's or company's name, for the mail that says it was disabled. */
  scopeName: string;
  /** The org's company when `scope` is an org (so the disabling mail reaches its owners too). */
  companyId: string | null;
  url: string;
  /** Event types it receives; `null`: every type. */
  types: EventType[] | null;
  description: string | null;
  enabled: boolean;
  /** Why it was disabled by Provisio (`gone`: a 410; `failing`: 5 days of failures), if it was. */
  disabledReason: 'gone' | 'failing' | null;
  /** The first failed attempt since the last success; cleared by a success. */
  failingSince: string | null;
  createdAt: string;
  /** Optimistic-lock revision, +1 on every write. */
  rev: number;
}

/** A signing secret (`whsec_…`); `previous` signs too until `previousUntil` (a rotation). */
export interface WebhookSecrets {
  current: string;
  previous: string | null;
  previousUntil: string | null;
}

/** One delivery attempt, as the deliveries list shows it. */
export interface DeliveryAttemptRecord {
  webhookId: string;
  eventId: string;
  seq: number | null;
  type: EventType;
  /** 1 for the first attempt. */
  attempt: number;
  at: string;
  /** The HTTP status, when the endpoint answered. */
  statusCode: number | null;
  /** Why no answer counted (timeout, refused address, connection error). */
  error: string | null;
  durationMs: number;
  /** What follows: `delivered`, `retrying` (with when), `failed`, `disabled`. */
  outcome: 'delivered' | 'retrying' | 'failed' | 'disabled' | 'skipped';
  nextAttemptAt: string | null;
  /** Whether a replay sent it. */
  replay: boolean;
}

/** The event as the publisher hands it on: the stored event with its `seq`. */
export interface PublishedEvent {
  id: string;
  type: EventType;
  at: string;
  seq: number | null;
  orgId: string | null;
  companyId: string | null;
  actor: string;
  subject: string;
  details: Record<string, unknown>;
}

/** One queued delivery: an event for one endpoint, and how far it got. */
export interface DeliveryMessage {
  webhookId: string;
  scope: ScopeRef;
  event: PublishedEvent;
  /** The attempt this message makes (1 first). */
  attempt: number;
  /** Not before this time (ISO); a message that arrives earlier is queued again. */
  dueAt: string | null;
  replay?: boolean | undefined;
}

/** What a deployment allows beyond SPEC §11's rule for webhook URLs. */
export interface AddressPolicy {
  /** `http://` and loopback addresses (127.0.0.0/8, ::1) allowed: the local stack's setting. */
  readonly allowLoopback: boolean;
}

/** What the admin API needs for webhooks besides the admin store. */
export interface WebhookAdminDeps {
  store: WebhookAdminStore;
  /** The addresses (A and AAAA) a host name resolves to now; `[]` when it does not. */
  resolve: (host: string) => Promise<string[]>;
  policy: AddressPolicy;
  newSecret: () => string;
}

/** The admin API's webhook reads (the secrets are not among them). */
export interface WebhookAdminStore {
  getWebhook(scope: ScopeRef, id: string): Promise<WebhookRecord | undefined>;
  listWebhooks(scope: ScopeRef, page: PageRequest): Promise<Page<WebhookRecord>>;
  listDeliveries(webhookId: string, page: PageRequest): Promise<Page<DeliveryAttemptRecord>>;
}

/** A replay request (SPEC §11): re-send the scope's events from `fromSeq` to one endpoint. */
export interface WebhookReplay {
  id: string;
  webhookId: string;
  scope: ScopeRef;
  fromSeq: number;
  at: string;
  actor: string;
}

/** What the publisher and the delivery worker read and write (SPEC §11). */
export interface WebhookDeliveryStore {
  /** Every endpoint of a scope (enabled or not). */
  webhooksOf(scope: ScopeRef): Promise<WebhookRecord[]>;
  getWebhook(scope: ScopeRef, id: string): Promise<WebhookRecord | undefined>;
  getSecrets(webhookId: string): Promise<WebhookSecrets | undefined>;
  recordAttempt(attempt: DeliveryAttemptRecord): Promise<void>;
  /**
   * Sets or clears the failing streak; only while the endpoint is still at `rev` (a change by
   * its owners meanwhile wins). Answers whether it was written.
   */
  setFailingSince(webhook: WebhookRecord, failingSince: string | null): Promise<boolean>;
  /**
   * Applies a change (disabling: the endpoint, its event and its mail) in one transaction;
   * `false` when a condition refused it (the endpoint changed meanwhile: nothing was written).
   */
  apply(writes: Write[]): Promise<boolean>;
}
