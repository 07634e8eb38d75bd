/**
 * SPEC §2: turning a Cognito trigger event or an HTTP hook body into one `SignIn`.
 * Pure; no dependency beyond node:url (through the domain normaliser).
 */
import { normaliseEmail } from '../domains/normalise.ts';
import type { SignIn } from '../model/types.ts';
import { isVerifiedFlag, primaryProvider } from '../trust/vouch.ts';

const MAX_NAME = 256;
/** At most this many groups are taken from a sign-in. */
export const MAX_GROUPS = 200;
const MAX_GROUP_LENGTH = 256;

function cleanName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Control characters never belong in a display name; strip them rather than fail a sign-in.
  const name = value
    .replace(/\p{Cc}/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_NAME);
  return name || undefined;
}

export function joinName(name: unknown, given: unknown, family: unknown): string | undefined {
  return (
    cleanName(name) ?? cleanName([cleanName(given), cleanName(family)].filter(Boolean).join(' '))
  );
}

export function cleanGroups(values: unknown[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (typeof v !== 'string') continue;
    const g = v.trim();
    if (g && g.length <= MAX_GROUP_LENGTH && !out.includes(g)) out.push(g);
    if (out.length >= MAX_GROUPS) break;
  }
  return out;
}

/** Groups from a Cognito attribute: a JSON array of strings or a comma-separated string. */
export function parseGroupsAttribute(raw: string | undefined): string[] {
  if (!raw?.trim()) return [];
  const text = raw.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return cleanGroups(parsed);
    } catch {
      // not JSON after all: fall through to comma-separated
    }
  }
  return cleanGroups(text.split(','));
}

/**
 * The provider name of the primary entry of Cognito's `identities` attribute (a JSON array);
 * `undefined` when there is none or it cannot be read.
 */
export const primaryProviderName = (identities: string | undefined): string | undefined =>
  primaryProvider(identities) ?? undefined;

/** Why an event could not become a `SignIn`. */
export class UnusableSignInError extends Error {}

/**
 * Cognito user attributes → `SignIn`. Throws `UnusableSignInError` when there is no usable email;
 * the trigger decides what that means (fail on the SSO path only, SPEC §2).
 */
export function fromCognitoAttributes(
  attributes: Record<string, string | undefined>,
  groupsAttribute: string,
): SignIn {
  const provider = primaryProvider(attributes.identities);
  const connection = provider ?? undefined;
  const email = normaliseEmail(attributes.email);
  if (!email) throw new UnusableSignInError('The sign-in carries no usable email');
  return {
    email: email.email,
    domain: email.domain,
    // Identities present but unreadable prove nothing (SPEC §8): the sign-in is unproven.
    emailVerified: provider !== undefined && isVerifiedFlag(attributes.email_verified),
    name: joinName(attributes.name, attributes.given_name, attributes.family_name),
    connection,
    groups: parseGroupsAttribute(attributes[groupsAttribute]),
  };
}
