/**
 * The SCIM 2.0 endpoint of each SSO connection (SPEC §10), `/scim/v2/{connectionId}/…` behind
 * API Gateway (HTTP API, payload 2.0). Thin: the bearer token, the route and the answer live in
 * `shared/scim/routes.ts`; the rules in `shared/scim/`.
 */
import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createAdminStore } from '../../shared/adapters/dynamodb/admin-store.ts';
import { createDynamoClient } from '../../shared/adapters/dynamodb/client.ts';
import { createScimStore } from '../../shared/adapters/dynamodb/scim-store.ts';
import { type Config, loadConfig } from '../../shared/config.ts';
import { invocation } from '../../shared/observability.ts';
import type { ScimDeps } from '../../shared/scim/model.ts';
import { routeScim } from '../../shared/scim/routes.ts';

/**
 * The production dependencies, built once per execution environment (cold start), from the
 * process's configuration or the one given (the bench's, read after it set its own budget).
 */
export function createScimDeps(config: Config = loadConfig()): ScimDeps {
  const db = createDynamoClient(config);
  return {
    store: createAdminStore(db, config.tableName),
    scim: createScimStore(db, config.tableName),
    now: () => new Date(),
    newId: () => randomUUID(),
  };
}

/** A handler over the given dependencies (tests hand in their own). */
export function createHandler(deps: ScimDeps) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(
    invocation((event: APIGatewayProxyEventV2) => routeScim(event, deps)),
  );
}

export const handler = createHandler(createScimDeps());
