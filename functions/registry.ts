/**
 * Every Lambda function of Provisio, named once. The CDK construct builds one function per
 * entry; the local stack serves each through the Lambda Invoke API under `localName`.
 */
export interface FunctionSpec {
  /** The function name in the local stack's Invoke API (in AWS, CDK names functions itself). */
  readonly localName: string;
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
}

export const functionSpecs = {
  signIn: {
    localName: 'provisio-sign-in',
    entry: 'functions/sign-in/handler.ts',
    description: 'Cognito PostAuthentication/PostConfirmation trigger: the sign-in decision',
  },
  signInHook: {
    localName: 'provisio-sign-in-hook',
    entry: 'functions/sign-in-hook/handler.ts',
    description: 'HTTP sign-in hook for IdPs other than Cognito (POST /v1/hooks/sign-in)',
  },
  notifier: {
    localName: 'provisio-notifier',
    entry: 'functions/notifier/handler.ts',
    description: 'Mails owner notifications and invitations from outbox items on the table stream',
  },
  admin: {
    localName: 'provisio-admin',
    entry: 'functions/admin/handler.ts',
    description: 'Admin HTTP API v1',
  },
  preToken: {
    localName: 'provisio-pre-token',
    entry: 'functions/pre-token/handler.ts',
    description:
      'Cognito Pre Token Generation trigger (V2): the orgs claim in ID and access tokens',
  },
  preAuth: {
    localName: 'provisio-pre-auth',
    entry: 'functions/pre-auth/handler.ts',
    description:
      'Cognito PreAuthentication and PreSignUp triggers: SSO enforcement refuses sign-ins without SSO',
  },
  scim: {
    localName: 'provisio-scim',
    entry: 'functions/scim/handler.ts',
    description: 'SCIM 2.0 endpoint of each SSO connection (/scim/v2/{connectionId})',
  },
  domainChecker: {
    localName: 'provisio-domain-checker',
    entry: 'functions/domain-checker/handler.ts',
    description:
      'Scheduled domain checker: re-checks TXT records of pending (hourly, 72 h) and verified (daily) domains',
  },
  webhookPublisher: {
    localName: 'provisio-webhook-publisher',
    entry: 'functions/webhook-publisher/handler.ts',
    description:
      'Fans each new event out from the table stream: one queued delivery per subscribed webhook, and EventBridge',
  },
  webhookDelivery: {
    localName: 'provisio-webhook-delivery',
    entry: 'functions/webhook-delivery/handler.ts',
    description: 'Delivers queued webhook events (Standard Webhooks), with retries',
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionId = keyof typeof functionSpecs;

/**
 * The HTTP API's routes (API Gateway HTTP API, payload 2.0), written once: the CDK construct
 * declares them and the local stack's API server serves them. API Gateway prefers an exact
 * route to `{proxy+}`; the admin function routes within `/v1` itself.
 */
export const httpRoutes = [
  { method: 'GET', path: '/v1/openapi.json', function: 'admin', auth: 'none' },
  { method: 'POST', path: '/v1/hooks/sign-in', function: 'signInHook', auth: 'none' },
  { method: 'ANY', path: '/v1/{proxy+}', function: 'admin', auth: 'jwt' },
  // SCIM clients authenticate with their connection's own bearer token, checked by the function.
  { method: 'ANY', path: '/scim/v2/{proxy+}', function: 'scim', auth: 'none' },
] as const satisfies readonly {
  method: 'GET' | 'POST' | 'ANY';
  path: string;
  function: FunctionId;
  /** `none`: anonymous at the gateway (the hook checks its own signature). */
  auth: 'none' | 'jwt';
}[];

export type HttpRoute = (typeof httpRoutes)[number];
