/**
 * The signed-in person's tokens. Kept in `sessionStorage`: they survive a reload but not the
 * tab, and no other tab or site sees them. The ID token is what the admin API reads (its `email`
 * claim); it is refreshed shortly before it expires, and once more when the API answers 401.
 */
import { CognitoError, refreshTokens, revokeRefreshToken, type Tokens } from './cognito.ts';
import type { ConsoleConfig } from './config.ts';

export interface Session {
  readonly email: string;
  readonly idToken: string;
  readonly refreshToken: string;
  /** When the ID token expires, ms since the epoch. */
  readonly expiresAt: number;
}

const KEY = 'provisio.console.session';
/** Refresh this long before the ID token expires. */
const EARLY_MS = 60_000;

/** The session ended without the person asking: the sign-in page says why. */
export class SessionEnded extends Error {}

let current: Session | null = load();
let endedReason: string | null = null;
let refreshing: Promise<Session> | null = null;
const listeners = new Set<() => void>();

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

function set(next: Session | null): void {
  current = next;
  if (next) sessionStorage.setItem(KEY, JSON.stringify(next));
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

/** The claims of a JWT, unverified: the API checks the signature, the console only reads. */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

function fromTokens(tokens: Tokens, refreshToken: string): Session {
  const claims = jwtClaims(tokens.idToken);
  const exp =
    typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + tokens.expiresIn * 1000;
  return {
    email: String(claims.email ?? ''),
    idToken: tokens.idToken,
    refreshToken,
    expiresAt: exp,
  };
}

export const session = {
  current: (): Session | null => current,
  /** Why the last session ended, once (for the sign-in page). */
  takeEndedReason(): string | null {
    const reason = endedReason;
    endedReason = null;
    return reason;
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Starts a session from a completed sign-in. */
  start(tokens: Tokens): Session {
    if (!tokens.refreshToken) throw new CognitoError('UnexpectedAnswer', 'No refresh token.');
    const next = fromTokens(tokens, tokens.refreshToken);
    endedReason = null;
    set(next);
    return next;
  },
  /** Ends the session because it can no longer be used. */
  end(reason: string): void {
    endedReason = reason;
    set(null);
  },
  /** Signs out: revokes the refresh token (best effort) and forgets the tokens. */
  async signOut(config: ConsoleConfig): Promise<void> {
    const was = current;
    set(null);
    if (was) await revokeRefreshToken(config, was.refreshToken).catch(() => undefined);
  },
};

async function refresh(config: ConsoleConfig, from: Session): Promise<Session> {
  refreshing ??= refreshTokens(config, from.refreshToken)
    .then((tokens) => {
      const next = fromTokens(tokens, tokens.refreshToken ?? from.refreshToken);
      set(next);
      return next;
    })
    .catch((error: unknown) => {
      if (error instanceof CognitoError && error.code === 'NetworkError') throw error;
      session.end('Your session has ended. Sign in again to continue.');
      throw new SessionEnded('session ended');
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** A valid ID token, refreshed first when it is about to expire (or when `force`). */
export async function idToken(config: ConsoleConfig, force = false): Promise<string> {
  const now = current;
  if (!now) throw new SessionEnded('not signed in');
  if (!force && now.expiresAt - Date.now() > EARLY_MS) return now.idToken;
  return (await refresh(config, now)).idToken;
}
