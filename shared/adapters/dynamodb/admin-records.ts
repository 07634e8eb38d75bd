/**
 * The admin API's items read back into records: what the admin store's reads and lists share.
 */
import type { ConnectionRecord, MemberRecord, StoredEvent } from '../../model/writes.ts';
import { DEFAULT_GROUPS_CLAIM, type ProviderSource } from '../../sso/identity-providers.ts';
import { type CompanyRecord, readConnection, readPerson, str, strOrNull } from './items.ts';

export { str, strOrNull };

/** Reads a person's role and teams in one org, and their account, from their partition. */
export function readMember(
  items: Record<string, unknown>[],
  orgId: string,
  email: string,
): MemberRecord | undefined {
  const person = readPerson(items);
  const membership = person.memberships.find((m) => m.orgId === orgId);
  if (!membership) return undefined;
  return {
    email,
    membership,
    teams: person.teamMemberships
      .filter((t) => t.orgId === orgId)
      .map((t) => ({ team: t.team, via: t.via })),
    username: person.account?.username ?? null,
    name: person.account?.name ?? null,
  };
}

/** What the record keeps of its provider; a record from before SPEC §8 counts as bound. */
export function readProviderSource(value: unknown): ProviderSource {
  const v = (value ?? {}) as Record<string, unknown>;
  if (v.source !== 'created') return { source: 'bound' };
  const groupsClaim = str(v.groupsClaim) || DEFAULT_GROUPS_CLAIM;
  return v.type === 'oidc'
    ? {
        source: 'created',
        type: 'oidc',
        issuer: str(v.issuer),
        clientId: str(v.clientId),
        groupsClaim,
      }
    : { source: 'created', type: 'saml', metadataUrl: strOrNull(v.metadataUrl), groupsClaim };
}

export function readConnectionRecord(item: Record<string, unknown>): ConnectionRecord {
  return {
    ...readConnection(item),
    idp: readProviderSource(item.idp),
    createdAt: str(item.createdAt),
    rev: typeof item.rev === 'number' ? item.rev : 1,
  };
}

export function readCompany(item: Record<string, unknown>): CompanyRecord {
  return { id: str(item.id), name: str(item.name), createdAt: str(item.createdAt) };
}

/** An event item read back; one written before numbering (SPEC §11) has `seq` null. */
export function readEvent(item: Record<string, unknown>): StoredEvent {
  return {
    id: str(item.id),
    seq: typeof item.seq === 'number' ? item.seq : null,
    type: str(item.type) as StoredEvent['type'],
    at: str(item.at),
    actor: str(item.actor),
    subject: str(item.subject),
    orgId: strOrNull(item.orgId),
    companyId: strOrNull(item.companyId),
    details:
      item.details && typeof item.details === 'object'
        ? (item.details as Record<string, unknown>)
        : {},
  };
}
