/**
 * The admin HTTP API v1 (SPEC §5) behind API Gateway (HTTP API, payload 2.0).
 * Thin: route, parse, call the core, shape the answer; errors become problem documents.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createTxtLookup } from '../../shared/adapters/dns/txt.ts';
import { createAdminStore } from '../../shared/adapters/dynamodb/admin-store.ts';
import { createDynamoClient } from '../../shared/adapters/dynamodb/client.ts';
import type { AdminDeps } from '../../shared/admin/model.ts';
import { openApiDocument } from '../../shared/admin/openapi.ts';
import { routeRequest } from '../../shared/admin/routes.ts';
import { loadConfig } from '../../shared/config.ts';
import { problemErrors } from '../../shared/http/problem.ts';

/** The production dependencies, built once per execution environment (cold start). */
export function createAdminDeps(): AdminDeps {
  const config = loadConfig();
  return {
    store: createAdminStore(createDynamoClient(config), config.tableName),
    lookupTxt: createTxtLookup(config.dnsServers),
    now: () => new Date(),
    newId: () => randomUUID(),
    newToken: () => randomBytes(16).toString('hex'),
  };
}

/** A handler over the given dependencies (tests hand in their own). */
export function createHandler(deps: AdminDeps) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(
    (event: APIGatewayProxyEventV2) => routeRequest(event, deps, openApiDocument),
  ).use(problemErrors());
}

export const handler = createHandler(createAdminDeps());
