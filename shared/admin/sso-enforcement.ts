/**
 * SPEC §12, SSO enforcement on the connection's side: the mode and break-glass owners a
 * connection carries, the mirror of them on each of its domains' verified items (what the doors
 * read, shared/trust/enforcement.ts), and the no-lockout check on switching to `on`.
 */
import { normaliseEmail } from '../domains/normalise.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import type { DomainEnforcement, EnforcementMode } from '../model/types.ts';
import type { ConnectionRecord, ScopeContext } from '../model/writes.ts';
import { MAX_BREAK_GLASS, RECENT_SSO_SIGN_IN_DAYS } from '../trust/enforcement.ts';
import type { Ctx } from './context.ts';

/** What a verified domain of `c` mirrors of its enforcement: none unless `report` or `on`. */
export function domainEnforcement(c: ConnectionRecord): DomainEnforcement | null {
  if (c.enforcement !== 'report' && c.enforcement !== 'on') return null;
  return {
    connectionId: c.id,
    connectionName: c.name,
    providerName: c.providerName,
    mode: c.enforcement,
    breakGlass: [...(c.breakGlass ?? [])],
    defaultOrg: { id: c.defaultOrg.id, name: c.defaultOrg.name },
    companyId: c.scope.type === 'company' ? c.scope.id : null,
  };
}

/** Whether two connections' domains mirror different enforcement. */
export const mirrorChanges = (before: ConnectionRecord, after: ConnectionRecord): boolean =>
  JSON.stringify(domainEnforcement(before)) !== JSON.stringify(domainEnforcement(after));

/** The mode and break-glass owners as a record keeps them: `off` and none are left out. */
export const storedEnforcement = (
  mode: EnforcementMode,
  breakGlass: readonly string[],
): Pick<ConnectionRecord, 'enforcement' | 'breakGlass'> => ({
  enforcement: mode === 'off' ? undefined : mode,
  breakGlass: breakGlass.length ? [...breakGlass] : undefined,
});

/** A connection's enforcement fields (a new connection is compared with none: `{}`). */
type Enforcement = Pick<ConnectionRecord, 'enforcement' | 'breakGlass'>;

/** Whether the mode or the break-glass owners differ (the `sso_enforcement_changed` event). */
export const enforcementChanged = (before: Enforcement, after: Enforcement): boolean =>
  (before.enforcement ?? 'off') !== (after.enforcement ?? 'off') ||
  (before.breakGlass ?? []).join(',') !== (after.breakGlass ?? []).join(',');

/** The `sso_enforcement_changed` event's details. */
export const enforcementChange = (before: Enforcement, after: Enforcement) => ({
  from: before.enforcement ?? 'off',
  to: after.enforcement ?? 'off',
  breakGlass: [...(after.breakGlass ?? [])],
});

/**
 * Normalises and de-duplicates break-glass emails; 400 naming the field when there are more
 * than `MAX_BREAK_GLASS` or one is not an email.
 */
export function breakGlassEmails(raw: readonly string[]): string[] {
  const out: string[] = [];
  raw.forEach((value, i) => {
    const email = normaliseEmail(value)?.email;
    if (!email) throw new ValidationError(`breakGlass[${i}]`, 'must be an email address');
    if (!out.includes(email)) out.push(email);
  });
  if (out.length > MAX_BREAK_GLASS) {
    throw new ValidationError('breakGlass', `must name at most ${MAX_BREAK_GLASS} owners`);
  }
  return out;
}

/**
 * 400 unless every break-glass email is an owner (not suspended) of the connection's default
 * org, or at company scope an owner of the company.
 */
export async function checkBreakGlassOwners(
  ctx: Ctx,
  scope: ScopeContext,
  defaultOrg: { id: string; name: string },
  emails: readonly string[],
): Promise<void> {
  await Promise.all(
    emails.map(async (email, i) => {
      const member = await ctx.deps.store.getMember(defaultOrg.id, email);
      if (member?.membership.role === 'owner' && !member.membership.suspended) return;
      if (scope.type === 'company' && (await ctx.deps.store.ownedCompany(scope.company.id, email)))
        return;
      const of =
        scope.type === 'company'
          ? `org ${defaultOrg.name} or of company ${scope.company.name}`
          : `org ${defaultOrg.name}`;
      throw new ValidationError(`breakGlass[${i}]`, `${email} is not an owner of ${of}`);
    }),
  );
}

/** What the no-lockout check found: the last SSO sign-in, and who signed in without SSO. */
export interface LockoutCheck {
  /** The day someone last signed in through the connection (null: never). */
  lastSsoSignInOn: string | null;
  /** People who signed in on the connection's domains without SSO in the last 30 days. */
  peopleWithoutSso: number;
}

/** The first day of the last `RECENT_SSO_SIGN_IN_DAYS` days, as YYYY-MM-DD. */
export const recentSince = (at: string): string =>
  new Date(Date.parse(at) - RECENT_SSO_SIGN_IN_DAYS * 86_400_000).toISOString().slice(0, 10);

/** The no-lockout check as the enforcement-check route answers it (SPEC §12). */
export interface EnforcementCheck extends LockoutCheck {
  /** Whether switching to `on` would pass: someone signed in through it in the last 30 days. */
  canEnforce: boolean;
}

/**
 * SPEC §12 no lockout, read only: the day someone last signed in through `c`'s provider, how
 * many people signed in on its domains without SSO in the last 30 days, and whether `on` may
 * follow. The switch to `on` (`checkNoLockout`) and the enforcement-check route both ask it.
 */
export async function lockoutCheck(ctx: Ctx, c: ConnectionRecord): Promise<EnforcementCheck> {
  const since = recentSince(ctx.at);
  const [provider, peopleWithoutSso] = await Promise.all([
    ctx.deps.store.getProvider(c.providerName),
    ctx.deps.store.countNonSsoSignIns(c.id, since),
  ]);
  // Only this connection's copy counts (a provider renamed in the same change has none).
  const last = provider?.id === c.id ? (provider.lastSignInOn ?? null) : null;
  return { lastSsoSignInOn: last, peopleWithoutSso, canEnforce: !!last && last >= since };
}

/**
 * SPEC §12 no lockout: switching `c` to `on` is 409 unless someone signed in through its
 * provider in the last 30 days; either way the answer says how many people signed in on its
 * domains without SSO meanwhile.
 */
export async function checkNoLockout(ctx: Ctx, c: ConnectionRecord): Promise<LockoutCheck> {
  const { canEnforce, ...check } = await lockoutCheck(ctx, c);
  if (!canEnforce) {
    const { lastSsoSignInOn: last, peopleWithoutSso } = check;
    throw new ConflictError(
      `Nobody signed in through SSO connection ${c.name} in the last ${RECENT_SSO_SIGN_IN_DAYS} days (last: ${last ?? 'never'}); sign in through it once before turning enforcement on, so nobody is locked out. ${peopleWithoutSso} ${peopleWithoutSso === 1 ? 'person' : 'people'} signed in on its domains without SSO in that time.`,
      { extra: check },
    );
  }
  return check;
}
