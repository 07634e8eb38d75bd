/**
 * The profile chooser reads `GET /v1/me` (SPEC §9): in a fresh browser (empty storage) a person
 * sees the org they own (created through the API, never opened in this browser), the org they
 * are a plain member of, read-only with their team, and an invitation still pending; every view
 * passes axe-core.
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
import { api, createUser, localStack, signIn, type TestUser } from '../support/local-stack.ts';

const slug = (base: string) => `${base}-${randomUUID().slice(0, 8)}`;

let browser: TestBrowser;
let page: Page;
let person: TestUser;
let other: TestUser;

async function call(user: TestUser, method: string, path: string, body?: unknown) {
  const { idToken } = await signIn(user);
  const res = await api(path, {
    method,
    token: idToken,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const owned = slug('mine');
const joined = slug('theirs');
const invitedTo = slug('invited');

beforeAll(async () => {
  [browser, person, other] = await Promise.all([launchBrowser(), createUser(), createUser()]);
  page = browser.page;
  page.setDefaultTimeout(15_000);
  expect((await call(person, 'POST', '/v1/orgs', { name: owned })).status).toBe(201);
  // A plain member of another org, in its team dev: invited, then signed in (which accepts).
  const theirs = await call(other, 'POST', '/v1/orgs', { name: joined });
  const invite = await call(other, 'POST', `/v1/orgs/${theirs.body.id}/invitations`, {
    email: person.email,
    role: 'member',
    team: 'dev',
  });
  expect(invite.status, JSON.stringify(invite.body)).toBe(201);
  await signIn(person);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

async function axe(name: string) {
  await expect.poll(() => page.locator('.loading').count(), { timeout: 15_000 }).toBe(0);
  const violations = await seriousAxeViolations(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  await screenshot(page, name);
}

describe('console: your organizations from GET /v1/me', { timeout: 60_000 }, () => {
  it('lists what the person owns and belongs to in a fresh browser, and pending invitations', async () => {
    // A fresh browser profile: nothing stored for any site.
    expect(await page.context().storageState()).toEqual({ cookies: [], origins: [] });
    await page.goto(`${localStack().apiUrl}/console/`);
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Choose a profile' }).waitFor();

    const ownedLink = page.getByRole('link', { name: new RegExp(owned) });
    await ownedLink.waitFor();
    expect(await ownedLink.getAttribute('href')).toMatch(/^#\/orgs\/[^/]+\/members$/);
    const member = page.getByTestId(`member-of-${joined}`);
    expect(await member.textContent()).toContain('teams dev');
    expect(await member.textContent()).toContain('joined through invitation');
    // Read-only: no link to the admin screens of an org the person does not own.
    expect(await page.getByRole('link', { name: new RegExp(joined) }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Pending invitations' }).count()).toBe(0);
    await axe('17-profiles-from-me');

    // An invitation made meanwhile shows on the next visit, until the next sign-in accepts it.
    const third = await call(other, 'POST', '/v1/orgs', { name: invitedTo });
    expect(
      (
        await call(other, 'POST', `/v1/orgs/${third.body.id}/invitations`, {
          email: person.email,
          role: 'owner',
        })
      ).status,
    ).toBe(201);
    await page.reload();
    await page.getByRole('heading', { name: 'Pending invitations' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: invitedTo });
    expect(await row.textContent()).toContain('owner');
    expect(await row.textContent()).toContain(other.email);
    await axe('18-pending-invitation');

    await ownedLink.click();
    await page.getByRole('heading', { level: 1, name: owned }).waitFor();
  });
});
