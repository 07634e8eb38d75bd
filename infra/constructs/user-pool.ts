/**
 * A Cognito user pool for products that do not bring their own: email sign-in, self sign-up,
 * the IdP groups attribute Provisio reads (SPEC §2), and two app clients: one for the SDK's
 * sign-in flows, one for the hosted pages that SSO connections' providers are added to.
 */
import { Aws, Fn, Names, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { mappedAttributes } from '../../shared/sso/app-clients.ts';

const CUSTOM_PREFIX = 'custom:';

export interface ProvisioUserPoolProps {
  /**
   * The attribute holding a federated user's IdP groups. When it is a custom attribute
   * (`custom:<name>`), the pool declares it (mutable, so attribute mapping can refresh it on
   * every sign-in).
   */
  readonly groupsAttribute: string;
  /**
   * What happens to the pool when it leaves the stack. Deletion protection is on unless this
   * is `DESTROY`.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The Cognito domain's prefix (hosted pages: federation, the IdPs' ACS and redirect URLs):
   * lower-case letters, digits and hyphens, without `aws`, `amazon` or `cognito`
   * (`domainPrefixProblem`); unique in the region.
   * @default - `provisio-`, the first group of the stack's id (a UUID) and a hash of the
   * construct's path
   */
  readonly domainPrefix?: string;
  /**
   * Where the hosted pages send people back after signing in with the federation client.
   * @default ['https://example.com'] (CDK's placeholder)
   */
  readonly callbackUrls?: readonly string[];
  /**
   * Where the hosted pages send people after signing out of the federation client.
   * @default - none
   */
  readonly logoutUrls?: readonly string[];
}

/** `StandardAttributesMask` keys by attribute name (Cognito's standard attributes). */
const STANDARD_ATTRIBUTE_KEYS: Readonly<Record<string, keyof cognito.StandardAttributesMask>> = {
  address: 'address',
  birthdate: 'birthdate',
  email: 'email',
  family_name: 'familyName',
  gender: 'gender',
  given_name: 'givenName',
  locale: 'locale',
  middle_name: 'middleName',
  name: 'fullname',
  nickname: 'nickname',
  phone_number: 'phoneNumber',
  picture: 'profilePicture',
  preferred_username: 'preferredUsername',
  profile: 'profilePage',
  zoneinfo: 'timezone',
  updated_at: 'lastUpdateTime',
  website: 'website',
  email_verified: 'emailVerified',
  phone_number_verified: 'phoneNumberVerified',
};

/** `names` (standard or `custom:`) as CDK's `ClientAttributes`. */
export function clientAttributes(names: readonly string[]): cognito.ClientAttributes {
  const custom = names.filter((n) => n.startsWith(CUSTOM_PREFIX));
  const mask: cognito.StandardAttributesMask = {};
  for (const name of names.filter((n) => !n.startsWith(CUSTOM_PREFIX))) {
    const key = STANDARD_ATTRIBUTE_KEYS[name];
    if (!key) throw new Error(`${name} is neither a standard Cognito attribute nor custom:…`);
    (mask as Record<string, boolean>)[key] = true;
  }
  return new cognito.ClientAttributes()
    .withStandardAttributes(mask)
    .withCustomAttributes(...custom);
}

/**
 * Why Cognito would refuse `prefix` as a domain prefix, or undefined when it is acceptable: 1 to
 * 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit, and
 * without `aws`, `amazon` or `cognito`. A token (resolved at deploy) is not checked.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html
 */
export function domainPrefixProblem(prefix: string): string | undefined {
  if (Token.isUnresolved(prefix)) return undefined;
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix)) {
    return 'it must be 1 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit';
  }
  const reserved = RESERVED_IN_PREFIX.find((word) => prefix.includes(word));
  return reserved ? `it must not contain "${reserved}"` : undefined;
}

const RESERVED_IN_PREFIX = ['aws', 'amazon', 'cognito'] as const;

/**
 * A user pool where people sign in with their email, and its app clients.
 *
 * SPEC §8, "Nobody writes their own groups": Cognito writes every attribute a provider maps
 * through the app client people sign in with, so that client must be allowed to write them, and
 * `WriteAttributes` is also what people may change about themselves with an access token
 * carrying `aws.cognito.signin.user.admin` (UpdateUserAttributes). Every token of the SDK's
 * sign-in flows (password, SRP) carries that scope. Hence two clients
 * (shared/sso/app-clients.ts says the rule):
 * - `userPoolClient` keeps password and SRP sign-in for the product and the console, takes no
 *   connection provider (COGNITO only, no OAuth), and writes only `email` and `name` (sign-up):
 *   not `email_verified`, not the groups attribute. A changed email stays unverified and the
 *   verified one stays in place until the new one is confirmed (`keepOriginal`).
 * - `federationClient` is the one connection providers are added to: hosted pages only (code
 *   grant; no explicit auth flow but refresh), scopes `openid`, `email`, `profile` and never
 *   `aws.cognito.signin.user.admin`, and write access to every mapped attribute. No token it
 *   issues can call UpdateUserAttributes.
 */
export class ProvisioUserPool extends Construct {
  public readonly userPool: cognito.UserPool;
  /**
   * Allows USER_PASSWORD_AUTH and SRP, for the pool's own users (no federation); its id is a
   * JWT audience of the admin API.
   */
  public readonly userPoolClient: cognito.UserPoolClient;
  /**
   * The hosted pages' client that SSO connections' providers are added to; its id is a JWT
   * audience of the admin API.
   */
  public readonly federationClient: cognito.UserPoolClient;
  /** The hosted domain, `https://<prefix>.auth.<region>.amazoncognito.com`. */
  public readonly domainUrl: string;

  constructor(scope: Construct, id: string, props: ProvisioUserPoolProps) {
    super(scope, id);
    const prefixProblem =
      props.domainPrefix === undefined ? undefined : domainPrefixProblem(props.domainPrefix);
    if (prefixProblem) {
      throw new Error(
        `domainPrefix "${props.domainPrefix}" cannot be a Cognito domain prefix: ${prefixProblem}`,
      );
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const groups = props.groupsAttribute.startsWith(CUSTOM_PREFIX)
      ? props.groupsAttribute.slice(CUSTOM_PREFIX.length)
      : undefined;

    this.userPool = new cognito.UserPool(this, 'Pool', {
      signInAliases: { email: true },
      signInCaseSensitive: false,
      selfSignUpEnabled: true,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      customAttributes: groups
        ? { [groups]: new cognito.StringAttribute({ mutable: true, maxLen: 2048 }) }
        : undefined,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      // Event version 2 of the Pre Token Generation trigger (the orgs claim, SPEC §9).
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: removalPolicy !== RemovalPolicy.DESTROY,
      removalPolicy,
    });

    this.userPoolClient = this.userPool.addClient('AppClient', {
      authFlows: { userPassword: true, userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      // Its tokens always carry aws.cognito.signin.user.admin: no federation, no OAuth, and it
      // writes only what sign-up gives.
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      disableOAuth: true,
      writeAttributes: clientAttributes(['email', 'name']),
    });

    this.federationClient = this.userPool.addClient('FederationClient', {
      // Every flow false, so that CDK writes ExplicitAuthFlows = [ALLOW_REFRESH_TOKEN_AUTH]
      // (left out, Cognito would allow SRP and custom sign-in).
      authFlows: {
        userPassword: false,
        userSrp: false,
        custom: false,
        adminUserPassword: false,
        user: false,
      },
      generateSecret: false,
      preventUserExistenceErrors: true,
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: props.callbackUrls ? [...props.callbackUrls] : undefined,
        logoutUrls: props.logoutUrls ? [...props.logoutUrls] : undefined,
      },
      writeAttributes: clientAttributes(mappedAttributes(props.groupsAttribute)),
    });

    // Federation (SAML and OIDC providers, SPEC §8) runs through the pool's hosted domain. A
    // prefix is global in its region: by default one unique to this stack (its id's first UUID
    // group) and pool, in hex digits, so it never holds a word Cognito reserves.
    const domainPrefix =
      props.domainPrefix ??
      Fn.join('-', [
        'provisio',
        Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID)))),
        Names.uniqueId(this).slice(-8).toLowerCase(),
      ]);
    const domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix } });
    this.domainUrl = domain.baseUrl();

    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'Whether MFA is mandatory is the product’s sign-in policy, not Provisio’s: this default pool offers TOTP MFA (OPTIONAL); a product that requires MFA passes its own pool (prop userPool / context userPoolId).',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan (threat protection) is billed per monthly active user; this default pool stays on Essentials, and a product that wants threat protection passes its own Plus pool.',
      },
    );
  }
}
