import type { FirebaseProfileOptions, ResolvedFirebaseProfile } from '../firebase/firebase-profile-options.interface.js';
import type { ApiKeysOption } from './api-keys.interface.js';

/**
 * Options of `EndpointsAuthModule.forRoot()`; ESP's default is given in brackets where ESP has one.
 * @publicApi
 */
export interface EndpointsAuthOptions {
  /** The OpenAPI 2/3 document: a path to a YAML or JSON file, or the parsed object. */
  spec: string | object;
  /** Overrides the document's `host` as the service name; the default audience is `https://SERVICE_NAME`. */
  serviceName?: string;
  /** Accept any audience for definitions without `x-google-audiences` (ESP's `--disable_jwt_audience_service_name_check`) [false]. */
  disableServiceNameAudienceCheck?: boolean;
  /** Tolerance, in seconds (0 to 3600), applied to `exp`, `nbf` and `iat` [60]. */
  clockSkewSeconds?: number;
  /** Tokens longer than this many bytes are rejected before any decoding [16384, Node's default header limit]. */
  maxTokenBytes?: number;
  /** Settings of the key fetch for each definition. */
  keyCache?: KeyCacheOptions;
  /** The validated-token cache, or `false` to verify every request's signature [on]. */
  tokenCache?: false | TokenCacheOptions;
  /**
   * `X-Endpoint-API-UserInfo` set on the request after a successful verification: ESPv2's value (the token's payload
   * segment), ESP v1's (padded base64url JSON), or `false` for none; a client-sent one is always removed ['espv2'].
   */
  userInfoHeader?: UserInfoHeaderFormat;
  /**
   * How the API keys the spec asks for (an apiKey definition in an operation's `security`) are checked, since the
   * library cannot call Service Control: `{ validate(key, context) }` checks each in the app, `'unchecked'` leaves them
   * unchecked with a start-up warning [none: a spec that asks for a key fails start-up].
   */
  apiKeys?: ApiKeysOption;
  /**
   * In production (`NODE_ENV=production`, or on Cloud Run), let definitions fetch keys over plain http or from a loopback host (a start-up error
   * otherwise); `ENDPOINTS_AUTH_DEV_JWKS_URI` stays refused in production either way [false].
   */
  allowInsecureKeyUrls?: boolean;
  /**
   * Record key fetches and full token verifications as OpenTelemetry spans when the app installed `@opentelemetry/api`
   * (an optional peer); without a registered SDK they cost next to nothing [true].
   */
  tracing?: boolean;
  /**
   * Settings of single security definitions, keyed by the spec's definition name; a name the spec lacks, or a setting
   * this version does not know, is a start-up error [none].
   */
  definitions?: Readonly<Record<string, DefinitionOptions>>;
}

/**
 * The settings of one security definition, beyond what the spec says about it.
 * @publicApi
 */
export interface DefinitionOptions {
  /**
   * Firebase Admin's checks on top of ESP's, for a definition of a Firebase issuer (`true` for the checks alone, or
   * tenants and a revocation check) [false] (docs/firebase.md).
   */
  firebase?: boolean | FirebaseProfileOptions;
}

/**
 * A definition's settings with their defaults filled in.
 */
export interface ResolvedDefinitionOptions {
  /** The Firebase profile, when it is on. */
  firebase?: ResolvedFirebaseProfile;
}

/**
 * The format of the forwarded `X-Endpoint-API-UserInfo` header, or `false` for none.
 * @publicApi
 */
export type UserInfoHeaderFormat = false | 'espv2' | 'esp';

/**
 * How verified tokens are kept (ESP keeps each for min(its `exp`, 300 s)).
 * @publicApi
 */
export interface TokenCacheOptions {
  /** The most tokens kept [1000, ESPv2's default]. */
  maxEntries?: number;
  /** The most memory the kept tokens may take, estimated, in bytes [8 MiB]. */
  maxBytes?: number;
  /** The longest a token is kept, capped by its `exp`, in seconds [300]. */
  ttlSeconds?: number;
}

/**
 * How keys are fetched and kept for each security definition.
 * @publicApi
 */
export interface KeyCacheOptions {
  /** How long a fetched key set is used before it is fetched again, in seconds [300]. */
  ttlSeconds?: number;
  /** How long a key fetch may take, headers and body, before it fails, in milliseconds [5000]. */
  fetchTimeoutMs?: number;
  /** The largest key document read, in bytes [1 MiB]. */
  maxBodyBytes?: number;
  /** The least time between two refetches caused by a token with an unknown kid, in seconds [30]. */
  unknownKidCooldownSeconds?: number;
  /** How long keys keep serving past their TTL while refreshes fail, in seconds [3600]. */
  staleGraceSeconds?: number;
  /** Fetch every key set at start-up and fail start-up when one cannot be had [false: warn, requests get 401]. */
  eager?: boolean;
}

/**
 * `EndpointsAuthOptions` with every default filled in, as the module uses them.
 */
export interface ResolvedEndpointsAuthOptions {
  /** `serviceName` as given (the spec's `host` is used when it is absent). */
  serviceName?: string;
  /** Definitions without audiences accept any audience. */
  disableServiceNameAudienceCheck: boolean;
  /** Seconds of tolerance on `exp`, `nbf` and `iat`. */
  clockSkewSeconds: number;
  /** Size cap of a token, in bytes. */
  maxTokenBytes: number;
  /** Seconds a fetched key set is used. */
  keyTtlSeconds: number;
  /** Milliseconds a key fetch may take. */
  fetchTimeoutMs: number;
  /** Bytes a key document may have. */
  maxBodyBytes: number;
  /** Seconds between two unknown-kid refetches. */
  unknownKidCooldownSeconds: number;
  /** Seconds keys serve past their TTL while refreshes fail. */
  staleGraceSeconds: number;
  /** Whether key sets are fetched, and must succeed, at start-up. */
  eager: boolean;
  /** The validated-token cache's bounds, or `false` when it is off. */
  tokenCache: false | { maxEntries: number; maxBytes: number; ttlMs: number };
  /** The format of the forwarded `X-Endpoint-API-UserInfo`, or `false`. */
  userInfoHeader: UserInfoHeaderFormat;
  /** The API-key validator, `'unchecked'`, or absent when none was given. */
  apiKeys?: ApiKeysOption;
  /** Whether key URLs over plain http or on a loopback host may be used in production. */
  allowInsecureKeyUrls: boolean;
  /** `ENDPOINTS_AUTH_DEV_JWKS_URI`, read when the options were resolved: where fetched keys come from instead. */
  devJwksUri?: string;
  /** The settings of single definitions, by name (absent or empty when none were given). */
  definitions?: ReadonlyMap<string, ResolvedDefinitionOptions>;
  /** Why the app counts as deployed (`NODE_ENV` is `production`, or Cloud Run's variables are set), or `undefined`. */
  production?: string;
  /** Whether spans are recorded when `@opentelemetry/api` is installed. */
  tracing: boolean;
}
