/**
 * The raw body of an API Gateway HTTP API (payload 2.0) request. API Gateway base64-encodes a
 * body it does not take for text (`isBase64Encoded`); every handler reads the body through here.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError } from '../errors.ts';

/**
 * The body as UTF-8 text, `''` when there is none. With `maxBytes`, a body of more bytes (as
 * sent, after base64 decoding) is a 413 before anything else is done with it.
 */
export function bodyText(
  event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>,
  options: { maxBytes?: number } = {},
): string {
  const bytes = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  if (options.maxBytes !== undefined && bytes.length > options.maxBytes) {
    throw new AppError(
      'content-too-large',
      413,
      `The request body is ${bytes.length} bytes; at most ${options.maxBytes} are accepted`,
    );
  }
  return bytes.toString('utf8');
}
