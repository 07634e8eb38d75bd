import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { proposeUsername, USERNAME } from '../../../shared/sign-in/username.ts';

describe('usernames', () => {
  it('derives from the local part plus random digits', () => {
    expect(proposeUsername('ada.lovelace+work', null, 0, () => 7)).toBe('adalovelace7777');
  });
  it('falls back to the name, then to "user"', () => {
    expect(proposeUsername('---', 'Zoë Ölund', 0, () => 1)).toBe('zoeolund1111');
    expect(proposeUsername('...', null, 0, () => 1)).toBe('user1111');
  });
  it('widens the random suffix after collisions', () => {
    expect(proposeUsername('ada', null, 3, () => 2)).toBe('ada2222222');
  });
  it('always matches ^[a-z0-9]{4,30}$', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80 }),
        fc.option(fc.string({ maxLength: 80 })),
        fc.nat(20),
        (local, name, attempt) => {
          expect(proposeUsername(local, name, attempt)).toMatch(USERNAME);
        },
      ),
    );
  });
});
