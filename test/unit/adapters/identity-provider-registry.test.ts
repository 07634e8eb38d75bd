/**
 * The local stack's identity-provider registry (cognito-local has no identity-provider API):
 * the same rules as the pool, in a file, and never a client secret on disk.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIdentityProviderRegistry,
  readIdentityProviderRegistry,
} from '../../../shared/adapters/cognito/registry.ts';
import { ConflictError, ValidationError } from '../../../shared/errors.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'provisio-registry-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
const fresh = () => {
  const file = join(dir, `registry-${n++}.json`);
  return { file, idps: createIdentityProviderRegistry({ file, clientIds: ['app'] }) };
};
const saml = { type: 'saml' as const, metadataUrl: 'https://idp.example/m' };

describe('the local identity-provider registry', () => {
  it('creates a provider on the app clients, updates it, syncs its identifiers and deletes it', async () => {
    const { file, idps } = fresh();
    expect(await readIdentityProviderRegistry(file)).toEqual({ providers: {}, clients: {} });
    await idps.create({ providerName: 'provisio-a', settings: saml, domains: ['acme.com'] });
    let r = await readIdentityProviderRegistry(file);
    expect(r.providers['provisio-a']).toMatchObject({
      type: 'SAML',
      details: { MetadataURL: 'https://idp.example/m' },
      identifiers: ['acme.com'],
      attributeMapping: { 'custom:groups': 'groups' },
    });
    expect(r.clients).toEqual({ app: ['provisio-a'] });
    await idps.update({
      providerName: 'provisio-a',
      settings: { type: 'saml', metadataXml: '<EntityDescriptor/>' },
      domains: ['acme.com', 'acme.org'],
    });
    await idps.setIdentifiers('provisio-a', ['acme.org']);
    r = await readIdentityProviderRegistry(file);
    expect(r.providers['provisio-a']).toMatchObject({
      details: { MetadataFile: '<EntityDescriptor/>' },
      identifiers: ['acme.org'],
    });
    await idps.delete('provisio-a');
    expect(await readIdentityProviderRegistry(file)).toEqual({
      providers: {},
      clients: { app: [] },
    });
  });

  it('never writes an OIDC client secret', async () => {
    const { file, idps } = fresh();
    await idps.create({
      providerName: 'provisio-o',
      settings: {
        type: 'oidc',
        issuer: 'https://l.example',
        clientId: 'c',
        clientSecret: 'TOPSECRET',
      },
      domains: ['acme.com'],
    });
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('TOPSECRET');
    expect((await readIdentityProviderRegistry(file)).providers['provisio-o']).toMatchObject({
      type: 'OIDC',
      clientSecretSet: true,
      details: { client_id: 'c', oidc_issuer: 'https://l.example' },
    });
  });

  it('keeps names and identifiers unique in the pool, as Cognito does', async () => {
    const { idps } = fresh();
    await idps.create({ providerName: 'provisio-a', settings: saml, domains: ['acme.com'] });
    await expect(
      idps.create({ providerName: 'provisio-a', settings: saml, domains: ['other.com'] }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      idps.create({ providerName: 'provisio-b', settings: saml, domains: ['acme.com'] }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      idps.update({
        providerName: 'provisio-a',
        settings: { type: 'oidc', issuer: 'https://l', clientId: 'c', clientSecret: 's' },
        domains: ['acme.com'],
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    // Syncing or deleting a provider that is gone changes nothing.
    await expect(idps.setIdentifiers('provisio-gone', ['x.com'])).resolves.toBeUndefined();
    await expect(idps.delete('provisio-gone')).resolves.toBeUndefined();
  });

  it('validates like Cognito: SAML needs exactly one metadata source, a name at most 32 characters', async () => {
    const { file, idps } = fresh();
    await expect(
      idps.create({ providerName: 'provisio-a', settings: { type: 'saml' }, domains: [] }),
    ).rejects.toMatchObject({ constructor: ValidationError, field: 'idp.metadataUrl' });
    await expect(
      idps.create({ providerName: 'p'.repeat(33), settings: saml, domains: [] }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await readIdentityProviderRegistry(file)).toEqual({ providers: {}, clients: {} });
  });

  it('updating a provider that is gone is a conflict, and changes nothing', async () => {
    const { file, idps } = fresh();
    await expect(
      idps.update({ providerName: 'provisio-gone', settings: saml, domains: ['acme.com'] }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await readIdentityProviderRegistry(file)).toEqual({ providers: {}, clients: {} });
  });

  it('leaves long domains out of the identifiers, as the Cognito adapter does', async () => {
    const { file, idps } = fresh();
    const long = `${'a'.repeat(33)}.example`;
    await idps.create({ providerName: 'provisio-l', settings: saml, domains: ['acme.com', long] });
    expect((await readIdentityProviderRegistry(file)).providers['provisio-l']!.identifiers).toEqual(
      ['acme.com'],
    );
  });

  it('creates the file and its directory on the first change', async () => {
    const file = join(dir, 'not', 'yet', 'registry.json');
    const idps = createIdentityProviderRegistry({ file, clientIds: [] });
    await idps.create({ providerName: 'provisio-n', settings: saml, domains: [] });
    expect(Object.keys((await readIdentityProviderRegistry(file)).providers)).toEqual([
      'provisio-n',
    ]);
  });

  it('loses no change made concurrently in one process', async () => {
    const { file, idps } = fresh();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        idps.create({ providerName: `provisio-${i}`, settings: saml, domains: [`d${i}.example`] }),
      ),
    );
    const r = await readIdentityProviderRegistry(file);
    expect(Object.keys(r.providers)).toHaveLength(8);
    expect(r.clients.app).toHaveLength(8);
  });

  it('loses no change when two registries of one process share the file (admin and notifier locally)', async () => {
    const { file, idps } = fresh();
    const other = createIdentityProviderRegistry({ file, clientIds: ['app'] });
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? other : idps).create({
          providerName: `provisio-${i}`,
          settings: saml,
          domains: [`d${i}.example`],
        }),
      ),
    );
    const r = await readIdentityProviderRegistry(file);
    expect(Object.keys(r.providers).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `provisio-${i}`),
    );
    expect(r.clients.app).toHaveLength(8);
  });
});
