import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeLogEvents, isLogRecord, readLogRecords } from '../../shared/log-records.ts';

const line = (record: string, data: unknown) =>
  JSON.stringify({ level: 'info', message: 'record', record, data });

describe('record lines through a log subscription', () => {
  it('reads back the record lines of its kind from a CloudWatch Logs batch, with their ids', () => {
    const event = encodeLogEvents(
      [
        { id: 'a', timestamp: 1, message: line('sso-enforcement', { records: [1] }) },
        { id: 'b', timestamp: 2, message: line('other', { records: [2] }) },
        { id: 'c', timestamp: 3, message: 'START RequestId: x not json' },
        { id: 'd', timestamp: 4, message: JSON.stringify({ level: 'info', message: 'hi' }) },
        { id: 'e', timestamp: 5, message: line('sso-enforcement', { records: [3] }) },
      ],
      '/aws/lambda/provisio-pre-auth',
      'stream',
      'filter',
    );
    expect(readLogRecords(event, 'sso-enforcement')).toEqual([
      { id: 'a', data: { records: [1] } },
      { id: 'e', data: { records: [3] } },
    ]);
  });

  it("reads nothing from CloudWatch Logs' control message", () => {
    const control = {
      messageType: 'CONTROL_MESSAGE',
      owner: 'CloudwatchLogs',
      logGroup: '',
      logStream: '',
      subscriptionFilters: [],
      logEvents: [{ id: '', timestamp: 0, message: line('sso-enforcement', {}) }],
    };
    const event = { awslogs: { data: gzipSync(JSON.stringify(control)).toString('base64') } };
    expect(readLogRecords(event, 'sso-enforcement')).toEqual([]);
  });

  it('matches a written line as the subscription filter does: the record field, exactly', () => {
    expect(isLogRecord(line('sso-enforcement', {}), 'sso-enforcement')).toBe(true);
    expect(isLogRecord(line('sso-enforcement-x', {}), 'sso-enforcement')).toBe(false);
    expect(
      isLogRecord(JSON.stringify({ data: { record: 'sso-enforcement' } }), 'sso-enforcement'),
    ).toBe(false);
    expect(isLogRecord('[1,2]', 'sso-enforcement')).toBe(false);
    expect(isLogRecord('', 'sso-enforcement')).toBe(false);
  });
});
