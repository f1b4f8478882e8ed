import { type KeyObject, sign } from 'node:crypto';

/** An RS256 JWT of `payload`, signed with `privateKey` and naming `kid`, as the sample's local signers mint them. */
export function signRs256(privateKey: KeyObject, kid: string, payload: Record<string, unknown>): string {
  const input = `${encode({ alg: 'RS256', typ: 'JWT', kid })}.${encode(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
