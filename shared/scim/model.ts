/**
 * The SCIM service's ports (SPEC §10): its own reads of the connection's SCIM partition, beside
 * the admin store whose reads and one write path (`apply`) it shares.
 */

import type { ScimGroupRecord, ScimTokenRecord, ScimUserRecord } from '../model/scim.ts';
import type { AdminStore } from '../model/writes.ts';

export interface ScimStore {
  getToken(connectionId: string): Promise<ScimTokenRecord | undefined>;
  getUser(connectionId: string, id: string): Promise<ScimUserRecord | undefined>;
  /** Users by id, in the order asked (`undefined` where none), in as few reads as the store allows. */
  getUsers(connectionId: string, ids: readonly string[]): Promise<(ScimUserRecord | undefined)[]>;
  getGroup(connectionId: string, id: string): Promise<ScimGroupRecord | undefined>;
  /** The id of the user holding a userName (its `nameKey`), if any. */
  userIdByName(connectionId: string, userNameKey: string): Promise<string | undefined>;
  /** The id of the group holding a displayName (its `nameKey`), if any. */
  groupIdByName(connectionId: string, displayNameKey: string): Promise<string | undefined>;
  /** Every user of the connection, in id order (stable paging). */
  listUsers(connectionId: string): Promise<ScimUserRecord[]>;
  /** Every group of the connection, in id order. */
  listGroups(connectionId: string): Promise<ScimGroupRecord[]>;
}

export interface ScimDeps {
  store: AdminStore;
  scim: ScimStore;
  now: () => Date;
  newId: () => string;
}
