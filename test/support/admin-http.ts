/**
 * The admin API through the local stack's HTTP API (test/global-setup.ts starts it), called as
 * cognito-local users with real ID tokens, checked by the stack's JWT authorizer.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AdminApi, ApiAnswer, CallOptions } from './admin-harness.ts';
import { answerBody, localDocumentClient } from './admin-harness.ts';
import { api, localStack, signedInUser } from './local-stack.ts';

/** An admin API test environment on the local stack. */
export interface AdminStackEnv {
  api: AdminApi;
  /**
   * A new person with a confirmed, signed-in cognito-local user (the sign-in trigger has created
   * their account); returns their email, which `call(..., {as})` accepts.
   */
  person(label?: string, domain?: string): Promise<string>;
  /** Creates a cognito-local user with this email and signs them in (the trigger runs); keeps the token. */
  signInAs(email: string): Promise<string>;
  /** The stack's table, for checks of what the API wrote. */
  db: DynamoDBDocumentClient;
  tableName: string;
}

/** A new person's email: `label-<random>@domain`. */
export const personEmail = (label = 'admin', domain = 'example.test') =>
  `${label}-${randomUUID().slice(0, 8)}@${domain}`;

export function adminStackEnv(): AdminStackEnv {
  const tokens = new Map<string, string>();
  const stack = localStack();
  const call = async (
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<ApiAnswer> => {
    let token: string | undefined;
    if (options.as) {
      token = tokens.get(options.as);
      if (!token) throw new Error(`${options.as} has no token: create them with person()`);
    }
    const url = options.query ? `${path}?${new URLSearchParams(options.query)}` : path;
    const body =
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const response = await api(url, {
      method,
      ...(token ? { token } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers.entries()),
      body: answerBody(text, response.headers.get('content-type') ?? undefined),
    };
  };
  return {
    api: { call },
    async person(label = 'admin', domain = 'example.test') {
      return this.signInAs(personEmail(label, domain));
    },
    async signInAs(email: string) {
      const user = await signedInUser({ email });
      tokens.set(email, user.idToken);
      return email;
    },
    db: localDocumentClient(stack.dynamodb.endpoint),
    tableName: stack.dynamodb.tableName,
  };
}
