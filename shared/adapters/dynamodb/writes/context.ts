/**
 * What every entity's translator shares: the table, the person changes of the transaction
 * (person-changes.ts: the summary and owner entries follow every person item written) and
 * builders of the three kinds of transaction item.
 */
import type { Write } from '../../../model/writes.ts';
import type { Key } from '../../../table/schema.ts';
import type { PersonChanges } from '../person-changes.ts';
import type { TransactItem } from '../transact.ts';

/** A write of one kind. */
export type WriteOf<K extends Write['kind']> = Extract<Write, { kind: K }>;

/** An optional condition on an item: the expression, with its values and names. */
export interface Condition {
  expression: string;
  values?: Record<string, unknown>;
  names?: Record<string, string>;
}

export const ABSENT: Condition = { expression: 'attribute_not_exists(pk)' };
export const EXISTS: Condition = { expression: 'attribute_exists(pk)' };

export interface WriteContext {
  tableName: string;
  /** Every write of an item of a person's partition records itself here. */
  summary: PersonChanges;
}

const conditionOf = (c: Condition | undefined) => ({
  ...(c ? { ConditionExpression: c.expression } : {}),
  ...(c?.values && Object.keys(c.values).length ? { ExpressionAttributeValues: c.values } : {}),
  ...(c?.names && Object.keys(c.names).length ? { ExpressionAttributeNames: c.names } : {}),
});

export const put = (
  cx: WriteContext,
  Item: Record<string, unknown>,
  condition?: Condition,
): TransactItem => ({ Put: { TableName: cx.tableName, Item, ...conditionOf(condition) } });

export const update = (
  cx: WriteContext,
  key: Key,
  UpdateExpression: string,
  condition?: Condition,
  values: Record<string, unknown> = {},
  names?: Record<string, string>,
): TransactItem => {
  const allValues = { ...condition?.values, ...values };
  const allNames = { ...condition?.names, ...names };
  return {
    Update: {
      TableName: cx.tableName,
      Key: { pk: key.pk, sk: key.sk },
      UpdateExpression,
      ...(condition ? { ConditionExpression: condition.expression } : {}),
      ...(Object.keys(allValues).length ? { ExpressionAttributeValues: allValues } : {}),
      ...(Object.keys(allNames).length ? { ExpressionAttributeNames: allNames } : {}),
    },
  };
};

export const del = (cx: WriteContext, key: Key, condition?: Condition): TransactItem => ({
  Delete: { TableName: cx.tableName, Key: { pk: key.pk, sk: key.sk }, ...conditionOf(condition) },
});

export const check = (cx: WriteContext, key: Key, condition: Condition): TransactItem => ({
  ConditionCheck: {
    TableName: cx.tableName,
    Key: { pk: key.pk, sk: key.sk },
    ConditionExpression: condition.expression,
    ...(condition.values && Object.keys(condition.values).length
      ? { ExpressionAttributeValues: condition.values }
      : {}),
    ...(condition.names && Object.keys(condition.names).length
      ? { ExpressionAttributeNames: condition.names }
      : {}),
  },
});

/** An update expression of SET and REMOVE clauses (either may be empty). */
export const setRemove = (sets: readonly string[], removes: readonly string[]): string =>
  [
    sets.length ? `SET ${sets.join(', ')}` : '',
    removes.length ? `REMOVE ${removes.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
