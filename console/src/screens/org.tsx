/**
 * An organization: its header, tabs, and the people side (members, seats, invitations, teams).
 * A plain member sees it read-only, from `GET /v1/me`: the org's routes are its owners'.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { formatDate, formatDateTime, seatsText, VIA_LABELS } from '../format.ts';
import { useMe } from '../me.ts';
import type { Invitation, Me, Member, Membership, Org, Team } from '../model.ts';
import { usePaged } from '../paged.ts';
import { href, navigate, ORG_TABS, type OrgTab } from '../router.ts';
import {
  ActionsMenu,
  announce,
  Badge,
  Button,
  ConfirmDialog,
  Dialog,
  Empty,
  ErrorMessage,
  Loading,
  PagedList,
  SelectField,
  SubmitForm,
  TableHead,
  TextField,
  useLoad,
  useSubmit,
} from '../ui.tsx';
import { Activity } from './activity.tsx';
import { Domains } from './domains.tsx';
import type { Scope } from './scope.ts';
import { SsoConnections } from './sso.tsx';

const TAB_LABELS: Record<OrgTab, string> = {
  members: 'Members',
  invitations: 'Invitations',
  teams: 'Teams',
  domains: 'Domains',
  sso: 'SSO',
  activity: 'Activity',
};

/** A profile (org or company) that is loading, or that could not be loaded. */
export function ProfileNotLoaded({
  kind,
  error,
}: {
  kind: 'org' | 'company';
  error: string | undefined;
}) {
  const noun = kind === 'org' ? 'organization' : 'company';
  return (
    <div class="stack">
      <Breadcrumbs />
      <h1 tabIndex={-1}>{kind === 'org' ? 'Organization' : 'Company'}</h1>
      {error ? (
        <>
          <ErrorMessage>{error}</ErrorMessage>
          <p>
            <Button onClick={() => navigate(href.profiles())}>Back to your profiles</Button>
          </p>
        </>
      ) : (
        <Loading>Loading the {noun}…</Loading>
      )}
    </div>
  );
}

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
      <header class="scope-head">
        <h1 tabIndex={-1}>{m.orgName}</h1>
        <p class="scope-meta">
          Organization · id <code>{m.orgId}</code> · <Badge tone="off">Read-only</Badge>
        </p>
      </header>
      <section class="card" aria-labelledby="your-membership">
        <h2 id="your-membership">Your membership</h2>
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
      </section>
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
  const scope: Scope = {
    kind: 'org',
    id: o.id,
    name: o.name,
    base: `/v1/orgs/${enc(o.id)}`,
    org: o,
  };
  // The company's name, when the person owns it (`GET /v1/me`).
  const company = o.companyId ? me?.companies.find((c) => c.id === o.companyId) : undefined;

  return (
    <div class="stack">
      <Breadcrumbs>
        {o.companyId ? (
          <li>
            <a href={href.company(o.companyId)}>{company?.name ?? 'Its company'}</a>
          </li>
        ) : null}
      </Breadcrumbs>
      <header class="scope-head">
        <h1 tabIndex={-1}>{o.name}</h1>
        <p class="scope-meta">
          Organization · id <code>{o.id}</code> · seats {seatsText(o.seatsUsed, o.seatLimit)}
        </p>
      </header>
      <Tabs
        label={`${o.name} sections`}
        tabs={ORG_TABS.map((t) => ({ id: t, label: TAB_LABELS[t], href: href.org(o.id, t) }))}
        current={tab}
      />
      {tab === 'members' ? <Members org={o} onOrgChange={org.set} /> : null}
      {tab === 'invitations' ? <Invitations org={o} onSeatsChange={org.reload} /> : null}
      {tab === 'teams' ? <Teams org={o} /> : null}
      {tab === 'domains' ? (
        <CompanyManaged org={o} what="Domains">
          {<Domains scope={scope} />}
        </CompanyManaged>
      ) : null}
      {tab === 'sso' ? (
        <CompanyManaged org={o} what="SSO connections">
          <SsoConnections scope={scope} />
        </CompanyManaged>
      ) : null}
      {tab === 'activity' ? <Activity scope={scope} /> : null}
    </div>
  );
}

/** SPEC §1: an org in a company has its domains and SSO connections managed by the company. */
function CompanyManaged(props: { org: Org; what: string; children: ComponentChildren }) {
  if (!props.org.companyId) return <>{props.children}</>;
  return (
    <section class="card">
      <h2 class="panel-title" tabIndex={-1}>
        {props.what}
      </h2>
      <Empty title={`${props.what} of ${props.org.name} are managed by its company.`}>
        <a href={href.company(props.org.companyId, props.what === 'Domains' ? 'domains' : 'sso')}>
          Open the company's {props.what.toLowerCase()}
        </a>{' '}
        (you need to be an owner of the company).
      </Empty>
    </section>
  );
}

export function Breadcrumbs({ children }: { children?: ComponentChildren }) {
  return (
    <nav aria-label="Breadcrumb" class="breadcrumbs">
      <ol>
        <li>
          <a href={href.profiles()}>Profiles</a>
        </li>
        {children}
      </ol>
    </nav>
  );
}

export function Tabs(props: {
  label: string;
  tabs: { id: string; label: string; href: string }[];
  current: string;
}) {
  return (
    <nav aria-label={props.label} class="tabs">
      <ul>
        {props.tabs.map((t) => (
          <li key={t.id}>
            <a href={t.href} aria-current={t.id === props.current ? 'page' : undefined}>
              {t.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
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

      <section class="card" aria-labelledby="members-title">
        <h2 id="members-title" class="panel-title" tabIndex={-1}>
          Members
        </h2>
        <PagedList
          list={members}
          loading="Loading members…"
          empty={<Empty title="No members yet.">Invite people from the Invitations tab.</Empty>}
          what="members"
        >
          <table class="table">
            <caption class="visually-hidden">Members of {org.name}</caption>
            <TableHead columns={['Member', 'Role', 'Teams', 'Joined through', 'Joined']} actions />
            <tbody>
              {members.items.map((m) => (
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
                              onSelect: () =>
                                setDialog({ kind: 'role', member: m, role: 'member' }),
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
              ))}
            </tbody>
          </table>
        </PagedList>
      </section>

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
            announce(
              `${dialog.member.email} is now ${dialog.role === 'owner' ? 'an owner' : 'a member'}`,
            );
            close();
          }}
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
            announce(`${dialog.member.email} removed`);
            close();
          }}
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
    <Dialog title="Change seat limit" onClose={props.onClose}>
      <SubmitForm submit={submit} action="Save" busyLabel="Saving…" onCancel={props.onClose}>
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
      </SubmitForm>
    </Dialog>
  );
}

/* ------------------------------------------------------------------ invitations */

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
    await invitations.reload();
    onSeatsChange();
    announce(`Invitation sent to ${created.email}`);
  });

  return (
    <>
      <section class="card" aria-labelledby="invite-title">
        <h2 id="invite-title" class="panel-title" tabIndex={-1}>
          Invitations
        </h2>
        <p class="hint">
          An invitation holds a seat until it is accepted or revoked. The person gets an email and
          joins when they next sign in with that address.
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
      </section>
      <section class="card" aria-labelledby="pending-title">
        <h3 id="pending-title">Pending invitations</h3>
        <PagedList
          list={invitations}
          loading="Loading invitations…"
          empty={<Empty title="No pending invitations.">Invite someone with the form above.</Empty>}
          what="invitations"
        >
          <table class="table">
            <caption class="visually-hidden">Pending invitations to {org.name}</caption>
            <TableHead columns={['Email', 'Role', 'Team', 'Invited by', 'Sent']} actions />
            <tbody>
              {invitations.items.map((i) => (
                <tr key={i.email}>
                  <td data-label="Email">{i.email}</td>
                  <td data-label="Role">{i.role}</td>
                  <td data-label="Team">{i.team ?? <span class="muted">none</span>}</td>
                  <td data-label="Invited by">{i.invitedBy}</td>
                  <td data-label="Sent">
                    <time dateTime={i.createdAt}>{formatDateTime(i.createdAt)}</time>
                  </td>
                  <td class="cell-actions">
                    <Button class="button-small" onClick={() => setRevoking(i)}>
                      Revoke<span class="visually-hidden"> invitation for {i.email}</span>
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </PagedList>
      </section>
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
            announce(`Invitation for ${revoking.email} revoked`);
            setRevoking(null);
          }}
        >
          <p>
            {revoking.email} will not join {org.name} through this invitation, and its seat is
            freed.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

/* ------------------------------------------------------------------ teams */

function Teams({ org }: { org: Org }) {
  const teams = usePaged<Team>(`/v1/orgs/${enc(org.id)}/teams`);
  return (
    <section class="card" aria-labelledby="teams-title">
      <h2 id="teams-title" class="panel-title" tabIndex={-1}>
        Teams
      </h2>
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
        <table class="table">
          <caption class="visually-hidden">Teams of {org.name}</caption>
          <TableHead columns={['Team', 'Members']} />
          <tbody>
            {teams.items.map((t) => (
              <tr key={t.name}>
                <td data-label="Team">{t.name}</td>
                <td data-label="Members">{t.memberCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </PagedList>
    </section>
  );
}
