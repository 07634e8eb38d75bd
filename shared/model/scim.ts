/**
 * SCIM resources as Provisio keeps them (SPEC §10), one per item in the connection's
 * `SCIM#<connectionId>` partition (`shared/table/schema.ts`). `attributes` is the resource as
 * the client last wrote it, normalised (`resource.ts`); the other fields are what Provisio
 * derives from it and indexes.
 */
import type { ScopeRef } from '../table/schema.ts';

export interface ScimUserRecord {
  id: string;
  userName: string;
  externalId: string | null;
  /** The person this user is: an address of one of the connection's verified domains. */
  email: string;
  active: boolean;
  attributes: Record<string, unknown>;
  created: string;
  lastModified: string;
  /** Optimistic-lock version, +1 on every write (the resource's ETag). */
  version: number;
}

export interface ScimGroupRecord {
  id: string;
  displayName: string;
  externalId: string | null;
  /** Member user ids, in the order they were added. */
  members: string[];
  attributes: Record<string, unknown>;
  created: string;
  lastModified: string;
  version: number;
}

/** A connection's SCIM bearer token: only its SHA-256 is kept. */
export interface ScimTokenRecord {
  connectionId: string;
  scope: ScopeRef;
  /** Hex SHA-256 of the token. */
  tokenHash: string;
  createdAt: string;
  createdBy: string;
}

/** The key of a userName or displayName in its uniqueness guard: trimmed, lower case. */
export const nameKey = (name: string): string => name.trim().toLowerCase();
