/**
 * The single-table key schema: attribute names, one key builder per entity, and the table
 * definition that both the CDK stack (`infra/`) and the local stack (`local/`) create.
 * `docs/data-model.md` is the same story for humans.
 *
 * Access patterns (→ index → key template → operation):
 *
 * | pattern                                   | index | key template                                        | operation           |
 * |-------------------------------------------|-------|-----------------------------------------------------|---------------------|
 * | sign-in: the person (summary of items)    | table | pk=ACCOUNT#<email>, sk=SUMMARY                      | BatchGet (round 1)  |
 * | sign-in: domain verified + auto-prov      | table | pk=DOMAIN#<domain>, sk=VERIFIED                     | BatchGet (round 1)  |
 * | sign-in: SSO connection by provider name  | table | pk=PROVIDER#<providerName>, sk=PROVIDER             | BatchGet (round 1)  |
 * | sign-in: group org names → id, company    | table | pk=ORGNAME#<name>, sk=ORGNAME                       | BatchGet (round 1)  |
 * | org by id                                 | table | pk=ORG#<orgId>, sk=ORG                              | GetItem             |
 * | org members (with their teams)            | gsi1  | gsi1pk=ORG#<orgId>, gsi1sk begins_with MEMBER#      | Query               |
 * | org invitations                           | gsi1  | gsi1pk=ORG#<orgId>, gsi1sk begins_with INVITE#      | Query               |
 * | org teams                                 | table | pk=ORG#<orgId>, sk begins_with TEAM#                | Query               |
 * | org events, newest first                  | table | pk=ORG#<orgId>, sk begins_with EVENT#               | Query (backwards)   |
 * | org events after seq n, ascending         | table | pk=ORG#<orgId>, sk BETWEEN EVENT#SEQ#<n+1> and max  | Query               |
 * | a scope's event counter (SPEC §11)        | table | pk=ORG#<orgId> / COMPANY#<id>, sk=EVENTSEQ          | BatchGet (consist.);|
 * |                                           |       |   read before a change with events, then updated    |   Update n = :read  |
 * |                                           |       |   in its transaction                                |   in the transaction|
 * | company + its orgs                        | table | pk=COMPANY#<id>                                     | Query               |
 * | org owners (notifier)                     | gsi1  | gsi1pk=ORG#<orgId>, gsi1sk begins_with OWNER#       | Query               |
 * | company owners                            | gsi1  | gsi1pk=COMPANY#<id>, gsi1sk begins_with OWNER#      | Query               |
 * | company events (own + its orgs'), by time | gsi1  | gsi1pk=EVENTS#COMPANY#<id>                          | Query (backwards)   |
 * | company-level events after seq n          | table | pk=COMPANY#<id>, sk BETWEEN EVENT#SEQ#<n+1> and max | Query               |
 * | a scope's domains / SSO connections       | table | pk=<scope>, sk begins_with DOMAIN# / SSO#           | Query               |
 * | domains due for a DNS check               | gsi1  | gsi1pk=DOMAINCHECK, gsi1sk <= <now>                 | Query               |
 * | invitations to expire or delete, bulk     | gsi1  | gsi1pk=INVITEDUE, gsi1sk <= <now>                   | Query               |
 * |   runs left unfinished (SPEC §13)         |       |   (on INVITEDUE#<email> and BULK#<key> items)       |                     |
 * | an invitation's schedule entry            | table | pk=ORG#<orgId>, sk=INVITEDUE#<email>                | Put with the invite |
 * | a bulk run by idempotency key (24 h)      | table | pk=ORG#<orgId>, sk=BULK#<key>                       | conditional Put     |
 * | what a person administers                 | table | pk=ACCOUNT#<email>                                  | Query               |
 * | outbox item (stream-triggered notifier)   | table | pk=OUTBOX#<id>, sk=OUTBOX                           | stream INSERT       |
 * | delivery record (exactly-once mail)       | table | pk=OUTBOX#<id>, sk=DELIVERY#<email>                 | conditional Put     |
 * | notice throttle (24 h per person and org) | table | pk=ACCOUNT#<email>, sk=NOTICE#<kind>#<orgId>        | conditional Put     |
 * | username uniqueness                       | table | pk=USERNAME#<username>, sk=USERNAME                 | conditional Put     |
 * | org name uniqueness                       | table | pk=ORGNAME#<name>, sk=ORGNAME                       | conditional Put     |
 * | one verifier per domain                   | table | pk=DOMAIN#<domain>, sk=VERIFIED                     | conditional Put     |
 * | SCIM: a connection's token (hash)         | table | pk=SCIM#<connectionId>, sk=TOKEN                    | GetItem             |
 * | SCIM: user / group by id                  | table | pk=SCIM#<connectionId>, sk=USER#<id> / GROUP#<id>   | GetItem             |
 * | SCIM: users / groups, in id order         | table | pk=SCIM#<connectionId>, sk begins_with USER#/GROUP# | Query               |
 * | SCIM: userName / displayName uniqueness   | table | pk=SCIM#<connectionId>, sk=USERNAME#/GROUPNAME#<k>  | conditional Put     |
 * | SCIM: a person deactivated by SCIM        | table | pk=ACCOUNT#<email>, sk=SCIMOFF#<connectionId>       | in the summary      |
 * | SSO enforcement: a person's last sign-in  | table | pk=SSO#<connectionId>, sk=NONSSO#<email>            | conditional Put;    |
 * |   on the connection's domains without it  |       |   (`on`: the date; TTL 31 days)                     | Query (the count)   |
 * | webhooks of a scope (admin, publisher)    | table | pk=<scope>, sk begins_with WEBHOOK#                 | Query               |
 * | a webhook's secrets (deliveries only)     | table | pk=WEBHOOKSECRET#<id>, sk=SECRET                    | GetItem             |
 * | a webhook's attempts, newest first        | table | pk=WEBHOOK#<id>, sk begins_with ATTEMPT#            | Query (backwards)   |
 * |   (TTL 30 days)                           |       |   ATTEMPT#<at>#<eventId>#<attempt>                  |                     |
 * | a replay request (publisher)              | table | pk=WEBHOOKREPLAY#<id>, sk=WEBHOOKREPLAY             | stream INSERT       |
 * | new events (publisher)                    | table | sk begins_with EVENT#                               | stream INSERT       |
 * | domain audit: accounts by email domain    | gsi1  | gsi1pk=EMAILDOMAIN#<domain>, gsi1sk=<email>         | Query (summaries:   |
 * |   (SPEC §13; on the person summary)       |       |   (only summaries that mirror an account)           |   account, orgs)    |
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** Attribute names of the keys, the index and the TTL. */
export const attr = {
  pk: 'pk',
  sk: 'sk',
  gsi1pk: 'gsi1pk',
  gsi1sk: 'gsi1sk',
  ttl: 'ttl',
} as const;

export const GSI1 = 'gsi1';

/** A table item's primary key. */
export interface Key {
  pk: string;
  sk: string;
}

/** Only the primary key of a key builder's result (builders of indexed entities also return index keys). */
export const primaryKey = ({ pk, sk }: Key): Key => ({ pk, sk });

/** A key of the one global secondary index. */
export interface Gsi1Key {
  gsi1pk: string;
  gsi1sk: string;
}

/** Who owns a domain claim or an SSO connection: an org or a company. */
export type ScopeRef = { type: 'org'; id: string } | { type: 'company'; id: string };

/** The partition key of a scope (`ORG#<id>` or `COMPANY#<id>`). */
export const scopeKey = (scope: ScopeRef): string =>
  scope.type === 'org' ? `ORG#${scope.id}` : `COMPANY#${scope.id}`;

/** The sort key of the person summary (`shared/adapters/dynamodb/person-changes.ts`). */
export const PERSON_SUMMARY_SK = 'SUMMARY';

const scimPartition = (connectionId: string): string => `SCIM#${connectionId}`;
/** A key in a connection's SCIM partition. */
const scimKey = (connectionId: string, sk: string): Key => ({
  pk: scimPartition(connectionId),
  sk,
});

/** One key builder per entity of SPEC §1. Emails and domains must already be normalised. */
export const keys = {
  account: (email: string): Key => ({ pk: `ACCOUNT#${email}`, sk: 'ACCOUNT' }),
  /** The mirror of the person's account, memberships, teams, invitations and notices that the sign-in reads. */
  personSummary: (email: string): Key => ({ pk: `ACCOUNT#${email}`, sk: PERSON_SUMMARY_SK }),
  /**
   * SPEC §13 domain audit: the index key that lists a person's summary under their email's
   * domain, carried by summaries that mirror an account (written with the account, at the
   * person's first sign-in of a day, and when the summary is rebuilt).
   */
  personByDomain: (email: string): Gsi1Key => ({
    gsi1pk: `${prefix.emailDomain}${email.slice(email.lastIndexOf('@') + 1)}`,
    gsi1sk: email,
  }),
  /** The partition holding a person's account, memberships, team memberships, invitations and company ownerships. */
  person: (email: string): string => `ACCOUNT#${email}`,
  usernameGuard: (username: string): Key => ({ pk: `USERNAME#${username}`, sk: 'USERNAME' }),

  org: (orgId: string): Key => ({ pk: `ORG#${orgId}`, sk: 'ORG' }),
  orgNameGuard: (name: string): Key => ({ pk: `ORGNAME#${name}`, sk: 'ORGNAME' }),

  company: (companyId: string): Key => ({ pk: `COMPANY#${companyId}`, sk: 'COMPANY' }),
  companyOrg: (companyId: string, orgId: string): Key => ({
    pk: `COMPANY#${companyId}`,
    sk: `ORG#${orgId}`,
  }),
  companyOwner: (companyId: string, email: string): Key & Gsi1Key => ({
    pk: `ACCOUNT#${email}`,
    sk: `COMPANYOWNER#${companyId}`,
    gsi1pk: `COMPANY#${companyId}`,
    gsi1sk: `OWNER#${email}`,
  }),

  member: (orgId: string, email: string): Key & Gsi1Key => ({
    pk: `ACCOUNT#${email}`,
    sk: `MEMBER#${orgId}`,
    gsi1pk: `ORG#${orgId}`,
    gsi1sk: `MEMBER#${email}`,
  }),
  /** An owner of an org, indexed so that the org's owners are read without its members. */
  orgOwner: (orgId: string, email: string): Key & Gsi1Key => ({
    pk: `ACCOUNT#${email}`,
    sk: `${prefix.orgOwner}${orgId}`,
    gsi1pk: `ORG#${orgId}`,
    gsi1sk: `OWNER#${email}`,
  }),
  team: (orgId: string, team: string): Key => ({ pk: `ORG#${orgId}`, sk: `TEAM#${team}` }),
  teamMember: (orgId: string, team: string, email: string): Key & Gsi1Key => ({
    pk: `ACCOUNT#${email}`,
    sk: `MEMBER#${orgId}#TEAM#${team}`,
    gsi1pk: `ORG#${orgId}`,
    gsi1sk: `MEMBER#${email}#TEAM#${team}`,
  }),
  invitation: (orgId: string, email: string): Key & Gsi1Key => ({
    pk: `ACCOUNT#${email}`,
    sk: `INVITE#${orgId}`,
    gsi1pk: `ORG#${orgId}`,
    gsi1sk: `INVITE#${email}`,
  }),

  /**
   * An invitation's entry on the lifecycle schedule (SPEC §13), written with it: indexed at
   * the time the scheduled run has to expire or delete it (`lifecycleDue`).
   */
  invitationDue: (orgId: string, email: string): Key => ({
    pk: `ORG#${orgId}`,
    sk: `${prefix.invitationDue}${email}`,
  }),
  /** A bulk invitation run under its idempotency key (SPEC §13). */
  bulkRun: (orgId: string, key: string): Key => ({
    pk: `ORG#${orgId}`,
    sk: `${prefix.bulkRun}${key}`,
  }),
  /** Index key that puts an item on the invitation lifecycle schedule, due at `dueAt`. */
  lifecycleDue: (dueAt: string, id: string): Gsi1Key => ({
    gsi1pk: LIFECYCLE_DUE,
    gsi1sk: `${dueAt}#${id}`,
  }),

  /** A scope's claim on a domain; several scopes may claim one domain while it is pending. */
  domainClaim: (scope: ScopeRef, domain: string): Key => ({
    pk: scopeKey(scope),
    sk: `DOMAIN#${domain}`,
  }),
  /** Index key that puts a claim on the domain checker's schedule; absent when nothing is due. */
  domainCheck: (nextCheckAt: string, domain: string): Gsi1Key => ({
    gsi1pk: 'DOMAINCHECK',
    gsi1sk: `${nextCheckAt}#${domain}`,
  }),
  /** The one verifier of a domain, with what the sign-in path needs to know about it. */
  domainVerified: (domain: string): Key => ({ pk: `DOMAIN#${domain}`, sk: 'VERIFIED' }),

  ssoConnection: (scope: ScopeRef, connectionId: string): Key => ({
    pk: scopeKey(scope),
    sk: `SSO#${connectionId}`,
  }),
  /** Copy of a connection under its provider name, read by the sign-in path; also keeps provider names unique. */
  /**
   * SPEC §12: the last day `email` signed in on the connection's domains without it (a password,
   * social or other provider's sign-in), for the no-lockout count; written at most once a day.
   */
  nonSsoSignIn: (connectionId: string, email: string): Key => ({
    pk: `SSO#${connectionId}`,
    sk: `${prefix.nonSsoSignIn}${email}`,
  }),
  ssoProvider: (providerName: string): Key => ({
    pk: `PROVIDER#${providerName}`,
    sk: 'PROVIDER',
  }),

  /**
   * An event of an org (`pk` `ORG#<id>`) or a company-level event (`COMPANY#<id>`), sorted by its
   * number in that scope (SPEC §11): newest first is the sort key descending, and "after n" a key
   * condition. Numbers are zero-padded to `EVENT_SEQ_DIGITS` so that string order is number order.
   */
  event: (scope: ScopeRef, seq: number): Key => ({ pk: scopeKey(scope), sk: eventSeqSk(seq) }),
  /**
   * An event written before events were numbered: sorted by time (`at` is ISO-8601 UTC, so string
   * order is time order), before every numbered event of its scope (`2…` < `SEQ#…`).
   */
  unnumberedEvent: (scope: ScopeRef, at: string, eventId: string): Key => ({
    pk: scopeKey(scope),
    sk: `${prefix.event}${at}#${eventId}`,
  }),
  /** A scope's event counter: `n`, the number of its last event (absent before the first). */
  eventCounter: (scope: ScopeRef): Key => ({ pk: scopeKey(scope), sk: EVENT_COUNTER_SK }),
  /** Index key that lists an event in its company's activity, by time. */
  companyEventIndex: (companyId: string, at: string, eventId: string): Gsi1Key => ({
    gsi1pk: `EVENTS#COMPANY#${companyId}`,
    gsi1sk: `${prefix.event}${at}#${eventId}`,
  }),

  outbox: (outboxId: string): Key => ({ pk: `OUTBOX#${outboxId}`, sk: 'OUTBOX' }),
  delivery: (outboxId: string, recipient: string): Key => ({
    pk: `OUTBOX#${outboxId}`,
    sk: `DELIVERY#${recipient}`,
  }),
  /** A webhook endpoint of an org or a company (SPEC §11). */
  webhook: (scope: ScopeRef, webhookId: string): Key => ({
    pk: scopeKey(scope),
    sk: `${prefix.webhook}${webhookId}`,
  }),
  /**
   * A webhook's signing secrets, apart from the endpoint, in a partition of their own: only the
   * delivery worker may read keys starting `WEBHOOKSECRET#` (infra denies it to the others).
   */
  webhookSecret: (webhookId: string): Key => ({
    pk: `${WEBHOOK_SECRET_PARTITION_PREFIX}${webhookId}`,
    sk: 'SECRET',
  }),
  /** One delivery attempt; attempts sort by time. */
  webhookAttempt: (webhookId: string, at: string, eventId: string, attempt: number): Key => ({
    pk: `WEBHOOK#${webhookId}`,
    sk: `${prefix.webhookAttempt}${at}#${eventId}#${attempt}`,
  }),
  /** The partition of a webhook's secrets and attempts. */
  webhookPartition: (webhookId: string): string => `WEBHOOK#${webhookId}`,
  /** A replay request, picked up from the stream by the publisher. */
  webhookReplay: (replayId: string): Key => ({
    pk: `WEBHOOKREPLAY#${replayId}`,
    sk: WEBHOOK_REPLAY_SK,
  }),
  /** A connection's SCIM bearer token, as a hash (SPEC §10). */
  scimToken: (connectionId: string) => scimKey(connectionId, 'TOKEN'),
  scimUser: (connectionId: string, id: string) => scimKey(connectionId, `${prefix.scimUser}${id}`),
  /** A SCIM userName's owner in a connection (`userNameKey`: lower case, trimmed). */
  scimUserName: (connectionId: string, userNameKey: string) =>
    scimKey(connectionId, `USERNAME#${userNameKey}`),
  scimGroup: (connectionId: string, id: string) =>
    scimKey(connectionId, `${prefix.scimGroup}${id}`),
  scimGroupName: (connectionId: string, displayNameKey: string) =>
    scimKey(connectionId, `GROUPNAME#${displayNameKey}`),
  /** The partition of a connection's SCIM resources. */
  scim: scimPartition,
  /** A person SCIM deactivated or deleted in a connection: denied at its SSO sign-in (mirrored). */
  scimDeactivated: (email: string, connectionId: string): Key => ({
    pk: `ACCOUNT#${email}`,
    sk: `${prefix.scimDeactivated}${connectionId}`,
  }),
  /**
   * A throttled per-person notice (seat limit reached, auto-provisioning skipped, SSO
   * enforcement's report; its refusal, keyed by the connection's id in place of the org's), read
   * with the person.
   */
  notice: (email: string, kind: string, orgId: string): Key => ({
    pk: `ACCOUNT#${email}`,
    sk: `NOTICE#${kind}#${orgId}`,
  }),
} as const;

/** Sort-key prefixes used in queries and in telling item kinds apart within a partition. */
export const prefix = {
  member: 'MEMBER#',
  invitation: 'INVITE#',
  companyOwner: 'COMPANYOWNER#',
  notice: 'NOTICE#',
  team: 'TEAM#',
  event: 'EVENT#',
  /** Numbered events (SPEC §11); events before numbering have a timestamp here instead. */
  numberedEvent: 'EVENT#SEQ#',
  domain: 'DOMAIN#',
  sso: 'SSO#',
  owner: 'OWNER#',
  orgOwner: 'ORGOWNER#',
  org: 'ORG#',
  teamInfix: '#TEAM#',
  scimUser: 'USER#',
  scimGroup: 'GROUP#',
  scimDeactivated: 'SCIMOFF#',
  nonSsoSignIn: 'NONSSO#',
  webhook: 'WEBHOOK#',
  webhookAttempt: 'ATTEMPT#',
  emailDomain: 'EMAILDOMAIN#',
  invitationDue: 'INVITEDUE#',
  bulkRun: 'BULK#',
} as const;

/** The partition-key prefix of webhook secrets: IAM denies reading it to all but deliveries. */
export const WEBHOOK_SECRET_PARTITION_PREFIX = 'WEBHOOKSECRET#';

/** The sort key of replay requests; the publisher's stream filter matches on it. */
export const WEBHOOK_REPLAY_SK = 'WEBHOOKREPLAY';
/** The index partition of the invitation lifecycle schedule (`keys.lifecycleDue`). */
export const LIFECYCLE_DUE = 'INVITEDUE';

/** The sort key of a scope's event counter (not under `EVENT#`: no event list reads it). */
export const EVENT_COUNTER_SK = 'EVENTSEQ';

/** Digits of an event number in a sort key: 10^12 events per scope. */
export const EVENT_SEQ_DIGITS = 12;

/** The largest event number a sort key holds. */
export const MAX_EVENT_SEQ = 10 ** EVENT_SEQ_DIGITS - 1;

/** The sort key of a scope's event number `seq` (1, 2, …). */
export function eventSeqSk(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 0 || seq > MAX_EVENT_SEQ) {
    throw new RangeError(`An event number must be an integer from 0 to ${MAX_EVENT_SEQ}`);
  }
  return `${prefix.numberedEvent}${String(seq).padStart(EVENT_SEQ_DIGITS, '0')}`;
}

/** The sort key value of outbox items; the notifier's stream filter matches on it. */
export const OUTBOX_SK = 'OUTBOX';

/**
 * The table, described once. `infra/` turns it into a CDK table; the local stack and the
 * integration tests into a CreateTable call.
 */
export const tableDefinition = {
  partitionKey: attr.pk,
  sortKey: attr.sk,
  globalSecondaryIndexes: [{ indexName: GSI1, partitionKey: attr.gsi1pk, sortKey: attr.gsi1sk }],
  timeToLiveAttribute: attr.ttl,
  streamViewType: 'NEW_AND_OLD_IMAGES',
} as const;

/** The CreateTable input for DynamoDB Local (on-demand, streams on, like the deployed table). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const d = tableDefinition;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      d.partitionKey,
      d.sortKey,
      ...d.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey]),
    ].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: d.partitionKey, KeyType: 'HASH' },
      { AttributeName: d.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: d.globalSecondaryIndexes.map((g) => ({
      IndexName: g.indexName,
      KeySchema: [
        { AttributeName: g.partitionKey, KeyType: 'HASH' },
        { AttributeName: g.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: d.streamViewType },
  };
}
