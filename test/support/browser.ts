/**
 * Headless Chromium for the console's end-to-end tests: Debian's `chromium` package (no browser
 * download), driven by playwright-core, in a fresh profile per launch. Also an accessibility
 * check (axe-core, run in the page) and screenshots.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

const require = createRequire(import.meta.url);

/** Where Chromium is looked for, first match wins; `CHROMIUM_PATH` overrides. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string {
  const explicit = process.env.CHROMIUM_PATH?.trim();
  if (explicit) return explicit;
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      'No Chromium found for the console tests: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH',
    );
  }
  return found;
}

/** Flags for a quiet, sandbox-free headless run on a CI container. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Page errors (uncaught exceptions) seen so far: a test expects none. */
  readonly pageErrors: string[];
  /** What the page's Content-Security-Policy blocked so far: a test expects nothing. */
  readonly cspViolations: string[];
  close(): Promise<void>;
}

/** Launches Chromium with a fresh user-data directory and opens one page. */
export async function launchBrowser(
  options: { width?: number; height?: number } = {},
): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'provisio-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: ARGS,
    viewport: { width: options.width ?? 1024, height: options.height ?? 720 },
    // The console's Copy buttons write to the clipboard.
    permissions: ['clipboard-read', 'clipboard-write'],
    reducedMotion: 'reduce',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      cspViolations.push(message.text());
    }
  });
  return {
    context,
    page,
    pageErrors,
    cspViolations,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** One axe-core finding. */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly string[];
}

let axeSource: string | undefined;

/**
 * Runs axe-core on the page as it is now (WCAG 2.x A and AA rules and best practices) and
 * returns the violations. It is evaluated through the DevTools protocol, which the page's
 * Content-Security-Policy does not restrict, so the policy under test stays as served.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate('typeof globalThis.axe === "object"');
  if (!loaded) await page.evaluate(axeSource);
  return page.evaluate(`
    globalThis.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')),
    })))
  `) as Promise<AxeViolation[]>;
}

/** Only the violations that block people: axe's `serious` and `critical`. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  return (await axeViolations(page)).filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
}

/**
 * Where screenshots go: `PROVISIO_SCREENSHOTS` (the committed set is `docs/screenshots`, written
 * by `npm run screenshots`), else `test/.artifacts/screenshots` (ignored by git).
 */
export const SCREENSHOT_DIR = resolve(
  process.env.PROVISIO_SCREENSHOTS?.trim() || 'test/.artifacts/screenshots',
);

/** Saves a screenshot of the whole page as `<dir>/<name>.png`; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' });
  return path;
}
