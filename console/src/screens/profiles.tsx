/**
 * Choose profile: the orgs and companies this person opened or created in this browser (the API
 * has no route listing them: see profiles.ts), create an org or a company, or open one by id.
 */
import { useState } from 'preact/hooks';
import { ApiProblem, api, enc } from '../api.ts';
import type { Company, Org } from '../model.ts';
import {
  forgetProfile,
  listProfiles,
  type Profile,
  type ProfileKind,
  rememberProfile,
} from '../profiles.ts';
import { href, navigate } from '../router.ts';
import { announce, Button, Empty, SelectField, SubmitForm, TextField, useSubmit } from '../ui.tsx';

export function Profiles({ email }: { email: string }) {
  const [profiles, setProfiles] = useState(() => listProfiles(email));
  const forget = (p: Profile) => {
    forgetProfile(email, p.kind, p.id);
    setProfiles(listProfiles(email));
    announce(`${p.name} removed from this list`);
  };
  const companies = profiles.filter((p) => p.kind === 'company');
  const orgs = profiles.filter((p) => p.kind === 'org');

  return (
    <div class="stack">
      <h1 tabIndex={-1}>Choose a profile</h1>
      <p class="lead">
        Pick the company or organization to administer. Company owners manage domains and SSO for
        every organization of the company.
      </p>

      <section aria-labelledby="your-profiles" class="card">
        <h2 id="your-profiles">Your companies and organizations</h2>
        {profiles.length === 0 ? (
          <Empty title="Nothing here yet.">
            Create an organization or a company below. To administer one someone else created, ask
            them for its id and open it by id: this list shows what you opened in this browser.
          </Empty>
        ) : (
          <>
            {companies.length ? (
              <ProfileList title="Companies" items={companies} onForget={forget} />
            ) : null}
            {orgs.length ? (
              <ProfileList title="Organizations" items={orgs} onForget={forget} />
            ) : null}
          </>
        )}
      </section>

      <div class="grid-2">
        <CreateOrg email={email} />
        <CreateCompany email={email} />
      </div>
      <OpenById email={email} />
    </div>
  );
}

function ProfileList(props: { title: string; items: Profile[]; onForget: (p: Profile) => void }) {
  return (
    <>
      <h3>{props.title}</h3>
      <ul class="profile-list">
        {props.items.map((p) => (
          <li key={`${p.kind}:${p.id}`}>
            <a href={p.kind === 'org' ? href.org(p.id) : href.company(p.id)} class="profile-link">
              <span class="profile-name">{p.name}</span>
              <span class="profile-kind">{p.kind === 'org' ? 'Organization' : 'Company'}</span>
            </a>
            <Button variant="link" onClick={() => props.onForget(p)}>
              Remove<span class="visually-hidden"> {p.name} from this list</span>
            </Button>
          </li>
        ))}
      </ul>
    </>
  );
}

function CreateOrg({ email }: { email: string }) {
  const [name, setName] = useState('');
  const [seats, setSeats] = useState('');
  const submit = useSubmit(async () => {
    const seatLimit = seats.trim() === '' ? null : Number(seats);
    const org = await api.post<Org>('/v1/orgs', { name: name.trim(), seatLimit });
    rememberProfile(email, { kind: 'org', id: org.id, name: org.name });
    announce(`Organization ${org.name} created`);
    navigate(href.org(org.id, 'domains'));
  });
  return (
    <section aria-labelledby="create-org" class="card">
      <h2 id="create-org">Create an organization</h2>
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
    </section>
  );
}

function CreateCompany({ email }: { email: string }) {
  const [name, setName] = useState('');
  const submit = useSubmit(async () => {
    const company = await api.post<Company>('/v1/companies', { name: name.trim() });
    rememberProfile(email, { kind: 'company', id: company.id, name: company.name });
    announce(`Company ${company.name} created`);
    navigate(href.company(company.id, 'orgs'));
  });
  return (
    <section aria-labelledby="create-company" class="card">
      <h2 id="create-company">Create a company</h2>
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
    </section>
  );
}

function OpenById({ email }: { email: string }) {
  const [kind, setKind] = useState<ProfileKind>('org');
  const [id, setId] = useState('');
  const submit = useSubmit(async () => {
    const wanted = id.trim();
    if (!wanted) throw new ApiProblem(400, 'Bad Request', 'id: is required', 'id', {});
    if (kind === 'org') {
      const org = await api.get<Org>(`/v1/orgs/${enc(wanted)}`);
      rememberProfile(email, { kind, id: org.id, name: org.name });
      navigate(href.org(org.id));
    } else {
      const company = await api.get<Company>(`/v1/companies/${enc(wanted)}`);
      rememberProfile(email, { kind, id: company.id, name: company.name });
      navigate(href.company(company.id));
    }
  });
  return (
    <section aria-labelledby="open-by-id" class="card">
      <h2 id="open-by-id">Open by id</h2>
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
    </section>
  );
}
