/** SPEC §12 at the HTTP hook: the sign-in decision refuses what SSO enforcement refuses. */
import { describe, expect, it } from 'vitest';
import type { DomainEnforcement, SignIn, SignInState } from '../../../shared/model/types.ts';
import { decide } from '../../../shared/sign-in/decide.ts';
import { adaSignIn, stateOf } from '../../support/sign-in-state.ts';

const NOW = new Date('2026-11-23T12:00:00.000Z');

const on: DomainEnforcement = {
  connectionId: 'c1',
  connectionName: 'Acme Okta',
  providerName: 'AcmeOkta',
  mode: 'on',
  breakGlass: ['owner@acme.com'],
  defaultOrg: { id: 'o-acme', name: 'acme' },
  companyId: 'co-1',
};

/** A known member of acme on acme.com, whose verified domain mirrors `enforcement`. */
const enforced = (enforcement: DomainEnforcement | undefined): SignInState => {
  const base = stateOf({ email: 'ada@acme.com', username: 'u-ada', name: 'Ada' });
  return {
    ...base,
    person: {
      ...base.person,
      memberships: [
        {
          orgId: 'o-acme',
          orgName: 'acme',
          role: 'member',
          via: 'auto-provisioning',
          joinedAt: '2026-01-01T00:00:00.000Z',
        },
      ],
    },
    domain: {
      domain: 'acme.com',
      scope: { type: 'org', id: 'o-acme' },
      autoProvisioning: null,
      ssoConnectionIds: ['c1'],
      ...(enforcement ? { enforcement } : {}),
    },
  };
};

const hook = (signIn: SignIn, state: SignInState) =>
  decide(signIn, state, NOW, { enforceSso: true });

describe('SSO enforcement in the sign-in decision (SPEC §12)', () => {
  it('denies a password sign-in of an enforced address with SSO required, writing only the denial', () => {
    const p = hook(adaSignIn, enforced(on));
    expect(p.outcome).toMatchObject({ decision: 'deny', title: 'SSO required' });
    expect(p.outcome.decision === 'deny' && p.outcome.message).toMatch(/^SSO required.*Acme Okta/);
    expect(p.events).toEqual([
      expect.objectContaining({
        type: 'sign_in_denied',
        orgId: 'o-acme',
        companyId: 'co-1',
        details: expect.objectContaining({ reason: 'sso_required' }),
      }),
    ]);
    expect(p.account).toEqual({ create: false, name: null, updateName: false });
    expect(p.notifications).toEqual([]);
    expect(p.memberships).toEqual([]);
  });

  it("denies a sign-in through another provider (social, another connection's)", () => {
    for (const connection of ['Google', 'OtherOkta']) {
      expect(hook({ ...adaSignIn, connection }, enforced(on)).outcome).toMatchObject({
        decision: 'deny',
        title: 'SSO required',
      });
    }
  });

  it('leaves a sign-in through the enforcing provider to the SSO decision', () => {
    const p = hook({ ...adaSignIn, connection: 'AcmeOkta' }, enforced(on));
    expect(p.events.map((e) => e.type)).not.toContain('sign_in_denied');
  });

  it('lets a break-glass owner through, recording the bypass and telling the owners', () => {
    const owner = { ...adaSignIn, email: 'owner@acme.com' };
    const p = hook(owner, enforced(on));
    expect(p.outcome).toEqual({ decision: 'allow' });
    expect(p.events.map((e) => e.type)).toEqual(['sso_enforcement_bypassed']);
    expect(p.events[0]).toMatchObject({ orgId: 'o-acme', subject: 'owner@acme.com' });
    expect(p.notifications).toEqual([
      expect.objectContaining({
        type: 'sso_enforcement_bypassed',
        orgId: 'o-acme',
        email: 'owner@acme.com',
        details: expect.objectContaining({ connectionName: 'Acme Okta' }),
      }),
    ]);
  });

  it('refuses nothing in report mode, nor without enforcement', () => {
    for (const e of [{ ...on, mode: 'report' as const }, undefined]) {
      const p = hook(adaSignIn, enforced(e));
      expect(p.outcome).toEqual({ decision: 'allow' });
      expect(p.memberships.map((m) => m.orgId)).toEqual(['o-acme']);
    }
  });

  it('report mode records who it would refuse, at most once per person a day', () => {
    const report = { ...on, mode: 'report' as const };
    const first = hook(adaSignIn, enforced(report));
    expect(first.events.map((e) => e.type)).toEqual(['sso_enforcement_would_deny']);
    expect(first.notices).toContainEqual({ kind: 'sso-would-deny', orgId: 'o-acme' });
    const noticed = enforced(report);
    noticed.person.notices = [
      { kind: 'sso-would-deny', orgId: 'o-acme', at: '2026-11-23T08:00:00.000Z' },
    ];
    const again = hook(adaSignIn, noticed);
    expect(again.events).toEqual([]);
    expect(again.notices.filter((n) => n.kind === 'sso-would-deny')).toEqual([]);
  });

  it("marks a trusted hook sign-in without SSO on a connection's domain once a day, whatever the mode", () => {
    for (const e of [undefined, { ...on, mode: 'report' as const }]) {
      const p = hook(adaSignIn, enforced(e));
      expect(p.nonSsoSignIn).toEqual({ connectionId: 'c1', on: '2026-11-23' });
      expect(p.notices).toContainEqual({ kind: 'non-sso-sign-in', orgId: 'c1' });
    }
    const marked = enforced(undefined);
    marked.person.notices = [
      { kind: 'non-sso-sign-in', orgId: 'c1', at: '2026-11-23T06:00:00.000Z' },
    ];
    expect(hook(adaSignIn, marked).nonSsoSignIn).toBeUndefined();
    const unverified = hook({ ...adaSignIn, emailVerified: false }, enforced(undefined));
    expect(unverified.nonSsoSignIn).toBeUndefined();
    expect(hook(adaSignIn, enforced(on)).nonSsoSignIn).toBeUndefined();
  });

  it('leaves people of other domains alone', () => {
    const guest = { ...adaSignIn, email: 'grace@elsewhere.org', domain: 'elsewhere.org' };
    const state = { ...enforced(on), domain: undefined };
    expect(hook(guest, state).outcome).toEqual({ decision: 'allow' });
  });

  it('does not deny on the Cognito trigger path, where PreAuthentication refuses first', () => {
    expect(decide(adaSignIn, enforced(on), NOW).outcome).toEqual({ decision: 'allow' });
  });
});
