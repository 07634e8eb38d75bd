/**
 * `POST /v1/{scope}/domains/{domain}/verify` through the local stack's HTTP API: the stack's own
 * admin function resolves through the loopback DNS server the tests publish records on.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueSlug } from '../support/admin-harness.ts';
import { type AdminStackEnv, adminStackEnv } from '../support/admin-http.ts';
import { stackDns } from '../support/local-stack.ts';

let env: AdminStackEnv;
let owner: string;
let orgId: string;

beforeAll(async () => {
  env = adminStackEnv();
  owner = await env.person('dns-owner');
  orgId = (await env.api.call('POST', '/v1/orgs', { as: owner, body: { name: uniqueSlug('dns') } }))
    .body.id;
});

const addDomain = async () => {
  const domain = `${uniqueSlug('verify')}.example.test`;
  const added = await env.api.call('POST', `/v1/orgs/${orgId}/domains`, {
    as: owner,
    body: { domain },
  });
  expect(added.status).toBe(201);
  return { domain, txt: added.body.txtRecord as { name: string; value: string } };
};

describe('domain verification over HTTP', () => {
  it('verifies once the TXT record is published', async () => {
    const { domain, txt } = await addDomain();
    await stackDns().setTxt(txt.name, ['v=spf1 -all', txt.value]);
    const verified = await env.api.call('POST', `/v1/orgs/${orgId}/domains/${domain}/verify`, {
      as: owner,
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ domain, status: 'verified' });
  });

  it('answers 409 with what was found when the record is missing or wrong, looking afresh each time', async () => {
    const { domain, txt } = await addDomain();
    await stackDns().setTxt(txt.name, ['provisio-verification=not-yours']);
    const wrong = await env.api.call('POST', `/v1/orgs/${orgId}/domains/${domain}/verify`, {
      as: owner,
    });
    expect(wrong.status).toBe(409);
    expect(wrong.headers['content-type']).toBe('application/problem+json');
    expect(wrong.body.found).toEqual(['provisio-verification=not-yours']);
    await stackDns().removeTxt(txt.name);
    const missing = await env.api.call('POST', `/v1/orgs/${orgId}/domains/${domain}/verify`, {
      as: owner,
    });
    expect(missing.status).toBe(409);
    expect(missing.body.found).toEqual([]);
    await stackDns().setTxt(txt.name, [txt.value]);
    expect(
      (await env.api.call('POST', `/v1/orgs/${orgId}/domains/${domain}/verify`, { as: owner }))
        .status,
    ).toBe(200);
  });
});
