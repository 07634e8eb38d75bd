/** SPEC §12: the enforcement rule, case by case (shared/trust/enforcement.ts). */
import { describe, expect, it } from 'vitest';
import type { DomainEnforcement } from '../../../shared/model/types.ts';
import { enforce, SSO_REQUIRED } from '../../../shared/trust/enforcement.ts';

const on: DomainEnforcement = {
  connectionId: 'c1',
  connectionName: 'Acme Okta',
  providerName: 'provisio-acme',
  mode: 'on',
  breakGlass: ['owner@acme.com'],
  defaultOrg: { id: 'o1', name: 'acme' },
  companyId: null,
};
const report: DomainEnforcement = { ...on, mode: 'report' };

describe('SSO enforcement (SPEC §12)', () => {
  it('allows everyone on a domain that enforces nothing', () => {
    expect(enforce('ada@acme.com', null, undefined)).toEqual({ action: 'allow' });
    expect(enforce('ada@acme.com', null, null)).toEqual({ action: 'allow' });
  });
  it("allows a sign-in through the enforcing connection's own provider", () => {
    expect(enforce('ada@acme.com', 'provisio-acme', on)).toEqual({ action: 'allow' });
  });
  it.each([
    ['a password sign-in', null],
    ['a social sign-in', 'Google'],
    ["another connection's provider", 'provisio-other'],
    ['unreadable identities', undefined],
  ])('refuses %s with SSO required, naming the connection', (_, provider) => {
    const d = enforce('ada@acme.com', provider, on);
    expect(d).toMatchObject({ action: 'deny' });
    expect(d.action === 'deny' && d.message).toMatch(new RegExp(`^${SSO_REQUIRED}.*Acme Okta`));
  });
  it('lets a break-glass owner through, recorded', () => {
    expect(enforce('owner@acme.com', null, on)).toEqual({ action: 'bypass', enforcement: on });
  });
  it('report mode refuses nothing and reports who it would refuse', () => {
    expect(enforce('ada@acme.com', null, report)).toEqual({
      action: 'report',
      enforcement: report,
    });
    expect(enforce('ada@acme.com', 'provisio-acme', report)).toEqual({ action: 'allow' });
  });
});
