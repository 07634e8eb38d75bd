/**
 * Child processes of the local stack: starting them in their own process group, stopping them,
 * waiting for a service to answer, checking ports, and the reaper that kills them if this
 * process dies without cleaning up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Node has no PR_SET_PDEATHSIG, so a SIGKILLed parent would leave the JVM and cognito-local
 * running. The reaper is a tiny shell reading child pids on its stdin; when the pipe closes —
 * which the kernel does however the parent dies — it kills them (TERM, then KILL after 5 s).
 * It ignores INT/TERM/HUP so that a Ctrl-C or a group signal leaves it to do its job.
 */
const REAPER_SCRIPT = `
trap '' INT TERM HUP
pids=''
while IFS= read -r pid; do pids="$pids $pid"; done
[ -z "$pids" ] && exit 0
kill -TERM $pids 2>/dev/null
i=0
while [ $i -lt 50 ]; do
  alive=''
  for p in $pids; do kill -0 $p 2>/dev/null && alive="$alive $p"; done
  [ -z "$alive" ] && exit 0
  sleep 0.1
  i=$((i + 1))
done
kill -KILL $alive 2>/dev/null
`;

// cognito-local's logger colours its output whatever the terminal; the echo drops the codes.
const ANSI_COLOURS = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Kills watched processes when this process dies, however it dies. */
export interface Reaper {
  /** Adds a process to kill when this process dies. */
  watch(pid: number | undefined): void;
  /** Dismisses the reaper after an orderly stop, so it kills nothing. */
  dismiss(): void;
}

/** Starts the reaper (a no-op on Windows, which has no `sh`). */
export function startReaper(): Reaper {
  if (process.platform === 'win32') return { watch: () => {}, dismiss: () => {} };
  const reaper = spawn('sh', ['-c', REAPER_SCRIPT], {
    stdio: ['pipe', 'ignore', 'ignore'],
    // Its own process group: a signal sent to ours (Ctrl-C, `kill -- -pgid`) does not reach it.
    detached: true,
  });
  // Neither the process nor the pipe may keep this process alive.
  reaper.unref();
  const stdin = reaper.stdin as Socket | null;
  stdin?.on('error', () => {});
  stdin?.unref();
  let dismissed = false;
  return {
    watch(pid) {
      if (pid !== undefined && !dismissed) reaper.stdin?.write(`${pid}\n`);
    },
    dismiss() {
      if (dismissed) return;
      dismissed = true;
      // SIGKILL: the only signal its traps cannot ignore; it then kills nothing.
      reaper.kill('SIGKILL');
    },
  };
}

/** How the stack starts one of its services. */
export interface ServiceOptions {
  port: number;
  /** The stack's data folder: the service's files and the `logs` folder are below it. */
  dataDir: string;
  reaper: Reaper;
  echo?: ((line: string) => void) | undefined;
}

/** A child process of the stack, with its exit as a promise. */
export interface ManagedChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** Settles when the process has exited, with a description of how. */
  readonly exited: Promise<string>;
  /** The last lines it wrote, for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Takes charge of a spawned child: its output goes to `logFile` (and to `echo` when given), the
 * reaper watches it, and `stop()` ends it.
 */
export function manageChild(
  name: string,
  child: ChildProcess,
  options: { logFile: string; reaper: Reaper; echo?: ((line: string) => void) | undefined },
): ManagedChild {
  options.reaper.watch(child.pid);
  const log = createWriteStream(options.logFile, { flags: 'a' });
  log.on('error', () => {});
  const lines: string[] = [];
  const onData = (chunk: Buffer) => {
    log.write(chunk);
    for (const line of chunk.toString('utf8').split(/\r?\n/)) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 30) lines.shift();
      options.echo?.(`[${name}] ${line.replace(ANSI_COLOURS, '')}`);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`${name} could not start: ${error.message}`));
    child.once('exit', (code, signal) => {
      log.end();
      resolve(signal ? `${name} was killed by ${signal}` : `${name} exited with code ${code}`);
    });
  });
  let stopping: Promise<void> | undefined;
  return {
    name,
    process: child,
    exited,
    tail: () => lines.join('\n'),
    stop(graceMs = 5000) {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** Spawns a command in its own process group (so Ctrl-C reaches only the stack, which stops it). */
export function spawnChild(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): ChildProcess {
  return spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
  });
}

/**
 * Polls `probe` until it resolves true, failing early when `failed` settles first (the process
 * exited) and after `timeoutMs`.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; failed?: Promise<string>; intervalMs?: number },
): Promise<void> {
  let failure: string | undefined;
  options.failed?.then((reason) => {
    failure = reason;
  });
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (failure !== undefined) throw new Error(`${what}: ${failure}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: no answer after ${options.timeoutMs} ms`);
    await sleep(options.intervalMs ?? 100);
  }
}

/**
 * Waits until a started child answers `probe` (`waitUntil`, failing early when it exits, with
 * its last lines); stops it when it does not.
 */
export async function untilReady(
  child: ManagedChild,
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  try {
    await waitUntil(what, probe, {
      timeoutMs,
      failed: child.exited.then((how) => `${how}\n${child.tail()}`),
    });
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** Whether anything answers HTTP at `url` (any status counts). */
export async function answersHttp(url: string, init: RequestInit = {}): Promise<boolean> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
  await response.arrayBuffer();
  return true;
}

/** Rejects naming the port when something already listens on it (on any interface). */
export function assertPortFree(port: number, service: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `Port ${port} (${service}) is already in use; is another local stack running? Choose another port with the environment.`
            : `Port ${port} (${service}): ${error.message}`,
        ),
      );
    });
    server.listen({ port, exclusive: true }, () => server.close(() => resolve()));
  });
}

/**
 * `count` distinct ports that are free right now (the OS picks them; all are held open until
 * every one is chosen, so none repeats).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen({ port: 0, exclusive: true }, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
