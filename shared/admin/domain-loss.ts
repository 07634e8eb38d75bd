/**
 * SPEC §8, domain loss: a domain that stops being verified (removed by its scope, or its
 * verification lost, as the domain checker finds) leaves every SSO connection serving it in the
 * same change. Both paths (admin/domains.ts, admin/domain-checker.ts) ask this file.
 */
import type { ConnectionRecord, ScopeContext, Write } from '../model/writes.ts';
import { type Ctx, newEvent, newNotification } from './context.ts';

/** An outbox task re-syncing a created provider's `IdpIdentifiers` after the commit. */
const syncProvider = (ctx: Ctx, c: ConnectionRecord): Write[] =>
  c.idp.source === 'created'
    ? [
        {
          kind: 'task',
          id: ctx.deps.newId(),
          at: ctx.at,
          task: { type: 'syncProviderIdentifiers', providerName: c.providerName },
        },
      ]
    : [];

/**
 * SPEC §8: a domain that stops being verified (removed, or its verification lost) leaves every
 * connection serving it, in the same transaction: the connection and its sign-in copy, an
 * `sso_connection_updated` event, the owners told, and the provider's `IdpIdentifiers` synced
 * after the commit. A connection left with no domain stays, inactive: its sign-ins are denied.
 */
export function planDomainDetach(
  ctx: Ctx,
  scope: ScopeContext,
  domain: string,
  connections: readonly ConnectionRecord[],
  reason: 'domain_removed' | 'domain_verification_lost',
): Write[] {
  const writes: Write[] = [];
  for (const c of connections) {
    if (!c.domains.includes(domain)) continue;
    const next: ConnectionRecord = {
      ...c,
      domains: c.domains.filter((d) => d !== domain),
      rev: c.rev + 1,
    };
    const conflict = `SSO connection ${c.id} changed meanwhile; retry`;
    writes.push(
      { kind: 'putConnection', connection: next, conflict },
      { kind: 'putProvider', connection: next, conflict },
      {
        kind: 'event',
        event: newEvent(ctx, scope, 'sso_connection_updated', c.id, {
          changes: { domains: { from: c.domains, to: next.domains } },
          reason,
          active: next.domains.length > 0,
        }),
      },
      {
        kind: 'outbox',
        notification: newNotification(
          ctx,
          scope,
          'sso_domain_detached',
          { email: ctx.caller.email, name: null },
          {
            domain,
            reason,
            connectionId: c.id,
            connectionName: c.name,
            remainingDomains: next.domains,
          },
        ),
      },
      ...syncProvider(ctx, next),
    );
  }
  return writes;
}
