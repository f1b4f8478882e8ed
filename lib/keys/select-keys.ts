import type { KeyRecord } from './key-record.interface.js';

/** The most keys one token may be tried against (a set rarely holds more than three). */
const MAX_CANDIDATES = 8;

/**
 * ESPv2's key selection (jwt_verify_lib `verifyJwtWithoutTimeChecking`): a key is skipped when both kids are set and
 * differ, or when it cannot serve the token's `alg` (its type, curve or own `alg`); the rest are tried in order.
 */
export function selectKeys(keys: readonly KeyRecord[], alg: string, kid: string | undefined): KeyRecord[] {
  const candidates: KeyRecord[] = [];
  for (const record of keys) {
    if (kid !== undefined && record.kid !== undefined && record.kid !== kid) continue;
    if (!record.algorithms.has(alg)) continue;
    candidates.push(record);
    if (candidates.length === MAX_CANDIDATES) break;
  }
  return candidates;
}
