/**
 * `npm start` as a developer runs it (SPEC §6): ready line, local.json, persistence across a
 * restart and `--fresh`, stopping on SIGTERM/SIGINT within 15 s with no process left behind,
 * no orphan when the stack process is SIGKILLed, and a clear message when Java is missing.
 *
 * Each start here is a separate stack in its own temporary PROVISIO_DIR on free ports, beside
 * the one the globalSetup started.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../local/processes.ts';
import { localClientConfig } from '../../local/sdk.ts';
import type { LocalStackConfig } from '../../local/stack.ts';

const require = createRequire(import.meta.url);
const ddb = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A stack started from the command line. */
interface Cli {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (or signal name) once the command exits. */
  readonly exited: Promise<number | string>;
}

/** Runs the CLI in its own process group, as a terminal runs a foreground job. */
function launch(how: 'npm' | 'node', args: string[], env: Record<string, string>): Cli {
  // vitest's own variables must not leak into the stack.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'),
  );
  const child =
    how === 'npm'
      ? spawn('npm', ['start', '--', ...args], {
          cwd: ROOT,
          env: { ...inherited, ...env },
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', ...args], {
          cwd: ROOT,
          env: { ...inherited, ...env },
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function ready(cli: Cli, timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void cli.exited.then(() => {
    exited = true;
  });
  for (;;) {
    const line = cli
      .stdout()
      .split('\n')
      .find((l) => l.startsWith('provisio ready'));
    if (line) return line;
    if (exited || Date.now() > deadline) {
      throw new Error(
        `no ready line (${exited ? 'exited' : 'timed out'})\nstdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`,
      );
    }
    await sleep(100);
  }
}

/**
 * Every process that belongs to a stack: they all carry its PROVISIO_DIR in their environment
 * (npm, tsx, the stack, the JVM, cognito-local, the reaper), and the JVM its path in argv.
 */
function stackProcesses(dataDir: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  if (existsSync('/proc/self/environ')) {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
        const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
        let cwd = '';
        try {
          cwd = readlinkSync(`/proc/${entry}/cwd`);
        } catch {}
        if (
          command.includes(dataDir) ||
          environ.includes(`PROVISIO_DIR=${dataDir}\0`) ||
          cwd.startsWith(dataDir)
        ) {
          found.push({ pid: Number(entry), command: command.trim() });
        }
      } catch {
        // The process exited while we looked, or is not ours to read.
      }
    }
    return found;
  }
  // macOS: `ps e` appends the environment to the command.
  const ps = execFileSync('ps', ['eww', '-ax', '-o', 'pid=,command='], { encoding: 'utf8' });
  for (const line of ps.split('\n')) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (match?.[2]?.includes(dataDir) && Number(match[1]) !== process.pid) {
      found.push({ pid: Number(match[1]), command: match[2] });
    }
  }
  return found;
}

async function noProcessesLeft(dataDir: string, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  let left = stackProcesses(dataDir);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(200);
    left = stackProcesses(dataDir);
  }
  expect(left, 'processes left behind').toEqual([]);
}

async function portEnv(dataDir: string): Promise<Record<string, string>> {
  const [api, dynamodb, ses, cognito] = await freePorts(4);
  return {
    PROVISIO_DIR: dataDir,
    PORT: String(api),
    DYNAMODB_PORT: String(dynamodb),
    SES_PORT: String(ses),
    COGNITO_PORT: String(cognito),
  };
}

async function readLocalJson(dataDir: string): Promise<LocalStackConfig> {
  return JSON.parse(await readFile(join(dataDir, 'local.json'), 'utf8'));
}

const ITEM = { pk: { S: 'CLI#persistence' }, sk: { S: 'CLI' } };

async function withTable<T>(
  config: LocalStackConfig,
  fn: (client: InstanceType<typeof ddb.DynamoDBClient>) => Promise<T>,
): Promise<T> {
  const client = new ddb.DynamoDBClient(localClientConfig(config.dynamodb.endpoint));
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

const running: Cli[] = [];
afterAll(async () => {
  // Whatever a failed test left running.
  for (const cli of running) {
    try {
      process.kill(-cli.child.pid!, 'SIGKILL');
    } catch {}
  }
});

describe('npm start', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let first: LocalStackConfig;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'provisio-cli-'));
    env = await portEnv(dataDir);
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints one ready line, writes local.json, and stops cleanly on SIGTERM within 15 s', async () => {
    const cli = launch('npm', ['--fresh'], env);
    running.push(cli);
    const line = await ready(cli);
    expect(
      cli
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('provisio ready')),
    ).toHaveLength(1);
    first = await readLocalJson(dataDir);
    expect(first.apiUrl).toBe(`http://localhost:${env.PORT}`);
    expect(first.dynamodb.endpoint).toBe(`http://localhost:${env.DYNAMODB_PORT}`);
    expect(first.ses.endpoint).toBe(`http://localhost:${env.SES_PORT}`);
    expect(first.cognito.endpoint).toBe(`http://localhost:${env.COGNITO_PORT}`);
    expect(line).toContain(`api=${first.apiUrl}`);
    expect(line).toContain(`userPoolId=${first.cognito.userPoolId}`);
    // The JVM and cognito-local are running, under this data directory.
    const commands = stackProcesses(dataDir).map((p) => p.command);
    expect(commands.some((c) => c.includes('DynamoDBLocal.jar'))).toBe(true);
    expect(commands.some((c) => c.includes('cognito-local'))).toBe(true);
    // The SES mail viewer answers.
    expect((await fetch(first.ses.endpoint)).status).toBe(200);

    await withTable(first, (client) =>
      client.send(new ddb.PutItemCommand({ TableName: first.dynamodb.tableName, Item: ITEM })),
    );

    const stopping = Date.now();
    // What a terminal or a process manager does: signal the whole job.
    process.kill(-cli.child.pid!, 'SIGTERM');
    await cli.exited;
    await noProcessesLeft(dataDir, 15_000 - (Date.now() - stopping));
    expect(Date.now() - stopping).toBeLessThan(15_000);
  });

  it('keeps the table, the pool and the hook secret across a restart; a SIGKILLed stack leaves no orphan', async () => {
    const cli = launch('node', [], env);
    running.push(cli);
    await ready(cli);
    const second = await readLocalJson(dataDir);
    expect(second.cognito).toEqual(first.cognito);
    expect(second.hookSecret).toBe(first.hookSecret);
    const { Item } = await withTable(second, (client) =>
      client.send(new ddb.GetItemCommand({ TableName: second.dynamodb.tableName, Key: ITEM })),
    );
    expect(Item).toEqual(ITEM);
    expect(stackProcesses(dataDir).some((p) => p.command.includes('DynamoDBLocal.jar'))).toBe(true);

    // No chance to clean up: the reaper must end the JVM and cognito-local.
    process.kill(cli.child.pid!, 'SIGKILL');
    await cli.exited;
    await noProcessesLeft(dataDir, 10_000);
  });

  it("stops when npm start's tsx process is SIGKILLed (the stack notices it was orphaned)", async () => {
    const cli = launch('npm', [], env);
    running.push(cli);
    await ready(cli);
    const tsx = stackProcesses(dataDir).find((p) => /\/tsx local\/start\.ts/.test(p.command));
    expect(tsx, JSON.stringify(stackProcesses(dataDir))).toBeDefined();
    process.kill(tsx!.pid, 'SIGKILL');
    await noProcessesLeft(dataDir, 15_000);
  });

  it('starts empty with --fresh, and stops on SIGINT (Ctrl-C)', async () => {
    const cli = launch('node', ['--fresh'], env);
    running.push(cli);
    await ready(cli);
    const third = await readLocalJson(dataDir);
    expect(third.hookSecret).not.toBe(first.hookSecret);
    const { Item } = await withTable(third, (client) =>
      client.send(new ddb.GetItemCommand({ TableName: third.dynamodb.tableName, Key: ITEM })),
    );
    expect(Item).toBeUndefined();

    const stopping = Date.now();
    process.kill(-cli.child.pid!, 'SIGINT');
    expect(await cli.exited).toBe(0);
    await noProcessesLeft(dataDir, 15_000 - (Date.now() - stopping));
  });
});

describe('npm start, refusing to start', () => {
  let dataDir: string;
  let bin: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'provisio-cli-'));
    bin = join(dataDir, 'bin');
    await mkdir(bin);
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  async function refused(env: Record<string, string>) {
    const cli = launch('node', [], { ...(await portEnv(join(dataDir, 'stack'))), ...env });
    running.push(cli);
    const code = await cli.exited;
    expect(code).not.toBe(0);
    expect(cli.stdout()).not.toContain('provisio ready');
    expect(existsSync(join(dataDir, 'stack', 'local.json'))).toBe(false);
    await noProcessesLeft(join(dataDir, 'stack'), 5000);
    return cli.stderr();
  }

  it('says how to install Java when there is none, and starts nothing', async () => {
    const stderr = await refused({ PATH: bin });
    expect(stderr).toContain('`java` was not found on PATH');
    expect(stderr).toContain('sudo apt-get install -y default-jre-headless');
    expect(stderr).toContain('brew install --cask temurin');
  });

  it('says so when Java is older than 17', async () => {
    const java = join(bin, 'java');
    await writeFile(java, '#!/bin/sh\necho \'java version "1.8.0_402"\' >&2\n');
    await chmod(java, 0o755);
    const stderr = await refused({ PATH: `${bin}:${process.env.PATH}` });
    expect(stderr).toContain('Found Java 8, which is too old');
    await rm(java);
  });

  it('names a port that is already taken', async () => {
    const env = await portEnv(join(dataDir, 'stack'));
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(env.DYNAMODB_PORT), resolve));
    try {
      const cli = launch('node', [], env);
      running.push(cli);
      expect(await cli.exited).not.toBe(0);
      expect(cli.stderr()).toContain(
        `Port ${env.DYNAMODB_PORT} (DynamoDB Local) is already in use`,
      );
      await noProcessesLeft(join(dataDir, 'stack'), 5000);
    } finally {
      blocker.close();
    }
  });
});
