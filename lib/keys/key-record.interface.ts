import type { KeyObject } from 'node:crypto';

/** A verification key parsed once when fetched, with the algorithms it may verify. */
export interface KeyRecord {
  kid?: string;
  key: KeyObject;
  /** The token `alg` values this key serves: from its type and curve, narrowed by the key's own `alg`. */
  algorithms: ReadonlySet<string>;
}
