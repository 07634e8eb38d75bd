/**
 * The admin API's reads (SPEC §5): access checks and single records, each by key (GetItem or
 * BatchGetItem, strongly consistent). Access patterns: docs/data-model.md, "Admin API".
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Role } from '../../model/types.ts';
import type { AdminStore, OrgAccess } from '../../model/writes.ts';
import { type Key, keys, prefix } from '../../table/schema.ts';
import { readCompany, readConnectionRecord, readMember, str } from './admin-records.ts';
import {
  type DomainClaimRecord,
  readBulkRun,
  readConnection,
  readDomainClaim,
  readInvitation,
  readOrg,
  readPerson,
  readVerifiedDomain,
} from './items.ts';
import { readSummary } from './person-changes.ts';
import { createPersonReader } from './person-reader.ts';
import { batchGet, foundItem, getItem as getItemByKey, queryAll, queryPartition } from './query.ts';

/** The admin store's reads by key. */
export type AdminReads = Omit<
  AdminStore,
  | 'apply'
  | 'listMembers'
  | 'listInvitations'
  | 'listTeams'
  | 'listClaims'
  | 'listConnections'
  | 'listEvents'
  | 'listDomainAudit'
>;

/** The SCIM deactivations (SPEC §10) the person's summary mirrors, from a BatchGet that read it. */
const scimDeactivations = (found: Map<string, Record<string, unknown>>, email: string) =>
  readPerson(readSummary(foundItem(found, keys.personSummary(email)))).scimDeactivations ?? [];

export function createAdminReads(db: DynamoDBDocumentClient, tableName: string): AdminReads {
  const getItem = (key: Key) => getItemByKey(db, tableName, key);

  return {
    async orgAccess(orgId, email): Promise<OrgAccess | undefined> {
      // The caller's summary rides in the same BatchGet: its SCIM deactivations (SPEC §10).
      const found = await batchGet(db, tableName, [
        keys.org(orgId),
        keys.member(orgId, email),
        keys.personSummary(email),
      ]);
      const orgRaw = foundItem(found, keys.org(orgId));
      if (!orgRaw) return undefined;
      const org = readOrg(orgRaw);
      const member = foundItem(found, keys.member(orgId, email));
      const role = member ? (str(member.role) as Role) : null;
      const suspended = member?.suspended === true;
      const deactivations = scimDeactivations(found, email);
      const scimDeactivated = deactivations.some((d) => d.orgIds.includes(orgId));
      let companyOwner = false;
      if (org.companyId && (role !== 'owner' || suspended)) {
        companyOwner = !!(await getItem(keys.companyOwner(org.companyId, email)));
      }
      return { org, role, companyOwner, suspended, scimDeactivated };
    },

    async ownedCompany(companyId, email) {
      const found = await batchGet(db, tableName, [
        keys.companyOwner(companyId, email),
        keys.company(companyId),
        keys.personSummary(email),
      ]);
      const company = foundItem(found, keys.company(companyId));
      if (!company || !foundItem(found, keys.companyOwner(companyId, email))) return undefined;
      // SPEC §10: a person SCIM deactivated by a connection of the company does not own it.
      const deactivated = scimDeactivations(found, email).some(
        (d) => d.scope?.type === 'company' && d.scope.id === companyId,
      );
      return deactivated ? undefined : readCompany(company);
    },

    async getOrg(orgId) {
      const item = await getItem(keys.org(orgId));
      return item ? readOrg(item) : undefined;
    },

    async getInvitation(orgId, email) {
      const item = await getItem(keys.invitation(orgId, email));
      return item ? readInvitation(item) : undefined;
    },

    async getInvitees(orgId, emails) {
      const found = await batchGet(
        db,
        tableName,
        emails.flatMap((email) => [keys.member(orgId, email), keys.invitation(orgId, email)]),
      );
      return new Map(
        emails.map((email) => {
          const invitation = foundItem(found, keys.invitation(orgId, email));
          return [
            email,
            {
              member: !!foundItem(found, keys.member(orgId, email)),
              invitation: invitation ? readInvitation(invitation) : undefined,
            },
          ];
        }),
      );
    },

    async getBulkRun(orgId, key) {
      const item = await getItem(keys.bulkRun(orgId, key));
      return item ? readBulkRun(item) : undefined;
    },

    async getMember(orgId, email) {
      return readMember(await queryPartition(db, tableName, keys.person(email)), orgId, email);
    },

    async companyOrgs(companyId) {
      const items = await queryAll(db, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':p': keys.company(companyId).pk, ':prefix': prefix.org },
        ConsistentRead: true,
      });
      return items.map((item) => ({ id: str(item.orgId), name: str(item.name) }));
    },

    async getClaim(scope, domain) {
      const item = await getItem(keys.domainClaim(scope, domain));
      return item ? readDomainClaim(item) : undefined;
    },

    async getClaims(scope, domains) {
      const found = await batchGet(
        db,
        tableName,
        domains.map((d) => keys.domainClaim(scope, d)),
      );
      const claims = new Map<string, DomainClaimRecord>();
      for (const item of found.values()) {
        const claim = readDomainClaim(item);
        claims.set(claim.domain, claim);
      }
      return claims;
    },

    async getConnection(scope, id) {
      const item = await getItem(keys.ssoConnection(scope, id));
      return item ? readConnectionRecord(item) : undefined;
    },

    getPerson: createPersonReader(db, tableName),

    async getProvider(providerName) {
      const item = await getItem(keys.ssoProvider(providerName));
      return item ? readConnection(item) : undefined;
    },

    async callerLookup(domain, providerName) {
      const domainKey = keys.domainVerified(domain);
      const providerKey = providerName ? keys.ssoProvider(providerName) : undefined;
      const found = await batchGet(
        db,
        tableName,
        providerKey ? [domainKey, providerKey] : [domainKey],
      );
      const provider = providerKey && foundItem(found, providerKey);
      const domainItem = foundItem(found, domainKey);
      return {
        connection: provider ? readConnection(provider) : undefined,
        enforcement: (domainItem && readVerifiedDomain(domainItem).enforcement) || undefined,
      };
    },

    async countNonSsoSignIns(connectionId, since) {
      // One partition per connection; its items expire after 31 days (TTL), so it stays small.
      const key = keys.nonSsoSignIn(connectionId, '');
      const items = await queryAll(db, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :prefix)',
        FilterExpression: '#on >= :since',
        ProjectionExpression: 'sk',
        ExpressionAttributeNames: { '#on': 'on' },
        ExpressionAttributeValues: { ':p': key.pk, ':prefix': key.sk, ':since': since },
        ConsistentRead: true,
      });
      return items.length;
    },

    async getConnections(scope, ids) {
      if (!ids.length) return [];
      const found = await batchGet(
        db,
        tableName,
        ids.map((id) => keys.ssoConnection(scope, id)),
      );
      return [...found.values()].map(readConnectionRecord);
    },
  };
}
