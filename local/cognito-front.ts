/**
 * The local stack's Cognito endpoint: a small HTTP front that forwards every request to
 * cognito-local, and first runs the triggers cognito-local does not run as Cognito does
 * (SPEC §12): PreAuthentication before a password `InitiateAuth` (USER_PASSWORD_AUTH) and
 * PreSignUp (`PreSignUp_SignUp`) before a `SignUp`, through the local Lambda Invoke API. A
 * refusal is answered as Cognito answers it: HTTP 400, `UserLambdaValidationException`,
 * `<Trigger> failed with error <the function's message>.`
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
 *
 * With no trigger function given, it only forwards.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { LOCAL_REGION, LOCAL_USER_POOL_NAME } from './options.ts';
import { cognitoSdk, localClientConfig } from './sdk.ts';

export interface CognitoFront {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

type Json = Record<string, unknown>;

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const parse = (body: Buffer): Json => {
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    return value && typeof value === 'object' ? (value as Json) : {};
  } catch {
    return {};
  }
};

/** Starts the front on `port`, forwarding to cognito-local at `upstream`. */
export async function startCognitoFront(options: {
  port: number;
  upstream: string;
  lambdaEndpoint: string;
  /** The PreAuthentication/PreSignUp function's local name; none: forward only. */
  preAuthFunction: string | undefined;
}): Promise<CognitoFront> {
  let pool: Promise<string | undefined> | undefined;
  /** The one local pool's id (cognito-local's `userPoolId` is not in a client's request). */
  const poolId = () =>
    (pool ??= (async () => {
      const sdk = cognitoSdk();
      const client = new sdk.CognitoIdentityProviderClient(localClientConfig(options.upstream));
      try {
        const pools = await client.send(new sdk.ListUserPoolsCommand({ MaxResults: 60 }));
        return pools.UserPools?.find((p) => p.Name === LOCAL_USER_POOL_NAME)?.Id;
      } finally {
        client.destroy();
      }
    })().catch(() => (pool = undefined)));

  /** The user's attributes, as PreAuthentication receives them; undefined when no such user. */
  async function userAttributes(username: string): Promise<Record<string, string> | undefined> {
    const id = await poolId();
    if (!id) return undefined;
    const sdk = cognitoSdk();
    const client = new sdk.CognitoIdentityProviderClient(localClientConfig(options.upstream));
    try {
      const user = await client.send(
        new sdk.AdminGetUserCommand({ UserPoolId: id, Username: username }),
      );
      return Object.fromEntries(
        (user.UserAttributes ?? []).map((a) => [a.Name ?? '', a.Value ?? '']),
      );
    } catch {
      // Cognito runs no PreAuthentication for a user that does not exist.
      return undefined;
    } finally {
      client.destroy();
    }
  }

  /** Invokes the trigger; the error message when it refuses. */
  async function refusal(
    triggerSource: string,
    userName: string,
    attributes: Record<string, string>,
    clientId: string,
  ): Promise<string | undefined> {
    const event = {
      version: '1',
      region: LOCAL_REGION,
      userPoolId: (await poolId()) ?? '',
      userName,
      callerContext: { awsSdkVersion: 'provisio-local', clientId },
      triggerSource,
      request: { userAttributes: attributes, validationData: {} },
      response: {},
    };
    const res = await fetch(
      `${options.lambdaEndpoint}/2015-03-31/functions/${encodeURIComponent(options.preAuthFunction!)}/invocations`,
      { method: 'POST', body: JSON.stringify(event) },
    );
    const text = await res.text();
    if (res.ok && !res.headers.get('x-amz-function-error')) return undefined;
    const message = (parse(Buffer.from(text)).errorMessage as string | undefined) ?? text;
    return message || 'Lambda threw an exception';
  }

  /** The trigger a request meets before cognito-local sees it, and what it refuses. */
  async function check(target: string, body: Json): Promise<string | undefined> {
    if (!options.preAuthFunction) return undefined;
    const clientId = typeof body.ClientId === 'string' ? body.ClientId : '';
    if (target === 'InitiateAuth' && body.AuthFlow === 'USER_PASSWORD_AUTH') {
      const username = (body.AuthParameters as Json | undefined)?.USERNAME;
      if (typeof username !== 'string') return undefined;
      const attributes = await userAttributes(username);
      if (!attributes) return undefined;
      const message = await refusal(
        'PreAuthentication_Authentication',
        attributes.sub ?? username,
        attributes,
        clientId,
      );
      return message && `PreAuthentication failed with error ${message}.`;
    }
    if (target === 'SignUp' && typeof body.Username === 'string') {
      const attributes: Record<string, string> = { email: body.Username };
      for (const a of (body.UserAttributes as { Name?: string; Value?: string }[]) ?? []) {
        if (a.Name) attributes[a.Name] = a.Value ?? '';
      }
      const message = await refusal('PreSignUp_SignUp', randomUUID(), attributes, clientId);
      return message && `PreSignUp failed with error ${message}.`;
    }
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method === 'POST' && target.startsWith(TARGET_PREFIX)) {
      const refused = await check(target.slice(TARGET_PREFIX.length), parse(body));
      if (refused) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'UserLambdaValidationException', message: refused }));
        return;
      }
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(
        (e): e is [string, string] =>
          typeof e[1] === 'string' && !['host', 'connection', 'content-length'].includes(e[0]),
      ),
    );
    const upstream = await fetch(new URL(req.url ?? '/', options.upstream), {
      method: req.method ?? 'GET',
      headers,
      ...(body.length && req.method !== 'GET' && req.method !== 'HEAD' ? { body } : {}),
    });
    const answer = Buffer.from(await upstream.arrayBuffer());
    const out: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name))
        out[name] = value;
    });
    res.writeHead(upstream.status, out);
    res.end(answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          __type: 'InternalErrorException',
          message: error instanceof Error ? error.message : String(error),
        }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, 'localhost', () => resolve());
  });
  return {
    endpoint: `http://localhost:${options.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
