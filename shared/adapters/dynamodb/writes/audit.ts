/** Audit events and outbox items (notifications and tasks the stream worker runs after commit). */
import { eventItem, outboxItem, outboxTaskItem } from '../items.ts';
import type { TransactItem } from '../transact.ts';
import { put, type WriteContext, type WriteOf } from './context.ts';

/** An event, numbered by the one sender when the transaction goes out (`transact.ts`). */
export function event(cx: WriteContext, w: WriteOf<'event'>): TransactItem[] {
  const { id, at, ...e } = w.event;
  return [put(cx, eventItem(e, id, at, null))];
}

export function outbox(cx: WriteContext, w: WriteOf<'outbox'>): TransactItem[] {
  const { id, at, ...notification } = w.notification;
  return [put(cx, outboxItem(notification, id, at))];
}

export function task(cx: WriteContext, w: WriteOf<'task'>): TransactItem[] {
  return [put(cx, outboxTaskItem(w.task, w.id, w.at))];
}
