/**
 * The records the admin core decides on (orgs, companies, domain claims), as the store reads
 * and writes them. Here, in the core, so that adapters import the core and never the reverse.
 */
import type { ScopeRef } from '../table/schema.ts';

/** An org (SPEC §1); `seatLimit` null means unlimited. */
export interface OrgRecord {
  id: string;
  name: string;
  companyId: string | null;
  seatLimit: number | null;
  seatsUsed: number;
  ownerCount: number;
  createdAt: string;
}

export interface CompanyRecord {
  id: string;
  name: string;
  createdAt: string;
}

/** A scope's claim on a domain (SPEC §5 domains). */
export interface DomainClaimRecord {
  domain: string;
  scope: ScopeRef;
  status: 'pending' | 'verified';
  /** The TXT value to publish: `provisio-verification=<token>`. */
  txtValue: string;
  autoProvisioning: { enabled: boolean; orgId: string | null };
  ssoConnectionIds: string[];
  addedAt: string;
  verifiedAt: string | null;
  /** When the record was first found missing since it was last seen (domain checker). */
  missingSince: string | null;
  /** When the checker looks next; absent when nothing is scheduled. */
  nextCheckAt: string | null;
}
