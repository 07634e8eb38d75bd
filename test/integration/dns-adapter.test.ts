import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTxtLookup } from '../../shared/adapters/dns/txt.ts';
import { UnavailableError } from '../../shared/errors.ts';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';

describe('DNS adapter against a loopback DNS server', () => {
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startDnsServer();
  });
  afterAll(async () => {
    await dns.close();
  });

  it('finds a published TXT record and stops finding it once withdrawn (no cached answers)', async () => {
    const lookup = createTxtLookup([dns.address]);
    expect(await lookup('acme.test')).toEqual([]);
    dns.setTxt('acme.test', ['provisio-verification=abc123', 'v=spf1 -all']);
    expect(await lookup('acme.test')).toEqual(['provisio-verification=abc123', 'v=spf1 -all']);
    dns.removeTxt('acme.test');
    expect(await lookup('acme.test')).toEqual([]);
  });

  it('joins the strings of a long record', async () => {
    const lookup = createTxtLookup([dns.address]);
    dns.setTxt('long.test', ['x'.repeat(300)]);
    expect(await lookup('long.test')).toEqual(['x'.repeat(300)]);
  });

  it('reports an unreachable resolver as unavailable, not as "no record"', async () => {
    const lookup = createTxtLookup(['127.0.0.1:9'], { timeoutMs: 200, tries: 1 });
    await expect(lookup('acme.test')).rejects.toBeInstanceOf(UnavailableError);
  });
});
