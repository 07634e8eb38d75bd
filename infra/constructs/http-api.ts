/**
 * The HTTP API of SPEC §5: the admin API behind a JWT authorizer on the user pool, the
 * OpenAPI document and the sign-in hook without it, throttling and access logs.
 */
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type FunctionId, type HttpRoute, httpRoutes } from '../../functions/registry.ts';

/** Why each anonymous route may be anonymous (cdk-nag AwsSolutions-APIG4). */
const ANONYMOUS: Record<Extract<HttpRoute, { auth: 'none' }>['path'], string> = {
  '/v1/openapi.json':
    'GET /v1/openapi.json serves the public API description and is anonymous by design (SPEC §5: "no auth").',
  '/v1/hooks/sign-in':
    'POST /v1/hooks/sign-in is called by IdPs that hold no user-pool token; the function authenticates every request by its Provisio-Signature HMAC (SPEC §5) and answers 401 otherwise.',
  '/scim/v2/{proxy+}':
    "SCIM clients (Okta, Entra ID) hold no user-pool token; the function authenticates every request by the connection's own SCIM bearer token (SPEC §10, stored as a hash) and answers 401 otherwise.",
};

export interface ProvisioHttpApiProps {
  /** The functions behind the routes of `httpRoutes`. */
  readonly functions: Readonly<Record<FunctionId, lambda.IFunction>>;
  /** Issues the JWTs the admin API accepts. */
  readonly userPool: cognito.IUserPool;
  /** App client ids accepted as the token audience (`aud`, or `client_id` of access tokens). */
  readonly jwtAudience: readonly string[];
  /**
   * Steady-state requests per second and burst of the default stage, for all routes together.
   * @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly throttle?: apigwv2.ThrottleSettings;
  /**
   * How long access logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the access log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** An HTTP API (payload format 2.0) with one `$default` stage. */
export class ProvisioHttpApi extends Construct {
  public readonly httpApi: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly accessLogs: logs.LogGroup;
  /** The base URL of the API, ending in `/`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: ProvisioHttpApiProps) {
    super(scope, id);

    this.httpApi = new apigwv2.HttpApi(this, 'Api', {
      description: 'Provisio admin API v1 and HTTP sign-in hook',
      createDefaultStage: false,
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Variables of HTTP APIs: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
    const accessLogFormat = apigateway.AccessLogFormat.custom(
      JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        requestTime: '$context.requestTime',
        routeKey: '$context.routeKey',
        path: '$context.path',
        status: '$context.status',
        protocol: '$context.protocol',
        responseLength: '$context.responseLength',
        responseLatency: '$context.responseLatency',
        integrationLatency: '$context.integrationLatency',
        integrationError: '$context.integrationErrorMessage',
        authorizerError: '$context.authorizer.error',
        userAgent: '$context.identity.userAgent',
      }),
    );
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: accessLogFormat,
      },
    });
    this.url = this.stage.url;

    // The issuer Cognito writes into its tokens (`iss`).
    const issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${props.userPool.userPoolId}`;
    const authorizer = new HttpJwtAuthorizer('UserPoolJwt', issuer, {
      authorizerName: 'user-pool-jwt',
      jwtAudience: [...props.jwtAudience],
    });
    const integrations = new Map<FunctionId, HttpLambdaIntegration>();
    const integration = (fid: FunctionId) => {
      let found = integrations.get(fid);
      if (!found) {
        found = new HttpLambdaIntegration(
          fid.charAt(0).toUpperCase() + fid.slice(1),
          props.functions[fid],
        );
        integrations.set(fid, found);
      }
      return found;
    };
    for (const route of httpRoutes) {
      const [added] = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: integration(route.function),
        authorizer: route.auth === 'jwt' ? authorizer : new apigwv2.HttpNoneAuthorizer(),
      });
      if (route.auth === 'none')
        Validations.of(added!).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: ANONYMOUS[route.path],
        });
    }
  }
}
