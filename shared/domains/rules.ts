/**
 * Which domains a scope may claim (SPEC §1) and how a claim is verified (SPEC §5). Pure.
 */
import { domainToASCII } from 'node:url';
import { PENDING_CHECK_INTERVAL_MS, VERIFIED_CHECK_INTERVAL_MS } from './check-schedule.ts';
import { FREE_MAILBOX_PROVIDERS, SHARED_TENANT_SUFFIXES } from './free-mailbox-providers.ts';
import { normaliseDomain } from './normalise.ts';

/** The prefix of every verification TXT value. */
export const TXT_PREFIX = 'provisio-verification=';

/** Why a domain cannot be claimed; `undefined` when it can. */
export type DomainRefusal =
  | { reason: 'invalid'; message: string }
  | { reason: 'public-suffix'; message: string }
  | { reason: 'free-mailbox'; message: string };

const publicSuffix = (domain: string): DomainRefusal => ({
  reason: 'public-suffix',
  message: `${domain} is a public suffix shared by many owners (Public Suffix List); claim your own domain below it instead`,
});

/**
 * tldts and the Public Suffix List it carries (~130 KB) are loaded by the first claim, not when
 * a handler starts: no other request needs them. Deployed, tldts is a chunk of its own beside
 * the handler (code splitting, infra/constructs/provisio-function.ts), so a cold start does not
 * parse it either.
 */
const loadTldts = () => import('tldts');

/**
 * Normalises a domain (lower case, IDNA → punycode, no trailing dot) and refuses what no org
 * can own: a public suffix (ICANN and private sections of the Public Suffix List, e.g. `com`,
 * `co.uk`, `github.io`), a shared tenant suffix (`onmicrosoft.com`) or a free mailbox provider.
 */
export async function checkClaimableDomain(
  input: string,
): Promise<{ ok: true; domain: string } | { ok: false; refusal: DomainRefusal }> {
  const { parse } = await loadTldts();
  const domain = normaliseDomain(input);
  if (!domain) {
    // A top-level suffix (`com`, `uk`) is one label, so not a hostname we keep; say why anyway.
    const single = domainToASCII(input.normalize('NFKC').trim().toLowerCase().replace(/\.$/, ''));
    const parsed = single ? parse(single, { allowPrivateDomains: true }) : undefined;
    if (parsed && parsed.publicSuffix === single && (parsed.isIcann || parsed.isPrivate)) {
      return { ok: false, refusal: publicSuffix(single) };
    }
    return {
      ok: false,
      refusal: {
        reason: 'invalid',
        message: 'is not a domain name (expected something like example.com)',
      },
    };
  }
  const parsed = parse(domain, { allowPrivateDomains: true });
  if (parsed.publicSuffix === domain || SHARED_TENANT_SUFFIXES.has(domain)) {
    return { ok: false, refusal: publicSuffix(domain) };
  }
  if (FREE_MAILBOX_PROVIDERS.has(domain)) {
    return {
      ok: false,
      refusal: {
        reason: 'free-mailbox',
        message: `${domain} is a free mailbox provider; anyone can get an address there, so it cannot belong to an organization`,
      },
    };
  }
  return { ok: true, domain };
}

/** The TXT value a scope publishes to prove it controls a domain. */
export const txtValue = (token: string): string => `${TXT_PREFIX}${token}`;

/** What a look-up found: verified when one record equals the expected value exactly. */
export function matchTxt(
  records: readonly string[],
  expected: string,
): { verified: boolean; found: string[] } {
  return { verified: records.includes(expected), found: [...records] };
}

/** Says what a failed verification found, for the 409's detail. */
export function describeTxtMiss(
  domain: string,
  expected: string,
  found: readonly string[],
): string {
  const ours = found.filter((r) => r.startsWith(TXT_PREFIX));
  if (found.length === 0) {
    return `No TXT record found at ${domain}; publish a TXT record with the value "${expected}" and try again`;
  }
  if (ours.length) {
    return `The TXT records at ${domain} carry another verification value (${ours.map((r) => `"${r}"`).join(', ')}); expected "${expected}"`;
  }
  return `${found.length} TXT record(s) found at ${domain}, none equal to "${expected}"`;
}

/**
 * When the domain checker first looks after a claim is added or verified: in an hour while
 * pending, in a day once verified. The checker's schedule is `shared/domains/check-schedule.ts`.
 */
export const nextCheck = (now: Date, status: 'pending' | 'verified'): string =>
  new Date(
    now.getTime() + (status === 'pending' ? PENDING_CHECK_INTERVAL_MS : VERIFIED_CHECK_INTERVAL_MS),
  ).toISOString();
