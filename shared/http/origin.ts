import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The origin the caller reached the API at (API Gateway sets `x-forwarded-proto`). */
export function requestOrigin(event: APIGatewayProxyEventV2): string {
  const proto = event.headers?.['x-forwarded-proto']?.split(',')[0]?.trim() || 'https';
  return `${proto}://${event.requestContext.domainName}`;
}
