/**
 * The integration project's globalSetup: starts the local stack once per run — on free ports, so
 * it never clashes with a developer's `npm start`, in a fresh temporary data directory, so every
 * run starts with an empty table — and provides its `local.json` to the tests as `localStack`
 * (`inject('localStack')`, or `localStack()` from test/support/local-stack.ts), and its data
 * directory as `localStackDir`.
 *
 * The handlers run in this process, with the environment the stack sets (TABLE_NAME, ...);
 * test workers, forked after this, inherit that environment too.
 * Set PROVISIO_KEEP_TEST_DATA=1 to keep the data directory (service logs in `logs/`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePorts } from '../local/processes.ts';
import { startLocalStack } from '../local/stack.ts';
import { startDnsServer } from './support/dns-server.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Node 20 is supported (package.json engines); one SDK warning per worker is only noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dataDir = await mkdtemp(join(tmpdir(), 'provisio-test-'));
  const [api, dynamodb, ses, cognito] = await freePorts(4);
  // The stack's handlers resolve TXT records through a DNS server the tests control (SPEC §5
  // DNS_SERVERS); the stack reads DNS_SERVERS from this environment.
  const dns = await startDnsServer({ control: true });
  process.env.DNS_SERVERS = dns.address;
  // SPEC §11's webhook retries a thousand times sooner (5 s → 5 ms; SQS delays round up to 1 s).
  process.env.WEBHOOK_RETRY_SCALE ??= '0.001';
  const stack = await startLocalStack({
    dataDir,
    fresh: true,
    quiet: true,
    // The run's table lives as long as the run; on disk, a 1,000-row bulk invitation's
    // transactions held every other file's requests for seconds each.
    inMemory: true,
    ports: { api: api!, dynamodb: dynamodb!, ses: ses!, cognito: cognito! },
  });
  // Tests would only see refused connections; say which service went away, and why.
  void stack.crashed.then((error) => console.error(`local stack: ${error.message}`));
  project.provide('localStack', stack.config);
  project.provide('localStackDir', stack.dataDir);
  project.provide('dnsControl', dns.controlUrl!);
  return async () => {
    await stack.stop();
    await dns.close();
    if (!process.env.PROVISIO_KEEP_TEST_DATA) await rm(dataDir, { recursive: true, force: true });
  };
}
