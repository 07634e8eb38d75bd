import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { withEmptyMaps } from '../../../local/stream-poller.ts';

describe("the local stream poller's records", () => {
  it('reads an empty map as DynamoDB Streams writes it ({M: {}}), at any depth', () => {
    // As DynamoDB Local's stream writes an event without details.
    const record = {
      eventName: 'INSERT',
      dynamodb: {
        NewImage: {
          type: { S: 'domain_added' },
          details: {},
          nested: { M: { inner: {}, list: { L: [{}, { S: 'x' }] } } },
        },
        OldImage: { details: {} },
      },
    } as unknown as DynamoDBRecord;
    expect(() => unmarshall(record.dynamodb!.NewImage as never)).toThrow();
    const fixed = withEmptyMaps(record);
    expect(unmarshall(fixed.dynamodb!.NewImage as never)).toEqual({
      type: 'domain_added',
      details: {},
      nested: { inner: {}, list: [{}, 'x'] },
    });
    expect(unmarshall(fixed.dynamodb!.OldImage as never)).toEqual({ details: {} });
  });
});
