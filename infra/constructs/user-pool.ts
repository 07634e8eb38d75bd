/**
 * A Cognito user pool for products that do not bring their own: email sign-in, self sign-up,
 * the IdP groups attribute Provisio reads (SPEC §2), and one app client.
 */
import { Aws, Fn, Names, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

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

/** A user pool where people sign in with their email, and an app client for the product. */
export class ProvisioUserPool extends Construct {
  public readonly userPool: cognito.UserPool;
  /** Allows USER_PASSWORD_AUTH and SRP; its id is the JWT audience of the admin API. */
  public readonly userPoolClient: cognito.UserPoolClient;
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
