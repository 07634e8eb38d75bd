/**
 * The single DynamoDB table, built from `tableDefinition` (shared/table/schema.ts) so key,
 * index and TTL names are written once, and the only place that grants access to it.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { tableDefinition } from '../../shared/table/schema.ts';

/** What a function may do with the table. */
export interface TableAccess {
  /** Item-level actions, granted on the table itself. */
  readonly itemActions: readonly string[];
  /** Indexes the function may `Query` (by name, from `tableDefinition`). */
  readonly queryIndexes: readonly string[];
}

const READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
// TransactWriteItems has no IAM action of its own: each Put, Update, Delete and ConditionCheck
// in a transaction is authorised as PutItem, UpdateItem, DeleteItem and ConditionCheckItem.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
const TRANSACT_WRITE = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
] as const;
const ALL_INDEXES = tableDefinition.globalSecondaryIndexes.map((g) => g.indexName);

/** The access levels Provisio's functions use; no Scan, no table management, no PartiQL. */
export const tableAccess = {
  /** GetItem only: one person's summary (the pre-token trigger). */
  getItem: { itemActions: ['dynamodb:GetItem'], queryIndexes: [] },
  /**
   * One GetItem (the verified domain) and the puts and updates SSO enforcement records (events,
   * outbox items, a throttled notice and the person summary it mirrors into, no-lockout markers).
   */
  enforcement: {
    itemActions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    queryIndexes: [],
  },
  /** Reads items of the table (GetItem, BatchGetItem, Query); no index, no write. */
  read: { itemActions: [...READ], queryIndexes: [] },
  /** Reads items and indexes; writes with single-item calls or transactions. */
  readWrite: { itemActions: [...READ, ...TRANSACT_WRITE], queryIndexes: ALL_INDEXES },
  /** As `readWrite`, plus BatchWriteItem for bulk clean-up (e.g. removing a domain's items). */
  readWriteBatch: {
    itemActions: [...READ, ...TRANSACT_WRITE, 'dynamodb:BatchWriteItem'],
    queryIndexes: ALL_INDEXES,
  },
} as const satisfies Record<string, TableAccess>;

export interface ProvisioTableProps {
  /**
   * What happens to the table when it leaves the stack. Deletion protection is on unless this
   * is `DESTROY` (a throw-away development stack).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The table: on-demand, point-in-time recovery, deletion protection, a NEW_AND_OLD_IMAGES
 * stream (the notifier reads outbox items from it), AWS-managed encryption, TTL, and every
 * global secondary index of the definition with all attributes projected.
 */
export class ProvisioTable extends Construct {
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ProvisioTableProps = {}) {
    super(scope, id);
    const d = tableDefinition;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const key = (name: string): dynamodb.Attribute => ({
      name,
      type: dynamodb.AttributeType.STRING,
    });

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: key(d.partitionKey),
      sortKey: key(d.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy !== RemovalPolicy.DESTROY,
      stream: dynamodb.StreamViewType[d.streamViewType],
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: d.timeToLiveAttribute,
      removalPolicy,
    });
    for (const index of d.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }

  /** The ARN of one index of the table; throws for a name `tableDefinition` does not have. */
  indexArn(indexName: string): string {
    if (!ALL_INDEXES.some((name) => name === indexName)) {
      throw new Error(`The table has no index named ${indexName}`);
    }
    return `${this.table.tableArn}/index/${indexName}`;
  }

  /**
   * Grants exactly `access`: its item actions on the table's ARN, and `Query` on the ARN of
   * each named index (never `index/*`, never `dynamodb:*`).
   */
  grant(grantee: iam.IGrantable, access: TableAccess): iam.Grant {
    const onTable = iam.Grant.addToPrincipal({
      grantee,
      actions: [...access.itemActions],
      resourceArns: [this.table.tableArn],
    });
    if (access.queryIndexes.length === 0) return onTable;
    return onTable.combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['dynamodb:Query'],
        resourceArns: access.queryIndexes.map((name) => this.indexArn(name)),
      }),
    );
  }
}
