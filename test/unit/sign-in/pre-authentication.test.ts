/**
 * SPEC §12 at PreAuthentication and PreSignUp: what the trigger refuses, records and marks, over
 * the verified domain's item as read (shared/sign-in/pre-authentication.ts).
 */
import { describe, expect, it } from 'vitest';
import type { DomainEnforcement, VerifiedDomain } from '../../../shared/model/types.ts';
import type { Write } from '../../../shared/model/writes.ts';
import {
  decidePreAuthentication,
  type PreAuthentication,
  preAuthenticationKind,
} from '../../../shared/sign-in/pre-authentication.ts';

const NOW = new Date('2025-03-04T10:00:00.000Z');
let n = 0;
const ctx = { now: NOW, newId: () => `id-${++n}` };

const enforcement = (mode: 'on' | 'report', breakGlass: string[] = []): DomainEnforcement => ({
  connectionId: 'c1',
  connectionName: 'Acme SSO',
  providerName: 'provisio-acme',
  mode,
  breakGlass,
  defaultOrg: { id: 'o1', name: 'acme' },
  companyId: null,
});

const domain = (e?: DomainEnforcement, ssoConnectionIds = ['c1']): VerifiedDomain => ({
  domain: 'acme.com',
  scope: { type: 'org', id: 'o1' },
  autoProvisioning: null,
  ssoConnectionIds,
  ...(e ? { enforcement: e } : {}),
});

const password = (email = 'ada@acme.com'): PreAuthentication => ({
  kind: 'sign-in',
  email,
  provider: null,
});

const kinds = (writes: Write[]) => writes.map((w) => w.kind);

describe('preAuthenticationKind', () => {
  it.each([
    ['PreAuthentication_Authentication', 'sign-in'],
    ['PreSignUp_SignUp', 'sign-up'],
    ['PreSignUp_ExternalProvider', 'exempt'],
    ['PreSignUp_AdminCreateUser', 'exempt'],
  ])('%s is %s', (source, kind) => {
    expect(preAuthenticationKind(source)).toBe(kind);
  });
});

describe('decidePreAuthentication', () => {
  it('refuses an enforced password sign-in with SSO required naming the connection, recording sign_in_denied once an hour', () => {
    const out = decidePreAuthentication(password(), domain(enforcement('on')), ctx);
    expect(out.refusal).toMatch(/^SSO required/);
    expect(out.refusal).toContain('Acme SSO');
    expect(out.records).toEqual([
      {
        kind: 'putNotice',
        email: 'ada@acme.com',
        notice: 'sso-denied',
        orgId: 'c1',
        at: '2025-03-04T10:00:00.000Z',
        cutoff: '2025-03-04T09:00:00.000Z',
      },
      {
        kind: 'event',
        event: expect.objectContaining({
          type: 'sign_in_denied',
          orgId: 'o1',
          subject: 'ada@acme.com',
          details: expect.objectContaining({ reason: 'sso_required', connection: 'Acme SSO' }),
        }),
      },
    ]);
    // A refused sign-in is no sign-in without SSO: the no-lockout count is of those let through.
    expect(out.markers).toEqual([]);
  });

  it("lets the connection's own provider through, recording and marking nothing", () => {
    const out = decidePreAuthentication(
      { kind: 'sign-in', email: 'ada@acme.com', provider: 'provisio-acme' },
      domain(enforcement('on')),
      ctx,
    );
    expect(out).toMatchObject({ refusal: undefined, records: [], markers: [] });
  });

  it('lets a break-glass owner through, recording the bypass and telling the owners', () => {
    const out = decidePreAuthentication(
      password(),
      domain(enforcement('on', ['ada@acme.com'])),
      ctx,
    );
    expect(out.refusal).toBeUndefined();
    expect(kinds(out.records)).toEqual(['putNotice', 'event', 'outbox']);
    // Not a throttle: the notice refuses only this very record written again (a redelivered
    // log line), its cutoff being its own moment.
    expect(out.records[0]).toMatchObject({
      kind: 'putNotice',
      notice: 'sso-bypassed',
      at: out.records[0]!.kind === 'putNotice' ? out.records[0]!.cutoff : 'no cutoff',
    });
    expect(out.records[2]).toMatchObject({
      notification: { type: 'sso_enforcement_bypassed', orgId: 'o1', orgName: 'acme' },
    });
  });

  it('reports without refusing, throttled by a notice of 24 h', () => {
    const out = decidePreAuthentication(password(), domain(enforcement('report')), ctx);
    expect(out.refusal).toBeUndefined();
    expect(out.records[0]).toMatchObject({
      kind: 'putNotice',
      notice: 'sso-would-deny',
      orgId: 'o1',
      cutoff: '2025-03-03T10:00:00.000Z',
    });
    expect(out.records[1]).toMatchObject({ event: { type: 'sso_enforcement_would_deny' } });
  });

  it('marks a sign-in without SSO let through in report mode or by break-glass', () => {
    const marker = {
      kind: 'markNonSsoSignIn',
      connectionId: 'c1',
      email: 'ada@acme.com',
      on: '2025-03-04',
    };
    for (const e of [enforcement('report'), enforcement('on', ['ada@acme.com'])]) {
      expect(decidePreAuthentication(password(), domain(e), ctx).markers, e.mode).toEqual([marker]);
    }
  });

  it('marks a sign-in without SSO on a domain a connection serves with enforcement off', () => {
    const out = decidePreAuthentication(password(), domain(), ctx);
    expect(out).toMatchObject({ refusal: undefined, records: [] });
    expect(kinds(out.markers)).toEqual(['markNonSsoSignIn']);
    // A domain no connection serves has no count to keep.
    expect(decidePreAuthentication(password(), domain(undefined, []), ctx).markers).toEqual([]);
    expect(decidePreAuthentication(password(), undefined, ctx).markers).toEqual([]);
  });

  it('refuses a self-service sign-up the same way, and never an exempt one', () => {
    const signUp = decidePreAuthentication(
      { ...password(), kind: 'sign-up' },
      domain(enforcement('on')),
      ctx,
    );
    expect(signUp.refusal).toMatch(/^SSO required/);
    expect(kinds(signUp.records)).toEqual(['putNotice', 'event']);
    expect(signUp.records[1]).toMatchObject({ event: { details: { via: 'sign-up' } } });
    expect(signUp.markers).toEqual([]);
    const exempt = decidePreAuthentication(
      { ...password(), kind: 'exempt' },
      domain(enforcement('on')),
      ctx,
    );
    expect(exempt).toMatchObject({ refusal: undefined, records: [], markers: [] });
  });
});
