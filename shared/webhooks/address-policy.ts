/**
 * SPEC §11, where a webhook may call: `https` only (a deployment may allow `http` to loopback
 * for local development), to a host that resolves only to public addresses. The URL is checked
 * at creation (400 where it is knowable then) and the addresses at every delivery, right
 * before connecting to the very address checked (no second look-up, so DNS rebinding cannot
 * swap it). Address classes come from ipaddr.js's range tables (IANA special-purpose
 * registries); anything but `unicast` is refused, and IPv4-mapped, -compatible, NAT64 and 6to4
 * IPv6 forms are judged by the IPv4 address they carry.
 */
import ipaddr from 'ipaddr.js';

import type { AddressPolicy } from '../model/webhooks.ts';

export type { AddressPolicy };

/** Why a URL or address is refused, in words for a 400 or a failed attempt. */
export type Refusal = string;

const MAX_URL = 2048;

/**
 * The URL's own shape: absolute, https (or http when loopback is allowed), no credentials, no
 * fragment; a literal IP host is classified at once. `undefined` when acceptable so far.
 */
export function checkWebhookUrl(raw: string, policy: AddressPolicy): Refusal | undefined {
  if (raw.length > MAX_URL) return `must be at most ${MAX_URL} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(policy.allowLoopback && url.protocol === 'http:')) {
    return 'must be an https URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.hash) return 'must not have a fragment';
  const literal = literalAddress(url.hostname);
  if (literal) return checkAddresses([literal], policy, url.protocol);
  if (url.protocol === 'http:') return undefined; // its addresses must all be loopback
  if (!url.hostname.includes('.')) return 'must name a public host (a fully qualified name)';
  return undefined;
}

/** The IP address a URL's hostname is written as (`[::1]` → `::1`), if it is one. */
export function literalAddress(hostname: string): string | undefined {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  return ipaddr.isValid(bare) && (ipaddr.IPv4.isValidFourPartDecimal(bare) || bare.includes(':'))
    ? bare
    : undefined;
}

/** IPv6 ranges that carry an IPv4 address: judged by it. */
const CARRIES_IPV4 = new Set(['ipv4Mapped', 'rfc6052', 'rfc6145', '6to4']);

const ipv4Of = (hi: number, lo: number) =>
  ipaddr.IPv4.parse(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);

/** The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = address.range();
  const p = address.parts;
  if (range === '6to4') return ipv4Of(p[1]!, p[2]!);
  if (CARRIES_IPV4.has(range)) return ipv4Of(p[6]!, p[7]!);
  // The deprecated IPv4-compatible form, ::a.b.c.d (but not :: or ::1, judged as themselves).
  if (range === 'unicast' || range === 'reserved') {
    if (p.slice(0, 6).every((x) => x === 0)) return ipv4Of(p[6]!, p[7]!);
  }
  return undefined;
}

/** One resolved or literal address against the policy; `undefined` when it may be called. */
export function checkAddress(raw: string, policy: AddressPolicy): Refusal | undefined {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.parse(raw);
  } catch {
    return `${raw} is not an IP address`;
  }
  if (address.kind() === 'ipv6') {
    const v4 = embeddedIPv4(address as ipaddr.IPv6);
    if (v4) {
      const inner = checkAddress(v4.toString(), policy);
      return inner ? `${raw} carries ${v4.toString()}: ${inner}` : undefined;
    }
  }
  const range = address.range();
  if (range === 'loopback' && policy.allowLoopback) return undefined;
  if (range === 'unicast') return undefined;
  return `${raw} is not a public address (${RANGE_NAMES[range] ?? range})`;
}

const RANGE_NAMES: Record<string, string> = {
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local, including cloud metadata',
  uniqueLocal: 'IPv6 unique-local',
  unspecified: 'unspecified',
  carrierGradeNat: 'carrier-grade NAT',
  reserved: 'reserved',
  multicast: 'multicast',
  broadcast: 'broadcast',
  benchmarking: 'benchmarking',
  amt: 'reserved',
  as112: 'reserved',
  deprecated: 'deprecated',
  orchid2: 'reserved',
  droneRemoteIdProtocolEntityTags: 'reserved',
  teredo: 'Teredo',
};

/**
 * Every address a name resolved to must pass: one private answer refuses the lot. Over `http`
 * (`protocol`, where the deployment allows it) every address must be loopback: plain http goes
 * nowhere else.
 */
export function checkAddresses(
  addresses: readonly string[],
  policy: AddressPolicy,
  protocol = 'https:',
): Refusal | undefined {
  if (addresses.length === 0) return 'the host does not resolve';
  for (const a of addresses) {
    const refusal = checkAddress(a, policy);
    if (refusal) return refusal;
    if (protocol === 'http:' && !isLoopback(a)) {
      return `${a} is not a loopback address: http is allowed to loopback only; use https`;
    }
  }
  return undefined;
}

/** Whether an address (checked by `checkAddress` already) is loopback, IPv4-mapped or not. */
function isLoopback(raw: string): boolean {
  const address = ipaddr.process(raw);
  return address.range() === 'loopback';
}
