/**
 * `npm start` (SPEC §6): runs the whole product on this machine until SIGINT or SIGTERM.
 *
 *   npm start                 keep data in .provisio/ (or $PROVISIO_DIR) across restarts
 *   npm start -- --fresh      start empty
 *   npm start -- --quiet      service logs only to <dataDir>/logs/
 *
 * Ports: PORT (API, 3000), DYNAMODB_PORT (8000), SES_PORT (8005), COGNITO_PORT (9229).
 * Prints one line starting with `provisio ready` on stdout when everything answers.
 */
import { JavaMissingError } from './java.ts';
import { optionsFromCli } from './options.ts';
import { type LocalStack, type LocalStackConfig, startLocalStack } from './stack.ts';

/** How long a stop may take before the process exits anyway (SPEC §6 allows 15 s). */
const STOP_DEADLINE_MS = 12_000;

/** The one stdout line that says the stack is up. */
export function readyLine(config: LocalStackConfig, seconds: number): string {
  return [
    'provisio ready',
    `api=${config.apiUrl}`,
    `dynamodb=${config.dynamodb.endpoint}`,
    `ses=${config.ses.endpoint}`,
    `cognito=${config.cognito.endpoint}`,
    `userPoolId=${config.cognito.userPoolId}`,
    `clientId=${config.cognito.clientId}`,
    `in ${seconds.toFixed(1)}s`,
  ].join(' ');
}

function fail(message: string): never {
  process.stderr.write(`provisio: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const began = Date.now();
  let options: ReturnType<typeof optionsFromCli>;
  try {
    options = optionsFromCli(process.env, process.argv.slice(2));
  } catch (error) {
    fail((error as Error).message);
  }

  let stack: LocalStack | undefined;
  let exiting = false;
  const shutdown = (reason: string, code: number) => {
    if (exiting) return;
    exiting = true;
    process.stderr.write(`provisio: ${reason}, stopping\n`);
    // The reaper kills whatever is left if the deadline passes.
    setTimeout(() => process.exit(code || 1), STOP_DEADLINE_MS).unref();
    const stopping = stack ? stack.stop() : Promise.resolve();
    stopping.finally(() => process.exit(code));
  };
  let starting = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      // During the start, wait for it to settle: `startLocalStack` cleans up after itself.
      if (starting) {
        exiting = true;
        return;
      }
      shutdown(`received ${signal}`, 0);
    });
  }
  // Under `npm start`, this process is the child of tsx's CLI: if that is killed outright,
  // nobody will signal us, and we are adopted by another process. Notice and stop.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) shutdown('parent process went away', 0);
  }, 1000).unref();
  process.on('disconnect', () => shutdown('parent process went away', 0));
  // A handler's stray promise must not take the whole stack down, as it would not in AWS.
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`provisio: unhandled rejection: ${(reason as Error)?.stack ?? reason}\n`);
  });

  try {
    stack = await startLocalStack(options);
  } catch (error) {
    if (error instanceof JavaMissingError) fail(error.message);
    fail(`could not start: ${(error as Error)?.message ?? error}`);
  } finally {
    starting = false;
  }
  if (exiting) {
    exiting = false;
    shutdown('interrupted while starting', 0);
    return;
  }
  stack.crashed.then((error) => shutdown(`a service stopped unexpectedly: ${error.message}`, 1));
  process.stdout.write(`${readyLine(stack.config, (Date.now() - began) / 1000)}\n`);
  process.stderr.write(`provisio: admin console at ${stack.config.apiUrl}/console/\n`);
}

await main();
