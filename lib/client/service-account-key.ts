import { type KeyObject, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A service account's signing key, its PEM parsed once into a `KeyObject`. */
export interface ServiceAccountKey {
  /** The account's email: `iss` and `sub` of the tokens it signs. */
  clientEmail: string;
  /** The key's id: the `kid` of the tokens it signs, which picks its certificate on the verifying side. */
  privateKeyId: string;
  /** The RSA private key, parsed once from the file's PEM. */
  privateKey: KeyObject;
  /** The key file's `token_uri`, where the ID-token exchange posts when no endpoint is given. */
  tokenUri?: string;
}

/**
 * Reads the JSON key file the Cloud console downloads (a path), its text, or its parsed contents; throws an error
 * naming the file and the field at fault, never quoting the file's text (it holds the private key).
 */
export function readServiceAccountKey(source: string | object): ServiceAccountKey {
  // The key's JSON text itself (often kept in an environment variable) is read as contents and never quoted;
  // only a string that looks like a path is named in messages.
  const isText = typeof source === 'string' && /^\s*\{/.test(source);
  const pathLike = typeof source === 'string' && !isText && source.length <= 4096 && !source.includes('\n');
  const where = pathLike ? `service-account key file ${source}` : 'service-account key';
  const fail = (problem: string): never => {
    throw new Error(`${where}: ${problem}`);
  };
  let json: unknown = source;
  if (typeof source === 'string') {
    let text = isText ? source : '';
    if (!pathLike && !isText) fail('is neither a file path nor the JSON of a key file');
    if (pathLike) {
      try {
        text = readFileSync(source, 'utf8');
      } catch (error) {
        fail(`cannot be read (${(error as { code?: string }).code ?? 'unknown error'})`);
      }
    }
    try {
      json = JSON.parse(text);
    } catch {
      // V8's message quotes the text around the fault, which may be the private key.
      fail('is not JSON (expected the key file the Cloud console downloads)');
    }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('is not a JSON object');
  const fields = json as Record<string, unknown>;
  if (fields.type !== 'service_account') {
    fail(`has "type": ${JSON.stringify(fields.type ?? null)}, expected "service_account" (user or external-account credentials cannot sign)`);
  }
  const text = (name: string): string => {
    const value = fields[name];
    return typeof value === 'string' && value.trim() !== '' ? value : fail(`"${name}" is missing or not a non-empty string`);
  };
  const clientEmail = text('client_email');
  if (!/^[^@\s]+@[^@\s]+$/.test(clientEmail)) fail('"client_email" is not an email address');
  const privateKeyId = text('private_key_id');
  const privateKey = parsePrivateKey(text('private_key'), fail);
  const tokenUri = fields.token_uri;
  if (tokenUri !== undefined && (typeof tokenUri !== 'string' || !URL.canParse(tokenUri))) fail('"token_uri" is not a URL');
  return { clientEmail, privateKeyId, privateKey, ...(tokenUri === undefined ? {} : { tokenUri: tokenUri as string }) };
}

function parsePrivateKey(pem: string, fail: (problem: string) => never): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    return fail('"private_key" is not a PEM private key');
  }
  if (key.asymmetricKeyType !== 'rsa') fail(`"private_key" is of type ${key.asymmetricKeyType}, expected RSA (RS256)`);
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) fail('"private_key" is an RSA key under 2048 bits');
  return key;
}
