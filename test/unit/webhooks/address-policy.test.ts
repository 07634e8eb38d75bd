import { describe, expect, it } from 'vitest';
import {
  checkAddress,
  checkAddresses,
  checkWebhookUrl,
} from '../../../shared/webhooks/address-policy.ts';

const strict = { allowLoopback: false };
const local = { allowLoopback: true };

describe('where a webhook may call (SPEC §11)', () => {
  it.each([
    ['http://127.0.0.1/hook', 'https'],
    ['http://example.com/hook', 'https'],
    ['https://10.0.0.1/hook', 'private'],
    ['https://192.168.1.1/hook', 'private'],
    ['https://172.16.0.1/hook', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'link-local'],
    ['https://[::1]/hook', 'loopback'],
    ['https://127.0.0.1/hook', 'loopback'],
    ['https://[fd00::1]/hook', 'unique-local'],
    ['https://[fe80::1]/hook', 'link-local'],
    ['https://[::ffff:127.0.0.1]/hook', 'loopback'],
    ['https://[::ffff:a9fe:a9fe]/hook', 'link-local'],
    ['https://[64:ff9b::a00:1]/hook', 'private'],
    ['https://[2002:a00:1::]/hook', 'private'],
    ['https://0.0.0.0/hook', 'unspecified'],
    ['https://[::]/hook', 'unspecified'],
    ['https://100.64.0.1/hook', 'carrier-grade'],
    ['https://user:pw@example.com/hook', 'credentials'],
    ['https://example.com/hook#x', 'fragment'],
    ['https://localhost/hook', 'fully qualified'],
    ['not a url', 'absolute'],
    ['ftp://example.com/', 'https'],
  ])('refuses %s when loopback is not allowed', (url, why) => {
    expect(checkWebhookUrl(url, strict)).toContain(why);
  });

  it('accepts https to a public name or address', () => {
    expect(checkWebhookUrl('https://hooks.example.com/in?x=1', strict)).toBeUndefined();
    expect(checkWebhookUrl('https://8.8.8.8/in', strict)).toBeUndefined();
    expect(checkWebhookUrl('https://[2606:4700::1111]/in', strict)).toBeUndefined();
  });

  it('allows http to loopback where the deployment says so, and nothing private', () => {
    expect(checkWebhookUrl('http://127.0.0.1:8080/in', local)).toBeUndefined();
    expect(checkWebhookUrl('http://[::1]:8080/in', local)).toBeUndefined();
    expect(checkWebhookUrl('http://10.0.0.1/in', local)).toContain('private');
    expect(checkWebhookUrl('https://169.254.169.254/', local)).toContain('link-local');
    // Plain http goes to loopback only: never to a public address, written or resolved.
    expect(checkWebhookUrl('http://8.8.8.8/in', local)).toContain(
      'http is allowed to loopback only',
    );
    expect(checkAddresses(['127.0.0.1'], local, 'http:')).toBeUndefined();
    expect(checkAddresses(['::ffff:127.0.0.1'], local, 'http:')).toBeUndefined();
    expect(checkAddresses(['127.0.0.1', '93.184.216.34'], local, 'http:')).toContain(
      'loopback only',
    );
    expect(checkAddresses(['93.184.216.34'], local, 'https:')).toBeUndefined();
  });

  it('refuses a name when any of its addresses is not public', () => {
    expect(checkAddresses(['93.184.216.34', '10.1.2.3'], strict)).toContain('10.1.2.3');
    expect(checkAddresses([], strict)).toContain('does not resolve');
    expect(checkAddresses(['93.184.216.34', '2606:2800:220:1::1'], strict)).toBeUndefined();
  });

  it('judges IPv4 written in other forms by what it is', () => {
    // WHATWG URL parsing turns these into dotted quads before the check.
    expect(checkWebhookUrl('https://0x7f000001/', strict)).toContain('loopback');
    expect(checkWebhookUrl('https://2130706433/', strict)).toContain('loopback');
    expect(checkWebhookUrl('https://017700000001/', strict)).toContain('loopback');
    expect(checkAddress('::127.0.0.2', strict)).toContain('loopback');
  });
});
