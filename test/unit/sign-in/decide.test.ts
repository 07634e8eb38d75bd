import { describe, expect, it } from 'vitest';
import type {
  Connection,
  Invitation,
  Membership,
  OrgInfo,
  Plan,
  SignIn,
  SignInState,
  TeamMembership,
} from '../../../shared/model/types.ts';
import { decide, orgsNeedingInfo, parseGroup } from '../../../shared/sign-in/decide.ts';

const NOW = new Date('2026-11-23T12:00:00.000Z');

const org = (id: string, over: Partial<OrgInfo> = {}): OrgInfo => ({
  id,
  name: id.replace(/^o-/, ''),
  companyId: null,
  seatAvailable: true,
  ...over,
});

const signIn = (over: Partial<SignIn> = {}): SignIn => ({
  email: 'ada@acme.com',
  domain: 'acme.com',
  emailVerified: true,
  name: 'Ada Lovelace',
  connection: undefined,
  groups: [],
  ...over,
});

const member = (orgId: string, over: Partial<Membership> = {}): Membership => ({
  orgId,
  orgName: orgId.replace(/^o-/, ''),
  role: 'member',
  via: 'jit',
  joinedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

const invitation = (orgId: string, over: Partial<Invitation> = {}): Invitation => ({
  orgId,
  orgName: orgId.replace(/^o-/, ''),
  role: 'member',
  team: null,
  invitedBy: 'owner@acme.com',
  createdAt: '2026-11-01T00:00:00.000Z',
  sentAt: '2026-11-01T00:00:00.000Z',
  expiresAt: '2026-11-30T00:00:00.000Z',
  ...over,
});

const connection = (over: Partial<Connection> = {}): Connection => ({
  id: 'c1',
  name: 'Acme Okta',
  providerName: 'AcmeOkta',
  scope: { type: 'org', id: 'o-acme' },
  domains: ['acme.com'],
  jit: true,
  scim: false,
  defaultOrg: { id: 'o-acme', name: 'acme' },
  defaultTeam: null,
  ...over,
});

interface StateOver {
  account?: SignInState['person']['account'];
  memberships?: Membership[];
  teams?: TeamMembership[];
  invitations?: Invitation[];
  notices?: SignInState['person']['notices'];
  domain?: SignInState['domain'];
  connection?: Connection;
  orgs?: OrgInfo[];
  names?: Record<string, string>;
}

const state = (o: StateOver = {}): SignInState => ({
  person: {
    account: o.account,
    memberships: o.memberships ?? [],
    teamMemberships: o.teams ?? [],
    invitations: o.invitations ?? [],
    notices: o.notices ?? [],
  },
  domain: o.domain,
  connection: o.connection,
  orgs: Object.fromEntries((o.orgs ?? [org('o-acme')]).map((x) => [x.id, x])),
  orgIdsByName: o.names ?? {},
});

const autoDomain = (
  over: Partial<NonNullable<SignInState['domain']>> = {},
): NonNullable<SignInState['domain']> => ({
  domain: 'acme.com',
  scope: { type: 'org', id: 'o-acme' },
  autoProvisioning: { orgId: 'o-acme', orgName: 'acme' },
  ssoConnectionIds: [],
  ...over,
});

const types = (p: Plan) => p.events.map((e) => e.type);
const joins = (p: Plan) =>
  p.joins.map((j) => `${j.orgId}:${j.via}:${j.takesSeat ? 'seat' : 'held'}`);

describe('§3.1 account', () => {
  it('creates the account on a first sign-in', () => {
    const p = decide(signIn(), state(), NOW);
    expect(p.account).toEqual({ create: true, name: 'Ada Lovelace', updateName: false });
  });
  it('updates the name when the sign-in carries a different non-empty one', () => {
    const p = decide(
      signIn({ name: 'Ada King' }),
      state({ account: { email: 'ada@acme.com', username: 'ada1234', name: 'Ada Lovelace' } }),
      NOW,
    );
    expect(p.account).toEqual({ create: false, name: 'Ada King', updateName: true });
  });
  it('keeps the name when the sign-in carries none', () => {
    const p = decide(
      signIn({ name: undefined }),
      state({ account: { email: 'ada@acme.com', username: 'ada1234', name: 'Ada' } }),
      NOW,
    );
    expect(p.account).toEqual({ create: false, name: 'Ada', updateName: false });
  });
});

describe('§8 an unproven sign-in writes nothing about the person', () => {
  const account = { email: 'ada@acme.com', username: 'ada1234', name: 'Ada Lovelace' };
  const cases: [string, Partial<SignIn>][] = [
    ['a password sign-in with an unverified email', { emailVerified: false }],
    ['a provider no connection names', { connection: 'EvilCorpOIDC', emailVerified: true }],
    ['a social provider that did not verify', { connection: 'Google', emailVerified: false }],
  ];
  for (const [name, over] of cases) {
    it(`${name}: neither renames an existing account nor answers memberships`, () => {
      const p = decide(
        signIn({ ...over, name: 'Mallory Takeover' }),
        state({ account, memberships: [member('o-acme', { role: 'owner' })] }),
        NOW,
      );
      expect(p.outcome).toEqual({ decision: 'allow' });
      expect(p.account).toEqual({ create: false, name: null, updateName: false });
      expect(p.memberships).toEqual([]);
      expect(p.joins).toEqual([]);
    });
    it(`${name}: creates no account`, () => {
      const p = decide(signIn({ ...over, name: 'Mallory' }), state(), NOW);
      expect(p.account).toEqual({ create: false, name: null, updateName: false });
      expect(p.events).toEqual([]);
    });
  }
  it('at most records auto_provisioning_skipped, with no account', () => {
    const p = decide(signIn({ emailVerified: false }), state({ domain: autoDomain() }), NOW);
    expect(p.account.create).toBe(false);
    expect(types(p)).toEqual(['auto_provisioning_skipped']);
    expect(p.notices).toEqual([{ kind: 'auto-provisioning-skipped', orgId: 'o-acme' }]);
  });
  it("a connection's provider outside its domains is denied and creates nothing", () => {
    const p = decide(
      signIn({ email: 'ceo@victim.com', domain: 'victim.com', connection: 'AcmeOkta' }),
      state({ connection: connection() }),
      NOW,
    );
    expect(p.outcome).toMatchObject({ decision: 'deny', title: 'Access denied' });
    expect(p.account).toEqual({ create: false, name: null, updateName: false });
  });
});

describe('§3.5 password or social sign-in', () => {
  const account = { email: 'ada@acme.com', username: 'ada1234', name: 'Ada Lovelace' };
  const rows: {
    name: string;
    in: Partial<SignIn>;
    st: StateOver;
    joins: string[];
    events: string[];
    notifications: string[];
  }[] = [
    {
      name: 'changes nothing for an unverified (unknown) domain',
      in: {},
      st: { account },
      joins: [],
      events: [],
      notifications: [],
    },
    {
      name: 'changes nothing when auto-provisioning is off',
      in: {},
      st: { account, domain: autoDomain({ autoProvisioning: null }) },
      joins: [],
      events: [],
      notifications: [],
    },
    {
      name: 'defers to JIT when the domain is part of an SSO connection',
      in: {},
      st: { account, domain: autoDomain({ ssoConnectionIds: ['c1'] }) },
      joins: [],
      events: [],
      notifications: [],
    },
    {
      name: 'skips an unverified email and records why',
      in: { emailVerified: false },
      st: { account, domain: autoDomain() },
      joins: [],
      events: ['auto_provisioning_skipped'],
      notifications: [],
    },
    {
      name: 'records a skipped unverified email at most once a day',
      in: { emailVerified: false },
      st: {
        account,
        domain: autoDomain(),
        notices: [
          { kind: 'auto-provisioning-skipped', orgId: 'o-acme', at: '2026-11-23T01:00:00.000Z' },
        ],
      },
      joins: [],
      events: [],
      notifications: [],
    },
    {
      name: 'changes nothing for a member of the target org',
      in: {},
      st: { account, domain: autoDomain(), memberships: [member('o-acme')] },
      joins: [],
      events: [],
      notifications: [],
    },
    {
      name: 'adds a verified email on the domain as member via auto-provisioning and tells owners',
      in: {},
      st: { account, domain: autoDomain() },
      joins: ['o-acme:auto-provisioning:seat'],
      events: ['member_added'],
      notifications: ['member_added'],
    },
    {
      name: 'does not add without a free seat, records it and tells owners',
      in: {},
      st: { account, domain: autoDomain(), orgs: [org('o-acme', { seatAvailable: false })] },
      joins: [],
      events: ['seat_limit_reached'],
      notifications: ['seat_limit_reached'],
    },
    {
      name: 'tells owners about the seat limit at most once per person and org per 24 h',
      in: {},
      st: {
        account,
        domain: autoDomain(),
        orgs: [org('o-acme', { seatAvailable: false })],
        notices: [{ kind: 'seat-limit', orgId: 'o-acme', at: '2026-11-22T13:00:00.000Z' }],
      },
      joins: [],
      events: [],
      notifications: [],
    },
    {
      name: 'tells owners again once 24 h have passed',
      in: {},
      st: {
        account,
        domain: autoDomain(),
        orgs: [org('o-acme', { seatAvailable: false })],
        notices: [{ kind: 'seat-limit', orgId: 'o-acme', at: '2026-11-22T11:00:00.000Z' }],
      },
      joins: [],
      events: ['seat_limit_reached'],
      notifications: ['seat_limit_reached'],
    },
    {
      name: 'accepts pending invitations for a verified email, using the held seat',
      in: {},
      st: { account, invitations: [invitation('o-beta', { team: 'dev' })], orgs: [org('o-beta')] },
      joins: ['o-beta:invitation:held'],
      events: ['invitation_accepted', 'member_added'],
      notifications: ['member_added'],
    },
    {
      name: 'never accepts invitations for an unverified email',
      in: { emailVerified: false },
      st: { account, invitations: [invitation('o-beta')], orgs: [org('o-beta')] },
      joins: [],
      events: [],
      notifications: [],
    },
    {
      name: 'accepts an invitation to the target org instead of auto-provisioning into it',
      in: {},
      st: { account, domain: autoDomain(), invitations: [invitation('o-acme', { role: 'owner' })] },
      joins: ['o-acme:invitation:held'],
      events: ['invitation_accepted', 'member_added'],
      notifications: ['member_added'],
    },
    {
      name: 'auto-provisions at company level into the org chosen when it was enabled',
      in: {},
      st: {
        account,
        domain: autoDomain({
          scope: { type: 'company', id: 'co1' },
          autoProvisioning: { orgId: 'o-eng', orgName: 'eng' },
        }),
        orgs: [org('o-eng', { companyId: 'co1' })],
      },
      joins: ['o-eng:auto-provisioning:seat'],
      events: ['member_added'],
      notifications: ['member_added'],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const p = decide(signIn(row.in), state(row.st), NOW);
      expect(p.outcome).toEqual({ decision: 'allow' });
      expect(joins(p)).toEqual(row.joins);
      expect(types(p)).toEqual(row.events);
      expect(p.notifications.map((n) => n.type)).toEqual(row.notifications);
    });
  }

  it('a federated provider no connection names proves nothing: no auto-provisioning, no invitation (SPEC §2, §8)', () => {
    const p = decide(
      signIn({ connection: 'EvilCorpOIDC', emailVerified: true }),
      state({
        account,
        domain: autoDomain(),
        invitations: [invitation('o-beta')],
        orgs: [org('o-acme'), org('o-beta')],
      }),
      NOW,
    );
    expect(p.outcome).toEqual({ decision: 'allow' });
    expect(joins(p)).toEqual([]);
    expect(p.invitationsAccepted).toEqual([]);
    expect(types(p)).toEqual(['auto_provisioning_skipped']);
    expect(p.events[0]!.details).toEqual({ reason: 'unverified_provider' });
  });

  it('a Cognito social provider with a verified email is auto-provisioned', () => {
    const p = decide(
      signIn({ connection: 'Google', emailVerified: true }),
      state({ account, domain: autoDomain() }),
      NOW,
    );
    expect(joins(p)).toEqual(['o-acme:auto-provisioning:seat']);
  });

  it('joins the invitation team and removes the invitation', () => {
    const p = decide(
      signIn(),
      state({ invitations: [invitation('o-beta', { team: 'dev' })], orgs: [org('o-beta')] }),
      NOW,
    );
    expect(p.teamAdds).toEqual([{ orgId: 'o-beta', team: 'dev', via: 'invitation' }]);
    expect(p.invitationsAccepted).toEqual([{ orgId: 'o-beta', freesSeat: false }]);
    expect(p.memberships).toEqual([
      { orgId: 'o-beta', orgName: 'beta', role: 'member', teams: ['dev'] },
    ]);
  });

  it('frees the held seat of an invitation to an org the person already belongs to', () => {
    const p = decide(
      signIn(),
      state({
        memberships: [member('o-beta')],
        invitations: [invitation('o-beta')],
        orgs: [org('o-beta')],
      }),
      NOW,
    );
    expect(p.invitationsAccepted).toEqual([{ orgId: 'o-beta', freesSeat: true }]);
    expect(p.joins).toEqual([]);
  });

  it('lists the event in the company activity of a company org', () => {
    const p = decide(
      signIn(),
      state({
        domain: autoDomain({
          scope: { type: 'company', id: 'co1' },
          autoProvisioning: { orgId: 'o-eng', orgName: 'eng' },
        }),
        orgs: [org('o-eng', { companyId: 'co1' })],
      }),
      NOW,
    );
    expect(p.events[0]).toMatchObject({
      type: 'member_added',
      orgId: 'o-eng',
      companyId: 'co1',
      subject: 'ada@acme.com',
      details: { via: 'auto-provisioning' },
    });
    expect(p.notifications[0]).toMatchObject({
      orgName: 'eng',
      email: 'ada@acme.com',
      name: 'Ada Lovelace',
      companyId: 'co1',
    });
  });

  it('changes nothing at all for a returning member (no write)', () => {
    const p = decide(
      signIn(),
      state({
        account,
        domain: autoDomain(),
        memberships: [member('o-acme', { via: 'auto-provisioning' })],
      }),
      NOW,
    );
    expect(p).toMatchObject({
      account: { create: false, updateName: false },
      joins: [],
      invitationsAccepted: [],
      teamAdds: [],
      teamRemovals: [],
      notices: [],
      events: [],
      notifications: [],
    });
  });
});

describe('§3.2 SSO sign-in with JIT', () => {
  const sso = (over: Partial<SignIn> = {}) => signIn({ connection: 'AcmeOkta', ...over });

  it("denies when the email domain is not one of the connection's domains", () => {
    const p = decide(
      sso({ email: 'ada@other.com', domain: 'other.com' }),
      state({ connection: connection() }),
      NOW,
    );
    expect(p.outcome).toMatchObject({ decision: 'deny', title: 'Access denied' });
    expect(p.outcome.decision === 'deny' && p.outcome.message.startsWith('Access denied')).toBe(
      true,
    );
    expect(types(p)).toEqual(['sign_in_denied']);
    expect(p.events[0]).toMatchObject({
      orgId: 'o-acme',
      details: { reason: 'domain_not_in_connection' },
    });
    expect(p.account.create).toBe(false);
  });

  it('§10: denies a person the connection’s SCIM client deactivated, even with JIT on', () => {
    const base = state({ connection: connection({ scim: true }) });
    const off = { ...base, person: { ...base.person, scimDeactivated: ['c1'] } };
    const p = decide(sso(), off, NOW);
    expect(p.outcome).toMatchObject({ decision: 'deny', title: 'Access denied' });
    expect(p.joins).toEqual([]);
    expect(p.events[0]).toMatchObject({ details: { reason: 'scim_deactivated' } });
    // Another connection's deactivation says nothing about this one.
    const elsewhere = { ...base, person: { ...base.person, scimDeactivated: ['c2'] } };
    expect(decide(sso(), elsewhere, NOW).outcome).toEqual({ decision: 'allow' });
  });

  it('joins the default org via jit, and its default team', () => {
    const p = decide(sso(), state({ connection: connection({ defaultTeam: 'everyone' }) }), NOW);
    expect(joins(p)).toEqual(['o-acme:jit:seat']);
    expect(p.teamAdds).toEqual([{ orgId: 'o-acme', team: 'everyone', via: 'jit' }]);
    expect(types(p)).toEqual(['member_added']);
    expect(p.notifications.map((n) => n.type)).toEqual(['member_added']);
  });

  it('changes nothing for a member of the default org already', () => {
    const p = decide(
      sso(),
      state({
        account: { email: 'ada@acme.com', username: 'ada1', name: 'Ada Lovelace' },
        connection: connection(),
        memberships: [member('o-acme')],
      }),
      NOW,
    );
    expect(p.outcome.decision).toBe('allow');
    expect(p.joins).toEqual([]);
    expect(p.events).toEqual([]);
  });

  it('accepts invitations in scope (with their team) before anything else', () => {
    const p = decide(
      sso(),
      state({
        connection: connection(),
        invitations: [invitation('o-acme', { team: 'ops', role: 'owner' })],
      }),
      NOW,
    );
    expect(joins(p)).toEqual(['o-acme:invitation:held']);
    expect(p.memberships).toEqual([
      { orgId: 'o-acme', orgName: 'acme', role: 'owner', teams: ['ops'] },
    ]);
  });

  it('leaves invitations outside the scope pending', () => {
    const p = decide(
      sso(),
      state({
        connection: connection(),
        invitations: [invitation('o-other')],
        orgs: [org('o-acme'), org('o-other')],
      }),
      NOW,
    );
    expect(p.invitationsAccepted).toEqual([]);
    expect(joins(p)).toEqual(['o-acme:jit:seat']);
  });

  it('maps org:team groups in scope to memberships and teams, ignoring the rest', () => {
    const conn = connection({
      scope: { type: 'company', id: 'co1' },
      defaultOrg: { id: 'o-acme', name: 'acme' },
    });
    const p = decide(
      sso({
        groups: ['acme:dev', 'eng:platform', 'outside:x', 'not-a-mapping', 'Eng:Ops', 'ghost:team'],
      }),
      state({
        connection: conn,
        orgs: [
          org('o-acme', { companyId: 'co1' }),
          org('o-eng', { companyId: 'co1' }),
          org('o-outside', { companyId: 'co2' }),
        ],
        names: { acme: 'o-acme', eng: 'o-eng', outside: 'o-outside' },
      }),
      NOW,
    );
    expect(joins(p)).toEqual(['o-acme:group-mapping:seat', 'o-eng:group-mapping:seat']);
    expect(p.teamAdds).toEqual([
      { orgId: 'o-acme', team: 'dev', via: 'group-mapping' },
      { orgId: 'o-eng', team: 'platform', via: 'group-mapping' },
      { orgId: 'o-eng', team: 'ops', via: 'group-mapping' },
    ]);
    const applied = p.events.filter((e) => e.type === 'group_mapping_applied');
    expect(applied.map((e) => e.orgId)).toEqual(['o-acme', 'o-eng']);
    expect(applied[1]!.details).toEqual({
      added: ['platform', 'ops'],
      removed: [],
      ignoredGroups: ['outside:x', 'not-a-mapping', 'ghost:team'],
    });
    expect(applied[1]!.companyId).toBe('co1');
  });

  it('does not join the default org when a group named an org in scope', () => {
    const p = decide(
      sso({ groups: ['acme:dev'] }),
      state({ connection: connection({ defaultTeam: 'all' }), names: { acme: 'o-acme' } }),
      NOW,
    );
    expect(joins(p)).toEqual(['o-acme:group-mapping:seat']);
    expect(p.teamAdds.map((t) => t.team)).toEqual(['dev']);
  });

  it('joins the default org when groups name only orgs outside the scope', () => {
    const p = decide(
      sso({ groups: ['other:dev'] }),
      state({
        connection: connection(),
        orgs: [org('o-acme'), org('o-other')],
        names: { other: 'o-other' },
      }),
      NOW,
    );
    expect(joins(p)).toEqual(['o-acme:jit:seat']);
    expect(p.events.filter((e) => e.type === 'group_mapping_applied')).toEqual([]);
  });

  it('removes team memberships granted by group mapping that the groups no longer name, keeping the org', () => {
    const p = decide(
      sso({ groups: ['acme:dev'] }),
      state({
        connection: connection(),
        memberships: [member('o-acme', { via: 'group-mapping' })],
        teams: [
          { orgId: 'o-acme', team: 'dev', via: 'group-mapping' },
          { orgId: 'o-acme', team: 'ops', via: 'group-mapping' },
          { orgId: 'o-acme', team: 'pets', via: 'invitation' },
        ],
        names: { acme: 'o-acme' },
      }),
      NOW,
    );
    expect(p.teamRemovals).toEqual([{ orgId: 'o-acme', team: 'ops' }]);
    expect(p.teamAdds).toEqual([]);
    expect(p.joins).toEqual([]);
    expect(p.events.map((e) => [e.type, e.details])).toEqual([
      ['group_mapping_applied', { added: [], removed: ['ops'], ignoredGroups: [] }],
    ]);
    expect(p.memberships[0]!.teams).toEqual(['dev', 'pets']);
  });

  it('an empty group list removes every group-mapped team and keeps the org memberships', () => {
    const p = decide(
      sso({ groups: [] }),
      state({
        connection: connection(),
        memberships: [member('o-acme', { via: 'group-mapping' })],
        teams: [{ orgId: 'o-acme', team: 'dev', via: 'group-mapping' }],
      }),
      NOW,
    );
    expect(p.teamRemovals).toEqual([{ orgId: 'o-acme', team: 'dev' }]);
    expect(p.outcome.decision).toBe('allow');
    expect(p.memberships.map((m) => m.orgId)).toEqual(['o-acme']);
  });

  it('skips an org without seats among several mapped orgs, and records it', () => {
    const conn = connection({ scope: { type: 'company', id: 'co1' } });
    const p = decide(
      sso({ groups: ['acme:dev', 'eng:ops'] }),
      state({
        connection: conn,
        orgs: [
          org('o-acme', { companyId: 'co1', seatAvailable: false }),
          org('o-eng', { companyId: 'co1' }),
        ],
        names: { acme: 'o-acme', eng: 'o-eng' },
      }),
      NOW,
    );
    expect(p.outcome.decision).toBe('allow');
    expect(joins(p)).toEqual(['o-eng:group-mapping:seat']);
    expect(types(p)).toEqual(['seat_limit_reached', 'member_added', 'group_mapping_applied']);
    expect(p.notifications.map((n) => [n.type, n.orgId])).toEqual([
      ['seat_limit_reached', 'o-acme'],
      ['member_added', 'o-eng'],
    ]);
  });

  it('adopts a team place left without its membership when rejoining, instead of adding it again', () => {
    const p = decide(
      signIn({ connection: 'AcmeOkta' }),
      state({
        connection: connection({ defaultTeam: 'dev' }),
        teams: [{ orgId: 'o-acme', team: 'dev', via: 'jit' }],
      }),
      NOW,
    );
    expect(joins(p)).toEqual(['o-acme:jit:seat']);
    expect(p.teamAdds).toEqual([]);
    expect(p.memberships).toEqual([
      { orgId: 'o-acme', orgName: 'acme', role: 'member', teams: ['dev'] },
    ]);
  });

  it('denies with "No seats available in <org>" when no org in scope could be joined', () => {
    const p = decide(
      sso(),
      state({ connection: connection(), orgs: [org('o-acme', { seatAvailable: false })] }),
      NOW,
    );
    expect(p.outcome).toEqual({
      decision: 'deny',
      title: 'No seats available',
      message: 'No seats available in acme',
    });
    expect(types(p)).toEqual(['sign_in_denied']);
    expect(p.notifications).toEqual([]);
  });

  it('treats orgs of unknown company as outside a company scope (fails closed)', () => {
    const conn = connection({
      scope: { type: 'company', id: 'co1' },
      defaultOrg: { id: 'o-acme', name: 'acme' },
    });
    const p = decide(
      sso({ groups: ['mystery:dev'] }),
      state({
        connection: conn,
        orgs: [org('o-acme', { companyId: 'co1' })],
        names: { mystery: 'o-mystery' },
      }),
      NOW,
    );
    expect(joins(p)).toEqual(['o-acme:jit:seat']);
  });
});

describe('§3.3 SSO sign-in with JIT off', () => {
  const sso = (over: Partial<SignIn> = {}) => signIn({ connection: 'AcmeOkta', ...over });

  it('denies an uninvited user with Access denied and a hint to ask for an invitation', () => {
    const p = decide(sso(), state({ connection: connection({ jit: false }) }), NOW);
    expect(p.outcome.decision).toBe('deny');
    if (p.outcome.decision !== 'deny') return;
    expect(p.outcome.title).toBe('Access denied');
    expect(p.outcome.message).toMatch(/^Access denied.*invite/);
    expect(p.events.map((e) => [e.type, e.details.reason])).toEqual([
      ['sign_in_denied', 'not_a_member'],
    ]);
  });

  it('lets an invitee in, accepting the invitation', () => {
    const p = decide(
      sso(),
      state({ connection: connection({ jit: false }), invitations: [invitation('o-acme')] }),
      NOW,
    );
    expect(p.outcome.decision).toBe('allow');
    expect(joins(p)).toEqual(['o-acme:invitation:held']);
  });

  it('lets a member in without changes', () => {
    const p = decide(
      sso({ groups: ['acme:dev'] }),
      state({
        connection: connection({ jit: false }),
        memberships: [member('o-acme')],
        names: { acme: 'o-acme' },
      }),
      NOW,
    );
    expect(p.outcome.decision).toBe('allow');
    expect(p.teamAdds).toEqual([]);
    expect(p.events).toEqual([]);
  });

  it('with SCIM on, maps groups to teams of orgs the person already belongs to only', () => {
    const conn = connection({ jit: false, scim: true, scope: { type: 'company', id: 'co1' } });
    const p = decide(
      sso({ groups: ['acme:dev', 'eng:ops'] }),
      state({
        connection: conn,
        memberships: [member('o-acme')],
        orgs: [org('o-acme', { companyId: 'co1' }), org('o-eng', { companyId: 'co1' })],
        names: { acme: 'o-acme', eng: 'o-eng' },
      }),
      NOW,
    );
    expect(p.joins).toEqual([]);
    expect(p.teamAdds).toEqual([{ orgId: 'o-acme', team: 'dev', via: 'group-mapping' }]);
    expect(p.events[0]!.details).toEqual({
      added: ['dev'],
      removed: [],
      ignoredGroups: ['eng:ops'],
    });
  });

  it('denies even with groups naming orgs in scope when neither member nor invited', () => {
    const p = decide(
      sso({ groups: ['acme:dev'] }),
      state({ connection: connection({ jit: false, scim: true }), names: { acme: 'o-acme' } }),
      NOW,
    );
    expect(p.outcome.decision).toBe('deny');
    expect(p.teamAdds).toEqual([]);
  });
});

describe('group parsing', () => {
  it.each([
    ['acme:dev', { org: 'acme', team: 'dev' }],
    [' Acme : Dev ', { org: 'acme', team: 'dev' }],
    ['acme:dev:x', undefined],
    ['acme', undefined],
    [':dev', undefined],
    ['a:dev', undefined],
    ['acme:-dev', undefined],
    ['ac me:dev', undefined],
  ])('parses %j', (group, expected) => {
    expect(parseGroup(group)).toEqual(expected);
  });
});

describe('what round 2 reads', () => {
  const person = state({
    invitations: [invitation('o-beta')],
    memberships: [member('o-acme')],
  }).person;
  it('reads nothing more for a password sign-in without invitations', () => {
    expect(orgsNeedingInfo({ person: state().person, connection: undefined }, true)).toEqual([]);
  });
  it('reads invitation orgs only when they may be accepted', () => {
    expect(orgsNeedingInfo({ person, connection: undefined }, true)).toEqual(['o-beta']);
    expect(orgsNeedingInfo({ person, connection: undefined }, false)).toEqual([]);
  });
  it('reads membership orgs and the default org for a company-scoped connection', () => {
    const conn = connection({
      scope: { type: 'company', id: 'co1' },
      defaultOrg: { id: 'o-dflt', name: 'dflt' },
    });
    expect(orgsNeedingInfo({ person, connection: conn }, true).sort()).toEqual([
      'o-acme',
      'o-beta',
      'o-dflt',
    ]);
  });
});

describe('§12 no lockout: an SSO sign-in records its day on the connection', () => {
  const sso = signIn({ connection: 'AcmeOkta' });
  const returning = { account: { email: 'ada@acme.com', username: 'ada1', name: 'Ada Lovelace' } };

  it('records the day of an SSO sign-in let through, unless the connection says today already', () => {
    const first = decide(sso, state({ ...returning, connection: connection() }), NOW);
    expect(first.touchConnection).toEqual({ providerName: 'AcmeOkta', on: '2026-11-23' });
    const yesterday = connection({ lastSignInOn: '2026-11-22' });
    expect(
      decide(sso, state({ ...returning, connection: yesterday }), NOW).touchConnection,
    ).toEqual({ providerName: 'AcmeOkta', on: '2026-11-23' });
    const today = connection({ lastSignInOn: '2026-11-23' });
    const p = decide(
      sso,
      state({ ...returning, memberships: [member('o-acme')], connection: today }),
      NOW,
    );
    expect(p.touchConnection).toBeUndefined();
    expect(p.joins).toEqual([]);
  });

  it('records nothing for a denied SSO sign-in, nor a password sign-in', () => {
    const outside = signIn({ connection: 'AcmeOkta', email: 'eve@evil.com', domain: 'evil.com' });
    const denied = decide(outside, state({ connection: connection() }), NOW);
    expect(denied.outcome.decision).toBe('deny');
    expect(denied.touchConnection).toBeUndefined();
    expect(decide(signIn(), state(), NOW).touchConnection).toBeUndefined();
  });
});

describe('§13 the day and method of a trusted sign-in, at most once a day', () => {
  const ada = { email: 'ada@acme.com', username: 'ada1', name: 'Ada Lovelace' };
  const withLast = (s: SignInState, lastSignInOn: string | undefined): SignInState => ({
    ...s,
    person: { ...s.person, lastSignInOn },
  });

  it('records the first sign-in of a day, and nothing on a second the same day', () => {
    const returning = state({ account: ada, memberships: [member('o-acme')] });
    expect(decide(signIn(), returning, NOW).signedIn).toEqual({
      on: '2026-11-23',
      method: 'password',
    });
    expect(decide(signIn(), withLast(returning, '2026-11-22'), NOW).signedIn).toEqual({
      on: '2026-11-23',
      method: 'password',
    });
    const sameDay = decide(signIn(), withLast(returning, '2026-11-23'), NOW);
    expect(sameDay.signedIn).toBeUndefined();
    // A returning member's later sign-in that day plans no change at all.
    expect(sameDay.events).toEqual([]);
    expect(sameDay.account).toEqual({ create: false, name: 'Ada Lovelace', updateName: false });
  });

  it('records a new account with its first sign-in', () => {
    const p = decide(signIn(), state(), NOW);
    expect(p.account.create).toBe(true);
    expect(p.signedIn).toEqual({ on: '2026-11-23', method: 'password' });
  });

  it('names the method: password, social, sso (either door) and hook', () => {
    const s = state({ account: ada, connection: connection() });
    expect(decide(signIn({ connection: 'Google' }), s, NOW).signedIn?.method).toBe('social');
    expect(decide(signIn({ connection: 'AcmeOkta' }), s, NOW).signedIn?.method).toBe('sso');
    expect(
      decide(signIn({ connection: 'AcmeOkta' }), s, NOW, { entry: 'hook' }).signedIn?.method,
    ).toBe('sso');
    expect(decide(signIn(), s, NOW, { entry: 'hook' }).signedIn?.method).toBe('hook');
    expect(decide(signIn(), s, NOW, { entry: 'cognito' }).signedIn?.method).toBe('password');
  });

  it('records nothing for a sign-in §8 does not trust, nor for a refused one', () => {
    // Unverified email: no account is made and nothing is recorded.
    const unverified = decide(signIn({ emailVerified: false }), state(), NOW);
    expect(unverified.account.create).toBe(false);
    expect(unverified.signedIn).toBeUndefined();
    // A federated provider no connection names vouches for nobody.
    expect(
      decide(signIn({ connection: 'RogueIdp' }), state({ account: ada }), NOW).signedIn,
    ).toBeUndefined();
    // A connection's provider outside its domains: denied, nothing recorded.
    const outside = decide(
      signIn({ connection: 'AcmeOkta', email: 'eve@evil.com', domain: 'evil.com' }),
      state({ account: { ...ada, email: 'eve@evil.com' }, connection: connection() }),
      NOW,
    );
    expect(outside.outcome.decision).toBe('deny');
    expect(outside.signedIn).toBeUndefined();
    // JIT off and not a member: denied.
    const closed = decide(
      signIn({ connection: 'AcmeOkta' }),
      state({ account: ada, connection: connection({ jit: false }) }),
      NOW,
    );
    expect(closed.outcome.decision).toBe('deny');
    expect(closed.signedIn).toBeUndefined();
  });
});
