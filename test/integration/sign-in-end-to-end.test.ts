/**
 * The product end to end on the local stack: an owner sets up an org through the admin API,
 * a new person signs in through cognito-local (USER_PASSWORD_AUTH → PostAuthentication →
 * provisio-sign-in), lands in the org, and the owner gets one mail through the stream notifier.
 */
import { describe, expect, it } from 'vitest';
import { uniqueSlug } from '../support/admin-harness.ts';
import { adminStackWithDns } from '../support/admin-suite.ts';
import { createUser, signIn } from '../support/local-stack.ts';
import { eventually, mailTo } from '../support/mail.ts';

const { env, local, dns } = adminStackWithDns();

/** An org with a verified domain and auto-provisioning on, set up as its owner would. */
async function autoProvisionedOrg(seatLimit: number) {
  const owner = await env.person('owner');
  const created = await env.api.call('POST', '/v1/orgs', {
    as: owner,
    body: { name: uniqueSlug('e2e'), seatLimit },
  });
  expect(created.status).toBe(201);
  const org = created.body as { id: string; name: string };
  const domain = `${uniqueSlug('corp')}.example.test`;
  const added = await env.api.call('POST', `/v1/orgs/${org.id}/domains`, {
    as: owner,
    body: { domain },
  });
  expect(added.status).toBe(201);
  dns.setTxt(added.body.txtRecord.name, [added.body.txtRecord.value]);
  const verified = await local.call('POST', `/v1/orgs/${org.id}/domains/${domain}/verify`, {
    as: owner,
  });
  expect(verified.status).toBe(200);
  const enabled = await env.api.call(
    'PUT',
    `/v1/orgs/${org.id}/domains/${domain}/auto-provisioning`,
    { as: owner, body: { enabled: true } },
  );
  expect(enabled.status).toBe(200);
  return { owner, org, domain };
}

describe('auto-provisioning end to end', () => {
  it('adds a person who signs in through Cognito with a verified address, and mails the owner once', async () => {
    const { owner, org, domain } = await autoProvisionedOrg(5);
    const person = await createUser({
      email: `New.Hire@${domain.toUpperCase()}`,
      attributes: { name: 'New Hire' },
    });
    await signIn(person);

    const members = await env.api.call('GET', `/v1/orgs/${org.id}/members`, { as: owner });
    expect(members.status).toBe(200);
    const joined = (
      members.body.items as { email: string; via: string; role: string; name: string }[]
    ).find((m) => m.email === `new.hire@${domain}`);
    expect(joined).toMatchObject({ via: 'auto-provisioning', role: 'member', name: 'New Hire' });

    const events = await env.api.call('GET', `/v1/orgs/${org.id}/events`, { as: owner });
    expect(events.body.items[0]).toMatchObject({
      type: 'member_added',
      subject: `new.hire@${domain}`,
      details: { via: 'auto-provisioning' },
    });

    const orgNow = await env.api.call('GET', `/v1/orgs/${org.id}`, { as: owner });
    expect(orgNow.body).toMatchObject({ seatLimit: 5, seatsUsed: 2 });

    const mail = await eventually(
      () => mailTo(owner),
      (m) => m.some((x) => x.subject.includes(`new.hire@${domain}`)),
    );
    const aboutHire = mail.filter((m) => m.subject.includes(`new.hire@${domain}`));
    expect(aboutHire).toHaveLength(1);
    expect(aboutHire[0]!.subject).toContain(org.name);
    expect(aboutHire[0]!.body.text).toContain('auto-provisioning');
    expect(aboutHire[0]!.body.html).toContain('New Hire');

    // Signing in again changes nothing and mails nobody.
    await signIn(person);
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      (await mailTo(owner)).filter((m) => m.subject.includes(`new.hire@${domain}`)),
    ).toHaveLength(1);
    const again = await env.api.call('GET', `/v1/orgs/${org.id}/events`, { as: owner });
    expect(
      again.body.items.filter((e: { type: string }) => e.type === 'member_added'),
    ).toHaveLength(
      events.body.items.filter((e: { type: string }) => e.type === 'member_added').length,
    );
  });

  it('does not add a person whose email Cognito has not verified', async () => {
    const { owner, org, domain } = await autoProvisionedOrg(5);
    const person = await createUser({
      email: `unverified@${domain}`,
      attributes: { email_verified: 'false' },
    });
    await signIn(person);
    const members = await env.api.call('GET', `/v1/orgs/${org.id}/members`, { as: owner });
    expect((members.body.items as { email: string }[]).map((m) => m.email)).toEqual([owner]);
    const events = await env.api.call('GET', `/v1/orgs/${org.id}/events`, { as: owner });
    expect(events.body.items[0]).toMatchObject({
      type: 'auto_provisioning_skipped',
      details: { reason: 'email_not_verified' },
    });
  });

  it('tells the owner when the org is full instead of adding', async () => {
    const { owner, org, domain } = await autoProvisionedOrg(1);
    const person = await createUser({ email: `late@${domain}` });
    await signIn(person);
    const members = await env.api.call('GET', `/v1/orgs/${org.id}/members`, { as: owner });
    expect((members.body.items as { email: string }[]).map((m) => m.email)).toEqual([owner]);
    const mail = await eventually(
      () => mailTo(owner),
      (m) => m.some((x) => x.subject.includes('no free seat')),
    );
    expect(mail.filter((x) => x.subject.includes('no free seat'))).toHaveLength(1);
  });
});
