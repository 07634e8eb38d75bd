/**
 * What the DNS adapters share: a fresh c-ares resolver per look-up (no answer kept between
 * calls, negative or positive), through the resolvers in `DNS_SERVERS` (`host:port`,
 * comma-separated; the system's when empty), and one reading of its failures. `node:dns` loads
 * with the first look-up, not with the function: the admin function's cold start does not pay
 * for it.
 */
import type { Resolver } from 'node:dns/promises';
import { UnavailableError } from '../../errors.ts';

/** Answers that mean "no such record", not "could not ask". */
const ABSENT = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME']);

export interface ResolverOptions {
  /** Per try, ms. @default 2000 */
  readonly timeoutMs?: number;
  /** @default 2 */
  readonly tries?: number;
}

/** `use` run with a resolver of its own, cancelled once it is done. */
export async function withResolver<T>(
  servers: readonly string[],
  options: ResolverOptions,
  use: (resolver: Resolver) => Promise<T>,
): Promise<T> {
  const dns = await import('node:dns/promises');
  const resolver = new dns.Resolver({
    timeout: options.timeoutMs ?? 2000,
    tries: options.tries ?? 2,
  });
  if (servers.length) resolver.setServers([...servers]);
  try {
    return await use(resolver);
  } finally {
    resolver.cancel();
  }
}

/** The records `ask` finds for `name`; `[]` when it has none; 503 when DNS could not answer. */
export async function records<T>(name: string, ask: () => Promise<T[]>): Promise<T[]> {
  try {
    return await ask();
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (ABSENT.has(code)) return [];
    throw new UnavailableError(`DNS look-up of ${name} failed (${code || 'error'})`, {
      cause: error,
    });
  }
}
