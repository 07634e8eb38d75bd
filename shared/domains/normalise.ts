/**
 * Email and domain normalisation (SPEC §1, §2): trimmed, lower-cased, IDNA → ASCII (punycode),
 * no trailing dot. Pure; used by the sign-in path and the admin API alike.
 */
import { domainToASCII } from 'node:url';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The canonical ASCII form of a domain, or `undefined` when it is not a usable hostname
 * (empty, an IP address, a single label, bad characters, too long).
 */
export function normaliseDomain(input: string): string | undefined {
  // NFKC folds full-width and compatibility forms so that every spelling of a domain meets
  // the same IDNA mapping; domainToASCII applies UTS #46 (lower-casing included).
  let domain = input
    .normalize('NFKC')
    .trim()
    .replace(/[。．｡]/g, '.');
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (!domain || /[\s/\\@:?#[\]]/.test(domain)) return undefined;
  const ascii = domainToASCII(domain.toLowerCase());
  if (!ascii || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2) return undefined;
  if (!labels.every((l) => LABEL.test(l))) return undefined;
  if (/^\d+$/.test(labels[labels.length - 1]!)) return undefined; // an IPv4 address
  return ascii;
}

/** A normalised email split into its parts. */
export interface NormalisedEmail {
  email: string;
  local: string;
  domain: string;
}

/**
 * The local part as SPEC §8 compares it: only ASCII `A`–`Z` are lower-cased. No Unicode case
 * folding and no normalisation (NFC or NFKC) applies, so `K` (U+212A KELVIN SIGN, which NFC
 * maps to `K`) stays itself and a full-width `ａ` is not `a`: an IdP's `Kate@victim.com`
 * written with a Kelvin sign is another address than `kate@victim.com`.
 */
const lowerAscii = (local: string): string => local.replace(/[A-Z]+/g, (s) => s.toLowerCase());

/**
 * The canonical form of an email: trimmed, exactly one `@`, the local part with ASCII letters
 * lower-cased (and nothing else changed), the domain IDNA → ASCII (§1, §8).
 * Returns `undefined` when the input is not a usable email.
 */
export function normaliseEmail(input: unknown): NormalisedEmail | undefined {
  if (typeof input !== 'string' || input.length > 320) return undefined;
  const trimmed = input.trim();
  const parts = trimmed.split('@');
  if (parts.length !== 2) return undefined;
  const local = lowerAscii(parts[0]!);
  if (!local || local.length > 64 || /[\s\p{Cc}]/u.test(local)) return undefined;
  const domain = normaliseDomain(parts[1]!);
  if (!domain) return undefined;
  return { email: `${local}@${domain}`, local, domain };
}
