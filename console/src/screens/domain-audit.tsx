/**
 * Domain audit (SPEC §13): the accounts on the scope's verified domains that are not members,
 * a page at a time; a CSV export of all of them (the API writes the CSV, neutralising cells a
 * spreadsheet would evaluate); and "Invite selected", which invites the chosen accounts to an
 * org in one `POST /v1/orgs/{orgId}/invitations:bulk`.
 */
import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import type { BulkAnswer, BulkOutcome, DomainAuditEntry } from '../model.ts';
import { usePaged } from '../paged.ts';
import {
  announce,
  Badge,
  Button,
  Empty,
  ErrorMessage,
  PagedList,
  Panel,
  SelectField,
  Table,
  useSubmit,
} from '../ui.tsx';
import { type Scope, scopeOrgs } from './scope.ts';

/** Accounts per page: "Load more accounts" follows the API's cursor. */
export const AUDIT_PAGE = 50;

const METHOD_LABELS: Record<NonNullable<DomainAuditEntry['lastSignInMethod']>, string> = {
  password: 'Password',
  social: 'Social',
  sso: 'SSO',
  hook: 'Sign-in hook',
};

const OUTCOME_LABELS: Record<BulkOutcome, string> = {
  invited: 'invited',
  already_member: 'already a member',
  already_invited: 'already invited',
  duplicate: 'listed twice',
  invalid: 'not valid',
};

/** Saves a downloaded file as the browser saves any download. */
function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** What a bulk invitation answered, in words: how many were invited and what happened to the rest. */
export function bulkSummary(result: BulkAnswer): string {
  const counts = new Map<string, number>();
  for (const r of result.results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  const invited = counts.get('invited') ?? 0;
  const rest = [...counts]
    .filter(([o]) => o !== 'invited')
    .map(([o, n]) => `${n} ${OUTCOME_LABELS[o as keyof typeof OUTCOME_LABELS] ?? o}`);
  return `Invited ${invited} ${invited === 1 ? 'person' : 'people'}${rest.length ? `; ${rest.join(', ')}` : ''}.`;
}

export function DomainAudit({ scope }: { scope: Scope }) {
  const audit = usePaged<DomainAuditEntry>(`${scope.base}/domain-audit`, AUDIT_PAGE);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const orgs = scopeOrgs(scope);
  const [targetOrg, setTargetOrg] = useState(orgs[0]?.id ?? '');
  const [result, setResult] = useState<string>();
  const exporting = useSubmit(async () => {
    const file = await api.download(
      `${scope.base}/domain-audit?format=csv`,
      `domain-audit-${scope.id}.csv`,
    );
    save(file.blob, file.filename);
    const more = file.headers.get('provisio-next-cursor');
    announce(
      more
        ? 'Downloaded the first 10,000 accounts of the domain audit.'
        : 'Downloaded the domain audit as CSV.',
    );
  });
  const inviting = useSubmit(async () => {
    const emails = audit.items
      .filter((e) => selected.has(e.email) && e.status === 'uncaptured')
      .map((e) => e.email);
    const answer = await api.post<BulkAnswer>(
      `/v1/orgs/${enc(targetOrg)}/invitations:bulk`,
      { invitations: emails.map((email) => ({ email })) },
      // The same click sent twice (a retry) invites and mails nobody twice.
      { 'idempotency-key': crypto.randomUUID() },
    );
    const summary = bulkSummary(answer);
    setResult(summary);
    announce(summary);
    setSelected(new Set());
    await audit.reload();
  });

  const selectable = audit.items.filter((e) => e.status === 'uncaptured');
  const chosen = selectable.filter((e) => selected.has(e.email));
  const toggle = (email: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(email);
    else next.delete(email);
    setSelected(next);
  };
  const allChosen = selectable.length > 0 && chosen.length === selectable.length;

  return (
    <Panel
      id="domain-audit-title"
      title="Domain audit"
      action={
        <Button onClick={() => exporting.run()} busy={exporting.busy} busyLabel="Exporting…">
          Export CSV
        </Button>
      }
    >
      <p class="hint">
        People who signed in with an address on a verified domain of {scope.name} and are not{' '}
        {scope.kind === 'org' ? 'its members' : 'members of any of its organizations'}. The last
        sign-in is recorded once a day.
      </p>
      {exporting.error ? <ErrorMessage>{exporting.error.message}</ErrorMessage> : null}
      <div class="toolbar">
        {scope.kind === 'company' ? (
          <SelectField
            label="Invite to"
            value={targetOrg}
            onValue={setTargetOrg}
            options={orgs.map((o) => ({ value: o.id, label: o.name }))}
          />
        ) : null}
        <Button
          variant="primary"
          disabled={chosen.length === 0 || !targetOrg}
          onClick={() => inviting.run()}
          busy={inviting.busy}
          busyLabel="Inviting…"
        >
          Invite selected ({chosen.length})
        </Button>
        <p class="hint" aria-live="polite">
          {audit.loading && audit.items.length === 0
            ? ''
            : `${audit.items.length} ${audit.items.length === 1 ? 'account' : 'accounts'}${audit.more ? ' loaded so far' : ''}, ${chosen.length} selected.`}
        </p>
      </div>
      {inviting.error ? <ErrorMessage>{inviting.error.message}</ErrorMessage> : null}
      {result ? <p class="notice">{result}</p> : null}
      <PagedList
        list={audit}
        loading="Loading the domain audit…"
        empty={
          <Empty title="Everyone on your verified domains is a member.">
            Accounts appear here when someone signs in with an address on a verified domain without
            being a member. A domain counts once it is verified.
          </Empty>
        }
        what="accounts"
      >
        <Table
          caption={`Domain audit of ${scope.name}`}
          columns={['Select', 'Email', 'Name and username', 'Last sign-in', 'Status']}
          items={audit.items}
          row={(e) => (
            <tr key={e.email} data-status={e.status}>
              <td data-label="Select">
                {e.status === 'uncaptured' ? (
                  <input
                    type="checkbox"
                    aria-label={`Select ${e.email}`}
                    checked={selected.has(e.email)}
                    onChange={(ev) => toggle(e.email, ev.currentTarget.checked)}
                  />
                ) : null}
              </td>
              <td data-label="Email">{e.email}</td>
              <td data-label="Name">
                {e.name ?? ''}
                <span class="event-summary audit-username">{e.username}</span>
              </td>
              <td data-label="Last sign-in">
                {e.lastSignInOn ? (
                  <span class="audit-sign-in">
                    <time dateTime={e.lastSignInOn}>{e.lastSignInOn}</time>
                    {e.lastSignInMethod ? (
                      <span class="event-summary">{METHOD_LABELS[e.lastSignInMethod]}</span>
                    ) : null}
                  </span>
                ) : (
                  'Not recorded'
                )}
              </td>
              <td data-label="Status">
                {e.status === 'invited' ? (
                  <Badge tone="info">Invited</Badge>
                ) : (
                  <Badge tone="off">Not a member</Badge>
                )}
              </td>
            </tr>
          )}
        />
        {selectable.length ? (
          <p>
            <Button
              variant="link"
              onClick={() =>
                setSelected(allChosen ? new Set() : new Set(selectable.map((e) => e.email)))
              }
            >
              {allChosen ? 'Clear the selection' : `Select all ${selectable.length} loaded`}
            </Button>
          </p>
        ) : null}
      </PagedList>
    </Panel>
  );
}
