/**
 * Sign-in against the user pool through Cognito's JSON API (the same calls the AWS SDK makes,
 * without shipping the SDK): InitiateAuth with USER_PASSWORD_AUTH or REFRESH_TOKEN_AUTH,
 * RespondToAuthChallenge, RevokeToken.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html
 */
import type { ConsoleConfig } from './config.ts';

/** An error Cognito answered, by its exception name. */
export class CognitoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Tokens from a successful authentication. */
export interface Tokens {
  readonly idToken: string;
  /** Absent after a refresh: the refresh token stays the same. */
  readonly refreshToken?: string;
  /** Seconds the ID token is valid for. */
  readonly expiresIn: number;
}

/** Where a sign-in stands: done, or Cognito asks for more (a new password, an MFA code). */
export type SignInStep =
  | { readonly kind: 'done'; readonly tokens: Tokens }
  | { readonly kind: 'challenge'; readonly name: string; readonly session: string };

interface AuthAnswer {
  AuthenticationResult?: { IdToken?: string; RefreshToken?: string; ExpiresIn?: number };
  ChallengeName?: string;
  Session?: string;
}

async function call<T>(config: ConsoleConfig, target: string, body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(config.cognito.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityProviderService.${target}`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new CognitoError('NetworkError', 'Could not reach the sign-in service.');
  }
  const text = await response.text();
  const answer = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!response.ok) {
    // `__type` may carry a namespace: `com.amazon...#NotAuthorizedException`.
    const type = String(answer.__type ?? response.headers.get('x-amzn-errortype') ?? 'Error');
    throw new CognitoError(
      type.split('#').pop()!.split(':')[0]!,
      String(answer.message ?? answer.Message ?? ''),
    );
  }
  return answer as T;
}

function step(answer: AuthAnswer): SignInStep {
  const result = answer.AuthenticationResult;
  if (result?.IdToken) {
    return {
      kind: 'done',
      tokens: {
        idToken: result.IdToken,
        ...(result.RefreshToken ? { refreshToken: result.RefreshToken } : {}),
        expiresIn: result.ExpiresIn ?? 3600,
      },
    };
  }
  if (answer.ChallengeName && answer.Session) {
    return { kind: 'challenge', name: answer.ChallengeName, session: answer.Session };
  }
  throw new CognitoError('UnexpectedAnswer', 'The sign-in service gave no tokens.');
}

/** USER_PASSWORD_AUTH: the email is the username (the pool signs people in by email). */
export async function passwordSignIn(
  config: ConsoleConfig,
  email: string,
  password: string,
): Promise<SignInStep> {
  return step(
    await call<AuthAnswer>(config, 'InitiateAuth', {
      ClientId: config.cognito.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
}

/** Answers a challenge (`NEW_PASSWORD_REQUIRED`, `SOFTWARE_TOKEN_MFA`). */
export async function answerChallenge(
  config: ConsoleConfig,
  challenge: { name: string; session: string },
  responses: Record<string, string>,
): Promise<SignInStep> {
  return step(
    await call<AuthAnswer>(config, 'RespondToAuthChallenge', {
      ClientId: config.cognito.clientId,
      ChallengeName: challenge.name,
      Session: challenge.session,
      ChallengeResponses: responses,
    }),
  );
}

/** REFRESH_TOKEN_AUTH: new ID token for a refresh token. */
export async function refreshTokens(config: ConsoleConfig, refreshToken: string): Promise<Tokens> {
  const next = step(
    await call<AuthAnswer>(config, 'InitiateAuth', {
      ClientId: config.cognito.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  );
  if (next.kind !== 'done')
    throw new CognitoError('UnexpectedAnswer', 'Refreshing asked for more.');
  return next.tokens;
}

/** Revokes the refresh token (and the tokens issued with it). */
export async function revokeRefreshToken(config: ConsoleConfig, token: string): Promise<void> {
  await call(config, 'RevokeToken', { ClientId: config.cognito.clientId, Token: token });
}

/**
 * Cognito's errors in plain words. `during` tells a wrong password (cognito-local answers
 * InvalidPasswordException to InitiateAuth) from a new password the pool's rules refuse.
 */
export function signInMessage(
  error: unknown,
  during: 'password' | 'challenge' = 'password',
): string {
  if (!(error instanceof CognitoError)) return 'Sign-in failed. Try again.';
  if (during === 'password' && error.code === 'InvalidPasswordException') {
    return 'The email or password is not right.';
  }
  switch (error.code) {
    case 'NotAuthorizedException':
    case 'UserNotFoundException':
      return 'The email or password is not right.';
    case 'UserNotConfirmedException':
      return 'This account is not confirmed yet: confirm your email address first.';
    case 'PasswordResetRequiredException':
      return 'Your password must be reset before you can sign in.';
    case 'TooManyRequestsException':
    case 'LimitExceededException':
    case 'TooManyFailedAttemptsException':
      return 'Too many attempts. Wait a minute, then try again.';
    case 'CodeMismatchException':
    case 'ExpiredCodeException':
      return 'That code is not right or has expired. Check your authenticator app and try again.';
    case 'InvalidPasswordException':
      return error.message || 'That password does not meet the password rules.';
    case 'NetworkError':
      return 'Could not reach the sign-in service. Check your connection and try again.';
    default:
      return error.message ? `Sign-in failed: ${error.message}` : 'Sign-in failed. Try again.';
  }
}
