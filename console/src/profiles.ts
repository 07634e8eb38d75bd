/**
 * The orgs and companies this person opened or created in this browser. The admin API has no
 * "what do I administer" route (SPEC §5), so the console remembers them locally, per email,
 * and anything else can be opened by its id.
 */
export type ProfileKind = 'org' | 'company';

export interface Profile {
  readonly kind: ProfileKind;
  readonly id: string;
  readonly name: string;
}

const key = (email: string) => `provisio.console.profiles.${email}`;

export function listProfiles(email: string): Profile[] {
  try {
    const raw = localStorage.getItem(key(email));
    const list = raw ? (JSON.parse(raw) as Profile[]) : [];
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function save(email: string, list: Profile[]): void {
  try {
    localStorage.setItem(key(email), JSON.stringify(list));
  } catch {
    // Storage full or disabled: the list is a convenience, the console works without it.
  }
}

/** Adds or renames a profile, most recent first. */
export function rememberProfile(email: string, profile: Profile): void {
  const rest = listProfiles(email).filter((p) => !(p.kind === profile.kind && p.id === profile.id));
  save(email, [profile, ...rest]);
}

export function forgetProfile(email: string, kind: ProfileKind, id: string): void {
  save(
    email,
    listProfiles(email).filter((p) => !(p.kind === kind && p.id === id)),
  );
}
