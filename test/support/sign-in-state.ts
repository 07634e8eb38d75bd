/** A sign-in and the state it is decided on, for unit tests of the sign-in's policy and retries. */
import type { Account, SignIn, SignInState } from '../../shared/model/types.ts';

/** A verified password sign-in of ada@acme.com. */
export const adaSignIn: SignIn = {
  email: 'ada@acme.com',
  domain: 'acme.com',
  emailVerified: true,
  name: 'Ada',
  connection: undefined,
  groups: [],
};

/** The state of a person known by nothing but, optionally, their account. */
export const stateOf = (account?: Account): SignInState => ({
  person: { account, memberships: [], teamMemberships: [], invitations: [], notices: [] },
  domain: undefined,
  connection: undefined,
  orgs: {},
  orgIdsByName: {},
});
