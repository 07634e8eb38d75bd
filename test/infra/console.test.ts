/**
 * The admin console's deployment (infra/constructs/console.ts): anonymous GET routes on the HTTP
 * API to one function whose bundle carries the console Vite built, and `config.json` naming the
 * pool's app client. The bundle is built for real once and its handler called like API Gateway.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { cdkJsonContext } from '../../infra/cdk-context.ts';
import { ProvisioConsole } from '../../infra/constructs/console.ts';
import { Provisio } from '../../infra/constructs/provisio.ts';
import { createApp } from '../../infra/create-app.ts';
import type { ProvisioStack } from '../../infra/provisio-stack.ts';
import { CONSOLE_ENV } from '../../shared/console/config.ts';
import { SKIP_BUNDLING, SYNTH_TIMEOUT_MS } from './helpers.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };

describe('the admin console in the Provisio stack', () => {
  let stack: ProvisioStack;
  let template: Template;
  const logicalId = (c: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(c.node.defaultChild as CfnElement);

  beforeAll(() => {
    ({ stack } = createApp({ context: { ...cdkJsonContext(), ...SKIP_BUNDLING } }));
    template = Template.fromStack(stack);
  }, SYNTH_TIMEOUT_MS);

  it('serves /console and everything under it from the console function, without the JWT authorizer', () => {
    const fnId = logicalId(stack.provisio.console!.function);
    for (const routeKey of ['GET /console', 'GET /console/{proxy+}']) {
      const routes = template.findResources('AWS::ApiGatewayV2::Route', {
        Properties: { RouteKey: routeKey },
      });
      const [route] = Object.values(routes) as Resource[];
      expect(route?.Properties.AuthorizationType, routeKey).toBe('NONE');
      const target = JSON.stringify(route!.Properties.Target);
      const integrationId = /"Ref":"([^"]+)"/.exec(target)?.[1];
      const integration = template.toJSON().Resources[integrationId!] as Resource;
      expect(JSON.stringify(integration.Properties.IntegrationUri)).toContain(fnId);
    }
  });

  it('tells the console the regional Cognito endpoint and the pool’s app client, and calls the same API', () => {
    const clientId = logicalId(stack.provisio.userPoolClient!);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [CONSOLE_ENV.apiUrl]: '',
          [CONSOLE_ENV.clientId]: { Ref: clientId },
          [CONSOLE_ENV.cognitoEndpoint]: {
            'Fn::Join': [
              '',
              ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/'],
            ],
          },
        }),
      },
    });
  });

  it('grants the console function nothing beyond its logs and traces', () => {
    const roleId = logicalId(stack.provisio.console!.function.role!);
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
    });
    const actions = Object.values(policies)
      .flatMap(
        (p) =>
          (
            (p as Resource).Properties.PolicyDocument as {
              Statement: { Action: string | string[] }[];
            }
          ).Statement,
      )
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.every((a) => a.startsWith('logs:') || a.startsWith('xray:'))).toBe(true);
  });

  it('outputs the console URL', () => {
    const outputs = template.findOutputs('ConsoleUrl');
    expect(JSON.stringify(Object.values(outputs)[0]?.Value)).toContain('console/');
  });
});

describe('the admin console elsewhere', () => {
  it(
    'is left out with console: false',
    () => {
      const app = new App({ context: { ...cdkJsonContext(), ...SKIP_BUNDLING } });
      const stack = new Stack(app, 'NoConsole');
      const provisio = new Provisio(stack, 'Orgs', {
        senderEmail: 'orgs@product.example',
        console: false,
      });
      const template = Template.fromStack(stack);
      expect(provisio.console).toBeUndefined();
      expect(provisio.consoleUrl).toBeUndefined();
      template.resourcePropertiesCountIs(
        'AWS::ApiGatewayV2::Route',
        { RouteKey: Match.stringLikeRegexp('console') },
        0,
      );
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    'signs people in with the first app client of a pool Provisio attaches to',
    () => {
      const app = new App({ context: { ...cdkJsonContext(), ...SKIP_BUNDLING } });
      const stack = new Stack(app, 'Product', {
        env: { account: '111122223333', region: 'eu-west-1' },
      });
      new Provisio(stack, 'Orgs', {
        senderEmail: 'orgs@product.example',
        userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_AbCdEfGhI'),
        userPoolClients: ['firstclient123', 'secondclient456'].map((id) =>
          cognito.UserPoolClient.fromUserPoolClientId(stack, id, id),
        ),
      });
      const consoleFn = Object.values(
        Template.fromStack(stack).findResources('AWS::Lambda::Function', {
          Properties: {
            Environment: {
              Variables: Match.objectLike({ [CONSOLE_ENV.clientId]: 'firstclient123' }),
            },
          },
        }),
      );
      expect(consoleFn).toHaveLength(1);
      expect(JSON.stringify(consoleFn[0])).toContain('https://cognito-idp.eu-west-1.');
    },
    SYNTH_TIMEOUT_MS,
  );
});

describe('the console function’s bundle', () => {
  type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  let handler: Handler;
  let bundle: string;

  beforeAll(async () => {
    // Real bundling: esbuild for the handler, then Vite for the console into site/.
    const app = new App({ context: cdkJsonContext() });
    const stack = new Stack(app, 'Console');
    const console = new ProvisioConsole(stack, 'Console', {
      httpApi: new apigwv2.HttpApi(stack, 'Api'),
      userPoolClient: cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', 'client123'),
    });
    const assembly = app.synth();
    const fn = Template.fromStack(stack).toJSON().Resources[
      stack.getLogicalId(console.function.node.defaultChild as CfnElement)
    ] as { Properties: { Code: { S3Key: string } } };
    bundle = join(assembly.directory, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
    // The environment the construct sets, with the tokens as deployment resolves them.
    process.env[CONSOLE_ENV.apiUrl] = '';
    process.env[CONSOLE_ENV.cognitoEndpoint] = 'https://cognito-idp.eu-west-1.amazonaws.com/';
    process.env[CONSOLE_ENV.clientId] = 'client123';
    ({ handler } = (await import(pathToFileURL(join(bundle, 'index.mjs')).href)) as {
      handler: Handler;
    });
  }, SYNTH_TIMEOUT_MS);

  const get = async (rawPath: string) => {
    const reply = await handler({
      rawPath,
      requestContext: { http: { method: 'GET', path: rawPath } },
    } as unknown as APIGatewayProxyEventV2);
    const body = Buffer.from(String(reply.body ?? ''), reply.isBase64Encoded ? 'base64' : 'utf8');
    return { ...reply, text: body.toString('utf8') };
  };

  it('serves the page, with a Content-Security-Policy that allows the API and Cognito only', async () => {
    const page = await get('/console/');
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<div id="app"></div>');
    expect(page.headers?.['content-security-policy']).toContain(
      "connect-src 'self' https://cognito-idp.eu-west-1.amazonaws.com",
    );
    expect(page.headers?.['content-security-policy']).toContain("script-src 'self'");
  });

  it('serves the scripts it names, cached for good', async () => {
    const script = readdirSync(join(bundle, 'site', 'assets')).find((f) => f.endsWith('.js'))!;
    expect(readFileSync(join(bundle, 'site', 'index.html'), 'utf8')).toContain(`assets/${script}`);
    const js = await get(`/console/assets/${script}`);
    expect(js.statusCode).toBe(200);
    expect(js.headers?.['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers?.['cache-control']).toContain('immutable');
  });

  it('answers config.json from its environment', async () => {
    const config = await get('/console/config.json');
    expect(JSON.parse(config.text)).toEqual({
      apiUrl: '',
      cognito: { endpoint: 'https://cognito-idp.eu-west-1.amazonaws.com/', clientId: 'client123' },
    });
    expect(config.headers?.['cache-control']).toBe('no-store');
  });

  it('redirects /console to /console/ and serves nothing outside the site', async () => {
    expect(await get('/console')).toMatchObject({
      statusCode: 308,
      headers: expect.objectContaining({ location: '/console/' }),
    });
    for (const path of [
      '/console/..%2Findex.mjs',
      '/console/%2e%2e/index.mjs',
      '/console/.source-hash',
      '/console/missing.js',
    ]) {
      expect((await get(path)).statusCode, path).toBe(404);
    }
  });
});
