/**
 * An organization: its header, tabs, and the people side (members, seats, invitations, teams).
 * A plain member sees it read-only, from `GET /v1/me`: the org's routes are its owners'.
 */
import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { formatDate, formatDateTime, seatsText, VIA_LABELS } from '../format.ts';
import { useMe } from '../me.ts';
import type {
  BulkAnswer,
  BulkOutcome,
  Invitation,
  Me,
  Member,
  Membership,
  Org,
  Team,
} from '../model.ts';
import { usePaged } from '../paged.ts';
import { href, ORG_TABS, type OrgTab } from '../router.ts';
import {
  ActionsMenu,
  announce,
  Badge,
  Button,
  ConfirmDialog,
  Empty,
  ErrorMessage,
  Field,
  FormDialog,
  Loading,
  PagedList,
  Panel,
  SelectField,
  SubmitForm,
  Table,
  TextField,
  useLoad,
  useSubmit,
} from '../ui.tsx';
import { scopeOf } from './scope.ts';
import { Breadcrumbs, ProfileNotLoaded, ScopeHead, ScopePage } from './scope-page.tsx';

const TAB_LABELS: Record<OrgTab, string> = {
  members: 'Members',
  invitations: 'Invitations',
  teams: 'Teams',
  domains: 'Domains',
  audit: 'Domain audit',
  sso: 'SSO',
  webhooks: 'Webhooks',
  activity: 'Activity',
};

/**
 * `GET /v1/me` first: a plain member (a shared link, an org opened by id, an owner since made a
 * member) gets the read-only view, and the owner-only routes, which would answer 403, are not
 * called. Anyone else gets the admin screens; if `/v1/me` fails they are tried all the same.
 */
export function OrgScreen({ id, tab }: { id: string; tab: OrgTab }) {
  const me = useMe();
  const membership = me.data?.memberships.find((m) => m.orgId === id);
  if (membership?.role === 'member') return <MemberOrgScreen membership={membership} />;
  if (me.loading && !me.data) return <ProfileNotLoaded kind="org" error={undefined} />;
  return <OwnerOrgScreen id={id} tab={tab} me={me.data} />;
}

/** What a plain member may see of an org: their own membership, as `GET /v1/me` lists it. */
function MemberOrgScreen({ membership: m }: { membership: Membership }) {
  return (
    <div class="stack">
      <Breadcrumbs />
      <ScopeHead
        name={m.orgName}
        meta={
          <>
            Organization · id <code>{m.orgId}</code> · <Badge tone="off">Read-only</Badge>
          </>
        }
      />
      <Panel id="your-membership" title="Your membership" heading="h2">
        <dl class="record record-wide">
          <div>
            <dt>Role</dt>
            <dd>Member</dd>
          </div>
          <div>
            <dt>Teams</dt>
            <dd>{m.teams.length ? m.teams.join(', ') : 'None'}</dd>
          </div>
          <div>
            <dt>Joined</dt>
            <dd>through {VIA_LABELS[m.via] ?? m.via}</dd>
          </div>
        </dl>
        <p class="hint">
          Only the organization's owners administer it: its members, invitations, teams, domains and
          SSO. Ask one of them to change your role or teams.
        </p>
      </Panel>
    </div>
  );
}

function OwnerOrgScreen({ id, tab, me }: { id: string; tab: OrgTab; me: Me | undefined }) {
  // Fetched again on every tab, so seats and company reflect sign-ins since the last look.
  const org = useLoad(() => api.get<Org>(`/v1/orgs/${enc(id)}`), `${id}/${tab}`);

  if (!org.data) {
    return <ProfileNotLoaded kind="org" error={org.error} />;
  }
  const o = org.data;
  // The company's name, when the person owns it (`GET /v1/me`).
  const company = o.companyId ? me?.companies.find((c) => c.id === o.companyId) : undefined;

  return (
    <ScopePage
      scope={scopeOf({ kind: 'org', org: o })}
      crumbs={
        o.companyId ? (
          <li>
            <a href={href.company(o.companyId)}>{company?.name ?? 'Its company'}</a>
          </li>
        ) : null
      }
      meta={
        <>
          Organization · id <code>{o.id}</code> · seats {seatsText(o.seatsUsed, o.seatLimit)}
        </>
      }
      tabs={ORG_TABS.map((t) => ({ id: t, label: TAB_LABELS[t], href: href.org(o.id, t) }))}
      tab={tab}
    >
      {tab === 'members' ? <Members org={o} onOrgChange={org.set} /> : null}
      {tab === 'invitations' ? <Invitations org={o} onSeatsChange={org.reload} /> : null}
      {tab === 'teams' ? <Teams org={o} /> : null}
    </ScopePage>
  );
}

/* ------------------------------------------------------------------ members and seats */

function Members({ org, onOrgChange }: { org: Org; onOrgChange: (org: Org) => void }) {
  const members = usePaged<Member>(`/v1/orgs/${enc(org.id)}/members`);
  const [dialog, setDialog] = useState<
    | { kind: 'seats' }
    | { kind: 'role'; member: Member; role: Member['role'] }
    | { kind: 'remove'; member: Member }
    | null
  >(null);
  const close = () => setDialog(null);
  const refreshOrg = async () => onOrgChange(await api.get<Org>(`/v1/orgs/${enc(org.id)}`));

  return (
    <>
      <section class="card" aria-labelledby="seats-title">
        <div class="seats">
          <div>
            <h2 id="seats-title" class="seats-label">
              Seats
            </h2>
            <p class="seats-count">{seatsText(org.seatsUsed, org.seatLimit)}</p>
            {org.seatLimit !== null ? (
              <progress
                max={Math.max(org.seatLimit, 1)}
                value={Math.min(org.seatsUsed, org.seatLimit)}
                aria-label={`Seats used: ${seatsText(org.seatsUsed, org.seatLimit)}`}
              />
            ) : null}
            <p class="hint">Members and pending invitations each take a seat.</p>
          </div>
          <Button onClick={() => setDialog({ kind: 'seats' })}>Change seat limit</Button>
        </div>
      </section>

      <Panel id="members-title" title="Members">
        <PagedList
          list={members}
          loading="Loading members…"
          empty={<Empty title="No members yet.">Invite people from the Invitations tab.</Empty>}
          what="members"
        >
          <Table
            caption={`Members of ${org.name}`}
            columns={['Member', 'Role', 'Teams', 'Joined through', 'Joined']}
            actions
            items={members.items}
            row={(m) => (
              <tr key={m.email}>
                <td data-label="Member">
                  {m.name ? (
                    <div class="who">
                      <span class="who-name">{m.name}</span>
                      <span class="who-email">{m.email}</span>
                    </div>
                  ) : (
                    m.email
                  )}
                </td>
                <td data-label="Role">
                  <Badge tone={m.role === 'owner' ? 'info' : 'off'}>{m.role}</Badge>
                </td>
                <td data-label="Teams">
                  {m.teams.length ? m.teams.join(', ') : <span class="muted">none</span>}
                </td>
                <td data-label="Joined through">{VIA_LABELS[m.via] ?? m.via}</td>
                <td data-label="Joined">
                  <time dateTime={m.joinedAt} title={formatDateTime(m.joinedAt)}>
                    {formatDate(m.joinedAt)}
                  </time>
                </td>
                <td class="cell-actions">
                  <ActionsMenu
                    label={m.email}
                    items={[
                      m.role === 'owner'
                        ? {
                            label: 'Make member',
                            onSelect: () => setDialog({ kind: 'role', member: m, role: 'member' }),
                          }
                        : {
                            label: 'Make owner',
                            onSelect: () => setDialog({ kind: 'role', member: m, role: 'owner' }),
                          },
                      {
                        label: 'Remove from org',
                        danger: true,
                        onSelect: () => setDialog({ kind: 'remove', member: m }),
                      },
                    ]}
                  />
                </td>
              </tr>
            )}
          />
        </PagedList>
      </Panel>

      {dialog?.kind === 'seats' ? (
        <SeatLimitDialog org={org} onDone={onOrgChange} onClose={close} />
      ) : null}
      {dialog?.kind === 'role' ? (
        <ConfirmDialog
          title={dialog.role === 'owner' ? 'Make owner?' : 'Make member?'}
          confirmLabel={dialog.role === 'owner' ? 'Make owner' : 'Make member'}
          busyLabel="Saving…"
          onClose={close}
          onConfirm={async () => {
            await api.put(`/v1/orgs/${enc(org.id)}/members/${enc(dialog.member.email)}`, {
              role: dialog.role,
            });
            await members.reload();
          }}
          done={`${dialog.member.email} is now ${dialog.role === 'owner' ? 'an owner' : 'a member'}`}
        >
          {dialog.role === 'owner' ? (
            <p>
              {dialog.member.email} will administer {org.name}: members, seats, invitations, domains
              and SSO.
            </p>
          ) : (
            <p>
              {dialog.member.email} will no longer administer {org.name}.
            </p>
          )}
        </ConfirmDialog>
      ) : null}
      {dialog?.kind === 'remove' ? (
        <ConfirmDialog
          title="Remove member?"
          confirmLabel="Remove"
          busyLabel="Removing…"
          danger
          onClose={close}
          onConfirm={async () => {
            await api.del(`/v1/orgs/${enc(org.id)}/members/${enc(dialog.member.email)}`);
            await Promise.all([members.reload(), refreshOrg()]);
          }}
          done={`${dialog.member.email} removed`}
        >
          <p>
            {dialog.member.email} leaves {org.name} and its teams, and their seat is freed. If they
            can still sign in with a provisioned domain or SSO, they may join again.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function SeatLimitDialog(props: { org: Org; onDone: (org: Org) => void; onClose: () => void }) {
  const [value, setValue] = useState(
    props.org.seatLimit === null ? '' : String(props.org.seatLimit),
  );
  const submit = useSubmit(async () => {
    const seatLimit = value.trim() === '' ? null : Number(value);
    const org = await api.patch<Org>(`/v1/orgs/${enc(props.org.id)}`, { seatLimit });
    props.onDone(org);
    announce(`Seat limit is now ${seatLimit === null ? 'unlimited' : seatLimit}`);
    props.onClose();
  });
  const error = submit.fieldError('seatLimit') ?? submit.formError(['seatLimit']);
  return (
    <FormDialog
      title="Change seat limit"
      onClose={props.onClose}
      submit={submit}
      action="Save"
      busyLabel="Saving…"
    >
      <TextField
        label="Seat limit"
        hint={`${props.org.seatsUsed} seats are in use. Leave empty for unlimited.`}
        type="number"
        min={0}
        inputMode="numeric"
        value={value}
        onValue={setValue}
        error={error}
      />
    </FormDialog>
  );
}

/* ------------------------------------------------------------------ invitations */

const DAY_MS = 24 * 60 * 60 * 1000;
/** Pending invitations expiring within this many days are pointed out to the owners. */
const EXPIRING_SOON_DAYS = 3;

/** "in 3 days", "in 5 hours", "today": how long a pending invitation has left. */
function timeLeft(expiresAt: string, now = Date.now()): string {
  const ms = Date.parse(expiresAt) - now;
  if (ms <= 0) return 'expired';
  const days = Math.round(ms / DAY_MS);
  if (ms >= DAY_MS) return `in ${days} day${days === 1 ? '' : 's'}`;
  const hours = Math.floor(ms / (60 * 60 * 1000));
  return hours >= 1 ? `in ${hours} hour${hours === 1 ? '' : 's'}` : 'within the hour';
}

function Invitations({ org, onSeatsChange }: { org: Org; onSeatsChange: () => void }) {
  const invitations = usePaged<Invitation>(`/v1/orgs/${enc(org.id)}/invitations`);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'member' | 'owner'>('member');
  const [team, setTeam] = useState('');
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const submit = useSubmit(async () => {
    const created = await api.post<Invitation>(`/v1/orgs/${enc(org.id)}/invitations`, {
      email: email.trim(),
      role,
      team: team.trim() || null,
    });
    setEmail('');
    setTeam('');
    resend.setError(null);
    await invitations.reload();
    onSeatsChange();
    announce(`Invitation sent to ${created.email}`);
  });
  const resend = useSubmit(async (i: Invitation) => {
    const sent = await api.post<Invitation>(
      `/v1/orgs/${enc(org.id)}/invitations/${enc(i.email)}/resend`,
    );
    await invitations.reload();
    onSeatsChange();
    announce(`Invitation to ${sent.email} sent again; it expires ${timeLeft(sent.expiresAt)}`);
  });
  const soon = invitations.items.filter(
    (i) =>
      i.status === 'pending' && Date.parse(i.expiresAt) - Date.now() < EXPIRING_SOON_DAYS * DAY_MS,
  );

  const resendButton = (i: Invitation) => (
    <Button
      class="button-small"
      busy={resend.busy}
      busyLabel="Sending…"
      onClick={() => resend.run(i)}
    >
      Resend<span class="visually-hidden"> invitation for {i.email}</span>
    </Button>
  );

  return (
    <>
      <Panel id="invite-title" title="Invitations">
        <p class="hint">
          An invitation holds a seat until it is accepted, revoked or expired (14 days after it was
          sent). The person gets an email and joins when they next sign in with that address.
        </p>
        <SubmitForm
          submit={submit}
          fields={['email', 'role', 'team']}
          action="Invite"
          busyLabel="Inviting…"
          inline
        >
          <TextField
            label="Email"
            type="email"
            required
            autocomplete="off"
            value={email}
            onValue={setEmail}
            error={submit.fieldError('email')}
          />
          <SelectField
            label="Role"
            value={role}
            onValue={(v) => setRole(v as 'member' | 'owner')}
            options={[
              { value: 'member', label: 'Member' },
              { value: 'owner', label: 'Owner' },
            ]}
            error={submit.fieldError('role')}
          />
          <TextField
            label="Team (optional)"
            autocomplete="off"
            value={team}
            onValue={setTeam}
            error={submit.fieldError('team')}
          />
        </SubmitForm>
      </Panel>
      <BulkInvite
        org={org}
        onDone={() => {
          resend.setError(null);
          return Promise.all([invitations.reload(), onSeatsChange()]);
        }}
      />
      {soon.length ? (
        <Panel id="expiring-title" title="Expiring soon" heading="h3" class="card card-warning">
          <p class="hint">
            {soon.length === 1 ? 'This invitation expires' : 'These invitations expire'} within{' '}
            {EXPIRING_SOON_DAYS} days. Resend to give the person another 14 days.
          </p>
          <ul class="plain-list">
            {soon.map((i) => (
              <li key={i.email}>
                <span>
                  {i.email}, expires <time dateTime={i.expiresAt}>{timeLeft(i.expiresAt)}</time>
                </span>{' '}
                {resendButton(i)}
              </li>
            ))}
          </ul>
        </Panel>
      ) : null}
      <Panel id="pending-title" title="Sent invitations" heading="h3">
        {resend.error ? <ErrorMessage>{resend.error.message}</ErrorMessage> : null}
        <PagedList
          list={invitations}
          loading="Loading invitations…"
          empty={<Empty title="No invitations.">Invite someone with the form above.</Empty>}
          what="invitations"
        >
          <Table
            caption={`Invitations to ${org.name}, pending and expired`}
            columns={['Email', 'Role', 'Team', 'Status', 'Expires', 'Invited by']}
            actions
            items={invitations.items}
            row={(i) => (
              <tr key={i.email}>
                <td data-label="Email">{i.email}</td>
                <td data-label="Role">{i.role}</td>
                <td data-label="Team">{i.team ?? <span class="muted">none</span>}</td>
                <td data-label="Status">
                  {i.status === 'pending' ? (
                    <Badge tone="ok">pending</Badge>
                  ) : (
                    <Badge tone="off">expired</Badge>
                  )}
                </td>
                <td data-label="Expires">
                  <time dateTime={i.expiresAt}>{formatDate(i.expiresAt)}</time>
                  {i.status === 'pending' ? (
                    <span class="muted small"> ({timeLeft(i.expiresAt)})</span>
                  ) : null}
                  <div class="muted small">
                    sent <time dateTime={i.sentAt}>{formatDateTime(i.sentAt)}</time>
                  </div>
                </td>
                <td data-label="Invited by">{i.invitedBy}</td>
                <td class="cell-actions">
                  {resendButton(i)}{' '}
                  <Button class="button-small" onClick={() => setRevoking(i)}>
                    Revoke<span class="visually-hidden"> invitation for {i.email}</span>
                  </Button>
                </td>
              </tr>
            )}
          />
        </PagedList>
      </Panel>
      {revoking ? (
        <ConfirmDialog
          title="Revoke invitation?"
          confirmLabel="Revoke"
          busyLabel="Revoking…"
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await api.del(`/v1/orgs/${enc(org.id)}/invitations/${enc(revoking.email)}`);
            await invitations.reload();
            onSeatsChange();
          }}
          done={`Invitation for ${revoking.email} revoked`}
        >
          <p>
            {revoking.email} will not join {org.name} through this invitation
            {revoking.status === 'pending' ? ', and its seat is freed' : ''}.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

const OUTCOME_LABELS: Record<BulkOutcome, string> = {
  invited: 'to invite',
  already_member: 'already members',
  already_invited: 'already invited',
  duplicate: 'duplicates',
  invalid: 'invalid',
};

/**
 * SPEC §13 bulk invitations: a CSV file (email,role,team) is previewed with a dry run, then
 * sent under one Idempotency-Key, so that a second click or a retry invites and mails nobody twice.
 */
function BulkInvite({ org, onDone }: { org: Org; onDone: () => Promise<unknown> }) {
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [preview, setPreview] = useState<BulkAnswer | null>(null);
  const [key, setKey] = useState('');
  const path = `/v1/orgs/${enc(org.id)}/invitations:bulk`;
  const raw = (text: string, idempotencyKey?: string) => ({
    text,
    headers: {
      'content-type': 'text/csv',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
  });
  const load = useSubmit(async (picked: File) => {
    const text = await picked.text();
    setFile({ name: picked.name, text });
    setPreview(null);
    const answer = await api.postRaw<BulkAnswer>(`${path}?dryRun=true`, raw(text));
    setPreview(answer);
    setKey(crypto.randomUUID());
  });
  const confirm = useSubmit(async () => {
    if (!file) return;
    const answer = await api.postRaw<BulkAnswer>(path, raw(file.text, key));
    setFile(null);
    setPreview(null);
    await onDone();
    announce(
      `${answer.counts.invited} ${answer.counts.invited === 1 ? 'person' : 'people'} invited from ${file.name}`,
    );
  });
  const fits = preview ? preview.available === null || preview.needed <= preview.available : false;
  const skipped = preview ? preview.results.filter((r) => r.outcome !== 'invited') : [];

  return (
    <Panel id="bulk-title" title="Invite from a CSV file" heading="h3">
      <p class="hint">
        A file with the header <code>email,role,team</code> and up to 1,000 rows (role and team may
        be empty). You see what would happen before anyone is invited.
      </p>
      <Field label="CSV file" error={load.error?.message}>
        {(control) => (
          <input
            {...control}
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => {
              const picked = e.currentTarget.files?.[0];
              if (picked) void load.run(picked);
            }}
          />
        )}
      </Field>
      {load.busy ? <Loading>Checking the file…</Loading> : null}
      {preview && file ? (
        <div class="bulk-preview" aria-live="polite">
          <p>
            <strong>{file.name}</strong>:{' '}
            {(Object.keys(OUTCOME_LABELS) as BulkOutcome[])
              .filter((o) => preview.counts[o] > 0)
              .map((o) => `${preview.counts[o]} ${OUTCOME_LABELS[o]}`)
              .join(', ')}
            .
          </p>
          {fits ? null : (
            <p class="warning">
              The new invitations need {preview.needed} seats and {preview.available} are free.
              Nobody will be invited: raise the seat limit or remove rows first.
            </p>
          )}
          {skipped.length ? (
            <Table
              caption={`Rows of ${file.name} that will not be invited`}
              columns={['Row', 'Email', 'Outcome', 'Why']}
              items={skipped.slice(0, 50)}
              row={(r) => (
                <tr key={r.row}>
                  <td data-label="Row">{r.row}</td>
                  <td data-label="Email">{r.email ?? <span class="muted">none</span>}</td>
                  <td data-label="Outcome">{r.outcome.replace('_', ' ')}</td>
                  <td data-label="Why">{r.reason ?? ''}</td>
                </tr>
              )}
            />
          ) : null}
          {skipped.length > 50 ? (
            <p class="hint">and {skipped.length - 50} more rows not invited.</p>
          ) : null}
          {confirm.error ? <ErrorMessage>{confirm.error.message}</ErrorMessage> : null}
          <div class="button-row">
            <Button
              variant="primary"
              disabled={!fits || preview.needed === 0}
              busy={confirm.busy}
              busyLabel="Inviting…"
              onClick={() => confirm.run()}
            >
              Invite {preview.needed} {preview.needed === 1 ? 'person' : 'people'}
            </Button>{' '}
            <Button
              onClick={() => {
                setFile(null);
                setPreview(null);
              }}
            >
              Cancel
            </Button>
          </div>
        </div>
      ) : null}
    </Panel>
  );
}

/* ------------------------------------------------------------------ teams */

function Teams({ org }: { org: Org }) {
  const teams = usePaged<Team>(`/v1/orgs/${enc(org.id)}/teams`);
  return (
    <Panel id="teams-title" title="Teams">
      <PagedList
        list={teams}
        loading="Loading teams…"
        empty={
          <Empty title="No teams yet.">
            Teams are created as people join: name a team when you invite someone, set a default
            team on an SSO connection, or map IdP groups like <code>{org.name}:developers</code>.
          </Empty>
        }
        what="teams"
      >
        <Table
          caption={`Teams of ${org.name}`}
          columns={['Team', 'Members']}
          items={teams.items}
          row={(t) => (
            <tr key={t.name}>
              <td data-label="Team">{t.name}</td>
              <td data-label="Members">{t.memberCount}</td>
            </tr>
          )}
        />
      </PagedList>
    </Panel>
  );
}
