/**
 * The SCIM schemas this service provider supports (RFC 7643 §4, §8.7) and the three discovery
 * documents of RFC 7644 §4: `/Schemas`, `/ResourceTypes` and `/ServiceProviderConfig`.
 *
 * The attribute definitions drive everything else in `shared/scim/`: the normaliser (canonical
 * names, types), filters (`caseExact`, dates), PATCH paths (what exists) and projection.
 */

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SERVICE_PROVIDER_CONFIG_SCHEMA =
  'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

/** The largest page of a list response (and `filter.maxResults`). */
export const MAX_RESULTS = 100;

export type ResourceKind = 'User' | 'Group';

export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'binary'
  | 'complex';

/** One attribute of a schema, in the shape RFC 7643 §7 gives for the `/Schemas` document. */
export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  readonly returned: 'always' | 'never' | 'default' | 'request';
  readonly uniqueness: 'none' | 'server' | 'global';
  readonly subAttributes?: readonly AttributeDefinition[];
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
}

export interface SchemaDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

type Options = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>>;

const attr = (
  name: string,
  type: AttributeType,
  description: string,
  options: Options = {},
): AttributeDefinition => ({
  name,
  type,
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...options,
});

const str = (name: string, description: string, options: Options = {}) =>
  attr(name, 'string', description, options);

const complex = (
  name: string,
  description: string,
  subAttributes: readonly AttributeDefinition[],
  options: Options = {},
) => attr(name, 'complex', description, { ...options, subAttributes });

const typeAttr = (label: string, canonicalValues: readonly string[]) =>
  str('type', `A label indicating the ${label}'s function.`, { canonicalValues });

const primaryAttr = (label: string) =>
  attr(
    'primary',
    'boolean',
    `A Boolean value indicating the 'primary' or preferred ${label}. The primary attribute value 'true' MUST appear no more than once.`,
  );

/** `emails`, `phoneNumbers`, `ims` and `photos` share one shape (RFC 7643 §2.4). */
const multiValuedStrings = (
  name: string,
  label: string,
  canonicalTypes: readonly string[],
  valueType: 'string' | 'reference' = 'string',
) =>
  complex(
    name,
    `${label}s for the User.`,
    [
      attr('value', valueType, `${label} for the User.`, {
        ...(valueType === 'reference' ? { referenceTypes: ['external'], caseExact: true } : {}),
      }),
      str('display', `A human-readable name, primarily used for display purposes. READ-ONLY.`),
      typeAttr(label.toLowerCase(), canonicalTypes),
      primaryAttr(label.toLowerCase()),
    ],
    { multiValued: true },
  );

/** `id`, `externalId` and `meta` (RFC 7643 §3.1): on every resource, `id` and `meta` read-only. */
export const ID_ATTRIBUTE = str(
  'id',
  'Unique identifier for the SCIM resource, assigned by the service provider.',
  {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  },
);

export const EXTERNAL_ID_ATTRIBUTE = str(
  'externalId',
  'A String that is an identifier for the resource as defined by the provisioning client.',
  { caseExact: true },
);

export const META_ATTRIBUTE = complex(
  'meta',
  'A complex attribute containing resource metadata.',
  [
    str('resourceType', 'The name of the resource type of the resource.', {
      caseExact: true,
      mutability: 'readOnly',
    }),
    attr(
      'created',
      'dateTime',
      'The DateTime that the resource was added to the service provider.',
      {
        mutability: 'readOnly',
      },
    ),
    attr(
      'lastModified',
      'dateTime',
      'The most recent DateTime that the details of this resource were updated.',
      {
        mutability: 'readOnly',
      },
    ),
    attr('location', 'reference', 'The URI of the resource being returned.', {
      caseExact: true,
      mutability: 'readOnly',
      referenceTypes: ['uri'],
    }),
    str('version', 'The version (ETag) of the resource being returned.', {
      caseExact: true,
      mutability: 'readOnly',
    }),
  ],
  { mutability: 'readOnly' },
);

const USER_ATTRIBUTES: readonly AttributeDefinition[] = [
  str(
    'userName',
    'Unique identifier for the User, typically used by the user to directly authenticate to the service provider. REQUIRED.',
    {
      required: true,
      uniqueness: 'server',
    },
  ),
  complex('name', "The components of the user's real name.", [
    str(
      'formatted',
      "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III').",
    ),
    str(
      'familyName',
      "The family name of the User, or last name in most Western languages (e.g., 'Jensen' given the full name 'Ms. Barbara J Jensen, III').",
    ),
    str(
      'givenName',
      "The given name of the User, or first name in most Western languages (e.g., 'Barbara' given the full name 'Ms. Barbara J Jensen, III').",
    ),
    str(
      'middleName',
      "The middle name(s) of the User (e.g., 'Jane' given the full name 'Ms. Barbara J Jensen, III').",
    ),
    str(
      'honorificPrefix',
      "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' given the full name 'Ms. Barbara J Jensen, III').",
    ),
    str(
      'honorificSuffix',
      "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' given the full name 'Ms. Barbara J Jensen, III').",
    ),
  ]),
  str('displayName', 'The name of the User, suitable for display to end-users.'),
  str(
    'nickName',
    "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'.",
  ),
  attr(
    'profileUrl',
    'reference',
    "A fully qualified URL pointing to a page representing the User's online profile.",
    {
      referenceTypes: ['external'],
    },
  ),
  str('title', "The user's title, such as 'Vice President'."),
  str(
    'userType',
    "Used to identify the relationship between the organization and the user. Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used.",
  ),
  str(
    'preferredLanguage',
    "Indicates the User's preferred written or spoken language. Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US.",
  ),
  str(
    'locale',
    "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations.",
  ),
  str(
    'timezone',
    "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'.",
  ),
  attr('active', 'boolean', "A Boolean value indicating the User's administrative status."),
  multiValuedStrings('emails', 'Email address', ['work', 'home', 'other']),
  multiValuedStrings('phoneNumbers', 'Phone number', [
    'work',
    'home',
    'mobile',
    'fax',
    'pager',
    'other',
  ]),
  multiValuedStrings('ims', 'Instant messaging address', [
    'aim',
    'gtalk',
    'icq',
    'xmpp',
    'msn',
    'skype',
    'qq',
    'yahoo',
  ]),
  multiValuedStrings('photos', 'URL of a photo', ['photo', 'thumbnail'], 'reference'),
  complex(
    'addresses',
    'A physical mailing address for this User.',
    [
      str(
        'formatted',
        'The full mailing address, formatted for display or use with a mailing label.',
      ),
      str(
        'streetAddress',
        'The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information.',
      ),
      str('locality', 'The city or locality component.'),
      str('region', 'The state or region component.'),
      str('postalCode', 'The zip code or postal code component.'),
      str('country', 'The country name component.'),
      typeAttr('address', ['work', 'home', 'other']),
      primaryAttr('address'),
    ],
    { multiValued: true },
  ),
  EXTERNAL_ID_ATTRIBUTE,
];

const ENTERPRISE_USER_ATTRIBUTES: readonly AttributeDefinition[] = [
  str(
    'employeeNumber',
    'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.',
  ),
  str('costCenter', 'Identifies the name of a cost center.'),
  str('organization', 'Identifies the name of an organization.'),
  str('division', 'Identifies the name of a division.'),
  str('department', 'Identifies the name of a department.'),
  complex('manager', "The User's manager.", [
    str('value', "The id of the SCIM resource representing the User's manager. REQUIRED.", {
      caseExact: true,
    }),
    attr('$ref', 'reference', "The URI of the SCIM resource representing the User's manager.", {
      caseExact: true,
      referenceTypes: ['User'],
    }),
    str('displayName', "The displayName of the User's manager. READ-ONLY.", {
      mutability: 'readOnly',
    }),
  ]),
];

const GROUP_ATTRIBUTES: readonly AttributeDefinition[] = [
  str('displayName', 'A human-readable name for the Group. REQUIRED.', { required: true }),
  complex(
    'members',
    'A list of members of the Group.',
    [
      str('value', 'Identifier of the member of this Group.', {
        caseExact: true,
        mutability: 'immutable',
      }),
      str('display', 'A human-readable name for the member.', { mutability: 'immutable' }),
      str('type', "A label indicating the type of resource, e.g., 'User' or 'Group'.", {
        canonicalValues: ['User', 'Group'],
        mutability: 'immutable',
      }),
      attr(
        '$ref',
        'reference',
        'The URI corresponding to a SCIM resource that is a member of this Group.',
        {
          caseExact: true,
          mutability: 'immutable',
          referenceTypes: ['User', 'Group'],
        },
      ),
    ],
    { multiValued: true },
  ),
  EXTERNAL_ID_ATTRIBUTE,
];

export const USER_SCHEMA_DEFINITION: SchemaDefinition = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: USER_ATTRIBUTES,
};

export const ENTERPRISE_USER_SCHEMA_DEFINITION: SchemaDefinition = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: ENTERPRISE_USER_ATTRIBUTES,
};

export const GROUP_SCHEMA_DEFINITION: SchemaDefinition = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: GROUP_ATTRIBUTES,
};

/**
 * The enterprise extension seen as one complex attribute named by its URN, which is how it
 * appears in a resource (`{"urn:…:enterprise:2.0:User": {"department": "…"}}`). This lets paths
 * such as `urn:…:enterprise:2.0:User:department` resolve like `name.givenName`.
 */
export const ENTERPRISE_USER_ATTRIBUTE: AttributeDefinition = complex(
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_DEFINITION.description,
  ENTERPRISE_USER_ATTRIBUTES,
);

/** The core schema of a resource kind. */
export function coreSchema(kind: ResourceKind): SchemaDefinition {
  return kind === 'User' ? USER_SCHEMA_DEFINITION : GROUP_SCHEMA_DEFINITION;
}

/**
 * Every top-level attribute a resource of this kind can have, including `id`, `meta` and (for
 * users) the enterprise extension as one complex attribute.
 */
export function resourceAttributes(kind: ResourceKind): readonly AttributeDefinition[] {
  return kind === 'User' ? USER_RESOURCE_ATTRIBUTES : GROUP_RESOURCE_ATTRIBUTES;
}

const USER_RESOURCE_ATTRIBUTES = [
  ID_ATTRIBUTE,
  ...USER_ATTRIBUTES,
  ENTERPRISE_USER_ATTRIBUTE,
  META_ATTRIBUTE,
];
const GROUP_RESOURCE_ATTRIBUTES = [ID_ATTRIBUTE, ...GROUP_ATTRIBUTES, META_ATTRIBUTE];

/**
 * The top-level attributes a client writes to a resource of this kind (a POST, PUT or PATCH):
 * its core schema's and, for users, the enterprise extension as one complex attribute.
 */
export function writableAttributes(kind: ResourceKind): readonly AttributeDefinition[] {
  return kind === 'User' ? USER_WRITABLE_ATTRIBUTES : GROUP_ATTRIBUTES;
}

const USER_WRITABLE_ATTRIBUTES = [...USER_ATTRIBUTES, ENTERPRISE_USER_ATTRIBUTE];

/** Finds an attribute by name, case-insensitively (RFC 7643 §2.1). */
export function findAttribute(
  attributes: readonly AttributeDefinition[],
  name: string,
): AttributeDefinition | undefined {
  const lower = name.toLowerCase();
  return attributes.find((a) => a.name.toLowerCase() === lower);
}

/** The schema URIs a path or attribute name may be qualified with, for a kind. */
export function schemaUris(kind: ResourceKind): readonly string[] {
  return kind === 'User' ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [GROUP_SCHEMA];
}

/** A SCIM ListResponse (RFC 7644 §3.4.2). */
export interface ListResponse<T> {
  schemas: [typeof LIST_RESPONSE_SCHEMA];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: T[];
}

/** Wraps one page of resources in a ListResponse. */
export function listResponse<T>(
  resources: T[],
  page: { totalResults?: number; startIndex?: number } = {},
): ListResponse<T> {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: page.totalResults ?? resources.length,
    startIndex: page.startIndex ?? 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

const trimSlash = (baseUrl: string) => baseUrl.replace(/\/+$/, '');

/** A schema as a `/Schemas` resource (RFC 7643 §7). */
export function schemaResource(schema: SchemaDefinition, baseUrl?: string) {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes,
    meta: {
      resourceType: 'Schema',
      ...(baseUrl === undefined ? {} : { location: `${trimSlash(baseUrl)}/Schemas/${schema.id}` }),
    },
  };
}

/** The `/Schemas` ListResponse: User, Group and the enterprise User extension. */
export function schemasDocument(baseUrl?: string) {
  return listResponse(
    [USER_SCHEMA_DEFINITION, GROUP_SCHEMA_DEFINITION, ENTERPRISE_USER_SCHEMA_DEFINITION].map((s) =>
      schemaResource(s, baseUrl),
    ),
  );
}

/** The `/ResourceTypes` ListResponse (RFC 7643 §6): `User` at `/Users` first, then `Group`. */
export function resourceTypesDocument(baseUrl: string) {
  const base = trimSlash(baseUrl);
  return listResponse([
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: GROUP_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ]);
}

/** The `/ServiceProviderConfig` resource (RFC 7643 §5): what this service provider supports. */
export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with the bearer token generated for this SSO connection.',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${trimSlash(baseUrl)}/ServiceProviderConfig`,
    },
  };
}
