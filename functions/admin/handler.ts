/**
 * The admin HTTP API v1 (SPEC §5) behind API Gateway (HTTP API, payload 2.0).
 * Thin: route, parse, call the core, shape the answer; errors become problem documents.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { routeRequest } from '../../shared/admin/routes.ts';
import { problemErrors } from '../../shared/http/problem.ts';

async function run(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return routeRequest(event);
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(run).use(
  problemErrors(),
);
