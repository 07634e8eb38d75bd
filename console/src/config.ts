/**
 * The console learns its endpoints from `config.json`, served next to it: by the local stack
 * from its own configuration (`.provisio/local.json`), and in AWS by the console function from
 * the environment the CDK deployment gives it (shared/console/).
 */
import type { ConsoleConfig } from '../../shared/console/config.ts';

export type { ConsoleConfig };

function isConfig(value: unknown): value is ConsoleConfig {
  const v = value as ConsoleConfig | null;
  return (
    typeof v?.apiUrl === 'string' &&
    typeof v.cognito?.endpoint === 'string' &&
    typeof v.cognito.clientId === 'string' &&
    v.cognito.clientId.length > 0
  );
}

/** Fetches and checks `config.json` (relative to the page, so any path prefix works). */
export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  const config: unknown = await response.json();
  if (!isConfig(config))
    throw new Error('config.json lacks apiUrl, cognito.endpoint or cognito.clientId');
  return config;
}
