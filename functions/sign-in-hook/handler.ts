/**
 * The HTTP sign-in hook (SPEC §5, POST /v1/hooks/sign-in) for IdPs other than Cognito.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError } from '../../shared/errors.ts';
import { problemErrors } from '../../shared/http/problem.ts';

async function run(_event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  throw new AppError('not-implemented', 501, 'The sign-in hook is not implemented yet');
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(run).use(
  problemErrors(),
);
