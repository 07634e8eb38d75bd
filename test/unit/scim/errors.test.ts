import { describe, expect, it } from 'vitest';
import {
  badRequest,
  invalidFilter,
  mutability,
  ScimError,
  scimErrorBody,
  scimNotFound,
  uniqueness,
} from '../../../shared/scim/errors.ts';

describe('ScimError', () => {
  it('carries status, scimType and detail and is an Error', () => {
    const e = badRequest('invalidValue', 'userName is required');
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(ScimError);
    expect(e.status).toBe(400);
    expect(e.scimType).toBe('invalidValue');
    expect(e.detail).toBe('userName is required');
    expect(e.message).toBe('userName is required');
  });

  it('renders the RFC 7644 §3.12 error document with status as a string', () => {
    expect(scimErrorBody(invalidFilter('Unexpected "("'))).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
      scimType: 'invalidFilter',
      detail: 'Unexpected "("',
    });
  });

  it('leaves scimType out when there is none (a 404)', () => {
    const body = scimErrorBody(scimNotFound('User 1 not found'));
    expect(body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '404',
      detail: 'User 1 not found',
    });
    expect('scimType' in body).toBe(false);
  });

  it('has helpers for 409 uniqueness and 400 mutability', () => {
    expect(scimErrorBody(uniqueness('userName taken'))).toMatchObject({
      status: '409',
      scimType: 'uniqueness',
    });
    expect(mutability('"id" is read-only')).toMatchObject({ status: 400, scimType: 'mutability' });
  });
});
