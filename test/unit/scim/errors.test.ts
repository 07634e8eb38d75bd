import { describe, expect, it } from 'vitest';
import {
  AppError,
  ConflictError,
  NotFoundError,
  UnavailableError,
} from '../../../shared/errors.ts';
import {
  badRequest,
  invalidFilter,
  mutability,
  scimErrorBody,
  scimNotFound,
  uniqueness,
} from '../../../shared/scim/protocol/errors.ts';

describe('SCIM errors', () => {
  it('are application errors carrying status, scimType and detail', () => {
    const e = badRequest('invalidValue', 'userName is required');
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(AppError);
    expect(e.statusCode).toBe(400);
    expect(e.expose).toBe(true);
    expect(e.scimType).toBe('invalidValue');
    expect(e.message).toBe('userName is required');
    expect(scimNotFound()).toBeInstanceOf(NotFoundError);
    expect(uniqueness('userName taken')).toBeInstanceOf(ConflictError);
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
    expect(mutability('"id" is read-only')).toMatchObject({
      statusCode: 400,
      scimType: 'mutability',
    });
  });

  it('renders any exposed application error with its status and message, without a scimType', () => {
    expect(scimErrorBody(new ConflictError('The resource changed meanwhile'))).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      detail: 'The resource changed meanwhile',
    });
  });

  it('renders a dependency failure as a 503 to retry and anything else as a bare 500', () => {
    expect(scimErrorBody(new UnavailableError('DynamoDB timed out'))).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '503',
      detail: 'The service is temporarily unavailable; retry',
    });
    for (const error of [new Error('secret detail'), new AppError('bug', 500, 'secret'), 'x']) {
      expect(scimErrorBody(error)).toEqual({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '500',
        detail: 'Internal error',
      });
    }
  });
});
