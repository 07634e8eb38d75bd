/**
 * Choose profile: the companies this person owns and the orgs they belong to, from `GET /v1/me`
 * (SPEC §9), so the list is the same in any browser; the invitations still pending for their
 * address; and forms to create an org or a company, or to open one by id. Owners open an org's
 * admin screens; a member sees the org read-only, with their teams, and the console never calls
 * the owner-only routes for it (they would answer 403).
 */
import { useState } from 'preact/hooks';
import { ApiProblem, api, enc } from '../api.ts';
import { formatDate, VIA_LABELS } from '../format.ts';
import { useMe } from '../me.ts';
import type { Company, Me, Org } from '../model.ts';
import { href, navigate } from '../router.ts';
import {
  announce,
  Badge,
  Empty,
  ErrorMessage,
  Loading,
  Panel,
  SelectField,
  SubmitForm,
  Table,
  TextField,
  useSubmit,
} from '../ui.tsx';

type ProfileKind = 'org' | 'company';

export function Profiles() {
  const me = useMe();
  return (
    <div class="stack">
      <h1 tabIndex={-1}>Choose a profile</h1>
      <p class="lead">
        Pick the company or organization to administer. Company owners manage domains and SSO for
        every organization of the company.
      </p>

      <Panel id="your-profiles" title="Your companies and organizations" heading="h2">
        {me.data ? (
          <YourProfiles me={me.data} />
        ) : me.error ? (
          <ErrorMessage>{me.error}</ErrorMessage>
        ) : (
          <Loading>Loading your organizations…</Loading>
        )}
      </Panel>

      {me.data?.invitations.length ? <Invitations me={me.data} /> : null}
      {me.data?.truncated ? (
        <p class="hint" data-testid="me-truncated">
          You have more organizations, companies or invitations than fit here: only the first 100 of
          each are listed. Open any other by its id below.
        </p>
      ) : null}

      <div class="grid-2">
        <CreateOrg />
        <CreateCompany />
      </div>
      <OpenById me={me.data} />
    </div>
  );
}

function YourProfiles({ me }: { me: Me }) {
  const owned = me.memberships.filter((m) => m.role === 'owner');
  const memberOf = me.memberships.filter((m) => m.role !== 'owner');
  if (!me.companies.length && !me.memberships.length) {
    return (
      <Empty title="Nothing here yet.">
        Create an organization or a company below, or ask an owner to invite you to theirs.
      </Empty>
    );
  }
  return (
    <>
      {me.companies.length ? (
        <>
          <h3>Companies</h3>
          <ul class="profile-list">
            {me.companies.map((c) => (
              <li key={c.id}>
                <a href={href.company(c.id)} class="profile-link">
                  <span class="profile-name">{c.name}</span>
                  <span class="profile-kind">Company · owner</span>
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {owned.length ? (
        <>
          <h3>Organizations you own</h3>
          <ul class="profile-list">
            {owned.map((m) => (
              <li key={m.orgId}>
                <a href={href.org(m.orgId)} class="profile-link">
                  <span class="profile-name">{m.orgName}</span>
                  <span class="profile-kind">
                    Organization · owner{m.teams.length ? ` · teams ${m.teams.join(', ')}` : ''}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {memberOf.length ? (
        <>
          <h3>Organizations you are a member of</h3>
          <p class="hint">Read-only: only an organization's owners administer it.</p>
          <ul class="profile-list" aria-label="Organizations you are a member of">
            {memberOf.map((m) => (
              <li key={m.orgId} class="profile-readonly" data-testid={`member-of-${m.orgName}`}>
                <div class="profile-item">
                  <span class="profile-name">{m.orgName}</span>
                  <span class="profile-kind">
                    Member · {m.teams.length ? `teams ${m.teams.join(', ')}` : 'no team'} · joined
                    through {VIA_LABELS[m.via] ?? m.via}
                  </span>
                </div>
                <Badge tone="off">Read-only</Badge>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}

function Invitations({ me }: { me: Me }) {
  return (
    <Panel id="your-invitations" title="Pending invitations" heading="h2">
      <p class="hint">You join these organizations the next time you sign in with {me.email}.</p>
      <Table
        caption={`Invitations pending for ${me.email}`}
        columns={['Organization', 'Role', 'Team', 'Invited by', 'Date']}
        items={me.invitations}
        row={(i) => (
          <tr key={i.orgId}>
            <th scope="row" data-label="Organization">
              {i.orgName}
            </th>
            <td data-label="Role">{i.role}</td>
            <td data-label="Team">{i.team ?? '—'}</td>
            <td data-label="Invited by">{i.invitedBy}</td>
            <td data-label="Date">{formatDate(i.createdAt)}</td>
          </tr>
        )}
      />
    </Panel>
  );
}

function CreateOrg() {
  const [name, setName] = useState('');
  const [seats, setSeats] = useState('');
  const submit = useSubmit(async () => {
    const seatLimit = seats.trim() === '' ? null : Number(seats);
    const org = await api.post<Org>('/v1/orgs', { name: name.trim(), seatLimit });
    announce(`Organization ${org.name} created`);
    navigate(href.org(org.id, 'domains'));
  });
  return (
    <Panel id="create-org" title="Create an organization" heading="h2">
      <SubmitForm
        submit={submit}
        fields={['name', 'seatLimit']}
        action="Create organization"
        busyLabel="Creating…"
      >
        <TextField
          label="Organization name"
          hint="Lower-case letters, digits and hyphens, like acme-eng. It must be unique."
          required
          autocomplete="off"
          value={name}
          onValue={setName}
          error={submit.fieldError('name')}
        />
        <TextField
          label="Seat limit (optional)"
          hint="Leave empty for unlimited seats. You take the first seat."
          type="number"
          min={1}
          inputMode="numeric"
          value={seats}
          onValue={setSeats}
          error={submit.fieldError('seatLimit')}
        />
      </SubmitForm>
    </Panel>
  );
}

function CreateCompany() {
  const [name, setName] = useState('');
  const submit = useSubmit(async () => {
    const company = await api.post<Company>('/v1/companies', { name: name.trim() });
    announce(`Company ${company.name} created`);
    navigate(href.company(company.id, 'orgs'));
  });
  return (
    <Panel id="create-company" title="Create a company" heading="h2">
      <p class="hint">
        A company groups organizations: its owners manage their domains and SSO connections in one
        place.
      </p>
      <SubmitForm submit={submit} fields={['name']} action="Create company" busyLabel="Creating…">
        <TextField
          label="Company name"
          required
          autocomplete="organization"
          value={name}
          onValue={setName}
          error={submit.fieldError('name')}
        />
      </SubmitForm>
    </Panel>
  );
}

function OpenById({ me }: { me: Me | undefined }) {
  const [kind, setKind] = useState<ProfileKind>('org');
  const [id, setId] = useState('');
  const submit = useSubmit(async () => {
    const wanted = id.trim();
    if (!wanted) throw new ApiProblem(400, 'Bad Request', 'id: is required', 'id', {});
    const membership = me?.memberships.find((m) => m.orgId === wanted);
    if (kind === 'org' && membership?.role === 'member') {
      // Read-only from `/v1/me`: the org's own route is for its owners.
      navigate(href.org(membership.orgId));
    } else if (kind === 'org') {
      const org = await api.get<Org>(`/v1/orgs/${enc(wanted)}`);
      navigate(href.org(org.id));
    } else {
      const company = await api.get<Company>(`/v1/companies/${enc(wanted)}`);
      navigate(href.company(company.id));
    }
  });
  return (
    <Panel id="open-by-id" title="Open by id" heading="h2">
      <SubmitForm submit={submit} fields={['id']} action="Open" busyLabel="Opening…" inline>
        <SelectField
          label="Kind"
          value={kind}
          onValue={(v) => setKind(v as ProfileKind)}
          options={[
            { value: 'org', label: 'Organization' },
            { value: 'company', label: 'Company' },
          ]}
        />
        <TextField
          label="Id"
          autocomplete="off"
          spellcheck={false}
          value={id}
          onValue={setId}
          error={submit.fieldError('id')}
        />
      </SubmitForm>
    </Panel>
  );
}
