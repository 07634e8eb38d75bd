/**
 * The admin console, deployed onto Provisio's HTTP API: `GET /console` and
 * `GET /console/{proxy+}` go, without the JWT authorizer, to one small function that serves the
 * built single-page app (bundled beside it) and its `config.json`. Why not S3 and CloudFront:
 * docs/console.md.
 */
import { join } from 'node:path';
import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { consoleEnvFor } from '../../shared/console/config.ts';
import { CONSOLE_PATH } from '../../shared/console/static-site.ts';
import { ProvisioFunction } from './provisio-function.ts';

export interface ProvisioConsoleProps {
  /** The API the console is served from, and calls (same origin: no CORS). */
  readonly httpApi: apigwv2.HttpApi;
  /**
   * The app client people sign in with: it must allow USER_PASSWORD_AUTH (and REFRESH_TOKEN_AUTH),
   * have no client secret, and be one of the JWT audiences of the admin API.
   */
  readonly userPoolClient: cognito.IUserPoolClient;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the function's log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Why the console's routes need no authorizer (cdk-nag AwsSolutions-APIG4). */
const ANONYMOUS_REASON =
  'The admin console is public static files (HTML, JavaScript, CSS) and a config.json of public identifiers (the Cognito endpoint and app client id); a person must sign in before it can do anything, and every call it makes goes to /v1 with their ID token, checked by the JWT authorizer.';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Serves the admin console at `<api>/console/`. */
export class ProvisioConsole extends Construct {
  public readonly function: lambda.Function;
  public readonly routes: apigwv2.HttpRoute[];

  constructor(scope: Construct, id: string, props: ProvisioConsoleProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.function = new ProvisioFunction(this, 'Server', {
      entry: 'functions/console/handler.ts',
      description: 'Admin console: its static files and config.json under /console/',
      environment: consoleEnvFor({
        // The console calls the API it is served from.
        apiUrl: '',
        cognito: {
          endpoint: `https://cognito-idp.${stack.region}.${stack.urlSuffix}/`,
          clientId: props.userPoolClient.userPoolClientId,
        },
      }),
      memorySize: 256,
      timeout: Duration.seconds(5),
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      // The console is built by Vite into `site/` beside the handler, in the same asset.
      afterBundling: (outputDir) => [
        `node --import tsx console/build.ts --out-dir ${quote(join(outputDir, 'site'))}`,
      ],
    }).function;

    const integration = new HttpLambdaIntegration('Console', this.function);
    this.routes = [CONSOLE_PATH, `${CONSOLE_PATH}/{proxy+}`].flatMap((path) =>
      props.httpApi.addRoutes({
        path,
        methods: [apigwv2.HttpMethod.GET],
        integration,
        authorizer: new apigwv2.HttpNoneAuthorizer(),
      }),
    );
    for (const route of this.routes) {
      Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: ANONYMOUS_REASON });
    }
  }
}
