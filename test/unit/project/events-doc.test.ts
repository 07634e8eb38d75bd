import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../shared/model/events.ts';

const doc = readFileSync(join(import.meta.dirname, '../../../docs/events.md'), 'utf8');

describe('docs/events.md, the event catalogue', () => {
  it.each(EVENT_TYPES)('shows a delivery of %s', (type) => {
    const line = doc.split('\n').find((l) => l.startsWith(`{"type":"${type}"`));
    expect(line, `no JSON example of ${type}`).toBeDefined();
    expect(() => JSON.parse(line!)).not.toThrow();
  });
});
