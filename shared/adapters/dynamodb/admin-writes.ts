/**
 * The admin API's writes (SPEC §5): `apply` turns the core's planned writes into one
 * transaction (transact.ts) whose conditions guard every invariant (org name uniqueness, seats,
 * the last owner, one verifier per domain, unique provider names, optimistic locks). A failed
 * condition becomes the 409 (or 404) the core attached to that write.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AdminStore, ConnectionRecord, Write } from '../../admin/model.ts';
import { AppError, ConflictError } from '../../errors.ts';
import { type Key, keys, primaryKey } from '../../table/schema.ts';
import {
  companyItem,
  companyOrgItem,
  companyOwnerItem,
  type DomainClaimRecord,
  domainClaimItem,
  domainVerifiedItem,
  eventItem,
  invitationItem,
  memberItem,
  noticeItem,
  orgItem,
  orgNameGuardItem,
  outboxItem,
  outboxTaskItem,
  scimDeactivatedItem,
  scimGroupItem,
  scimNameItem,
  scimTokenItem,
  scimUserItem,
  ssoConnectionItem,
  ssoProviderItem,
  teamMemberItem,
} from './items.ts';
import { PersonChanges } from './person-changes.ts';
import {
  type Guarded,
  MAX_TRANSACTION_ITEMS,
  SEAT_FREE,
  SEAT_FREE_VALUES,
  type TransactItem,
  TransactionRefused,
  teamCountUpdate,
  transactWrite,
} from './transact.ts';

/** The admin store's `apply`. */
export function createAdminWrites(
  db: DynamoDBDocumentClient,
  tableName: string,
): Pick<AdminStore, 'apply'> {
  const put = (
    Item: Record<string, unknown>,
    condition?: string,
    values?: Record<string, unknown>,
    names?: Record<string, string>,
  ): TransactItem => ({
    Put: {
      TableName: tableName,
      Item,
      ...(condition ? { ConditionExpression: condition } : {}),
      ...(values ? { ExpressionAttributeValues: values } : {}),
      ...(names ? { ExpressionAttributeNames: names } : {}),
    },
  });
  const update = (
    Key: Key,
    UpdateExpression: string,
    ConditionExpression: string | undefined,
    values: Record<string, unknown>,
    names?: Record<string, string>,
  ): TransactItem => ({
    Update: {
      TableName: tableName,
      Key: { pk: Key.pk, sk: Key.sk },
      UpdateExpression,
      ...(ConditionExpression ? { ConditionExpression } : {}),
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      ...(names ? { ExpressionAttributeNames: names } : {}),
    },
  });
  const del = (
    Key: Key,
    condition: string,
    values?: Record<string, unknown>,
    names?: Record<string, string>,
  ): TransactItem => ({
    Delete: {
      TableName: tableName,
      Key: { pk: Key.pk, sk: Key.sk },
      ConditionExpression: condition,
      ...(values ? { ExpressionAttributeValues: values } : {}),
      ...(names ? { ExpressionAttributeNames: names } : {}),
    },
  });
  const absent = 'attribute_not_exists(pk)';
  /** A versioned SCIM resource: new at version 1, else replacing the version before. */
  const versioned = (item: Record<string, unknown>, version: number): TransactItem =>
    version === 1 ? put(item, absent) : put(item, 'version = :prev', { ':prev': version - 1 });
  const exists = 'attribute_exists(pk)';
  const noCompany = '(attribute_not_exists(companyId) OR attribute_type(companyId, :null))';

  /** A claim is still as read: its status, auto-provisioning and connections. */
  const claimAsRead = (c: DomainClaimRecord) => ({
    condition:
      // txtValue tells a claim from one removed and added again meanwhile (a new token).
      'attribute_exists(pk) AND #status = :bStatus AND autoProvisioning = :bAp AND ssoConnectionIds = :bIds AND txtValue = :bTxt',
    values: {
      ':bStatus': c.status,
      ':bTxt': c.txtValue,
      ':bAp': { enabled: c.autoProvisioning.enabled, orgId: c.autoProvisioning.orgId },
      ':bIds': c.ssoConnectionIds,
    },
    names: { '#status': 'status' },
  });

  /** A write's items; the writes of mirrored person items are also recorded in `summary`. */
  function toItems(w: Write, summary: PersonChanges): TransactItem[] {
    switch (w.kind) {
      case 'putOrg':
        return [put(orgItem(w.org), absent)];
      case 'putOrgName':
        return [put(orgNameGuardItem(w.name, w.orgId, w.companyId), absent)];
      case 'setOrgNameCompany':
        return [
          update(
            keys.orgNameGuard(w.name),
            'SET companyId = :c',
            'attribute_exists(pk) AND orgId = :o',
            { ':c': w.companyId, ':o': w.orgId },
          ),
        ];
      case 'setSeatLimit':
        return [
          w.seatLimit === null
            ? update(keys.org(w.orgId), 'SET seatLimit = :l', exists, { ':l': null })
            : update(keys.org(w.orgId), 'SET seatLimit = :l', `${exists} AND seatsUsed <= :l`, {
                ':l': w.seatLimit,
              }),
        ];
      case 'orgCounters': {
        const adds: string[] = [];
        const conditions = [exists];
        const values: Record<string, unknown> = {};
        if (w.seats) {
          adds.push('seatsUsed :seats');
          values[':seats'] = w.seats;
          if (w.seats > 0) {
            // The seat invariant, the very condition the sign-in writes (transact.ts).
            conditions.push(SEAT_FREE);
            Object.assign(values, SEAT_FREE_VALUES);
          } else {
            conditions.push('seatsUsed > :zero');
            values[':zero'] = 0;
          }
        }
        if (w.owners) {
          adds.push('ownerCount :owners');
          values[':owners'] = w.owners;
          if (w.owners < 0) {
            // The last-owner guard; a suspended owner stays a member, so the count may reach 0.
            conditions.push(w.suspending ? 'ownerCount > :none' : 'ownerCount > :one');
            values[w.suspending ? ':none' : ':one'] = w.suspending ? 0 : 1;
          }
        }
        if (w.ownConfig) {
          adds.push('ownConfig :own');
          values[':own'] = w.ownConfig;
          if (w.ownConfig > 0) {
            conditions.push(noCompany);
            values[':null'] = 'NULL';
          }
        }
        return [
          update(keys.org(w.orgId), `ADD ${adds.join(', ')}`, conditions.join(' AND '), values),
        ];
      }
      case 'joinCompany':
        return [
          update(
            keys.org(w.orgId),
            'SET companyId = :c',
            `${exists} AND ${noCompany} AND (attribute_not_exists(ownConfig) OR ownConfig = :zero)`,
            { ':c': w.companyId, ':null': 'NULL', ':zero': 0 },
          ),
        ];
      case 'putMember': {
        const item = memberItem(w.email, w.membership);
        summary.put(item);
        return [put(item, absent)];
      }
      case 'setRole':
        summary.updated(memberItem(w.email, { ...w.membership, role: w.to }));
        return [
          update(
            keys.member(w.orgId, w.email),
            'SET #role = :to',
            'attribute_exists(pk) AND #role = :from',
            { ':to': w.to, ':from': w.from },
            { '#role': 'role' },
          ),
        ];
      case 'setSuspended':
        summary.updated(memberItem(w.email, { ...w.membership, suspended: w.suspended }));
        return [
          update(
            keys.member(w.orgId, w.email),
            w.suspended ? 'SET suspended = :t' : 'REMOVE suspended',
            w.suspended
              ? 'attribute_exists(pk) AND #role = :owner AND attribute_not_exists(suspended)'
              : 'attribute_exists(pk) AND #role = :owner AND suspended = :t',
            { ':owner': 'owner', ':t': true },
            { '#role': 'role' },
          ),
        ];
      case 'deleteMember':
        summary.delete(keys.member(w.orgId, w.email), w.role);
        // The role as read: the org's owner count and owner entry follow it.
        return [
          del(
            keys.member(w.orgId, w.email),
            'attribute_exists(pk) AND #role = :role',
            { ':role': w.role },
            { '#role': 'role' },
          ),
        ];
      case 'deleteTeamMember':
        summary.delete(keys.teamMember(w.orgId, w.team, w.email));
        return [
          del(keys.teamMember(w.orgId, w.team, w.email), exists),
          update(keys.team(w.orgId, w.team), 'ADD memberCount :minus', exists, { ':minus': -1 }),
        ];
      case 'checkNotMember':
        return [
          {
            ConditionCheck: {
              TableName: tableName,
              Key: { pk: keys.member(w.orgId, w.email).pk, sk: keys.member(w.orgId, w.email).sk },
              ConditionExpression: absent,
            },
          },
        ];
      case 'putInvitation': {
        const item = invitationItem(w.email, w.invitation);
        summary.put(item);
        return [put(item, absent)];
      }
      case 'deleteInvitation':
        summary.delete(keys.invitation(w.orgId, w.email));
        return [del(keys.invitation(w.orgId, w.email), exists)];
      case 'putCompany':
        return [put(companyItem(w.company), absent)];
      case 'putCompanyOwner': {
        const item = companyOwnerItem(w.companyId, w.companyName, w.email, w.at);
        summary.put(item);
        return [put(item)];
      }
      case 'putCompanyOrg':
        return [put(companyOrgItem(w.companyId, w.orgId, w.name))];
      case 'putClaim':
        return [put(domainClaimItem(w.claim), absent)];
      case 'updateClaim': {
        const asRead = claimAsRead(w.before);
        const sets: string[] = [];
        const removes: string[] = [];
        const values: Record<string, unknown> = { ...asRead.values };
        const names: Record<string, string> = { ...asRead.names };
        // Only what changed, so a concurrent domain-checker write to other fields is kept.
        const fields = [
          'status',
          'autoProvisioning',
          'ssoConnectionIds',
          'verifiedAt',
          'missingSince',
          'nextCheckAt',
        ] as const;
        for (const f of fields) {
          if (JSON.stringify(w.before[f]) === JSON.stringify(w.after[f])) continue;
          names[`#${f}`] = f;
          values[`:${f}`] = w.after[f];
          sets.push(`#${f} = :${f}`);
        }
        if (w.before.nextCheckAt !== w.after.nextCheckAt) {
          if (w.after.nextCheckAt) {
            const check = keys.domainCheck(w.after.nextCheckAt, w.after.domain);
            sets.push('gsi1pk = :gsi1pk', 'gsi1sk = :gsi1sk');
            values[':gsi1pk'] = check.gsi1pk;
            values[':gsi1sk'] = check.gsi1sk;
          } else {
            removes.push('gsi1pk', 'gsi1sk');
          }
        }
        if (!sets.length && !removes.length) return [];
        const expression = [
          sets.length ? `SET ${sets.join(', ')}` : '',
          removes.length ? `REMOVE ${removes.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join(' ');
        return [
          update(
            keys.domainClaim(w.before.scope, w.before.domain),
            expression,
            asRead.condition,
            values,
            names,
          ),
        ];
      }
      case 'deleteClaim': {
        const asRead = claimAsRead(w.claim);
        return [
          del(
            keys.domainClaim(w.claim.scope, w.claim.domain),
            asRead.condition,
            asRead.values,
            asRead.names,
          ),
        ];
      }
      case 'putVerified':
        return [
          put(
            domainVerifiedItem({
              domain: w.domain,
              scope: w.scope,
              autoProvisioning: w.autoProvisioning,
              ssoConnectionIds: w.ssoConnectionIds,
              verifiedAt: w.verifiedAt,
            }),
            // One verifier per domain.
            'attribute_not_exists(pk) OR #scope = :mine',
            { ':mine': { type: w.scope.type, id: w.scope.id } },
            { '#scope': 'scope' },
          ),
        ];
      case 'updateVerified': {
        const sets: string[] = [];
        const values: Record<string, unknown> = { ':mine': { type: w.scope.type, id: w.scope.id } };
        if (w.autoProvisioning !== undefined) {
          sets.push('autoProvisioning = :ap');
          values[':ap'] = w.autoProvisioning;
        }
        if (w.ssoConnectionIds !== undefined) {
          sets.push('ssoConnectionIds = :ids');
          values[':ids'] = w.ssoConnectionIds;
        }
        if (!sets.length) return [];
        return [
          update(
            keys.domainVerified(w.domain),
            `SET ${sets.join(', ')}`,
            'attribute_exists(pk) AND #scope = :mine',
            values,
            { '#scope': 'scope' },
          ),
        ];
      }
      case 'deleteVerified':
        return [
          del(
            keys.domainVerified(w.domain),
            'attribute_exists(pk) AND #scope = :mine',
            { ':mine': { type: w.scope.type, id: w.scope.id } },
            { '#scope': 'scope' },
          ),
        ];
      case 'putConnection': {
        const { rev, createdAt, ...connection } = w.connection;
        const item = { ...ssoConnectionItem({ ...connection, createdAt }), rev };
        return [
          rev === 1
            ? put(item, absent)
            : put(item, 'attribute_exists(pk) AND rev = :prev', { ':prev': rev - 1 }),
        ];
      }
      case 'deleteConnection':
        return [del(keys.ssoConnection(w.scope, w.id), 'rev = :rev', { ':rev': w.rev })];
      case 'putProvider': {
        const {
          rev: _rev,
          createdAt: _createdAt,
          ...connection
        } = w.connection as ConnectionRecord;
        // Provider names are unique: the copy is new, or already this connection's.
        return [
          put(
            ssoProviderItem(connection),
            'attribute_not_exists(pk) OR #id = :id',
            { ':id': connection.id },
            {
              '#id': 'id',
            },
          ),
        ];
      }
      case 'deleteProvider':
        return [
          del(
            keys.ssoProvider(w.providerName),
            '#id = :id',
            { ':id': w.connectionId },
            { '#id': 'id' },
          ),
        ];
      case 'event': {
        const e = w.event;
        return [
          put(
            eventItem(
              {
                type: e.type,
                orgId: e.orgId,
                companyId: e.companyId,
                actor: e.actor,
                subject: e.subject,
                details: e.details,
              },
              e.id,
              e.at,
            ),
          ),
        ];
      }
      case 'outbox': {
        const { id, at, ...notification } = w.notification;
        return [put({ ...outboxItem(notification, id, at), notification })];
      }
      case 'task':
        return [put(outboxTaskItem(w.task, w.id, w.at))];
      case 'putTeamMember': {
        const at = w.at;
        const item = teamMemberItem(w.email, { orgId: w.orgId, team: w.team, via: w.via }, at);
        summary.put(item);
        return [
          put(item, absent),
          teamCountUpdate(tableName, w.orgId, w.team, 1, at),
          // A team place only beside its membership (as the sign-in writes it).
          ...(w.joining
            ? []
            : [
                {
                  ConditionCheck: {
                    TableName: tableName,
                    Key: primaryKey(keys.member(w.orgId, w.email)),
                    ConditionExpression: exists,
                  },
                },
              ]),
        ];
      }
      case 'putScimToken':
        return [put(scimTokenItem(w.token))];
      case 'deleteScimToken':
        return w.ifExists
          ? [{ Delete: { TableName: tableName, Key: primaryKey(keys.scimToken(w.connectionId)) } }]
          : [del(keys.scimToken(w.connectionId), exists)];
      case 'putScimUser':
        return [versioned(scimUserItem(w.connectionId, w.user), w.user.version)];
      case 'deleteScimUser':
        return [del(keys.scimUser(w.connectionId, w.id), 'version = :v', { ':v': w.version })];
      case 'putScimGroup':
        return [versioned(scimGroupItem(w.connectionId, w.group), w.group.version)];
      case 'deleteScimGroup':
        return [del(keys.scimGroup(w.connectionId, w.id), 'version = :v', { ':v': w.version })];
      case 'putScimName':
        return [
          put(
            scimNameItem(w.connectionId, w.what, w.key, w.id),
            'attribute_not_exists(pk) OR #id = :id',
            { ':id': w.id },
            { '#id': 'id' },
          ),
        ];
      case 'deleteScimName': {
        const item = scimNameItem(w.connectionId, w.what, w.key, w.id);
        return [del({ pk: item.pk, sk: item.sk }, '#id = :id', { ':id': w.id }, { '#id': 'id' })];
      }
      case 'putNotice': {
        const item = noticeItem(w.email, w.notice, w.orgId, w.at);
        summary.put(item);
        return [
          put(
            item,
            'attribute_not_exists(pk) OR #at < :cutoff',
            { ':cutoff': w.cutoff },
            {
              '#at': 'at',
            },
          ),
        ];
      }
      case 'scimDeactivated': {
        if (!w.on) {
          summary.delete(keys.scimDeactivated(w.email, w.connectionId));
          return [
            {
              Delete: {
                TableName: tableName,
                Key: primaryKey(keys.scimDeactivated(w.email, w.connectionId)),
              },
            },
          ];
        }
        const item = scimDeactivatedItem(w.email, w.connectionId, w.at, w.cover);
        summary.put(item);
        return [put(item)];
      }
    }
  }

  async function apply(writes: Write[]): Promise<void> {
    // Each item's guard is the index of the write it belongs to, whose `conflict` says what a
    // failed condition means; the person summaries carry no condition that can fail.
    const items: Guarded<number>[] = [];
    const summary = new PersonChanges();
    writes.forEach((w, i) => {
      for (const item of toItems(w, summary)) items.push({ item, guard: i });
    });
    for (const item of summary.items(tableName)) items.push({ item, guard: undefined });
    try {
      await transactWrite(db, items, {
        // A transaction cancelled only by another touching the same items wrote nothing.
        conflictRetries: 4,
        tooLarge: (n) =>
          new ConflictError(
            `This change touches ${n} items; one change may touch at most ${MAX_TRANSACTION_ITEMS}`,
          ),
      });
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const failed = error.failed[0];
      if (failed === undefined) {
        throw new ConflictError('The change conflicted with a concurrent one; try again', {
          cause: error,
        });
      }
      const conflict = writes[failed]!.conflict;
      if (conflict instanceof AppError) throw conflict;
      throw new ConflictError(
        conflict ?? 'The resource changed meanwhile; read it again and retry',
        { cause: error },
      );
    }
  }

  return { apply };
}
