/**
 * The sign-in decision (SPEC §3) as a pure function: `decide(signIn, state, now) → Plan`.
 * No I/O; `apply` (shared/adapters/dynamodb/sign-in-store.ts) writes the plan in one transaction.
 * Every rule below names the spec paragraph it implements.
 */

import {
  type Connection,
  type DenialTitle,
  type DomainEnforcement,
  type Invitation,
  type NoticeKind,
  type OrgInfo,
  type Plan,
  type PlannedEvent,
  type Role,
  type SignIn,
  type SignInMethod,
  type SignInState,
  SYSTEM_ACTOR,
  type Via,
} from '../model/types.ts';
import { isAcceptable } from '../rules/invitations.ts';
import type { ScopeRef } from '../table/schema.ts';
import { withheldOrgs } from '../tokens/orgs-claim.ts';
import { enforce } from '../trust/enforcement.ts';
import { type Vouch, vouch } from '../trust/vouch.ts';

/** Org and team names (SPEC §1). */
export const SLUG = /^[a-z0-9][a-z0-9-]{1,38}$/;

/** How long a throttled notice (seat limit reached, auto-provisioning skipped) stays quiet. */
export const NOTICE_QUIET_MS = 24 * 60 * 60 * 1000;

/** A group of the form `org:team`, names lower-cased; `undefined` when not of that form. */
export function parseGroup(group: string): { org: string; team: string } | undefined {
  const parts = group.split(':');
  if (parts.length !== 2) return undefined;
  const org = parts[0]!.trim().toLowerCase();
  const team = parts[1]!.trim().toLowerCase();
  return SLUG.test(org) && SLUG.test(team) ? { org, team } : undefined;
}

class PlanBuilder {
  readonly plan: Plan;
  /** orgId → the person's membership once the plan applies. */
  private readonly members = new Map<string, { orgName: string; role: Role; teams: Set<string> }>();
  /** Orgs that had no free seat, in the order they were tried. */
  readonly fullOrgs: OrgInfo[] = [];
  /** orgId → team places of an org the person is not a member of. */
  private readonly orphanTeams = new Map<string, Set<string>>();

  constructor(
    private readonly signIn: SignIn,
    private readonly state: SignInState,
    private readonly now: Date,
  ) {
    const account = state.person.account;
    const name = signIn.name ?? null;
    this.plan = {
      outcome: { decision: 'allow' },
      account: {
        create: !account,
        name: account ? (name ?? account.name) : name,
        updateName: !!account && !!name && name !== account.name,
      },
      accountBefore: account,
      joins: [],
      invitationsAccepted: [],
      teamAdds: [],
      teamRemovals: [],
      notices: [],
      events: [],
      notifications: [],
      memberships: [],
    };
    for (const m of state.person.memberships) {
      this.members.set(m.orgId, { orgName: m.orgName, role: m.role, teams: new Set() });
    }
    for (const t of state.person.teamMemberships) {
      const member = this.members.get(t.orgId);
      if (member) member.teams.add(t.team);
      else {
        // A team place left without its membership (a removal that raced a sign-in): rejoining
        // the org adopts it rather than adding it again, which its condition would refuse.
        const orphans = this.orphanTeams.get(t.orgId) ?? new Set<string>();
        orphans.add(t.team);
        this.orphanTeams.set(t.orgId, orphans);
      }
    }
  }

  isMember(orgId: string): boolean {
    return this.members.has(orgId);
  }

  hasTeam(orgId: string, team: string): boolean {
    return this.members.get(orgId)?.teams.has(team) ?? false;
  }

  memberOrgIds(): string[] {
    return [...this.members.keys()];
  }

  org(orgId: string, fallbackName: string): OrgInfo {
    return (
      this.state.orgs[orgId] ?? {
        id: orgId,
        name: fallbackName,
        companyId: null,
        seatAvailable: true,
      }
    );
  }

  event(type: PlannedEvent['type'], org: OrgInfo, details: Record<string, unknown> = {}): void {
    this.plan.events.push({
      type,
      orgId: org.id,
      companyId: org.companyId,
      actor: SYSTEM_ACTOR,
      subject: this.signIn.email,
      details,
    });
  }

  private notify(
    type: 'member_added' | 'seat_limit_reached' | 'sso_enforcement_bypassed',
    org: OrgInfo,
    details: Record<string, unknown>,
  ): void {
    this.plan.notifications.push({
      type,
      orgId: org.id,
      orgName: org.name,
      companyId: org.companyId,
      email: this.signIn.email,
      name: this.plan.account.name,
      details,
    });
  }

  /** Whether a throttled notice of this kind was given for this org within the last 24 h. */
  private recentlyNoticed(kind: NoticeKind, orgId: string): boolean {
    const cutoff = this.now.getTime() - NOTICE_QUIET_MS;
    return (
      this.state.person.notices.some(
        (n) => n.kind === kind && n.orgId === orgId && Date.parse(n.at) > cutoff,
      ) || this.plan.notices.some((n) => n.kind === kind && n.orgId === orgId)
    );
  }

  /** SPEC §3.2.5 / §3.5.5: record `seat_limit_reached` and tell owners, at most once per 24 h. */
  private seatLimitReached(org: OrgInfo, via: Via): void {
    this.fullOrgs.push(org);
    if (this.recentlyNoticed('seat-limit', org.id)) return;
    this.plan.notices.push({ kind: 'seat-limit', orgId: org.id });
    this.event('seat_limit_reached', org, { via });
    this.notify('seat_limit_reached', org, { via });
  }

  /** SPEC §3.5.3: an unverified email is not auto-provisioned; recorded at most once per 24 h. */
  autoProvisioningSkipped(
    org: OrgInfo,
    reason: 'email_not_verified' | 'unverified_provider',
  ): void {
    if (this.recentlyNoticed('auto-provisioning-skipped', org.id)) return;
    this.plan.notices.push({ kind: 'auto-provisioning-skipped', orgId: org.id });
    this.event('auto_provisioning_skipped', org, { reason });
  }

  /**
   * SPEC §8: a sign-in whose email the trust rule does not vouch for writes nothing about the
   * person (no account created or renamed) and answers no memberships.
   */
  unproven(): void {
    this.plan.account = { create: false, name: null, updateName: false };
    this.members.clear();
  }

  /** Joins an org with a new seat; with none free, records the seat limit instead. */
  join(org: OrgInfo, via: Via, team: string | null): boolean {
    if (this.isMember(org.id)) return true;
    if (!org.seatAvailable) {
      this.seatLimitReached(org, via);
      return false;
    }
    this.addMember(org, 'member', via, true);
    if (team) this.addTeam(org.id, team, via);
    return true;
  }

  private addMember(org: OrgInfo, role: Role, via: Via, takesSeat: boolean): void {
    this.plan.joins.push({ orgId: org.id, orgName: org.name, role, via, takesSeat });
    this.members.set(org.id, {
      orgName: org.name,
      role,
      teams: new Set(this.orphanTeams.get(org.id)),
    });
    this.event('member_added', org, { via, role });
    this.notify('member_added', org, { via, role });
  }

  addTeam(orgId: string, team: string, via: Via): boolean {
    if (this.hasTeam(orgId, team)) return false;
    this.plan.teamAdds.push({ orgId, team, via });
    this.members.get(orgId)?.teams.add(team);
    return true;
  }

  removeTeam(orgId: string, team: string): void {
    this.plan.teamRemovals.push({ orgId, team });
    this.members.get(orgId)?.teams.delete(team);
  }

  /** SPEC §3.2.2: accept an invitation, using the seat it held. */
  acceptInvitation(invitation: Invitation): void {
    const org = this.org(invitation.orgId, invitation.orgName);
    const alreadyMember = this.isMember(org.id);
    this.plan.invitationsAccepted.push({ orgId: org.id, freesSeat: alreadyMember });
    this.event('invitation_accepted', org, {
      role: invitation.role,
      team: invitation.team,
      invitedBy: invitation.invitedBy,
    });
    if (!alreadyMember) this.addMember(org, invitation.role, 'invitation', false);
    if (invitation.team) this.addTeam(org.id, invitation.team, 'invitation');
  }

  /** SPEC §12: a break-glass owner signed in without SSO: recorded, and the owners told. */
  ssoEnforcementBypassed(enforcement: DomainEnforcement): void {
    const org = enforcementOrg(enforcement);
    const details = {
      connection: enforcement.connectionName,
      provider: this.signIn.connection ?? null,
    };
    this.event('sso_enforcement_bypassed', org, details);
    this.notify('sso_enforcement_bypassed', org, {
      ...details,
      connectionName: enforcement.connectionName,
    });
  }

  /**
   * SPEC §12 no lockout: a trusted sign-in without SSO on a domain a connection serves marks the
   * day for the connection's count of people signing in without it, at most once a day.
   */
  markNonSsoSignIn(connectionId: string): void {
    if (this.recentlyNoticed('non-sso-sign-in', connectionId)) return;
    this.plan.notices.push({ kind: 'non-sso-sign-in', orgId: connectionId });
    this.plan.nonSsoSignIn = { connectionId, on: this.now.toISOString().slice(0, 10) };
  }

  /** SPEC §12, report mode: who enforcement would refuse, at most once per person a day. */
  ssoEnforcementWouldDeny(enforcement: DomainEnforcement): void {
    const org = enforcementOrg(enforcement);
    if (this.recentlyNoticed('sso-would-deny', org.id)) return;
    this.plan.notices.push({ kind: 'sso-would-deny', orgId: org.id });
    this.event('sso_enforcement_would_deny', org, {
      connection: enforcement.connectionName,
      provider: this.signIn.connection ?? null,
    });
  }

  deny(title: DenialTitle, message: string, eventOrg: OrgInfo, reason: string): Plan {
    const connection = this.state.connection;
    // A denied sign-in changes nothing but the audit trail (SPEC §3.4).
    this.plan.account = { create: false, name: null, updateName: false };
    Object.assign(this.plan, {
      joins: [],
      invitationsAccepted: [],
      teamAdds: [],
      teamRemovals: [],
      notices: [],
      notifications: [],
      events: [],
      memberships: [],
      nonSsoSignIn: undefined,
    });
    this.event('sign_in_denied', eventOrg, {
      reason,
      message,
      connection: connection?.name ?? null,
    });
    this.plan.outcome = { decision: 'deny', title, message };
    return this.plan;
  }

  finish(): Plan {
    // SPEC §10: a suspended membership, or one a SCIM deactivation covers, is answered nowhere.
    const withheld = withheldOrgs(this.state.person);
    this.plan.memberships = [...this.members.entries()]
      .filter(([orgId]) => !withheld.has(orgId))
      .map(([orgId, m]) => ({
        orgId,
        orgName: m.orgName,
        role: m.role,
        teams: [...m.teams].sort(),
      }));
    return this.plan;
  }

  /**
   * An SSO sign-in let through: as `finish`, and the day is recorded on the connection's
   * provider copy unless it says today already (SPEC §12 no lockout), so a returning member's
   * sign-in still writes nothing on most days.
   */
  finishSso(conn: Connection): Plan {
    const on = this.now.toISOString().slice(0, 10);
    if (conn.lastSignInOn !== on) {
      this.plan.touchConnection = { providerName: conn.providerName, on };
    }
    return this.finish();
  }
}

/** The org enforcement events are recorded in: the enforcing connection's default org. */
const enforcementOrg = (e: DomainEnforcement): OrgInfo => ({
  id: e.defaultOrg.id,
  name: e.defaultOrg.name,
  companyId: e.companyId,
  seatAvailable: true,
});

function inScope(orgId: string, scope: ScopeRef, orgs: Record<string, OrgInfo>): boolean {
  if (scope.type === 'org') return orgId === scope.id;
  // Company scope: only orgs known to belong to the company count; unknown fails closed.
  return orgs[orgId]?.companyId === scope.id;
}

/**
 * SPEC §3.2.3 / §3.3.3: group mapping. `mayJoinOrgs` is false when JIT is off (SCIM: teams of
 * orgs the person already belongs to). Returns whether any group named an org in scope.
 */
function applyGroupMapping(
  b: PlanBuilder,
  signIn: SignIn,
  state: SignInState,
  conn: Connection,
  mayJoinOrgs: boolean,
): boolean {
  const ignoredGroups: string[] = [];
  const wanted = new Map<string, Set<string>>();
  let namedOrgInScope = false;
  for (const group of signIn.groups) {
    const parsed = parseGroup(group);
    const orgId = parsed ? state.orgIdsByName[parsed.org] : undefined;
    if (!parsed || !orgId || !inScope(orgId, conn.scope, state.orgs)) {
      ignoredGroups.push(group);
      continue;
    }
    namedOrgInScope = true;
    if (!mayJoinOrgs && !b.isMember(orgId)) {
      ignoredGroups.push(group);
      continue;
    }
    const teams = wanted.get(orgId) ?? new Set<string>();
    teams.add(parsed.team);
    wanted.set(orgId, teams);
  }

  const changes = new Map<string, { added: string[]; removed: string[] }>();
  const changesFor = (orgId: string) => {
    const c = changes.get(orgId) ?? { added: [], removed: [] };
    changes.set(orgId, c);
    return c;
  };

  for (const [orgId, teams] of wanted) {
    const org = b.org(orgId, orgId);
    if (!b.join(org, 'group-mapping', null)) continue;
    for (const team of teams) {
      if (b.addTeam(orgId, team, 'group-mapping')) changesFor(orgId).added.push(team);
    }
  }

  for (const t of state.person.teamMemberships) {
    if (t.via !== 'group-mapping' || !inScope(t.orgId, conn.scope, state.orgs)) continue;
    if (wanted.get(t.orgId)?.has(t.team)) continue;
    b.removeTeam(t.orgId, t.team);
    changesFor(t.orgId).removed.push(t.team);
  }

  for (const [orgId, c] of changes) {
    b.event('group_mapping_applied', b.org(orgId, orgId), {
      added: c.added,
      removed: c.removed,
      ignoredGroups,
    });
  }
  return namedOrgInScope;
}

function decideSso(
  b: PlanBuilder,
  signIn: SignIn,
  state: SignInState,
  conn: Connection,
  trust: Vouch,
): Plan {
  const defaultOrg = b.org(conn.defaultOrg.id, conn.defaultOrg.name);
  const scoped = (orgId: string) => inScope(orgId, conn.scope, state.orgs);

  // §3.2.1 / §3.3.1, §8: the connection's provider vouches only for its verified domains.
  if (!trust.trusted) {
    return b.deny(
      'Access denied',
      `Access denied: ${signIn.domain} is not a domain of the SSO connection "${conn.name}".`,
      defaultOrg,
      'domain_not_in_connection',
    );
  }

  // §10: the connection's SCIM client deactivated or deleted this person.
  if (state.person.scimDeactivated?.includes(conn.id)) {
    return b.deny(
      'Access denied',
      `Access denied: your account was deactivated by your organization's identity provider.`,
      defaultOrg,
      'scim_deactivated',
    );
  }

  // §3.2.2: pending invitations to orgs in the connection's scope are accepted.
  for (const invitation of state.person.invitations) {
    if (scoped(invitation.orgId)) b.acceptInvitation(invitation);
  }

  if (conn.jit) {
    // §3.2.3 group mapping, then §3.2.4 the default org when no group named an org in scope.
    const named = applyGroupMapping(b, signIn, state, conn, true);
    if (!named) b.join(defaultOrg, 'jit', conn.defaultTeam);
    // §3.2.5: no membership in scope after all steps means no seat was free.
    if (!b.memberOrgIds().some(scoped)) {
      const full = b.fullOrgs[0] ?? defaultOrg;
      return b.deny(
        'No seats available',
        `No seats available in ${full.name}`,
        defaultOrg,
        'no_seats',
      );
    }
    return b.finishSso(conn);
  }

  // §3.3.2: with JIT off only members and invitees get in.
  if (!b.memberOrgIds().some(scoped)) {
    return b.deny(
      'Access denied',
      `Access denied: you are not a member of ${defaultOrg.name}. Ask an administrator to invite you.`,
      defaultOrg,
      'not_a_member',
    );
  }
  // §3.3.3: group mapping only with SCIM on, and only for teams of orgs already joined.
  if (conn.scim) applyGroupMapping(b, signIn, state, conn, false);
  return b.finishSso(conn);
}

function decidePassword(b: PlanBuilder, state: SignInState, trust: Vouch): Plan {
  // §8: an unproven sign-in (an unverified email, or a federated provider no connection names)
  // writes nothing about the person; at most the skip below is recorded.
  if (!trust.trusted) b.unproven();
  // §3.5.0: a verified email proves control of the invited address.
  if (trust.trusted) {
    for (const invitation of state.person.invitations) b.acceptInvitation(invitation);
  }
  // §3.5.1: only verified domains with auto-provisioning on.
  const domain = state.domain;
  const target = domain?.autoProvisioning;
  if (!domain || !target) return b.finish();
  // §3.5.2: JIT takes precedence for domains of an SSO connection.
  if (domain.ssoConnectionIds.length > 0) return b.finish();
  const org = b.org(target.orgId, target.orgName);
  // §3.5.3: never with an unverified email.
  if (!trust.trusted) {
    b.autoProvisioningSkipped(
      org,
      trust.reason === 'unbound_provider' ? 'unverified_provider' : 'email_not_verified',
    );
    return b.finish();
  }
  // §3.5.4 / §3.5.5: join once, seat permitting.
  b.join(org, 'auto-provisioning', null);
  return b.finish();
}

/** SPEC §8 at the sign-in door: whom this sign-in vouches for, given the connection read for its provider. */
export const signInTrust = (signIn: SignIn, connection: Connection | undefined): Vouch =>
  vouch(
    {
      email: signIn.email,
      emailVerified: signIn.emailVerified,
      provider: signIn.connection ?? null,
    },
    connection,
  );

export interface DecideOptions {
  /**
   * SPEC §12: refuse a sign-in that enforcement refuses. Only the HTTP hook asks: its callers
   * have no PreAuthentication, while Cognito's PreAuthentication trigger refuses such a sign-in
   * before it authenticates (and records it), so the PostAuthentication decision leaves it be.
   */
  enforceSso?: boolean;
  /** Which door the sign-in came through (SPEC §13's `lastSignInMethod`). @default 'cognito' */
  entry?: 'cognito' | 'hook';
}

/** SPEC §13: how a trusted sign-in proved the address, as the domain audit shows it. */
export function signInMethod(trust: Vouch, entry: 'cognito' | 'hook' = 'cognito'): SignInMethod {
  if (trust.trusted && trust.via === 'connection') return 'sso';
  if (entry === 'hook') return 'hook';
  return trust.trusted && trust.via === 'social' ? 'social' : 'password';
}

/**
 * SPEC §13: a trusted sign-in let through records its day and method on the person's summary,
 * unless the summary says that day already: at most one write per person a day, so a returning
 * member's later sign-ins that day write nothing. An unproven or refused sign-in records
 * nothing (§8).
 */
function recordSignIn(
  plan: Plan,
  state: SignInState,
  trust: Vouch,
  now: Date,
  entry: 'cognito' | 'hook' | undefined,
): Plan {
  if (plan.outcome.decision !== 'allow' || !trust.trusted) return plan;
  if (!state.person.account && !plan.account.create) return plan;
  const on = now.toISOString().slice(0, 10);
  if (state.person.lastSignInOn === on) return plan;
  plan.signedIn = { on, method: signInMethod(trust, entry) };
  return plan;
}

/** Decides one sign-in (SPEC §3) over the state read for it. Pure. */
export function decide(
  signIn: SignIn,
  read: SignInState,
  now: Date,
  options: DecideOptions = {},
): Plan {
  // SPEC §13: an expired invitation is never accepted, even before the scheduled run frees its seat.
  const state: SignInState = {
    ...read,
    person: {
      ...read.person,
      invitations: read.person.invitations.filter((i) => isAcceptable(i, now)),
    },
  };
  const b = new PlanBuilder(signIn, state, now);
  if (options.enforceSso) {
    // §12: the verified domain's item, read in the first round, mirrors its connection's enforcement.
    const enforcement = enforce(signIn.email, signIn.connection ?? null, state.domain?.enforcement);
    if (enforcement.action === 'deny') {
      return b.deny(
        'SSO required',
        enforcement.message,
        enforcementOrg(enforcement.enforcement),
        'sso_required',
      );
    }
    if (enforcement.action === 'bypass') b.ssoEnforcementBypassed(enforcement.enforcement);
    if (enforcement.action === 'report') b.ssoEnforcementWouldDeny(enforcement.enforcement);
  }
  const trust = signInTrust(signIn, state.connection);
  // §12: the hook's sign-ins without SSO count toward a connection's no-lockout figure, as
  // PreAuthentication counts Cognito's (the hook has none).
  const servedBy = state.domain?.ssoConnectionIds[0];
  if (options.enforceSso && servedBy && trust.trusted && !trust.connection) {
    b.markNonSsoSignIn(servedBy);
  }
  // A sign-in through a connection's provider is an SSO sign-in (§3.2–3.4), trusted or denied.
  const plan = trust.connection
    ? decideSso(b, signIn, state, trust.connection, trust)
    : decidePassword(b, state, trust);
  return recordSignIn(plan, state, trust, now, options.entry);
}

/** Org ids whose company the decision must know (company-scoped connections), besides those it already knows. */
export function orgsNeedingInfo(
  state: Pick<SignInState, 'person' | 'connection'>,
  /** Whether §8 trusts the sign-in (only then may invitations be accepted without a connection). */
  trusted: boolean,
): string[] {
  const ids = new Set<string>();
  const conn = state.connection;
  const person = state.person;
  // Invitations' orgs, when they may be accepted: companies for scope and for the company's activity.
  if (conn || trusted) for (const i of person.invitations) ids.add(i.orgId);
  if (conn?.scope.type === 'company') {
    for (const m of person.memberships) ids.add(m.orgId);
    ids.add(conn.defaultOrg.id);
  }
  return [...ids];
}
