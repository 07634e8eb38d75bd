/**
 * The domain checker in the local stack (SPEC §5, §6), end to end: the admin API over HTTP with
 * cognito-local tokens, TXT records on the DNS server the stack's handlers resolve through
 * (`stackDns()`), sign-ins through cognito-local's trigger, and mail in the local SES.
 *
 * - The stack runs the checker on its short schedule; a claim whose hourly check is due is
 *   verified within seconds once its record appears.
 * - Days pass by injecting `now` into `checkDomain`, the per-claim check each run of the handler
 *   makes, on this test's claim only (a whole run days ahead would touch every test's domains).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDomainCheckerDeps } from '../../functions/domain-checker/handler.ts';
import { functionSpecs } from '../../functions/registry.ts';
import { checkDomain, type DomainCheckerDeps } from '../../shared/admin/domain-checker.ts';
import { readConfig } from '../../shared/config.ts';
import { DAY_MS, DOMAIN_CHECKER_ACTOR } from '../../shared/domains/check-schedule.ts';
import { keys } from '../../shared/table/schema.ts';
import { uniqueSlug } from '../support/admin-harness.ts';
import { type AdminStackEnv, adminStackEnv } from '../support/admin-http.ts';
import {
  createUser,
  invocations,
  lastInvocationSeq,
  signIn,
  stackDns,
} from '../support/local-stack.ts';
import { eventually, mailTo } from '../support/mail.ts';

let env: AdminStackEnv;
let deps: DomainCheckerDeps;

beforeAll(async () => {
  env = adminStackEnv();
  // The stack's environment, inherited from the globalSetup: its table, DynamoDB Local and the
  // DNS server the tests publish on.
  deps = createDomainCheckerDeps(readConfig());
});

async function newOrg(owner: string) {
  const res = await env.api.call('POST', '/v1/orgs', {
    as: owner,
    body: { name: uniqueSlug('dc') },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string };
}

async function addDomain(owner: string, orgId: string) {
  const domain = `${uniqueSlug('dc')}.example.test`;
  const res = await env.api.call('POST', `/v1/orgs/${orgId}/domains`, {
    as: owner,
    body: { domain },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { domain, value: res.body.txtRecord.value as string };
}

async function domainView(owner: string, orgId: string, domain: string) {
  const res = await env.api.call('GET', `/v1/orgs/${orgId}/domains`, {
    as: owner,
    query: { limit: '100' },
  });
  expect(res.status).toBe(200);
  return (res.body.items as { domain: string }[]).find((d) => d.domain === domain) as
    | Record<string, unknown>
    | undefined;
}

async function events(owner: string, orgId: string, domain: string) {
  const res = await env.api.call('GET', `/v1/orgs/${orgId}/events`, {
    as: owner,
    query: { limit: '100' },
  });
  return (res.body.items as { type: string; subject: string; actor: string }[]).filter(
    (e) => e.subject === domain,
  );
}

async function isMember(owner: string, orgId: string, email: string) {
  const res = await env.api.call('GET', `/v1/orgs/${orgId}/members`, {
    as: owner,
    query: { limit: '100' },
  });
  return (res.body.items as { email: string }[]).some((m) => m.email === email);
}

/** Signs a new person of `domain` in through cognito-local (the sign-in trigger decides). */
async function signInAt(domain: string) {
  const email = `hire-${uniqueSlug('p')}@${domain}`;
  await signIn(await createUser({ email }));
  return email;
}

describe('the local stack’s scheduled checker', () => {
  it('runs on a short interval, through the Lambda runtime', async () => {
    const since = await lastInvocationSeq();
    const runs = await eventually(
      () => invocations({ functionName: functionSpecs.domainChecker.localName, since }),
      (r) => r.length > 0,
      25_000,
    );
    expect(runs.map((r) => r.outcome)).toContain('success');
  }, 40_000);

  it('verifies a pending domain once its record appears and its hourly check is due, and tells the owners', async () => {
    const owner = await env.person('dc-owner');
    const org = await newOrg(owner);
    const { domain, value } = await addDomain(owner, org.id);
    await stackDns().setTxt(domain, [value]);

    // The first check is an hour after adding; make it due now, as an hour passing would.
    const due = new Date(Date.now() - 1000).toISOString();
    await env.db.send(
      new UpdateCommand({
        TableName: env.tableName,
        Key: keys.domainClaim({ type: 'org', id: org.id }, domain),
        UpdateExpression: 'SET nextCheckAt = :at, gsi1sk = :sk',
        ExpressionAttributeValues: { ':at': due, ':sk': keys.domainCheck(due, domain).gsi1sk },
      }),
    );

    const view = await eventually(
      () => domainView(owner, org.id, domain),
      (d) => d?.status === 'verified',
      25_000,
    );
    expect(view).toMatchObject({ status: 'verified', missingSince: null, checkExpired: false });
    expect(await events(owner, org.id, domain)).toContainEqual(
      expect.objectContaining({ type: 'domain_verified', actor: DOMAIN_CHECKER_ACTOR }),
    );
    const mail = await eventually(
      () => mailTo(owner),
      (m) => m.some((x) => x.subject.includes(domain)),
    );
    expect(mail.filter((m) => m.subject.includes(domain)).map((m) => m.subject)).toEqual([
      `${domain} is verified for ${org.name}`,
    ]);
  }, 60_000);
});

describe('a verified domain whose TXT record is removed', () => {
  it('stays verified for 6 days, then loses verification: pending, auto-provisioning off, sign-ins no longer provisioned, owners mailed', async () => {
    const owner = await env.person('dc-lost');
    const org = await newOrg(owner);
    const { domain, value } = await addDomain(owner, org.id);
    await stackDns().setTxt(domain, [value]);
    const verified = await env.api.call('POST', `/v1/orgs/${org.id}/domains/${domain}/verify`, {
      as: owner,
    });
    expect(verified.status).toBe(200);
    const enabled = await env.api.call(
      'PUT',
      `/v1/orgs/${org.id}/domains/${domain}/auto-provisioning`,
      { as: owner, body: { enabled: true } },
    );
    expect(enabled.status).toBe(200);
    const before = await signInAt(domain);
    expect(await isMember(owner, org.id, before)).toBe(true);

    await stackDns().removeTxt(domain);
    const verifiedAt = Date.parse(verified.body.verifiedAt);
    const ref = { scope: { type: 'org' as const, id: org.id }, domain };

    // Day 1: the first daily check finds the record missing.
    const firstMiss = new Date(verifiedAt + DAY_MS + 60_000);
    expect((await checkDomain(deps, ref, firstMiss)).outcome).toBe('missing');
    expect(await domainView(owner, org.id, domain)).toMatchObject({
      status: 'verified',
      missingSince: firstMiss.toISOString(),
      autoProvisioning: { enabled: true, orgId: org.id },
    });

    // Six days missing: still verified, and sign-ins are still provisioned.
    expect((await checkDomain(deps, ref, new Date(firstMiss.getTime() + 6 * DAY_MS))).outcome).toBe(
      'still-missing',
    );
    const during = await signInAt(domain);
    expect(await isMember(owner, org.id, during)).toBe(true);

    // Seven days missing: verification is lost.
    expect((await checkDomain(deps, ref, new Date(firstMiss.getTime() + 7 * DAY_MS))).outcome).toBe(
      'lost',
    );
    expect(await domainView(owner, org.id, domain)).toMatchObject({
      status: 'pending',
      verifiedAt: null,
      autoProvisioning: { enabled: false, orgId: null },
      missingSince: firstMiss.toISOString(),
      nextCheckAt: null,
      checkExpired: true,
    });
    const copy = await env.db.send(
      new GetCommand({ TableName: env.tableName, Key: keys.domainVerified(domain) }),
    );
    expect(copy.Item).toBeUndefined();
    expect((await events(owner, org.id, domain)).map((e) => [e.type, e.actor])).toEqual(
      expect.arrayContaining([
        ['domain_verification_lost', DOMAIN_CHECKER_ACTOR],
        ['auto_provisioning_disabled', DOMAIN_CHECKER_ACTOR],
      ]),
    );

    const lostMail = await eventually(
      () => mailTo(owner),
      (m) => m.some((x) => x.subject === `${domain} is no longer verified for ${org.name}`),
    );
    const told = lostMail.filter(
      (m) => m.subject === `${domain} is no longer verified for ${org.name}`,
    );
    expect(told).toHaveLength(1);
    expect(told[0]!.body.text).toContain(value);

    // A sign-in on the domain no longer joins the org.
    const after = await signInAt(domain);
    expect(await isMember(owner, org.id, after)).toBe(false);

    // A later run does not look at it again; verifying by hand restores it.
    expect(
      (await checkDomain(deps, ref, new Date(firstMiss.getTime() + 30 * DAY_MS))).outcome,
    ).toBe('skipped');
    await stackDns().setTxt(domain, [value]);
    const again = await env.api.call('POST', `/v1/orgs/${org.id}/domains/${domain}/verify`, {
      as: owner,
    });
    expect(again.body).toMatchObject({
      status: 'verified',
      missingSince: null,
      checkExpired: false,
    });
  }, 60_000);
});
