/**
 * What the admin console learns from `config.json` (console/src/config.ts reads it), and the
 * environment the console function builds it from in AWS. The names are written once, here.
 */

/** `config.json`, served next to the console. */
export interface ConsoleConfig {
  /** Base URL of the admin API; empty means the origin the console is served from. */
  readonly apiUrl: string;
  readonly cognito: {
    /** Cognito's JSON API endpoint (`https://cognito-idp.<region>.amazonaws.com/` in AWS). */
    readonly endpoint: string;
    /** An app client without a secret that allows USER_PASSWORD_AUTH. */
    readonly clientId: string;
  };
}

/** Environment variables of the console function. */
export const CONSOLE_ENV = {
  apiUrl: 'CONSOLE_API_URL',
  cognitoEndpoint: 'CONSOLE_COGNITO_ENDPOINT',
  clientId: 'CONSOLE_CLIENT_ID',
} as const;

/** The console function's environment for a config (the CDK construct sets it). */
export function consoleEnvFor(config: ConsoleConfig): Record<string, string> {
  return {
    [CONSOLE_ENV.apiUrl]: config.apiUrl,
    [CONSOLE_ENV.cognitoEndpoint]: config.cognito.endpoint,
    [CONSOLE_ENV.clientId]: config.cognito.clientId,
  };
}

/** Reads the config from the environment; a missing variable fails loudly with its name. */
export function readConsoleConfig(env: Record<string, string | undefined>): ConsoleConfig {
  const need = (name: string) => {
    const value = env[name]?.trim();
    if (!value) throw new Error(`Missing required environment variable ${name}`);
    return value;
  };
  return Object.freeze({
    apiUrl: env[CONSOLE_ENV.apiUrl]?.trim() ?? '',
    cognito: Object.freeze({
      endpoint: need(CONSOLE_ENV.cognitoEndpoint),
      clientId: need(CONSOLE_ENV.clientId),
    }),
  });
}
