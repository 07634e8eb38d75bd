/**
 * The admin console, served by the HTTP API itself (`GET /console`, `GET /console/{proxy+}`,
 * no authorizer): the built single-page app bundled beside this handler in `site/`, and its
 * `config.json` from the environment the CDK construct sets (infra/constructs/console.ts).
 * Same origin as `/v1`, so the console needs no CORS.
 */
import { fileURLToPath } from 'node:url';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { readConsoleConfig } from '../../shared/console/config.ts';
import { createConsoleSite } from '../../shared/console/static-site.ts';

/** The files and config, once per execution environment (cold start). */
const site = createConsoleSite({
  root: fileURLToPath(new URL('./site/', import.meta.url)),
  config: readConsoleConfig(process.env),
});

export const handler = middy(
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const reply = await site(event.requestContext.http.method, event.rawPath);
    // Base64 always: the same path for text and any binary asset.
    return {
      statusCode: reply.statusCode,
      headers: { ...reply.headers },
      body: reply.body.toString('base64'),
      isBase64Encoded: true,
    };
  },
);
