/**
 * Activity: the audit events, newest first (the API's order), a page at a time with its cursor.
 * The API filters nothing, so the type filter applies to the loaded events and says so.
 */
import { useState } from 'preact/hooks';
import { EVENT_LABELS, eventSummary, formatDateTime } from '../format.ts';
import { type AuditEvent, EVENT_TYPES } from '../model.ts';
import { usePaged } from '../paged.ts';
import { Empty, PagedList, Panel, SelectField, Table } from '../ui.tsx';
import { orgName, type Scope } from './scope.ts';

/** Events per page: a screenful, then "Load more events" follows the API's cursor. */
export const ACTIVITY_PAGE = 25;

export function Activity({ scope }: { scope: Scope }) {
  const events = usePaged<AuditEvent>(`${scope.base}/events`, ACTIVITY_PAGE);
  const [type, setType] = useState('');
  const shown = type ? events.items.filter((e) => e.type === type) : events.items;

  return (
    <Panel id="activity-title" title="Activity">
      <div class="toolbar">
        <SelectField
          label="Show"
          value={type}
          onValue={setType}
          options={[
            { value: '', label: 'All events' },
            ...EVENT_TYPES.map((t) => ({ value: t, label: EVENT_LABELS[t] })),
          ]}
        />
        <p class="hint" aria-live="polite">
          {events.loading && events.items.length === 0
            ? ''
            : type
              ? `${shown.length} of ${events.items.length} loaded events${events.more ? '; load more to look further back' : ''}.`
              : `${events.items.length} events${events.more ? ' loaded so far' : ''}, newest first.`}
        </p>
      </div>
      <PagedList
        list={events}
        loading="Loading activity…"
        empty={
          <Empty title="No activity yet.">
            Changes you make here and sign-ins that add people are recorded as they happen.
          </Empty>
        }
        what="events"
      >
        {shown.length === 0 ? (
          <Empty
            title={`No "${EVENT_LABELS[type as AuditEvent['type']]}" events among those loaded.`}
          >
            {events.more ? 'Load more to look further back.' : 'There are none in this history.'}
          </Empty>
        ) : (
          <Table
            caption={`Activity of ${scope.name}, newest first`}
            columns={[
              'When',
              'Event',
              'About',
              'By',
              ...(scope.kind === 'company' ? ['Organization'] : []),
            ]}
            items={shown}
            row={(e) => (
              <tr key={e.id} data-event-type={e.type}>
                <td data-label="When">
                  <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                </td>
                <td data-label="Event">
                  <span class="event-type">{EVENT_LABELS[e.type] ?? e.type}</span>
                  {eventSummary(e) ? <span class="event-summary">{eventSummary(e)}</span> : null}
                </td>
                <td data-label="About">{e.subject}</td>
                <td data-label="By">{e.actor}</td>
                {scope.kind === 'company' ? (
                  <td data-label="Organization">
                    {e.orgId ? orgName(scope, e.orgId) : 'the company'}
                  </td>
                ) : null}
              </tr>
            )}
          />
        )}
      </PagedList>
    </Panel>
  );
}
