/**
 * The console's domain audit (SPEC §13), in headless Chromium against the local stack: an owner
 * with a verified domain sees the accounts on it that are not members (axe-checked, with a
 * screenshot), exports them as CSV (the browser's download, formula cells neutralised), and
 * invites the selected ones with one `POST /v1/orgs/{orgId}/invitations:bulk`.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
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
  hookSignIn,
  localStack,
  signIn,
  stackDns,
  type TestUser,
} from '../support/local-stack.ts';

let browser: TestBrowser;
let page: Page;
let owner: TestUser;
let ownerToken: string;
let orgId: string;
let domain: string;
const people: Record<'ann' | 'bob' | 'evil' | 'invited', string> = {
  ann: '',
  bob: '',
  evil: '',
  invited: '',
};

beforeAll(async () => {
  [browser, owner] = await Promise.all([launchBrowser(), createUser()]);
  page = browser.page;
  page.setDefaultTimeout(15_000);
  const { idToken } = await signIn(owner);
  ownerToken = idToken;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await api(path, {
      method,
      token: idToken,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const t = randomUUID().slice(0, 8);
  const org = await call('POST', '/v1/orgs', { name: `audit-${t}` });
  orgId = org.body.id as string;
  domain = `audit-${t}.example.test`;
  const added = await call('POST', `/v1/orgs/${orgId}/domains`, { domain });
  const txt = added.body.txtRecord as { name: string; value: string };
  await stackDns().setTxt(txt.name, [txt.value]);
  expect((await call('POST', `/v1/orgs/${orgId}/domains/${domain}/verify`)).status).toBe(200);
  // People who signed in on the domain through the hook, none a member.
  const names = {
    ann: 'Ann Able',
    bob: 'Bob Baker',
    evil: '=HYPERLINK("http://x.test","y")',
    invited: 'Ivy Invited',
  };
  for (const [key, name] of Object.entries(names)) {
    const email = `${key}-${t}@${domain}`;
    people[key as keyof typeof people] = email;
    const res = await hookSignIn({ email, emailVerified: true, name });
    expect(res.status).toBe(200);
  }
  expect(
    (await call('POST', `/v1/orgs/${orgId}/invitations`, { email: people.invited })).status,
  ).toBe(201);
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

const row = (text: string) => page.getByRole('row').filter({ hasText: text });

describe('console: domain audit', { timeout: 60_000 }, () => {
  it('lists the accounts on the verified domain that are not members, accessibly', async () => {
    await page.goto(`${localStack().apiUrl}/console/`);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Choose a profile' }).waitFor();
    await page.goto(`${localStack().apiUrl}/console/#/orgs/${orgId}/audit`);
    await row(people.ann).waitFor();

    expect(await page.locator('tbody tr').count()).toBe(4);
    expect(await row(people.invited).getByRole('cell').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('Ivy Invited'), 'Invited']),
    );
    const today = new Date().toISOString().slice(0, 10);
    expect(await row(people.ann).getByRole('cell').allTextContents()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Ann Able(ann)/),
        `${today}Sign-in hook`,
        'Not a member',
      ]),
    );
    // The owner (a member, and not on the domain) is not listed.
    expect(await row(owner.email).count()).toBe(0);
    // An invited account has no box to tick: it is invited already.
    expect(await page.getByRole('checkbox', { name: `Select ${people.invited}` }).count()).toBe(0);

    const violations = await seriousAxeViolations(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await screenshot(page, '22-domain-audit');
  });

  it('exports a CSV download whose formula cells are neutralised', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^domain-audit-.+\.csv$/);
    const text = await readFile((await download.path())!, 'utf8');
    const rows = parse(text) as string[][];
    expect(rows[0]).toEqual([
      'email',
      'username',
      'name',
      'lastSignInOn',
      'lastSignInMethod',
      'status',
    ]);
    expect(
      rows
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual(Object.values(people).sort());
    expect(rows.find((r) => r[0] === people.evil)?.[2]).toBe(`'=HYPERLINK("http://x.test","y")`);
  });

  it('invites the selected accounts with one bulk request naming each of them', async () => {
    await page.getByRole('checkbox', { name: `Select ${people.ann}` }).check();
    await page.getByRole('checkbox', { name: `Select ${people.bob}` }).check();
    const button = page.getByRole('button', { name: 'Invite selected (2)' });
    const [request] = await Promise.all([
      page.waitForRequest(
        (r) => r.method() === 'POST' && r.url().endsWith(`/v1/orgs/${orgId}/invitations:bulk`),
      ),
      button.click(),
    ]);
    // The request SPEC §13's bulk route takes: JSON, one row per selected account, and an
    // Idempotency-Key so that a retried click invites nobody twice.
    expect(request.headers()['content-type']).toBe('application/json');
    expect(request.headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(request.postData() ?? '')).toEqual({
      invitations: [{ email: people.ann }, { email: people.bob }],
    });
    const response = await request.response();
    if (response?.ok()) {
      // The bulk route answered: both are invited now, and the list says so.
      await page.getByText('Invited 2 people.').waitFor();
      await expect
        .poll(() => row(people.ann).getByRole('cell').allTextContents())
        .toEqual(expect.arrayContaining(['Invited']));
    } else {
      // Where the stack has no bulk route, the console shows the API's problem, not a success.
      expect(response?.status()).toBeGreaterThanOrEqual(400);
      await page.locator('.error-message, [role="alert"]').first().waitFor();
      expect(await page.getByText(/^Invited \d+/).count()).toBe(0);
    }
  });

  it("shows a company's audit, with the org to invite to, accessibly", async () => {
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await api(path, {
        method,
        token: ownerToken,
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const t = randomUUID().slice(0, 8);
    const company = await call('POST', '/v1/companies', { name: `Audit Co ${t}` });
    const companyId = company.body.id as string;
    const org = await call('POST', '/v1/orgs', { name: `audit-co-${t}` });
    expect(
      (await call('POST', `/v1/companies/${companyId}/orgs`, { orgId: org.body.id })).status,
    ).toBe(200);
    const coDomain = `audit-co-${t}.example.test`;
    const added = await call('POST', `/v1/companies/${companyId}/domains`, { domain: coDomain });
    const txt = added.body.txtRecord as { name: string; value: string };
    await stackDns().setTxt(txt.name, [txt.value]);
    expect(
      (await call('POST', `/v1/companies/${companyId}/domains/${coDomain}/verify`)).status,
    ).toBe(200);
    const outsider = `dana-${t}@${coDomain}`;
    expect((await hookSignIn({ email: outsider, emailVerified: true, name: 'Dana' })).status).toBe(
      200,
    );

    await page.goto(`${localStack().apiUrl}/console/#/companies/${companyId}/audit`);
    await row(outsider).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.getByLabel('Invite to').inputValue()).toBe(org.body.id);
    const violations = await seriousAxeViolations(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await screenshot(page, '23-domain-audit-company');

    // The org in the company points to the company's audit.
    await page.goto(`${localStack().apiUrl}/console/#/orgs/${org.body.id}/audit`);
    await page.getByRole('link', { name: "Open the company's domain audit" }).waitFor();
  });
});
