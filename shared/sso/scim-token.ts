/**
 * SCIM bearer tokens (SPEC §10): 32 random bytes, shown once; only their SHA-256 is stored
 * (a token of that entropy needs no slow hash) and a presented token is compared with it in
 * constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new token: `scim_` and 43 base64url characters. */
export const newScimToken = (): string => `scim_${randomBytes(32).toString('base64url')}`;

/** The hex SHA-256 the table keeps. */
export const hashScimToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

/** Whether `presented` is the token whose hash is `storedHash`, in constant time. */
export function scimTokenMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashScimToken(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The SCIM base URL of a connection, under the API's origin. */
export const scimBaseUrl = (origin: string, connectionId: string): string =>
  `${origin.replace(/\/+$/, '')}/scim/v2/${encodeURIComponent(connectionId)}`;
