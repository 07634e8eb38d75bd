/**
 * What a sign-in's provider proves (SPEC §2, §8). Pure.
 */

/**
 * Cognito's built-in social providers. A sign-in through one of them follows SPEC §3.5, so it may
 * fail open, and its `email_verified` is the provider's word; any other federated provider is
 * either an SSO connection's (trusted for that connection's verified domains only) or proves
 * nothing about the address.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-social-idp.html
 */
export const SOCIAL_PROVIDERS: ReadonlySet<string> = new Set([
  'Google',
  'Facebook',
  'LoginWithAmazon',
  'SignInWithApple',
]);

/** A federated provider that is not one of Cognito's social providers. */
export const isEnterpriseProvider = (providerName: string | undefined): boolean =>
  !!providerName && !SOCIAL_PROVIDERS.has(providerName);
