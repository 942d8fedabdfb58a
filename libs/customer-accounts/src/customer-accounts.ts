import { randomBytes } from 'node:crypto';
import { CUSTOMER_ID_PATTERN, type CustomerApiKeyRecord, type KeyChannel } from '@tickwire/customer-keys';
import type { KafkaAclSpec } from '@tickwire/resources';
import type { ApiKeyPort, KafkaAclPort, ScramUserPort } from './customer-account-ports';
import {
  customerGroupPrefix,
  customerIdOfKafkaUser,
  customerKafkaAcls,
  customerKafkaTopics,
  customerKafkaUser,
  readableTopicsOf,
} from './customer-kafka-access';

/** What a customer account is created with: the API key's entitlements and limits. */
export interface NewCustomerAccount {
  /** Lowercase letters, digits and hyphens, 1-63 (CUSTOMER_ID_PATTERN of @tickwire/customer-keys). */
  customerId: string;
  /** Gateway channels; the Kafka topics follow from them (see KAFKA_TOPIC_OF_CHANNEL). */
  channels: readonly KeyChannel[];
  /** Symbols, or `['*']`; they apply on the gateway's protocols only (Kafka entitles whole topics). */
  symbols: readonly string[];
  /** Simultaneous gateway connections of the customer; default 5. */
  maxConnections?: number;
  /** Distinct symbols per gateway connection; default 100. */
  maxSymbols?: number;
  label?: string;
}

/**
 * Every credential of a customer account, as `create` and `rotate` issue them (the secrets are shown
 * this once: only hashes of the API key and Alpaca secret are stored, and the Kafka password lives
 * only in the broker's salted SCRAM credential or, on MSK, in Secrets Manager).
 */
export interface IssuedCustomerAccount {
  customerId: string;
  /** For `/v1/stream`, GraphQL and REST (`x-api-key`): `tw_` + 43 base64url characters. */
  apiKey: string;
  /** For Alpaca's SDKs on `/v2/tickwire` (their `api_key` / `keyId`). */
  alpacaKeyId: string;
  /** For Alpaca's SDKs on `/v2/tickwire` (their `secret_key` / `secret`). */
  alpacaSecret: string;
  /** SCRAM-SHA-512 user on Kafka's SCRAM listener, `customer.<id>`. */
  kafkaUser: string;
  /** Its password, 43 base64url characters (256 random bits). */
  kafkaPassword: string;
  /** Consumer groups of this customer must start with it: `customer.<id>.`. */
  kafkaGroupPrefix: string;
  /** The public id of the API key (`key_<12 hex>`), for `keys.ts` and the logs. */
  keyId: string;
  /** The topics the Kafka user may read, sorted. */
  kafkaTopics: string[];
}

/** One customer in {@link CustomerAccounts.list}. */
export interface CustomerAccountSummary {
  customerId: string;
  /**
   * `active`: an unrevoked API key and a Kafka user; `revoked`: neither; `incomplete`: one without
   * the other (e.g. a key made by `keys.ts`, or a failed create: `revoke` clears it).
   */
  status: 'active' | 'revoked' | 'incomplete';
  /** The newest unrevoked API key, if any. */
  keyId?: string;
  alpacaKeyId?: string;
  channels: KeyChannel[];
  symbols: string[];
  kafkaUser: string;
  /** Whether the cluster has that SCRAM user. */
  kafkaUserExists: boolean;
  kafkaGroupPrefix: string;
  /** Topics the user's ACLs let it read, sorted. */
  kafkaTopics: string[];
  /** Epoch ms UTC of the newest key's creation, if any. */
  createdAt?: number;
}

/** What {@link CustomerAccounts.revoke} withdrew. */
export interface RevokedCustomerAccount {
  customerId: string;
  /** Key ids revoked now (with their Alpaca credentials). */
  revokedKeyIds: string[];
  /** ACLs of the Kafka user deleted. */
  deletedAcls: number;
  /** Whether a SCRAM user was deleted. */
  kafkaUserDeleted: boolean;
}

/** Thrown by `create` when the customer already has an unrevoked key or a Kafka user (rotate or revoke it instead). */
export class CustomerAccountExistsError extends Error {
  override readonly name = 'CustomerAccountExistsError';
}

/** Thrown by `rotate` and `revoke` when the customer has nothing to rotate or revoke. */
export class CustomerAccountNotFoundError extends Error {
  override readonly name = 'CustomerAccountNotFoundError';
}

/** Thrown on an invalid customer id (before anything is touched). */
export class InvalidCustomerIdError extends Error {
  override readonly name = 'InvalidCustomerIdError';
}

/** A Kafka password: 32 random bytes, base64url (43 characters, safe for every SCRAM tool and for Secrets Manager JSON). */
export function generateKafkaPassword(): string {
  return randomBytes(32).toString('base64url');
}

const DEFAULT_LIMITS = { maxConnections: 5, maxSymbols: 100 } as const;

/**
 * Customer accounts: one command issues, rotates or withdraws everything a customer connects with,
 * the API key (gateway), its Alpaca key id and secret (`/v2/tickwire`) and a SCRAM-SHA-512 Kafka
 * user of its own with ACLs for exactly its entitled topics and its consumer-group prefix
 * `customer.<id>.` (see customerKafkaAcls).
 *
 * The three stores are separate systems with no common transaction: `create` undoes what it did
 * when a later step fails, and `revoke` removes whatever exists, so a half-made account can always
 * be cleared. Revocation order matters: the ACLs go first, which stops a connected Kafka consumer at
 * its next request (an authenticated connection outlives the deletion of its SCRAM credential).
 */
export class CustomerAccounts {
  constructor(
    private readonly keys: ApiKeyPort,
    private readonly scramUsers: ScramUserPort,
    private readonly acls: KafkaAclPort,
    private readonly newPassword: () => string = generateKafkaPassword,
  ) {}

  /**
   * Creates the account of `request.customerId`.
   * @returns every credential, shown this once.
   * @throws InvalidCustomerIdError; CustomerAccountExistsError when the customer has an unrevoked key
   *   or a Kafka user; InvalidApiKeyRequestError (customer-keys) on invalid channels, symbols or
   *   limits; the stores' errors (after undoing what was done).
   */
  async create(request: NewCustomerAccount): Promise<IssuedCustomerAccount> {
    checkCustomerId(request.customerId);
    const kafkaUser = customerKafkaUser(request.customerId);
    const active = (await this.keys.listByCustomer(request.customerId)).filter((key) => key.revokedAt === undefined);
    const userExists = (await this.scramUsers.listUsers()).includes(kafkaUser);
    if (active.length > 0 || userExists) {
      const what = [...active.map((key) => `API key ${key.keyId}`), ...(userExists ? [`Kafka user ${kafkaUser}`] : [])];
      throw new CustomerAccountExistsError(`customer ${request.customerId} has an account (${what.join(', ')}); rotate or revoke it`);
    }

    const issued = await this.keys.create({
      customerId: request.customerId,
      channels: request.channels,
      symbols: request.symbols,
      maxConnections: request.maxConnections ?? DEFAULT_LIMITS.maxConnections,
      maxSymbols: request.maxSymbols ?? DEFAULT_LIMITS.maxSymbols,
      ...(request.label ? { label: request.label } : {}),
    });
    try {
      return await this.grantKafka(issued, request.channels);
    } catch (error) {
      await this.undo(request.customerId, [issued.record.keyId]);
      throw error;
    }
  }

  /**
   * Replaces every secret of the account: a new API key with the newest active key's entitlements
   * and limits (and so a new Alpaca key id and secret), then a new Kafka password (the ACLs are
   * re-applied for the same entitlements), then the old keys are revoked. Kafka connections
   * authenticated with the old password stay open until they reconnect; gateways stop accepting the
   * old key within their key cache TTL.
   * @returns every credential, shown this once.
   * @throws InvalidCustomerIdError; CustomerAccountNotFoundError when the customer has no unrevoked
   *   key; the stores' errors (the old keys keep working; the Kafka password may already be a new one
   *   that was never shown, so rotate again).
   */
  async rotate(customerId: string): Promise<IssuedCustomerAccount> {
    checkCustomerId(customerId);
    const active = (await this.keys.listByCustomer(customerId)).filter((key) => key.revokedAt === undefined);
    const current = active.at(-1);
    if (!current) throw new CustomerAccountNotFoundError(`customer ${customerId} has no active account to rotate`);
    const issued = await this.keys.create({
      customerId,
      channels: current.channels,
      symbols: current.symbols,
      maxConnections: current.maxConnections,
      maxSymbols: current.maxSymbols,
      ...(current.label ? { label: current.label } : {}),
    });
    let account: IssuedCustomerAccount;
    try {
      account = await this.grantKafka(issued, current.channels);
    } catch (error) {
      await this.keys.revoke(customerId, issued.record.keyId).catch(() => undefined);
      throw error;
    }
    for (const key of active) await this.keys.revoke(customerId, key.keyId);
    return account;
  }

  /**
   * Withdraws the whole account at once: the Kafka user's ACLs (a connected consumer is refused at
   * its next request), the SCRAM user (no new logins), every unrevoked API key with its Alpaca
   * credentials (gateways refuse them within their key cache TTL). Idempotent for what is left.
   * @throws InvalidCustomerIdError; CustomerAccountNotFoundError when there is nothing to revoke.
   */
  async revoke(customerId: string): Promise<RevokedCustomerAccount> {
    checkCustomerId(customerId);
    const active = (await this.keys.listByCustomer(customerId)).filter((key) => key.revokedAt === undefined);
    const result = await this.withdraw(customerId, active.map((key) => key.keyId));
    if (result.revokedKeyIds.length === 0 && result.deletedAcls === 0 && !result.kafkaUserDeleted) {
      throw new CustomerAccountNotFoundError(`customer ${customerId} has nothing to revoke (no active key, Kafka user or ACL)`);
    }
    return result;
  }

  /**
   * Every customer with a key (revoked ones included) or a `customer.` SCRAM user, sorted by id, with
   * what each can reach. One DescribeAcls per customer: an operator command, not a hot path.
   */
  async list(): Promise<CustomerAccountSummary[]> {
    const keysByCustomer = new Map<string, CustomerApiKeyRecord[]>();
    for (const key of await this.keys.listAll()) {
      keysByCustomer.set(key.customerId, [...(keysByCustomer.get(key.customerId) ?? []), key]);
    }
    const users = new Set(await this.scramUsers.listUsers());
    const customerIds = new Set([...keysByCustomer.keys(), ...[...users].map(customerIdOfKafkaUser).filter((id): id is string => id !== undefined)]);
    const summaries: CustomerAccountSummary[] = [];
    for (const customerId of [...customerIds].sort()) {
      const kafkaUser = customerKafkaUser(customerId);
      const current = (keysByCustomer.get(customerId) ?? [])
        .filter((key) => key.revokedAt === undefined)
        .sort((a, b) => a.createdAt - b.createdAt)
        .at(-1);
      const kafkaUserExists = users.has(kafkaUser);
      summaries.push({
        customerId,
        status: current && kafkaUserExists ? 'active' : !current && !kafkaUserExists ? 'revoked' : 'incomplete',
        ...(current ? { keyId: current.keyId, createdAt: current.createdAt } : {}),
        ...(current?.alpacaKeyId ? { alpacaKeyId: current.alpacaKeyId } : {}),
        channels: current?.channels ?? [],
        symbols: current?.symbols ?? [],
        kafkaUser,
        kafkaUserExists,
        kafkaGroupPrefix: customerGroupPrefix(customerId),
        kafkaTopics: readableTopicsOf(await this.acls.listOf(`User:${kafkaUser}`)),
      });
    }
    return summaries;
  }

  /** Sets a new Kafka password and the ACLs of `channels` for the customer of `issued`. */
  private async grantKafka(
    issued: Awaited<ReturnType<ApiKeyPort['create']>>,
    channels: readonly KeyChannel[],
  ): Promise<IssuedCustomerAccount> {
    const { customerId } = issued.record;
    const kafkaUser = customerKafkaUser(customerId);
    const kafkaPassword = this.newPassword();
    await this.scramUsers.upsert(kafkaUser, kafkaPassword);
    // Exactly the entitled ACLs: a rotation after an entitlement change must not keep the old ones.
    const wanted = customerKafkaAcls(customerId, channels);
    const stale = (await this.acls.listOf(`User:${kafkaUser}`)).filter((acl) => !wanted.some((spec) => sameAcl(spec, acl)));
    if (stale.length > 0) await this.acls.deleteAllOf(`User:${kafkaUser}`);
    await this.acls.create(wanted);
    if (!issued.record.alpacaKeyId) throw new Error(`the key store issued key ${issued.record.keyId} without Alpaca credentials`);
    return {
      customerId,
      apiKey: issued.key,
      alpacaKeyId: issued.record.alpacaKeyId,
      alpacaSecret: issued.alpaca.secret,
      kafkaUser,
      kafkaPassword,
      kafkaGroupPrefix: customerGroupPrefix(customerId),
      keyId: issued.record.keyId,
      kafkaTopics: customerKafkaTopics(channels),
    };
  }

  /** Undoes a failed create: everything of the customer's Kafka user and the new key; errors of the undo are not thrown over the original one. */
  private async undo(customerId: string, keyIds: readonly string[]): Promise<void> {
    await this.withdraw(customerId, keyIds).catch(() => undefined);
  }

  private async withdraw(customerId: string, keyIds: readonly string[]): Promise<RevokedCustomerAccount> {
    const kafkaUser = customerKafkaUser(customerId);
    const deletedAcls = await this.acls.deleteAllOf(`User:${kafkaUser}`);
    const kafkaUserDeleted = await this.scramUsers.delete(kafkaUser);
    const revokedKeyIds: string[] = [];
    for (const keyId of keyIds) {
      if (await this.keys.revoke(customerId, keyId)) revokedKeyIds.push(keyId);
    }
    return { customerId, revokedKeyIds, deletedAcls, kafkaUserDeleted };
  }
}

function sameAcl(a: KafkaAclSpec, b: KafkaAclSpec): boolean {
  return (Object.keys(a) as (keyof KafkaAclSpec)[]).every((field) => a[field] === b[field]);
}

function checkCustomerId(customerId: string): void {
  if (!CUSTOMER_ID_PATTERN.test(customerId)) {
    throw new InvalidCustomerIdError(`customer id must be lowercase letters, digits and hyphens (1-63), got "${customerId}"`);
  }
}
