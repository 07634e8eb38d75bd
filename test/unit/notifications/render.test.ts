import { describe, expect, it } from 'vitest';
import { type Notification, renderNotification } from '../../../shared/notifications/render.ts';

const base: Notification = {
  type: 'member_added',
  orgId: 'org_1',
  orgName: 'acme',
  companyId: null,
  email: 'ada@acme.com',
  name: 'Ada Lovelace',
  details: { via: 'auto-provisioning', role: 'member' },
};

describe('notification mail', () => {
  it('names the person by email and full name, the org, how they joined and what to do', () => {
    const mail = renderNotification(base, 'owner@acme.com');
    expect(mail.to).toBe('owner@acme.com');
    expect(mail.subject).toBe('Ada Lovelace <ada@acme.com> joined acme');
    expect(mail.text).toContain('auto-provisioning');
    expect(mail.text).toContain('review the members of acme');
    expect(mail.html).toContain('Ada Lovelace &lt;ada@acme.com&gt;');
  });

  it('names the person by email alone when the name is unknown', () => {
    expect(renderNotification({ ...base, name: null }, 'o@x').subject).toBe(
      'ada@acme.com joined acme',
    );
  });

  it('escapes HTML from names', () => {
    const mail = renderNotification({ ...base, name: '<script>alert(1)</script>' }, 'o@x');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
  });

  it('tells owners how to free or add seats when the org is full', () => {
    const mail = renderNotification({ ...base, type: 'seat_limit_reached' }, 'o@x');
    expect(mail.subject).toContain('no free seat');
    expect(mail.text).toMatch(/raise the seat limit/);
  });

  it('says when SCIM provisioned the person, joined or refused a seat (SPEC §10)', () => {
    const joined = renderNotification({ ...base, details: { via: 'scim', role: 'member' } }, 'o@x');
    expect(joined.text).toContain('through SCIM provisioning from your identity provider');
    const refused = renderNotification(
      { ...base, type: 'seat_limit_reached', details: { via: 'scim' } },
      'o@x',
    );
    expect(refused.text).toContain('Your identity provider provisioned');
    expect(refused.text).toContain("at your identity provider's next attempt");
    expect(refused.text).not.toContain('signed in');
    expect(refused.text).toContain('at most once a day');
  });

  it('invites the invitee, saying who invited them and what to do', () => {
    const mail = renderNotification(
      {
        ...base,
        type: 'invitation',
        name: null,
        details: { invitedBy: 'boss@acme.com', role: 'owner', team: 'ops' },
      },
      'ada@acme.com',
    );
    expect(mail.subject).toBe('You are invited to join acme');
    expect(mail.text).toContain(
      'boss@acme.com invited you (ada@acme.com) to join the organization acme as owner, in the team ops',
    );
    expect(mail.text).toContain('sign in with this email address');
  });

  it.each(['domain_verified', 'domain_verification_lost'] as const)(
    'renders %s with the domain',
    (type) => {
      const mail = renderNotification({ ...base, type, details: { domain: 'acme.com' } }, 'o@x');
      expect(mail.subject).toContain('acme.com');
      expect(mail.text).toContain('acme.com');
    },
  );

  it('tells owners a domain left their SSO connection, and when the connection is inactive', () => {
    const detached = (remainingDomains: string[], reason: string) =>
      renderNotification(
        {
          ...base,
          type: 'sso_domain_detached',
          details: { domain: 'acme.com', reason, connectionName: 'Acme Okta', remainingDomains },
        },
        'o@x',
      );
    const lost = detached([], 'domain_verification_lost');
    expect(lost.subject).toBe('acme.com no longer signs in through Acme Okta');
    expect(lost.text).toContain('lost its verification');
    expect(lost.text).toContain('inactive and every sign-in through it is denied');
    const removed = detached(['acme.org'], 'domain_removed');
    expect(removed.text).toContain('was removed');
    expect(removed.text).toContain('Acme Okta still serves acme.org');
  });

  it('tells owners a SCIM-deactivated last owner is suspended, and how to restore them', () => {
    const mail = renderNotification(
      { ...base, type: 'member_suspended', details: { via: 'scim', connectionName: 'Acme Okta' } },
      'o@x',
    );
    expect(mail.subject).toBe(
      'Ada Lovelace <ada@acme.com> was deactivated and is suspended as the last owner of acme',
    );
    expect(mail.text).toContain('Acme Okta');
    expect(mail.text).toContain('a company owner sets their role to owner again');
    expect(mail.html).toContain('<p>');
    expect(mail.html).toContain('Ada Lovelace &lt;ada@acme.com&gt;');
  });

  it('tells owners a suspended owner was restored, and by whom', () => {
    const byIdp = renderNotification(
      { ...base, type: 'member_restored', details: { via: 'scim' } },
      'o@x',
    );
    expect(byIdp.subject).toBe('Ada Lovelace <ada@acme.com> is an owner of acme again');
    expect(byIdp.text).toContain('identity provider reactivated them');
    const byOwner = renderNotification(
      { ...base, type: 'member_restored', details: { restoredBy: 'boss@acme.com' } },
      'o@x',
    );
    expect(byOwner.text).toContain('boss@acme.com restored them');
  });
});
