/**
 * Usernames (SPEC §3.1): `^[a-z0-9]{4,30}$`, from the email's local part or the name plus random
 * digits. Uniqueness is the store's job (a conditional write on the username guard).
 */
import { randomInt } from 'node:crypto';

export const USERNAME = /^[a-z0-9]{4,30}$/;

/** A candidate username; `attempt` widens the random suffix after collisions. */
export function proposeUsername(
  local: string,
  name: string | null,
  attempt = 0,
  random: (max: number) => number = randomInt,
): string {
  const fold = (s: string) =>
    s
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '');
  let base = fold(local.split('+')[0] ?? '') || fold(name ?? '') || 'user';
  const digits = Math.min(4 + attempt, 10);
  base = base.slice(0, 30 - digits);
  if (base.length + digits < 4) base = base.padEnd(4 - digits, 'x');
  let suffix = '';
  for (let i = 0; i < digits; i++) suffix += String(random(10));
  return `${base}${suffix}`;
}
