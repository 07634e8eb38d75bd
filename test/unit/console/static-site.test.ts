import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createConsoleSite,
  securityHeaders,
  siteFile,
} from '../../../shared/console/static-site.ts';

const config = { apiUrl: '', cognito: { endpoint: 'http://localhost:9229', clientId: 'client1' } };

describe('which file a console path names', () => {
  it.each([
    ['/console/', 'index.html'],
    ['/console/config.json', 'config.json'],
    ['/console/assets/index-abc.js', 'assets/index-abc.js'],
    ['/console/assets/a%20b.css', 'assets/a b.css'],
  ])('%s is %s', (path, file) => {
    expect(siteFile(path)).toBe(file);
  });

  it.each([
    '/console/../package.json',
    '/console/..%2Fpackage.json',
    '/console/assets/%2e%2e/%2e%2e/x',
    '/console/.source-hash',
    '/console//etc/passwd',
    '/console/a%5C..%5Cb',
    '/console/%00',
    '/console/%E0%A4%A',
    '/consolex/index.html',
    '/v1/orgs',
  ])('%s is nothing', (path) => {
    expect(siteFile(path)).toBeUndefined();
  });
});

describe('the console site', () => {
  it('serves files with their content type, config.json, a redirect, and 404 outside', async () => {
    const root = await mkdtemp(join(tmpdir(), 'console-site-'));
    await writeFile(join(root, 'index.html'), '<!doctype html><div id="app"></div>');
    const serve = createConsoleSite({ root, config });
    const page = await serve('GET', '/console/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body.toString()).toContain('id="app"');
    expect(JSON.parse((await serve('GET', '/console/config.json')).body.toString())).toEqual(
      config,
    );
    expect(await serve('GET', '/console')).toMatchObject({
      statusCode: 308,
      headers: { location: '/console/' },
    });
    expect((await serve('GET', '/console/nope.js')).statusCode).toBe(404);
    expect((await serve('POST', '/console/')).statusCode).toBe(405);
    expect((await serve('HEAD', '/console/')).body.length).toBe(0);
  });

  it('says how to build the console when it is not built', async () => {
    const serve = createConsoleSite({ root: join(tmpdir(), 'no-such-console'), config });
    const page = await serve('GET', '/console/');
    expect(page.statusCode).toBe(503);
    expect(page.body.toString()).toContain('npm run build:console');
  });

  it('lets the page call only itself, the API and Cognito, and be framed by nobody', () => {
    const headers = securityHeaders({ ...config, apiUrl: 'https://api.example.com/prod' });
    expect(headers['content-security-policy']).toContain(
      "connect-src 'self' http://localhost:9229 https://api.example.com",
    );
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
  });
});
