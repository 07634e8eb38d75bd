import { describe, expect, it } from 'vitest';
import {
  type AttributeDefinition,
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  resourceTypesDocument,
  schemasDocument,
  serviceProviderConfig,
  USER_SCHEMA,
} from '../../../shared/scim/protocol/schema.ts';

const BASE = 'https://api.example.com/scim/v2/conn-1';

const schemaById = (id: string) => {
  const found = schemasDocument(BASE).Resources.find((s) => s.id === id);
  if (!found) throw new Error(`no schema ${id}`);
  return found;
};

const attribute = (attributes: readonly AttributeDefinition[], name: string) => {
  const found = attributes.find((a) => a.name === name);
  if (!found) throw new Error(`no attribute ${name}`);
  return found;
};

describe('/Schemas', () => {
  it('is a ListResponse of the User, Group and enterprise User schemas', () => {
    const doc = schemasDocument(BASE);
    expect(doc.schemas).toEqual([LIST_RESPONSE_SCHEMA]);
    expect(doc.totalResults).toBe(3);
    expect(doc.itemsPerPage).toBe(3);
    expect(doc.startIndex).toBe(1);
    expect(doc.Resources.map((s) => s.id)).toEqual([
      USER_SCHEMA,
      GROUP_SCHEMA,
      ENTERPRISE_USER_SCHEMA,
    ]);
    for (const s of doc.Resources) {
      expect(s.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Schema']);
      expect(s.meta).toEqual({ resourceType: 'Schema', location: `${BASE}/Schemas/${s.id}` });
    }
  });

  it('describes the User schema as "User Account" with the core attributes', () => {
    const user = schemaById(USER_SCHEMA);
    expect(user.name).toBe('User');
    expect(user.description).toBe('User Account');
    expect(user.attributes.map((a) => a.name)).toEqual([
      'userName',
      'name',
      'displayName',
      'nickName',
      'profileUrl',
      'title',
      'userType',
      'preferredLanguage',
      'locale',
      'timezone',
      'active',
      'emails',
      'phoneNumbers',
      'ims',
      'photos',
      'addresses',
      'externalId',
    ]);
    expect(attribute(user.attributes, 'userName')).toMatchObject({
      type: 'string',
      required: true,
      caseExact: false,
      uniqueness: 'server',
      multiValued: false,
    });
    expect(attribute(user.attributes, 'active').type).toBe('boolean');
    expect(attribute(user.attributes, 'externalId').caseExact).toBe(true);
    const name = attribute(user.attributes, 'name');
    expect(name.type).toBe('complex');
    expect(name.subAttributes?.map((a) => a.name)).toEqual([
      'formatted',
      'familyName',
      'givenName',
      'middleName',
      'honorificPrefix',
      'honorificSuffix',
    ]);
    const emails = attribute(user.attributes, 'emails');
    expect(emails.multiValued).toBe(true);
    expect(emails.subAttributes?.map((a) => a.name)).toEqual([
      'value',
      'display',
      'type',
      'primary',
    ]);
    expect(attribute(emails.subAttributes ?? [], 'primary').type).toBe('boolean');
    expect(attribute(user.attributes, 'addresses').subAttributes?.map((a) => a.name)).toContain(
      'postalCode',
    );
  });

  it('describes the enterprise extension with a complex manager', () => {
    const ext = schemaById(ENTERPRISE_USER_SCHEMA);
    expect(ext.attributes.map((a) => a.name)).toEqual([
      'employeeNumber',
      'costCenter',
      'organization',
      'division',
      'department',
      'manager',
    ]);
    const manager = attribute(ext.attributes, 'manager');
    expect(manager.subAttributes?.map((a) => a.name)).toEqual(['value', '$ref', 'displayName']);
  });

  it('describes Group members with value, display, type and $ref', () => {
    const group = schemaById(GROUP_SCHEMA);
    expect(group.attributes.map((a) => a.name)).toEqual(['displayName', 'members', 'externalId']);
    const members = attribute(group.attributes, 'members');
    expect(members).toMatchObject({ type: 'complex', multiValued: true });
    expect(members.subAttributes?.map((a) => a.name)).toEqual(['value', 'display', 'type', '$ref']);
    expect(attribute(members.subAttributes ?? [], 'value').caseExact).toBe(true);
  });

  it('gives every attribute the RFC 7643 §7 characteristics', () => {
    const all = (attrs: readonly AttributeDefinition[]): AttributeDefinition[] =>
      attrs.flatMap((a) => [a, ...all(a.subAttributes ?? [])]);
    for (const s of schemasDocument().Resources) {
      for (const a of all(s.attributes)) {
        expect(Object.keys(a)).toEqual(
          expect.arrayContaining([
            'name',
            'type',
            'multiValued',
            'description',
            'required',
            'caseExact',
            'mutability',
            'returned',
            'uniqueness',
          ]),
        );
        expect(a.type === 'complex').toBe(a.subAttributes !== undefined);
      }
    }
  });
});

describe('/ResourceTypes', () => {
  it('lists User at /Users (with the enterprise extension) then Group at /Groups', () => {
    const doc = resourceTypesDocument(`${BASE}/`);
    expect(doc.schemas).toEqual([LIST_RESPONSE_SCHEMA]);
    expect(doc.totalResults).toBe(2);
    const [user, group] = doc.Resources;
    expect(user).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` },
    });
    expect(group).toMatchObject({ id: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA });
  });
});

describe('/ServiceProviderConfig', () => {
  it('says what is supported: patch and filter (100), no bulk, sort, etag or password change', () => {
    const config = serviceProviderConfig(BASE);
    expect(config.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
    expect(config.patch).toEqual({ supported: true });
    expect(config.filter).toEqual({ supported: true, maxResults: 100 });
    expect(config.bulk.supported).toBe(false);
    expect(config.sort).toEqual({ supported: false });
    expect(config.etag).toEqual({ supported: false });
    expect(config.changePassword).toEqual({ supported: false });
    expect(config.authenticationSchemes).toEqual([
      expect.objectContaining({ type: 'oauthbearertoken', primary: true }),
    ]);
    expect(config.meta).toEqual({
      resourceType: 'ServiceProviderConfig',
      location: `${BASE}/ServiceProviderConfig`,
    });
  });
});
