/**
 * Options of the local stack (SPEC §6): ports, data directory, fresh start, quietness; and the
 * fixed names and credentials every local client uses.
 */
import { resolve } from 'node:path';

/** The one table, named as in SPEC §6. */
export const LOCAL_TABLE_NAME = 'provisio';

/** Region of every local endpoint and SDK client. */
export const LOCAL_REGION = 'us-east-1';

/** The account id local ARNs carry (what LocalStack and SAM use too). */
export const LOCAL_ACCOUNT_ID = '000000000000';

/**
 * Static credentials for every local service. DynamoDB Local rejects access key ids that are
 * not letters and digits (`UnrecognizedClientException`), so no dashes or underscores here.
 */
export const LOCAL_CREDENTIALS = Object.freeze({
  accessKeyId: 'AKIAPROVISIOLOCAL',
  secretAccessKey: 'local',
});

/** The sender of every mail the local stack sends (SES Local accepts any address). */
export const LOCAL_SENDER_EMAIL = 'no-reply@provisio.local';

/** Names of the local user pool and its app client; found again by name on restart. */
export const LOCAL_USER_POOL_NAME = 'provisio';
export const LOCAL_APP_CLIENT_NAME = 'provisio-local';

/** The ports of the four services. */
export interface LocalStackPorts {
  /** The API: admin API, sign-in hook and Lambda Invoke API. @default 3000 */
  readonly api: number;
  /** DynamoDB Local. @default 8000 */
  readonly dynamodb: number;
  /** aws-ses-v2-local (API and mail viewer). @default 8005 */
  readonly ses: number;
  /** cognito-local. @default 9229 */
  readonly cognito: number;
}

export const DEFAULT_PORTS: LocalStackPorts = Object.freeze({
  api: 3000,
  dynamodb: 8000,
  ses: 8005,
  cognito: 9229,
});

/** What `startLocalStack` accepts; everything is optional. */
export interface LocalStackOptions {
  /** Where data lives (DynamoDB files, cognito-local's store, the hook secret, local.json, logs). @default '.provisio' */
  readonly dataDir?: string;
  /** Wipe what the stack keeps in `dataDir` before starting (`npm start -- --fresh`). @default false */
  readonly fresh?: boolean;
  /** Keep the terminal quiet: service logs go only to `<dataDir>/logs/`. @default false */
  readonly quiet?: boolean;
  /**
   * Keep DynamoDB Local's tables in memory instead of in `dataDir`: they are gone when the stack
   * stops. For test runs, where every run starts empty and many writes must not queue behind
   * the disk. @default false
   */
  readonly inMemory?: boolean;
  /** Ports to listen on; any left out take their default. */
  readonly ports?: Partial<LocalStackPorts>;
  /** Where progress lines go when not quiet. @default stderr */
  readonly log?: (line: string) => void;
}

/** Options with every default filled in and `dataDir` made absolute. */
export interface ResolvedOptions {
  readonly dataDir: string;
  readonly fresh: boolean;
  readonly quiet: boolean;
  readonly inMemory: boolean;
  readonly ports: LocalStackPorts;
  readonly log: (line: string) => void;
}

/** Fills in defaults; relative `dataDir`s are taken from the current directory, as a CLI user expects. */
export function resolveOptions(options: LocalStackOptions = {}): ResolvedOptions {
  const quiet = options.quiet ?? false;
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  for (const [name, port] of Object.entries(ports)) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`Invalid ${name} port: ${port}`);
    }
  }
  if (new Set(Object.values(ports)).size !== Object.keys(ports).length) {
    throw new Error(`Every service needs its own port: ${JSON.stringify(ports)}`);
  }
  const sink = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  return {
    dataDir: resolve(options.dataDir ?? '.provisio'),
    fresh: options.fresh ?? false,
    quiet,
    inMemory: options.inMemory ?? false,
    ports,
    log: quiet ? () => {} : sink,
  };
}

function portFrom(env: Record<string, string | undefined>, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`Malformed environment variable ${name}: "${raw}" is not a port`);
  }
  return port;
}

/**
 * The CLI's options: `PROVISIO_DIR`, `PORT`, `DYNAMODB_PORT`, `SES_PORT`, `COGNITO_PORT` from the
 * environment, `--fresh` and `--quiet` from the arguments.
 */
export function optionsFromCli(
  env: Record<string, string | undefined>,
  argv: readonly string[],
): LocalStackOptions {
  const known = new Set(['--fresh', '--quiet']);
  const unknown = argv.filter((a) => !known.has(a));
  if (unknown.length > 0) {
    throw new Error(`Unknown argument ${unknown.join(' ')} (known: --fresh, --quiet)`);
  }
  const ports: Partial<Record<keyof LocalStackPorts, number>> = {};
  const fromEnv = {
    api: portFrom(env, 'PORT'),
    dynamodb: portFrom(env, 'DYNAMODB_PORT'),
    ses: portFrom(env, 'SES_PORT'),
    cognito: portFrom(env, 'COGNITO_PORT'),
  };
  for (const [name, port] of Object.entries(fromEnv)) {
    if (port !== undefined) ports[name as keyof LocalStackPorts] = port;
  }
  return {
    dataDir: env.PROVISIO_DIR?.trim() || '.provisio',
    fresh: argv.includes('--fresh'),
    quiet: argv.includes('--quiet'),
    ports,
  };
}
