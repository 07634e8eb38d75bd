/**
 * The console's SCIM setup (SPEC §10), in headless Chromium against the local stack: an owner
 * opens an SSO connection with SCIM on, generates its token, sees the base URL and the token
 * once (axe-checked), and the token opens the SCIM endpoint until the owner revokes it.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  screenshot,
  seriousAxeViolations,
  type TestBrowser,
} from '../support/browser.ts';
import {
  api,
  createUser,
  localStack,
  signIn,
  stackDns,
  type TestUser,
} from '../support/local-stack.ts';

let browser: TestBrowser;
let page: Page;
let owner: TestUser;
let orgId: string;

beforeAll(async () => {
  [browser, owner] = await Promise.all([launchBrowser(), createUser()]);
  page = browser.page;
  page.setDefaultTimeout(15_000);
  // The org, a verified domain and a connection with SCIM on, through the API.
  const { idToken } = await signIn(owner);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await api(path, {
      method,
      token: idToken,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const org = await call('POST', '/v1/orgs', { name: `scim-${randomUUID().slice(0, 8)}` });
  orgId = org.body.id as string;
  const domain = `scim-${randomUUID().slice(0, 8)}.example.test`;
  const added = await call('POST', `/v1/orgs/${orgId}/domains`, { domain });
  const txt = added.body.txtRecord as { name: string; value: string };
  await stackDns().setTxt(txt.name, [txt.value]);
  expect((await call('POST', `/v1/orgs/${orgId}/domains/${domain}/verify`)).status).toBe(200);
  const conn = await call('POST', `/v1/orgs/${orgId}/sso-connections`, {
    name: 'Acme Entra',
    idp: { type: 'saml', metadataUrl: 'https://idp.example.test/app/metadata' },
    domains: [domain],
    jit: false,
    scim: true,
  });
  expect(conn.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const scimStatus = (baseUrl: string, token: string) =>
  fetch(`${baseUrl}/ServiceProviderConfig`, { headers: { authorization: `Bearer ${token}` } }).then(
    (r) => r.status,
  );

describe('console: SCIM setup', { timeout: 60_000 }, () => {
  it('shows the base URL and a new token once, which works until revoked', async () => {
    await page.goto(`${localStack().apiUrl}/console/`);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Choose a profile' }).waitFor();
    await page.goto(`${localStack().apiUrl}/console/#/orgs/${orgId}/sso`);
    await page.getByRole('row').filter({ hasText: 'Acme Entra' }).waitFor();

    await page.getByRole('button', { name: 'Actions for Acme Entra' }).click();
    await page.getByRole('button', { name: 'Set up SCIM (new token)' }).click();
    const confirm = page.getByRole('dialog', { name: 'Set up SCIM for Acme Entra' });
    expect(await confirm.textContent()).toContain('shows the token once');
    await confirm.getByRole('button', { name: 'Generate token' }).click();

    const values = page.getByRole('dialog', { name: 'SCIM for Acme Entra' });
    const baseUrl = (await values.getByTestId('scim-base-url').textContent()) ?? '';
    const token = (await values.getByTestId('scim-token').textContent()) ?? '';
    expect(baseUrl).toMatch(new RegExp(`^${localStack().apiUrl}/scim/v2/[0-9a-f-]{36}$`));
    expect(token).toMatch(/^scim_[A-Za-z0-9_-]{43}$/);
    expect(await values.getByRole('button', { name: /Copy SCIM token/ }).count()).toBe(1);
    expect(await values.getByRole('button', { name: /Copy SCIM base URL/ }).count()).toBe(1);
    const violations = await seriousAxeViolations(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await screenshot(page, '16-scim-token');
    expect(await scimStatus(baseUrl, token)).toBe(200);

    await values.getByRole('button', { name: 'Done' }).click();
    await values.waitFor({ state: 'detached' });
    // Shown once: nothing on the page holds it any more.
    expect(await page.content()).not.toContain(token);

    await page.getByRole('button', { name: 'Actions for Acme Entra' }).click();
    await page.getByRole('button', { name: 'Revoke SCIM token' }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke the SCIM token of Acme Entra?' });
    await revoke.getByRole('button', { name: 'Revoke token' }).click();
    await revoke.waitFor({ state: 'detached' });
    expect(await scimStatus(baseUrl, token)).toBe(401);
  });
});
