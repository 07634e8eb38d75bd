/**
 * The admin core's pure rules: who administers what, the scope rule, and the writes each change
 * plans (the conditions those writes carry are exercised against DynamoDB Local in
 * test/integration/admin-*.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  administersOrg,
  type Ctx,
  companyScope,
  domainView,
  orgScope,
  requireOwnDomainsAndSso,
} from '../../../shared/admin/context.ts';
import { planDomainDetach } from '../../../shared/admin/domain-loss.ts';
import { planDomainRemoval } from '../../../shared/admin/domains.ts';
import {
  planMemberRemoval,
  planRestore,
  planRoleChange,
  planSuspension,
} from '../../../shared/admin/orgs.ts';
import {
  checkDomainsServable,
  checkIdpSettings,
  checkProviderName,
  connectionChanges,
  connectionDomains,
  planConnectionUpdate,
  providerSource,
} from '../../../shared/admin/sso.ts';
import {
  breakGlassEmails,
  domainEnforcement,
  recentSince,
} from '../../../shared/admin/sso-enforcement.ts';
import { AppError, ConflictError, NotFoundError } from '../../../shared/errors.ts';
import type {
  ConnectionRecord,
  DomainClaimRecord,
  MemberRecord,
  OrgRecord,
  Write,
} from '../../../shared/model/writes.ts';
import { type IdpSettings, providerNameFor } from '../../../shared/sso/identity-providers.ts';
import { unitDeps } from '../../support/core-deps.ts';

const AT = '2026-01-01T00:00:00.000Z';
let n = 0;
const ctx: Ctx = {
  deps: unitDeps({
    now: () => new Date(AT),
    newId: () => `id${++n}`,
  }),
  caller: { email: 'ada@acme.com' },
  at: AT,
};

const org = (over: Partial<OrgRecord> = {}): OrgRecord => ({
  id: 'o1',
  name: 'acme',
  companyId: null,
  seatLimit: 5,
  seatsUsed: 2,
  ownerCount: 2,
  createdAt: AT,
  ...over,
});

const member = (role: 'owner' | 'member', teams: string[] = []): MemberRecord => ({
  email: 'bob@acme.com',
  membership: { orgId: 'o1', orgName: 'acme', role, via: 'invitation', joinedAt: AT },
  teams: teams.map((team) => ({ team, via: 'invitation' })),
  username: 'bob1234',
  name: 'Bob',
});

const claim = (over: Partial<DomainClaimRecord> = {}): DomainClaimRecord => ({
  domain: 'acme.com',
  scope: { type: 'org', id: 'o1' },
  status: 'verified',
  txtValue: 'provisio-verification=t',
  autoProvisioning: { enabled: false, orgId: null },
  ssoConnectionIds: [],
  addedAt: AT,
  verifiedAt: AT,
  missingSince: null,
  nextCheckAt: null,
  ...over,
});

const connection = (over: Partial<ConnectionRecord> = {}): ConnectionRecord => ({
  id: 'c1',
  name: 'Okta',
  providerName: 'AcmeOkta',
  idp: { source: 'bound' },
  scope: { type: 'org', id: 'o1' },
  domains: ['acme.com'],
  jit: true,
  scim: false,
  defaultOrg: { id: 'o1', name: 'acme' },
  defaultTeam: null,
  createdAt: AT,
  rev: 3,
  ...over,
});

const kinds = (writes: Write[]) => writes.map((w) => w.kind);

describe('who administers an org (SPEC §5)', () => {
  it.each([
    ['an owner', 'owner', false, true],
    ['a member', 'member', false, false],
    ['a member who owns the company', 'member', true, true],
    ['an owner of the company who is no member', null, true, true],
    ['anyone else', null, false, false],
  ] as const)('%s: %s', (_, role, companyOwner, expected) => {
    expect(administersOrg({ org: org(), role, companyOwner })).toBe(expected);
  });
});

describe('a suspended or SCIM-deactivated owner administers nothing (SPEC §10)', () => {
  it.each([
    ['a suspended owner', { role: 'owner', suspended: true }, false],
    ['an owner SCIM deactivated for the org', { role: 'owner', scimDeactivated: true }, false],
    [
      'a company owner SCIM deactivated for the org',
      { role: null, companyOwner: true, scimDeactivated: true },
      false,
    ],
    [
      'a suspended owner who owns the company',
      { role: 'owner', suspended: true, companyOwner: true },
      true,
    ],
  ] as const)('%s', (_, access, expected) => {
    expect(administersOrg({ org: org(), companyOwner: false, ...access })).toBe(expected);
  });
});

describe('the scope rule (SPEC §1)', () => {
  it('sends org-level domain and SSO routes of a company org to the company (409)', () => {
    expect(() => requireOwnDomainsAndSso(orgScope(org({ companyId: 'c9' })), 'domains')).toThrow(
      ConflictError,
    );
    expect(() => requireOwnDomainsAndSso(orgScope(org()), 'domains')).not.toThrow();
    expect(() =>
      requireOwnDomainsAndSso(
        companyScope({ id: 'c9', name: 'Acme', createdAt: AT }),
        'SSO connections',
      ),
    ).not.toThrow();
  });
});

describe('role changes and removals', () => {
  it('demoting counts an owner off under the last-owner guard', () => {
    const writes = planRoleChange(ctx, org(), member('owner'), 'member');
    expect(writes[0]).toMatchObject({ kind: 'orgCounters', orgId: 'o1', owners: 'demoted' });
    expect(String(writes[0]!.conflict)).toContain('last owner');
    expect(writes[1]).toMatchObject({ kind: 'setRole', from: 'owner', to: 'member' });
    expect(writes[2]).toMatchObject({
      kind: 'event',
      event: {
        type: 'role_changed',
        subject: 'bob@acme.com',
        actor: 'ada@acme.com',
        orgId: 'o1',
        details: { from: 'owner', to: 'member' },
      },
    });
  });

  it('promoting counts an owner on', () => {
    expect(planRoleChange(ctx, org(), member('member'), 'owner')[0]).toMatchObject({
      owners: 'promoted',
    });
  });

  it('removing frees the seat, drops the member’s teams, and guards the last owner', () => {
    const owner = planMemberRemoval(ctx, org(), member('owner', ['eng', 'ops']));
    expect(kinds(owner)).toEqual([
      'orgCounters',
      'deleteMember',
      'deleteTeamMember',
      'deleteTeamMember',
      'event',
    ]);
    expect(owner[0]).toMatchObject({ seats: 'member-removed', owners: 'owner-removed' });
    expect(owner[1]!.conflict).toBeInstanceOf(NotFoundError);
    const plain = planMemberRemoval(ctx, org(), member('member'));
    expect(plain[0]).toEqual(expect.objectContaining({ seats: 'member-removed' }));
    expect(plain[0]).not.toHaveProperty('owners');
  });

  it('removing a suspended owner moves no owner count: they count as no owner (SPEC §10)', () => {
    const suspended = member('owner');
    suspended.membership.suspended = true;
    const writes = planMemberRemoval(ctx, org(), suspended);
    expect(writes[0]).toEqual(expect.objectContaining({ seats: 'member-removed' }));
    expect(writes[0]).not.toHaveProperty('owners');
  });

  it('suspending counts the owner off down to none, keeps the membership, records and mails it', () => {
    const writes = planSuspension(ctx, org(), member('owner'), { via: 'scim' });
    expect(kinds(writes)).toEqual(['orgCounters', 'setSuspended', 'event', 'outbox']);
    expect(writes[0]).toMatchObject({ owners: 'suspended' });
    expect(writes[1]).toMatchObject({ suspended: true, email: 'bob@acme.com' });
    expect(writes[2]).toMatchObject({
      event: { type: 'member_suspended', details: { via: 'scim' } },
    });
    expect(writes[3]).toMatchObject({ notification: { type: 'member_suspended' } });
    expect(kinds(writes)).not.toContain('deleteMember');
  });

  it('restoring counts the owner on again', () => {
    const writes = planRestore(ctx, org(), member('owner'), { via: 'scim' });
    expect(writes[0]).toMatchObject({ kind: 'orgCounters', owners: 'restored' });
    expect(writes[1]).toMatchObject({ kind: 'setSuspended', suspended: false });
    expect(writes[2]).toMatchObject({ event: { type: 'member_restored' } });
  });
});

describe('domain removal', () => {
  it('deletes the claim and this scope’s sign-in copy, and detaches the domain from its connections', () => {
    const writes = planDomainRemoval(
      ctx,
      orgScope(org()),
      claim({ ssoConnectionIds: ['c1'], autoProvisioning: { enabled: true, orgId: 'o1' } }),
      [connection({ domains: ['acme.com', 'acme.org'] })],
    );
    expect(kinds(writes)).toEqual([
      'deleteClaim',
      'deleteVerified',
      'putConnection',
      'putProvider',
      'event',
      'outbox',
      'orgCounters',
      'event',
      'event',
    ]);
    expect(writes[2]).toMatchObject({ connection: { domains: ['acme.org'], rev: 4 } });
    expect(writes[3]).toMatchObject({ connection: { domains: ['acme.org'] } });
    // SPEC §8: the detachment is an event of the connection, and its owners are told.
    expect(writes[4]).toMatchObject({
      event: { type: 'sso_connection_updated', details: { reason: 'domain_removed' } },
    });
    expect(writes[5]).toMatchObject({ notification: { type: 'sso_domain_detached' } });
    expect(writes[6]).toMatchObject({ ownConfig: -1 });
    expect(writes.slice(7).map((w) => (w.kind === 'event' ? w.event.type : ''))).toEqual([
      'auto_provisioning_disabled',
      'domain_removed',
    ]);
  });

  it('leaves the sign-in copy alone for a pending claim, and counts nothing at company scope', () => {
    const writes = planDomainRemoval(
      ctx,
      companyScope({ id: 'c9', name: 'Acme', createdAt: AT }),
      claim({ status: 'pending', scope: { type: 'company', id: 'c9' } }),
      [],
    );
    expect(kinds(writes)).toEqual(['deleteClaim', 'event']);
    expect(writes[1]).toMatchObject({ event: { orgId: null, companyId: 'c9' } });
  });
});

/** The social providers and AcmeOkta, all bound to org o1 (the scope these tests use). */
const everyNameBound = new Map(
  ['Google', 'Facebook', 'LoginWithAmazon', 'SignInWithApple', 'AcmeOkta'].map((name) => [
    name,
    { type: 'org' as const, id: 'o1' },
  ]),
);

describe('SSO connections', () => {
  it('refuses social providers (their sign-ins follow the password path)', () => {
    const bound = { ...ctx, deps: { ...ctx.deps, boundProviders: everyNameBound } };
    for (const name of ['Google', 'Facebook', 'LoginWithAmazon', 'SignInWithApple']) {
      expect(() => checkProviderName(bound, orgScope(org()), name)).toThrow(
        expect.objectContaining({ field: 'providerName' }),
      );
    }
    expect(() => checkProviderName(bound, orgScope(org()), 'AcmeOkta')).not.toThrow();
  });

  it('takes a tenant-named provider only when the operator bound it to this scope (SPEC §8)', () => {
    const boundProviders = new Map([
      ['AcmeOkta', { type: 'org' as const, id: 'o1' }],
      ['OtherOkta', { type: 'org' as const, id: 'o2' }],
      ['CorpEntra', { type: 'company' as const, id: 'o1' }],
    ]);
    const c = { ...ctx, deps: { ...ctx.deps, boundProviders } };
    const scope = orgScope(org());
    expect(() => checkProviderName(c, scope, 'AcmeOkta')).not.toThrow();
    for (const name of ['OtherOkta', 'CorpEntra', 'Unbound', 'provisio-0123456789abcdef0123456']) {
      expect(() => checkProviderName(c, scope, name), name).toThrow(
        expect.objectContaining({ statusCode: 400, field: 'providerName' }),
      );
    }
  });

  it('derives provider names from the connection: unique, at most 32 characters', () => {
    const a = providerNameFor('3f2c1a9e-8b7d-4c6e-9f10-1234567890ab');
    expect(a).toBe('provisio-3f2c1a9e8b7d4c6e9f10123');
    expect(a.length).toBeLessThanOrEqual(32);
    expect(providerNameFor('3f2c1a9e-8b7d-4c6e-9f10-1234567890ac')).toBe(a.slice(0, 32));
    expect(providerNameFor('00000000-0000-4000-8000-000000000001')).not.toBe(a);
  });

  it('accepts SAML metadata for an IdP only, naming the field otherwise', () => {
    const xml = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
    expect(() => checkIdpSettings({ type: 'saml', metadataXml: xml })).not.toThrow();
    expect(() =>
      checkIdpSettings({ type: 'saml', metadataUrl: 'https://idp.example/m' }),
    ).not.toThrow();
    const bad: [string, IdpSettings][] = [
      ['idp.metadataUrl', { type: 'saml' }],
      ['idp.metadataUrl', { type: 'saml', metadataUrl: 'https://a', metadataXml: xml }],
      ['idp.metadataXml', { type: 'saml', metadataXml: '<html></html>' }],
      [
        'idp.metadataXml',
        {
          type: 'saml',
          metadataXml: xml
            .replace('IDPSSODescriptor', 'SPSSODescriptor')
            .replace('IDPSSODescriptor', 'SPSSODescriptor'),
        },
      ],
      ['idp.metadataXml', { type: 'saml', metadataXml: xml.slice(0, -10) }],
      ['idp.metadataXml', { type: 'saml', metadataXml: `${xml}${' '.repeat(100_001)}x` }],
    ];
    for (const [field, settings] of bad) {
      expect(() => checkIdpSettings(settings)).toThrow(expect.objectContaining({ field }));
    }
  });

  it('keeps the non-secret settings of a created provider, never the client secret', () => {
    const source = providerSource({
      type: 'oidc',
      issuer: 'https://login.example',
      clientId: 'abc',
      clientSecret: 's3cr3t',
    });
    expect(source).toEqual({
      source: 'created',
      type: 'oidc',
      issuer: 'https://login.example',
      clientId: 'abc',
      groupsClaim: 'groups',
    });
    expect(JSON.stringify(source)).not.toContain('s3cr3t');
  });

  it('detaching a domain from an SSO connection leaves it inactive when it was the last (SPEC §8)', () => {
    const created = connection({
      providerName: 'provisio-0123456789abcdef0123456',
      idp: { source: 'created', type: 'saml', metadataUrl: 'https://m', groupsClaim: 'groups' },
    });
    const writes = planDomainDetach(
      ctx,
      orgScope(org()),
      'acme.com',
      [created, connection({ id: 'c2', domains: ['other.com'] })],
      'domain_removed',
    );
    expect(kinds(writes)).toEqual(['putConnection', 'putProvider', 'event', 'outbox', 'task']);
    expect(writes[0]).toMatchObject({
      connection: { id: 'c1', domains: [], rev: created.rev + 1 },
    });
    expect(writes[2]).toMatchObject({
      event: { details: { active: false, reason: 'domain_removed' } },
    });
    expect(writes[3]).toMatchObject({
      notification: { type: 'sso_domain_detached', details: { remainingDomains: [] } },
    });
    // A bound provider is the operator's: Provisio leaves its identifiers alone.
    expect(
      kinds(planDomainDetach(ctx, orgScope(org()), 'acme.com', [connection()], 'domain_removed')),
    ).not.toContain('task');
  });

  it('normalises and de-duplicates domains, naming a bad one by index', () => {
    expect(connectionDomains(['Acme.COM.', 'acme.com', 'bücher.de'])).toEqual([
      'acme.com',
      'xn--bcher-kva.de',
    ]);
    expect(() => connectionDomains(['acme.com', 'nope'])).toThrow(
      expect.objectContaining({ field: 'domains[1]' }),
    );
  });

  it('serves only domains the scope verified, each through one connection (409 otherwise)', () => {
    const scope = orgScope(org());
    const claims = new Map([
      ['acme.com', claim()],
      ['pending.com', claim({ domain: 'pending.com', status: 'pending' })],
      ['taken.com', claim({ domain: 'taken.com', ssoConnectionIds: ['c2'] })],
      ['mine.com', claim({ domain: 'mine.com', ssoConnectionIds: ['c1'] })],
    ]);
    expect(() => checkDomainsServable(scope, ['acme.com', 'mine.com'], claims, 'c1')).not.toThrow();
    for (const d of ['pending.com', 'unknown.com', 'taken.com']) {
      expect(() => checkDomainsServable(scope, [d], claims, 'c1')).toThrow(ConflictError);
    }
  });

  it('a rename deletes the old provider copy and claims the new name; moved domains relink their claims', () => {
    const before = connection({ domains: ['acme.com', 'old.com'] });
    const after = {
      ...before,
      providerName: 'AcmeEntra',
      domains: ['acme.com', 'new.com'],
      rev: 4,
    };
    const claims = new Map([
      ['acme.com', claim({ ssoConnectionIds: ['c1'] })],
      ['old.com', claim({ domain: 'old.com', ssoConnectionIds: ['c1'] })],
      ['new.com', claim({ domain: 'new.com' })],
    ]);
    const writes = planConnectionUpdate(ctx, orgScope(org()), before, after, claims);
    expect(kinds(writes)).toEqual([
      'putConnection',
      'deleteProvider',
      'putProvider',
      'updateClaim',
      'updateVerified',
      'updateClaim',
      'updateVerified',
      'event',
    ]);
    expect(writes[1]).toMatchObject({ providerName: 'AcmeOkta', connectionId: 'c1' });
    expect(String(writes[2]!.conflict)).toContain('provider name');
    expect(writes[3]).toMatchObject({ after: { domain: 'new.com', ssoConnectionIds: ['c1'] } });
    expect(writes[4]).toMatchObject({ domain: 'new.com', ssoConnectionIds: ['c1'] });
    expect(writes[5]).toMatchObject({ after: { domain: 'old.com', ssoConnectionIds: [] } });
    expect(writes[7]).toMatchObject({
      event: {
        type: 'sso_connection_updated',
        details: {
          changes: {
            providerName: { from: 'AcmeOkta', to: 'AcmeEntra' },
            domains: { from: ['acme.com', 'old.com'], to: ['acme.com', 'new.com'] },
          },
        },
      },
    });
  });

  it('finds no change in an update that changes nothing', () => {
    expect(connectionChanges(connection(), { ...connection(), rev: 9 })).toEqual({});
    expect(connectionChanges(connection(), connection({ jit: false }))).toEqual({
      jit: { from: true, to: false },
    });
  });
});

describe('domain view', () => {
  it('shows orgId only while auto-provisioning is on, and the serving connection', () => {
    expect(
      domainView(claim({ autoProvisioning: { enabled: false, orgId: 'o1' } })).autoProvisioning,
    ).toEqual({
      enabled: false,
      orgId: null,
    });
    expect(domainView(claim({ ssoConnectionIds: ['c1'] }))).toMatchObject({
      txtRecord: { name: 'acme.com', value: 'provisio-verification=t' },
      ssoConnectionId: 'c1',
    });
  });
});

it('conflicts that are really absences are 404s', () => {
  const writes = planMemberRemoval(ctx, org(), member('member'));
  expect(writes.find((w) => w.kind === 'deleteMember')!.conflict).toBeInstanceOf(AppError);
});

describe('SSO enforcement on a connection (SPEC §12)', () => {
  const mirrorOf = (c: ConnectionRecord) => ({
    connectionId: c.id,
    connectionName: c.name,
    providerName: c.providerName,
    mode: c.enforcement,
    breakGlass: c.breakGlass ?? [],
    defaultOrg: c.defaultOrg,
    companyId: null,
  });

  it('mirrors report and on on every domain it serves, and nothing for off', () => {
    expect(domainEnforcement(connection())).toBeNull();
    const on = connection({ enforcement: 'on', breakGlass: ['ada@acme.com'] });
    expect(domainEnforcement(on)).toEqual(mirrorOf(on));
    const company = connection({ enforcement: 'report', scope: { type: 'company', id: 'k1' } });
    expect(domainEnforcement(company)).toMatchObject({ mode: 'report', companyId: 'k1' });
  });

  it('an update of the mode rewrites the mirror of kept domains and records sso_enforcement_changed', () => {
    const before = connection({ domains: ['acme.com', 'acme.org'] });
    const after = connection({
      domains: ['acme.com', 'acme.org'],
      enforcement: 'report',
      breakGlass: ['ada@acme.com'],
      rev: 4,
    });
    const claims = new Map([
      ['acme.com', claim({ ssoConnectionIds: ['c1'] })],
      ['acme.org', claim({ domain: 'acme.org', ssoConnectionIds: ['c1'] })],
    ]);
    const writes = planConnectionUpdate(ctx, orgScope(org()), before, after, claims);
    expect(kinds(writes)).toEqual([
      'putConnection',
      'putProvider',
      'updateVerified',
      'updateVerified',
      'event',
    ]);
    expect(writes[2]).toEqual(
      expect.objectContaining({ domain: 'acme.com', enforcement: mirrorOf(after) }),
    );
    expect(writes[2]).not.toHaveProperty('ssoConnectionIds');
    expect(writes[4]).toMatchObject({
      event: {
        type: 'sso_enforcement_changed',
        subject: 'c1',
        details: { from: 'off', to: 'report', breakGlass: ['ada@acme.com'] },
      },
    });
  });

  it('a domain leaving the connection loses the mirror; one joining gains it in its one write', () => {
    const before = connection({ domains: ['acme.com', 'old.com'], enforcement: 'on' });
    const after = { ...before, domains: ['acme.com', 'new.com'], rev: 4 };
    const claims = new Map([
      ['acme.com', claim({ ssoConnectionIds: ['c1'] })],
      ['old.com', claim({ domain: 'old.com', ssoConnectionIds: ['c1'] })],
      ['new.com', claim({ domain: 'new.com' })],
    ]);
    const writes = planConnectionUpdate(ctx, orgScope(org()), before, after, claims);
    const verified = writes.filter((w) => w.kind === 'updateVerified');
    // The kept domain's mirror is unchanged: not written again.
    expect(verified).toEqual([
      expect.objectContaining({
        domain: 'new.com',
        ssoConnectionIds: ['c1'],
        enforcement: mirrorOf(after),
      }),
      expect.objectContaining({ domain: 'old.com', ssoConnectionIds: [], enforcement: null }),
    ]);
    expect(writes.map((w) => (w.kind === 'event' ? w.event.type : null)).filter(Boolean)).toEqual([
      'sso_connection_updated',
    ]);
  });

  it('switching off removes the mirror; a rename rewrites it', () => {
    const before = connection({ enforcement: 'on' });
    const claims = new Map([['acme.com', claim({ ssoConnectionIds: ['c1'] })]]);
    const off = planConnectionUpdate(ctx, orgScope(org()), before, connection({ rev: 4 }), claims);
    expect(off.find((w) => w.kind === 'updateVerified')).toMatchObject({ enforcement: null });
    const renamed = connection({ enforcement: 'on', name: 'Okta SSO', rev: 4 });
    const rename = planConnectionUpdate(ctx, orgScope(org()), before, renamed, claims);
    expect(rename.find((w) => w.kind === 'updateVerified')).toMatchObject({
      enforcement: { connectionName: 'Okta SSO', mode: 'on' },
    });
  });

  it('takes at most three break-glass emails, normalised and de-duplicated', () => {
    expect(breakGlassEmails([' Ada@Acme.com ', 'ada@acme.com', 'bob@acme.com'])).toEqual([
      'ada@acme.com',
      'bob@acme.com',
    ]);
    expect(() => breakGlassEmails(['a@x.com', 'b@x.com', 'c@x.com', 'd@x.com'])).toThrow(
      expect.objectContaining({ statusCode: 400, field: 'breakGlass' }),
    );
    expect(() => breakGlassEmails(['a@x.com', 'nope'])).toThrow(
      expect.objectContaining({ field: 'breakGlass[1]' }),
    );
  });

  it('counts the last 30 days from the request', () => {
    expect(recentSince('2026-03-31T12:00:00.000Z')).toBe('2026-03-01');
  });
});
