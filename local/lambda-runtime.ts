/**
 * Runs Lambda handlers in this process the way the Node.js Lambda runtime does: the entry module
 * is imported once (the cold start), each invocation gets a fresh `Context`, the result is
 * serialised to JSON, and a thrown error becomes the runtime's `{errorType, errorMessage, trace}`
 * function-error payload.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { encodeLogEvents, isLogRecord } from '../shared/log-records.ts';

/** A function the runtime serves, as `functionSpecs` describes it. */
export interface LocalFunction {
  /** Its name in the Invoke API. */
  readonly localName: string;
  /** Module exporting `handler`: absolute, or relative to the runtime's `root`. */
  readonly entry: string;
}

/** What the Lambda runtime sends back when a handler throws. */
export interface FunctionErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** The outcome of one invocation, as the Invoke API carries it. */
export interface InvokeOutcome {
  readonly requestId: string;
  /** The JSON payload: the handler's result, or a `FunctionErrorPayload`. */
  readonly payload: string;
  /** `Unhandled` when the handler threw or timed out (the `X-Amz-Function-Error` header). */
  readonly functionError?: 'Unhandled';
}

/** One invocation as the runtime remembers it (served at `GET /_local/invocations`). */
export interface InvocationRecord {
  /** Increasing number, for `?since=`. */
  readonly seq: number;
  readonly requestId: string;
  readonly functionName: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly event: unknown;
  readonly outcome: 'success' | 'error';
  readonly error?: FunctionErrorPayload;
}

export interface InvokeOptions {
  readonly requestId?: string;
  /** The decoded `X-Amz-Client-Context`. */
  readonly clientContext?: Context['clientContext'];
}

/** In-process Lambda runtime for a set of functions. */
export interface LambdaRuntime {
  has(functionName: string): boolean;
  /** Invokes a function; never rejects for a handler's failure (that is an `Unhandled` outcome). */
  invoke(functionName: string, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome>;
  /** Imports every handler now, so the first invocation is fast; resolves with the failures. */
  warm(): Promise<{ functionName: string; error: FunctionErrorPayload }[]>;
  /** Remembered invocations, oldest first. */
  invocations(filter?: { functionName?: string; since?: number }): InvocationRecord[];
  /** Resolves when the asynchronous invocations started so far (log subscriptions) are done. */
  settled(): Promise<void>;
}

type Handler = (event: unknown, context: Context, callback?: unknown) => unknown;

type Sink = (chunk: string | Uint8Array) => void;

/**
 * Where output written inside a handler (its cold start included) goes, if redirected (`sink`),
 * and who else reads it (`capture`: the log subscriptions).
 */
const handlerOutput = new AsyncLocalStorage<{ sink?: Sink; capture?: Sink }>();
let stdioPatched = false;

/**
 * Lets `handlerOutput` redirect or read what handlers write to stdout/stderr (their JSON logs
 * and EMF metrics) — and only that: writes outside a handler's async context pass through
 * unchanged.
 */
function patchStdio(): void {
  if (stdioPatched) return;
  stdioPatched = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const store = handlerOutput.getStore();
      if (!store) return write(chunk, ...rest);
      store.capture?.(chunk);
      if (!store.sink) return write(chunk, ...rest);
      store.sink(chunk);
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
}

/** Thrown inside the runtime with the Lambda runtime's error type. */
class RuntimeError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The Node.js runtime's serialisation of a thrown value. */
export function toFunctionError(error: unknown): FunctionErrorPayload {
  if (error instanceof RuntimeError) {
    return { errorType: error.errorType, errorMessage: error.message };
  }
  if (error instanceof Error) {
    return {
      errorType: error.name || error.constructor.name,
      errorMessage: error.message,
      trace: error.stack?.split('\n') ?? [],
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

/**
 * A CloudWatch Logs subscription: record lines of kind `record` that `from` writes are handed to
 * `to` (by local name), asynchronously, as CloudWatch Logs does (functions/registry.ts).
 */
export interface LocalLogSubscription {
  readonly from: string;
  readonly to: string;
  readonly record: string;
}

/** Lambda retries a failed asynchronous invocation twice. */
const ASYNC_RETRIES = 2;

/**
 * Creates the runtime.
 * @param options.root directory that relative `entry` paths start from (the project root)
 * @param options.timeoutMs per-invocation timeout, like the function's configured timeout @default 30000
 * @param options.onInvocation called after each invocation (the CLI logs it)
 * @param options.output where handlers' stdout and stderr go instead (quiet mode: a log file)
 * @param options.logSubscriptions record lines handed from one function to another
 */
export function createLambdaRuntime(options: {
  functions: readonly LocalFunction[];
  root: string;
  region: string;
  accountId: string;
  timeoutMs?: number;
  memoryLimitInMB?: number;
  historySize?: number;
  onInvocation?: (record: InvocationRecord) => void;
  output?: Sink;
  logSubscriptions?: readonly LocalLogSubscription[];
}): LambdaRuntime {
  const subscriptions = options.logSubscriptions ?? [];
  if (options.output || subscriptions.length) patchStdio();
  // Runs `fn` so that what handlers write during it goes to `options.output`, if given, and to
  // `capture`.
  const scoped = <T>(fn: () => Promise<T>, capture?: Sink): Promise<T> =>
    options.output || capture
      ? handlerOutput.run(
          { ...(options.output ? { sink: options.output } : {}), ...(capture ? { capture } : {}) },
          fn,
        )
      : fn();
  const byName = new Map(options.functions.map((f) => [f.localName, f]));
  const modules = new Map<string, Promise<Handler>>();
  const history: InvocationRecord[] = [];
  const historySize = options.historySize ?? 500;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let seq = 0;

  function load(fn: LocalFunction): Promise<Handler> {
    let loaded = modules.get(fn.localName);
    if (!loaded) {
      const path = isAbsolute(fn.entry) ? fn.entry : join(options.root, fn.entry);
      loaded = import(pathToFileURL(path).href).then(
        (module: { handler?: unknown }) => {
          if (typeof module.handler !== 'function') {
            throw new RuntimeError(
              'Runtime.HandlerNotFound',
              `${fn.entry}.handler is undefined or not exported`,
            );
          }
          return module.handler as Handler;
        },
        (error: unknown) => {
          throw new RuntimeError(
            'Runtime.ImportModuleError',
            `Error: Cannot load ${fn.entry}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
            { cause: error },
          );
        },
      );
      // Like a failed init in AWS, a failed import is tried again on the next invocation.
      loaded.catch(() => modules.delete(fn.localName));
      modules.set(fn.localName, loaded);
    }
    return loaded;
  }

  function createContext(
    fn: LocalFunction,
    requestId: string,
    deadline: number,
    extra: InvokeOptions,
  ): Context {
    const unsupported = () => {
      throw new Error('context.done/fail/succeed are not supported; return a promise');
    };
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName: fn.localName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${options.region}:${options.accountId}:function:${fn.localName}`,
      memoryLimitInMB: String(options.memoryLimitInMB ?? 1024),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${fn.localName}`,
      logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomUUID().replaceAll('-', '')}`,
      ...(extra.clientContext ? { clientContext: extra.clientContext } : {}),
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: unsupported,
      fail: unsupported,
      succeed: unsupported,
    };
  }

  async function run(handler: Handler, event: unknown, context: Context): Promise<unknown> {
    // Callback-style handlers (three parameters, no promise) finish through the callback.
    return new Promise((resolve, reject) => {
      const callback = (error: unknown, result: unknown) =>
        error === null || error === undefined ? resolve(result) : reject(error);
      try {
        const returned = handler(event, context, callback);
        if (returned && typeof (returned as Promise<unknown>).then === 'function') {
          (returned as Promise<unknown>).then(resolve, reject);
        } else if (handler.length < 3) {
          resolve(returned);
        }
      } catch (error) {
        reject(error);
      }
    });
  }

  function remember(record: InvocationRecord): void {
    history.push(record);
    if (history.length > historySize) history.shift();
    options.onInvocation?.(record);
  }

  /**
   * Hands `lines` (what `from` wrote in one invocation) to each subscription's function, in the
   * background, retried as an asynchronous invocation is; failures are only logged, as a
   * dead-letter queue would hold them.
   */
  const pending = new Set<Promise<void>>();

  function publishLogs(from: LocalFunction, requestId: string, lines: string[]): void {
    for (const sub of subscriptions) {
      if (sub.from !== from.localName) continue;
      const matched = lines.filter((line) => isLogRecord(line, sub.record));
      if (matched.length === 0) continue;
      const now = Date.now();
      const event = encodeLogEvents(
        matched.map((message, i) => ({ id: `${requestId}-${i}`, timestamp: now, message })),
        `/aws/lambda/${from.localName}`,
        `local/[$LATEST]${requestId}`,
        `${sub.record}-to-${sub.to}`,
      );
      const delivery = (async () => {
        for (let attempt = 0; attempt <= ASYNC_RETRIES; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, 200 * attempt));
          const outcome = await runtime.invoke(sub.to, event);
          if (!outcome.functionError) return;
        }
      })();
      pending.add(delivery);
      void delivery.finally(() => pending.delete(delivery));
    }
  }

  const runtime: LambdaRuntime = {
    has: (name) => byName.has(name),

    async invoke(functionName, event, invokeOptions = {}) {
      const fn = byName.get(functionName);
      if (!fn) throw new Error(`Function not found: ${functionName}`);
      const subscribed = subscriptions.some((s) => s.from === functionName);
      let written = '';
      const capture: Sink | undefined = subscribed
        ? (chunk) => {
            written += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
          }
        : undefined;
      const requestId = invokeOptions.requestId ?? randomUUID();
      const started = Date.now();
      const deadline = started + timeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new RuntimeError(
                'Sandbox.Timedout',
                `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
              ),
            ),
          timeoutMs,
        );
      });
      let outcome: InvokeOutcome;
      let error: FunctionErrorPayload | undefined;
      try {
        const result = await Promise.race([
          scoped(async () => {
            const handler = await load(fn);
            // The handler gets its own copy, as it would get freshly parsed JSON in AWS.
            return run(
              handler,
              structuredClone(event),
              createContext(fn, requestId, deadline, invokeOptions),
            );
          }, capture),
          timedOut,
        ]);
        // JSON.stringify(undefined) is undefined; the Lambda runtime sends `null`.
        outcome = { requestId, payload: JSON.stringify(result) ?? 'null' };
      } catch (thrown) {
        error = toFunctionError(thrown);
        outcome = { requestId, payload: JSON.stringify(error), functionError: 'Unhandled' };
      } finally {
        clearTimeout(timer);
      }
      if (written) publishLogs(fn, requestId, written.split('\n'));
      remember({
        seq: ++seq,
        requestId,
        functionName,
        startedAt: new Date(started).toISOString(),
        durationMs: Date.now() - started,
        event,
        outcome: error ? 'error' : 'success',
        ...(error ? { error } : {}),
      });
      return outcome;
    },

    async warm() {
      const failures: { functionName: string; error: FunctionErrorPayload }[] = [];
      await Promise.all(
        [...byName.values()].map((fn) =>
          scoped(() => load(fn)).catch((error: unknown) => {
            failures.push({ functionName: fn.localName, error: toFunctionError(error) });
          }),
        ),
      );
      return failures;
    },

    async settled() {
      while (pending.size) await Promise.allSettled([...pending]);
    },

    invocations(filter = {}) {
      return history.filter(
        (r) =>
          (filter.functionName === undefined || r.functionName === filter.functionName) &&
          (filter.since === undefined || r.seq > filter.since),
      );
    },
  };
  return runtime;
}
