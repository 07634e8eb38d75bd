/**
 * Webhooks (SPEC §11): the endpoints of an org or a company, each with its URL, description,
 * event types and state (and why Provisio disabled it); adding one, which shows its signing
 * secret once; per row an actions menu to see its deliveries, edit, enable or disable, rotate
 * the secret (the new one shown once, both signing for 24 h) and delete. The deliveries panel
 * lists the attempts, newest first, and sends events again from a seq.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { EVENT_LABELS, formatDate, formatDateTime } from '../format.ts';
import {
  type CreatedWebhook,
  EVENT_TYPES,
  type EventType,
  type Webhook,
  type WebhookDelivery,
  type WebhookReplay,
  type WebhookSecret,
} from '../model.ts';
import { usePaged } from '../paged.ts';
import {
  ActionsMenu,
  announce,
  Badge,
  Button,
  CheckboxField,
  ConfirmDialog,
  CopyValue,
  DoneDialog,
  Empty,
  FormDialog,
  type MenuItem,
  PagedList,
  Panel,
  RadioGroup,
  SubmitForm,
  Table,
  TextField,
  useSubmit,
} from '../ui.tsx';
import type { Scope } from './scope.ts';

/** The event catalogue in groups, so a long list of checkboxes reads as a few short ones. */
const EVENT_GROUPS: Record<EventType, string> = {
  member_added: 'Members and seats',
  member_removed: 'Members and seats',
  member_suspended: 'Members and seats',
  member_restored: 'Members and seats',
  role_changed: 'Members and seats',
  group_mapping_applied: 'Members and seats',
  seats_changed: 'Members and seats',
  invitation_created: 'Invitations',
  invitation_accepted: 'Invitations',
  invitation_revoked: 'Invitations',
  invitation_expired: 'Invitations',
  invitation_resent: 'Invitations',
  sign_in_denied: 'Sign-in',
  seat_limit_reached: 'Sign-in',
  auto_provisioning_skipped: 'Sign-in',
  domain_added: 'Domains and auto-provisioning',
  domain_verified: 'Domains and auto-provisioning',
  domain_verification_lost: 'Domains and auto-provisioning',
  domain_removed: 'Domains and auto-provisioning',
  auto_provisioning_enabled: 'Domains and auto-provisioning',
  auto_provisioning_disabled: 'Domains and auto-provisioning',
  sso_connection_created: 'SSO',
  sso_connection_updated: 'SSO',
  sso_connection_deleted: 'SSO',
  sso_enforcement_changed: 'SSO',
  sso_enforcement_bypassed: 'SSO',
  sso_enforcement_would_deny: 'SSO',
  webhook_created: 'Webhooks',
  webhook_updated: 'Webhooks',
  webhook_deleted: 'Webhooks',
  webhook_disabled: 'Webhooks',
};

const GROUPS = [...new Set(EVENT_TYPES.map((t) => EVENT_GROUPS[t]))].map((group) => ({
  group,
  types: EVENT_TYPES.filter((t) => EVENT_GROUPS[t] === group),
}));

/** The types an endpoint receives, in words. */
function typesText(types: readonly EventType[] | null): string {
  if (types === null) return 'All events';
  if (types.length <= 3) return types.map((t) => EVENT_LABELS[t] ?? t).join(', ');
  return `${types.length} event types`;
}

/** The endpoint's host, to name it briefly in titles. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

type DialogState =
  | { kind: 'form'; webhook: Webhook | null }
  | { kind: 'created'; webhook: CreatedWebhook }
  | { kind: 'enable' | 'disable' | 'rotate' | 'delete'; webhook: Webhook }
  | { kind: 'rotated'; webhook: Webhook; secret: WebhookSecret }
  | null;

export function Webhooks({ scope }: { scope: Scope }) {
  const base = `${scope.base}/webhooks`;
  const one = (id: string) => `${base}/${encodeURIComponent(id)}`;
  const webhooks = usePaged<Webhook>(base, 100);
  const [dialog, setDialog] = useState<DialogState>(null);
  const [shown, setShown] = useState<string | null>(null);
  const close = () => setDialog(null);
  const shownWebhook = webhooks.items.find((w) => w.id === shown) ?? null;

  return (
    <>
      <Panel
        id="webhooks-title"
        title="Webhooks"
        action={
          <Button variant="primary" onClick={() => setDialog({ kind: 'form', webhook: null })}>
            Add endpoint
          </Button>
        }
      >
        <p class="hint">
          Provisio sends {scope.kind === 'org' ? "the organization's" : "the company's"} events to
          your endpoints as they happen
          {scope.kind === 'company' ? ', and those of every organization in it' : ''}, signed the
          Standard Webhooks way: a <code>POST</code> with <code>webhook-id</code>,{' '}
          <code>webhook-timestamp</code> and <code>webhook-signature</code> headers. A failed
          delivery is retried for about a day and a half; an endpoint failing for 5 days, or
          answering 410 Gone, is disabled.
          {scope.kind === 'org' && scope.org.companyId
            ? " The company's webhooks receive this organization's events too."
            : ''}
        </p>
        <PagedList
          list={webhooks}
          loading="Loading webhooks…"
          empty={
            <Empty title="No webhook endpoints yet.">
              Select "Add endpoint" to have events sent to an https URL of yours.
            </Empty>
          }
          what="endpoints"
        >
          <Table
            caption={`Webhook endpoints of ${scope.name}`}
            columns={['Endpoint', 'Events', 'Status', 'Added']}
            actions
            items={webhooks.items}
            row={(w) => {
              const items: MenuItem[] = [
                {
                  label: shown === w.id ? 'Hide deliveries' : 'Deliveries and replay',
                  onSelect: () => setShown(shown === w.id ? null : w.id),
                },
                { label: 'Edit', onSelect: () => setDialog({ kind: 'form', webhook: w }) },
                w.enabled
                  ? { label: 'Disable', onSelect: () => setDialog({ kind: 'disable', webhook: w }) }
                  : { label: 'Enable', onSelect: () => setDialog({ kind: 'enable', webhook: w }) },
                {
                  label: 'Rotate signing secret',
                  onSelect: () => setDialog({ kind: 'rotate', webhook: w }),
                },
                {
                  label: 'Delete',
                  danger: true,
                  onSelect: () => setDialog({ kind: 'delete', webhook: w }),
                },
              ];
              return (
                <tr key={w.id} data-webhook={w.id}>
                  <th scope="row" data-label="Endpoint">
                    <div class="who">
                      <span class="who-name webhook-url">{w.url}</span>
                      {w.description ? <span class="who-email">{w.description}</span> : null}
                    </div>
                  </th>
                  <td data-label="Events">
                    <div>
                      {typesText(w.types)}
                      {w.types && w.types.length > 3 ? (
                        <span class="status-note">
                          {w.types.map((t) => EVENT_LABELS[t] ?? t).join(', ')}
                        </span>
                      ) : null}
                    </div>
                  </td>
                  <td data-label="Status">
                    <div>
                      <WebhookStatus webhook={w} />
                    </div>
                  </td>
                  <td data-label="Added">
                    <time dateTime={w.createdAt}>{formatDate(w.createdAt)}</time>
                  </td>
                  <td class="cell-actions">
                    <ActionsMenu label={w.url} items={items} />
                  </td>
                </tr>
              );
            }}
          />
        </PagedList>
      </Panel>

      {shownWebhook ? (
        <Deliveries
          key={shownWebhook.id}
          webhook={shownWebhook}
          path={one(shownWebhook.id)}
          onHide={() => setShown(null)}
        />
      ) : null}

      {dialog?.kind === 'form' ? (
        <WebhookForm
          webhook={dialog.webhook}
          save={(body) =>
            dialog.webhook
              ? api.patch<Webhook>(one(dialog.webhook.id), body)
              : api.post<CreatedWebhook>(base, body)
          }
          onClose={close}
          onSaved={async (saved) => {
            await webhooks.reload();
            if ('secret' in saved) {
              announce(`Webhook endpoint ${saved.url} added`);
              setDialog({ kind: 'created', webhook: saved as CreatedWebhook });
            } else {
              announce(`Webhook endpoint ${saved.url} saved`);
              close();
            }
          }}
        />
      ) : null}
      {dialog?.kind === 'created' ? (
        <DoneDialog title="Endpoint added: copy its signing secret" onClose={close}>
          <SecretValue secret={dialog.webhook.secret}>
            <p>
              Events go to <code class="webhook-url">{dialog.webhook.url}</code> from now on, signed
              with this secret. Verify each delivery with a Standard Webhooks library: it checks{' '}
              <code>webhook-signature</code> (an HMAC-SHA256 of the id, timestamp and body) and
              refuses old timestamps.
            </p>
          </SecretValue>
        </DoneDialog>
      ) : null}
      {dialog?.kind === 'disable' ? (
        <ConfirmDialog
          title={`Disable the endpoint at ${hostOf(dialog.webhook.url)}?`}
          confirmLabel="Disable endpoint"
          busyLabel="Disabling…"
          onClose={close}
          onConfirm={async () => {
            await api.patch(one(dialog.webhook.id), { enabled: false });
            await webhooks.reload();
          }}
          done={`Webhook endpoint ${dialog.webhook.url} disabled`}
        >
          <p>
            Provisio stops sending events to <code class="webhook-url">{dialog.webhook.url}</code>{' '}
            until you enable it again. To send what happened meanwhile, enable it and replay from
            the first event it missed (its seq).
          </p>
        </ConfirmDialog>
      ) : null}
      {dialog?.kind === 'enable' ? (
        <ConfirmDialog
          title={`Enable the endpoint at ${hostOf(dialog.webhook.url)}?`}
          confirmLabel="Enable endpoint"
          busyLabel="Enabling…"
          onClose={close}
          onConfirm={async () => {
            await api.patch(one(dialog.webhook.id), { enabled: true });
            await webhooks.reload();
          }}
          done={`Webhook endpoint ${dialog.webhook.url} enabled`}
        >
          <p>
            New events are sent to <code class="webhook-url">{dialog.webhook.url}</code> again.
            Events from while it was disabled are not sent on their own: open "Deliveries and
            replay" to send them again from a seq.
          </p>
          {dialog.webhook.disabledReason ? (
            <p class="notice">{disabledWhy(dialog.webhook)} Make sure it accepts deliveries now.</p>
          ) : null}
        </ConfirmDialog>
      ) : null}
      {dialog?.kind === 'rotate' ? (
        <ConfirmDialog
          title={`Rotate the signing secret of ${hostOf(dialog.webhook.url)}?`}
          confirmLabel="Rotate secret"
          busyLabel="Rotating…"
          onClose={close}
          onConfirm={async () => {
            const secret = await api.post<WebhookSecret>(`${one(dialog.webhook.id)}/rotate-secret`);
            announce(`Signing secret of ${dialog.webhook.url} rotated`);
            setDialog({ kind: 'rotated', webhook: dialog.webhook, secret });
          }}
        >
          <p>
            Provisio makes a new secret and shows it once. For 24 hours every delivery is signed
            with both the new and the current secret (two signatures in{' '}
            <code>webhook-signature</code>), so you can switch your receiver to the new one without
            losing a delivery; after that only the new secret signs.
          </p>
        </ConfirmDialog>
      ) : null}
      {dialog?.kind === 'rotated' ? (
        <DoneDialog title="New signing secret" onClose={close}>
          <SecretValue secret={dialog.secret.secret}>
            <p>
              Until{' '}
              <time dateTime={dialog.secret.previousSecretExpiresAt}>
                {formatDateTime(dialog.secret.previousSecretExpiresAt)}
              </time>{' '}
              deliveries to <code class="webhook-url">{dialog.webhook.url}</code> are signed with
              both this secret and the previous one; after that, with this one only. Put it in your
              receiver before then.
            </p>
          </SecretValue>
        </DoneDialog>
      ) : null}
      {dialog?.kind === 'delete' ? (
        <ConfirmDialog
          title={`Delete the endpoint at ${hostOf(dialog.webhook.url)}?`}
          confirmLabel="Delete endpoint"
          busyLabel="Deleting…"
          danger
          onClose={close}
          onConfirm={async () => {
            await api.del(one(dialog.webhook.id));
            if (shown === dialog.webhook.id) setShown(null);
            await webhooks.reload();
          }}
          done={`Webhook endpoint ${dialog.webhook.url} deleted`}
        >
          <p>
            No more events are sent to <code class="webhook-url">{dialog.webhook.url}</code>, and
            its signing secret stops working. To receive events there again, add it anew (with a new
            secret).
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

/** Why Provisio disabled an endpoint, in words. */
function disabledWhy(w: Webhook): string {
  if (w.disabledReason === 'gone') return 'Provisio disabled it: it answered 410 Gone.';
  if (w.disabledReason === 'failing') {
    return `Provisio disabled it: every delivery failed for 5 days${
      w.failingSince ? ` (since ${formatDate(w.failingSince)})` : ''
    }, and the owners were emailed.`;
  }
  return '';
}

function WebhookStatus({ webhook: w }: { webhook: Webhook }) {
  if (w.enabled) {
    return (
      <>
        <Badge tone="ok">Enabled</Badge>
        {w.failingSince ? (
          <span class="status-note">
            Failing since {formatDateTime(w.failingSince)}; disabled after 5 days of failures.
          </span>
        ) : null}
      </>
    );
  }
  return (
    <>
      <Badge tone={w.disabledReason ? 'warn' : 'off'}>Disabled</Badge>
      <span class="status-note">{w.disabledReason ? disabledWhy(w) : 'Disabled by an owner.'}</span>
    </>
  );
}

/** A signing secret shown once, with its copy button and the warning that it will not be again. */
function SecretValue(props: { secret: string; children: ComponentChildren }) {
  return (
    <section class="txt-record" aria-label="Signing secret">
      <p class="warning">
        <strong>Copy the secret now: you won't see it again.</strong> Provisio shows it only this
        once. If it is lost, rotate the secret to get a new one.
      </p>
      <dl class="record record-wide">
        <CopyValue
          label="Signing secret"
          copy="signing secret"
          testId="webhook-secret"
          value={props.secret}
        />
      </dl>
      {props.children}
    </section>
  );
}

interface WebhookBody {
  /** Left out of an edit that keeps the URL: the API checks a URL it is sent again. */
  url?: string;
  description: string | null;
  types: EventType[] | null;
}

function WebhookForm(props: {
  webhook: Webhook | null;
  save: (body: WebhookBody) => Promise<Webhook | CreatedWebhook>;
  onClose: () => void;
  onSaved: (saved: Webhook | CreatedWebhook) => Promise<void>;
}) {
  const { webhook } = props;
  const [url, setUrl] = useState(webhook?.url ?? '');
  const [description, setDescription] = useState(webhook?.description ?? '');
  const [which, setWhich] = useState<'all' | 'some'>(webhook?.types ? 'some' : 'all');
  const [types, setTypes] = useState<EventType[]>(webhook?.types ?? []);
  const legendId = useId();
  const submit = useSubmit(async () => {
    const changedUrl = url.trim() !== webhook?.url;
    const saved = await props.save({
      ...(changedUrl ? { url: url.trim() } : {}),
      description: description.trim() || null,
      // In catalogue order, as the API keeps them.
      types: which === 'all' ? null : EVENT_TYPES.filter((t) => types.includes(t)),
    });
    await props.onSaved(saved);
  });
  const typesError = submit.fieldError('types');
  const toggle = (t: EventType, on: boolean) =>
    setTypes(on ? [...types, t] : types.filter((x) => x !== t));
  return (
    <FormDialog
      title={webhook ? 'Edit webhook endpoint' : 'Add a webhook endpoint'}
      onClose={props.onClose}
      wide
      submit={submit}
      fields={['url', 'description', 'types']}
      action={webhook ? 'Save' : 'Add endpoint'}
      busyLabel={webhook ? 'Saving…' : 'Adding…'}
    >
      <TextField
        label="Endpoint URL"
        hint="An https URL whose host resolves only to public addresses. Provisio follows no redirects."
        type="url"
        inputMode="url"
        required
        autocomplete="off"
        spellcheck={false}
        value={url}
        onValue={setUrl}
        error={submit.fieldError('url')}
      />
      <TextField
        label="Description (optional)"
        hint="What receives these events, for whoever reads this list later."
        autocomplete="off"
        value={description}
        onValue={setDescription}
        error={submit.fieldError('description')}
      />
      <RadioGroup
        legend="Events to send"
        value={which}
        onValue={setWhich}
        options={[
          { value: 'all', label: 'All events, and types added later' },
          { value: 'some', label: 'Only the types I choose' },
        ]}
      />
      {which === 'some' ? (
        <fieldset
          class="fieldset event-types"
          aria-describedby={typesError ? `${legendId}-error` : undefined}
        >
          <legend id={legendId}>Event types</legend>
          {GROUPS.map((g) => (
            <fieldset key={g.group} class="event-group">
              <legend>{g.group}</legend>
              {g.types.map((t) => (
                <CheckboxField
                  key={t}
                  label={EVENT_LABELS[t] ?? t}
                  checked={types.includes(t)}
                  onChecked={(on) => toggle(t, on)}
                />
              ))}
            </fieldset>
          ))}
          {typesError ? (
            <div class="field-error" id={`${legendId}-error`}>
              {typesError}
            </div>
          ) : null}
        </fieldset>
      ) : null}
    </FormDialog>
  );
}

const OUTCOMES: Record<
  WebhookDelivery['outcome'],
  { label: string; tone: 'ok' | 'warn' | 'off' | 'info' }
> = {
  delivered: { label: 'Delivered', tone: 'ok' },
  retrying: { label: 'Retrying', tone: 'warn' },
  failed: { label: 'Failed', tone: 'warn' },
  disabled: { label: 'Failed; endpoint disabled', tone: 'warn' },
  skipped: { label: 'Skipped', tone: 'off' },
};

/** An endpoint's delivery attempts, newest first, and a replay from a seq. */
function Deliveries(props: { webhook: Webhook; path: string; onHide: () => void }) {
  const { webhook } = props;
  const deliveries = usePaged<WebhookDelivery>(`${props.path}/deliveries`, 25);
  const heading = useRef<HTMLHeadingElement>(null);
  const [fromSeq, setFromSeq] = useState('');
  const [requested, setRequested] = useState<WebhookReplay | null>(null);
  const titleId = useId();

  // Opened from a row's actions menu: take the reader there.
  useEffect(() => {
    heading.current?.focus();
  }, []);

  const replay = useSubmit(async () => {
    const accepted = await api.post<WebhookReplay>(`${props.path}/replay`, {
      fromSeq: Number(fromSeq),
    });
    setRequested(accepted);
    announce(`Replay from seq ${accepted.fromSeq} requested`);
    await deliveries.reload();
  });

  return (
    <section class="card" aria-labelledby={titleId}>
      <div class="section-head">
        <h3 id={titleId} ref={heading} tabIndex={-1}>
          Deliveries to <span class="webhook-url">{webhook.url}</span>
        </h3>
        <div class="webhook-tools">
          <Button
            class="button-small"
            onClick={() => void deliveries.reload()}
            busy={deliveries.loading}
            busyLabel="Refreshing…"
          >
            Refresh
          </Button>
          <Button class="button-small" onClick={props.onHide}>
            Hide
          </Button>
        </div>
      </div>
      <p class="hint">
        Every attempt of the last 30 days, newest first. The event id is the <code>webhook-id</code>{' '}
        header: the same on every retry and replay.
      </p>
      <PagedList
        list={deliveries}
        loading="Loading deliveries…"
        empty={
          <Empty title="No deliveries yet.">
            Attempts appear here as events happen{webhook.enabled ? '' : ' once it is enabled'}.
          </Empty>
        }
        what="deliveries"
      >
        <Table
          caption={`Delivery attempts to ${webhook.url}, newest first`}
          columns={['When', 'Event', 'Seq', 'Answer', 'Duration']}
          items={deliveries.items}
          row={(d) => {
            const outcome = OUTCOMES[d.outcome] ?? { label: d.outcome, tone: 'info' as const };
            return (
              <tr key={`${d.eventId}-${d.attempt}-${d.at}`} data-event-id={d.eventId}>
                <td data-label="When">
                  <time dateTime={d.at}>{formatDateTime(d.at)}</time>
                </td>
                <td data-label="Event">
                  <div>
                    <span class="event-type">{EVENT_LABELS[d.type] ?? d.type}</span>
                    <span class="event-summary">
                      <code>{d.eventId}</code>
                      {d.attempt > 1 ? `, attempt ${d.attempt}` : ''}
                      {d.replay ? ', replayed' : ''}
                    </span>
                  </div>
                </td>
                <td data-label="Seq">{d.seq ?? <span class="muted">none</span>}</td>
                <td data-label="Answer">
                  <div>
                    <Badge tone={outcome.tone}>{outcome.label}</Badge>{' '}
                    {d.statusCode !== null ? `HTTP ${d.statusCode}` : null}
                    {d.error ? <span class="status-note">{d.error}</span> : null}
                    {d.outcome === 'retrying' && d.nextAttemptAt ? (
                      <span class="status-note">
                        Next attempt {formatDateTime(d.nextAttemptAt)}
                      </span>
                    ) : null}
                  </div>
                </td>
                <td data-label="Duration">{d.durationMs} ms</td>
              </tr>
            );
          }}
        />
      </PagedList>

      <h4 class="webhook-replay-title">Send events again</h4>
      <p class="hint">
        Events from this seq on, of the types this endpoint receives, are sent again in order with
        their original ids. {webhook.enabled ? '' : 'Enable the endpoint first.'}
      </p>
      <SubmitForm
        submit={replay}
        fields={['fromSeq']}
        action="Replay"
        busyLabel="Requesting…"
        inline
      >
        <TextField
          label="From seq"
          type="number"
          inputMode="numeric"
          min={1}
          required
          value={fromSeq}
          onValue={setFromSeq}
          error={replay.fieldError('fromSeq')}
        />
      </SubmitForm>
      {requested ? (
        <p class="notice" data-testid="replay-requested">
          Replay from seq {requested.fromSeq} requested{' '}
          <time dateTime={requested.requestedAt}>{formatDateTime(requested.requestedAt)}</time>: its
          attempts appear above as they are made (select Refresh).
        </p>
      ) : null}
    </section>
  );
}
