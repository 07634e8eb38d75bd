/**
 * What the DNS adapters share: a fresh c-ares resolver per look-up (no answer kept between
 * calls, negative or positive), through the resolvers in `DNS_SERVERS` (`host:port`,
 * comma-separated; the system's when empty). `node:dns` loads with the first look-up, not with
 * the function: the admin function's cold start does not pay for it.
 */
import type { Resolver } from 'node:dns/promises';

/** Answers that mean "no such record", not "could not ask". */
export const ABSENT = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME']);

export interface ResolverOptions {
  /** Per try, ms. @default 2000 */
  readonly timeoutMs?: number;
  /** @default 2 */
  readonly tries?: number;
}

/** A resolver of its own for one look-up; the caller cancels it when done. */
export async function newResolver(
  servers: readonly string[],
  options: ResolverOptions,
): Promise<Resolver> {
  const dns = await import('node:dns/promises');
  const resolver = new dns.Resolver({
    timeout: options.timeoutMs ?? 2000,
    tries: options.tries ?? 2,
  });
  if (servers.length) resolver.setServers([...servers]);
  return resolver;
}
