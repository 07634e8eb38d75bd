import { describe, expect, it } from 'vitest';
import { DEFAULT_GROUPS_ATTRIBUTE, ENV, readConfig } from '../../../shared/config.ts';

const base = { [ENV.tableName]: 'provisio' };

describe('configuration', () => {
  it('takes the defaults when only the table is named', () => {
    expect(readConfig(base)).toMatchObject({
      tableName: 'provisio',
      region: 'us-east-1',
      groupsAttribute: DEFAULT_GROUPS_ATTRIBUTE,
      dnsServers: [],
      dynamodbTimeoutMs: undefined,
    });
  });

  it('fails naming a missing table', () => {
    expect(() => readConfig({})).toThrow(ENV.tableName);
  });

  it('reads DNS servers as host:port and refuses anything else, naming the variable', () => {
    expect(
      readConfig({ ...base, [ENV.dnsServers]: '127.0.0.1:5353, [::1]:53,ns.example' }).dnsServers,
    ).toEqual(['127.0.0.1:5353', '[::1]:53', 'ns.example']);
    expect(() => readConfig({ ...base, [ENV.dnsServers]: 'a b' })).toThrow(ENV.dnsServers);
  });

  it('reads the DynamoDB request timeout in milliseconds and refuses nonsense, naming the variable', () => {
    expect(readConfig({ ...base, [ENV.dynamodbTimeoutMs]: '2000' }).dynamodbTimeoutMs).toBe(2000);
    for (const bad of ['0', '-5', '1.5', 'soon', '600000']) {
      expect(() => readConfig({ ...base, [ENV.dynamodbTimeoutMs]: bad })).toThrow(
        ENV.dynamodbTimeoutMs,
      );
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(readConfig(base))).toBe(true);
  });
});
