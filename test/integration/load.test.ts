/**
 * Load (issue 7), the small version of `npm run load`: 200 sign-ins across 10 orgs, several at a
 * time, through the test stack's Lambda Invoke API. No unexpected error (a password sign-in let
 * through without a decision counts as one), no org over its seat limit, every counter equal
 * to the items it counts.
 */
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { runLoad } from '../../bench/load-run.ts';
import { localClientConfig } from '../../local/sdk.ts';
import { createDynamoClient } from '../../shared/adapters/dynamodb/client.ts';
import { localStack } from '../support/local-stack.ts';

let lambda: LambdaClient;
let db: DynamoDBDocumentClient;

beforeAll(() => {
  lambda = new LambdaClient({
    ...localClientConfig(localStack().lambdaEndpoint),
    // Every invocation counts once: a retried sign-in would hide a failure.
    maxAttempts: 1,
  });
  db = createDynamoClient(
    { region: 'us-east-1', dynamodbEndpoint: localStack().dynamodb.endpoint },
    { requestTimeoutMs: 5000, maxAttempts: 3 },
  );
});

afterAll(() => {
  lambda?.destroy();
  db?.destroy();
});

it('runs 200 concurrent sign-ins across 10 orgs with no unexpected error and every seat counted', async () => {
  const report = await runLoad({
    lambda,
    db,
    tableName: localStack().dynamodb.tableName,
    signIns: 200,
    orgs: 10,
    concurrency: 8,
    timeLimitMs: 60_000,
    functionLog: join(inject('localStackDir'), 'logs', 'functions.log'),
  });
  expect(report.notStarted).toBe(0);
  expect(report.unexpected).toEqual([]);
  expect(report.audit.problems).toEqual([]);
  expect(report.audit.orgs).toHaveLength(10);
  expect(report.allowed + report.refusedForSeats).toBe(200);
  // The run reached the seat limits it was built to reach: some SSO sign-ins found no seat.
  expect(report.fullOrgs).toBeGreaterThan(0);
  expect(report.refusedForSeats).toBeGreaterThan(0);
  for (const org of report.audit.orgs) {
    if (org.seatLimit !== null) expect(org.seatsUsed).toBeLessThanOrEqual(org.seatLimit);
  }
}, 120_000);
