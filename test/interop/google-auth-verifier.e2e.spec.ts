/**
 * The other direction: every token the library mints for a service account (`signServiceAccountJwt`, the
 * `ServiceAccountTokenSource`, and the `endpoints-auth token` command run as a user runs it) is accepted by
 * google-auth-library's own verifier, `OAuth2Client.verifySignedJwtWithCertsAsync`, given the account's certificates
 * in the PEM map Google serves (`{ private_key_id: certificate }`), the audience and the account as the issuer.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ServiceAccountTokenSource, readServiceAccountKey, signServiceAccountJwt } from '../../lib/index.js';
import { type BuiltCli, buildCli, CLI_BUILD_TIMEOUT_MS, CLI_TEST_TIMEOUT_MS } from '../cli/cli-kit.js';

// Each test spawns the CLI: seconds apiece on a loaded machine (see cli-kit.ts).
vi.setConfig({ testTimeout: CLI_TEST_TIMEOUT_MS });
import { RUN_URL, SERVICE, certificateMap, googleAuthVerdict, makeAccount, tempDir } from './interop-kit.js';

const AUDIENCE = `https://${SERVICE}`;
const account = makeAccount('interop-signer@test-project.iam.gserviceaccount.com');
// Another account whose key claims the first one's key id: its signature must not pass for the first account's.
const impostor = makeAccount('impostor@test-project.iam.gserviceaccount.com', { private_key_id: account.keyId });
const certs = certificateMap(account);
const dir = tempDir();
let keyFile = '';
let cli: BuiltCli;

beforeAll(async () => {
  keyFile = dir.write('key.json', JSON.stringify(account.keyFile, null, 2));
  cli = await buildCli();
}, CLI_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await cli?.remove();
  dir.remove();
});

const accepted = (aud: string, extra: Record<string, unknown> = {}) => ({
  accepted: true,
  claims: { iss: account.email, sub: account.email, aud, email: account.email, ...extra },
});

describe('google-auth-library verifySignedJwtWithCertsAsync on tokens the library mints', () => {
  it('accepts signServiceAccountJwt, with extra claims and a short lifetime too', async () => {
    const key = readServiceAccountKey(keyFile);
    expect(await googleAuthVerdict(signServiceAccountJwt(key, { audience: AUDIENCE }), certs, AUDIENCE, [account.email])).toEqual(accepted(AUDIENCE));
    const custom = signServiceAccountJwt(key, { audience: RUN_URL, lifetimeSeconds: 60, claims: { role: 'reader' } });
    expect(await googleAuthVerdict(custom, certs, RUN_URL, [account.email], ['aud', 'role'])).toEqual({
      accepted: true,
      claims: { aud: RUN_URL, role: 'reader' },
    });
  });

  it('accepts ServiceAccountTokenSource tokens from the key file path, its JSON text and its parsed contents', async () => {
    for (const source of [keyFile, JSON.stringify(account.keyFile), account.keyFile]) {
      const token = await new ServiceAccountTokenSource(source).getToken(AUDIENCE);
      expect(await googleAuthVerdict(token, certs, AUDIENCE, [account.email])).toEqual(accepted(AUDIENCE));
    }
  });

  it('accepts what `endpoints-auth token --key-file --audience` prints', async () => {
    const minted = await cli.run(['token', '--key-file', keyFile, '--audience', AUDIENCE, '--lifetime', '600']);
    expect({ code: minted.code, stderr: minted.stderr }).toEqual({ code: 0, stderr: '' });
    expect(await googleAuthVerdict(minted.stdout.trim(), certs, AUDIENCE, [account.email])).toEqual(accepted(AUDIENCE));
  });

  it('is a real check: google-auth refuses the audience, issuer or signature that does not fit', async () => {
    const token = signServiceAccountJwt(readServiceAccountKey(keyFile), { audience: AUDIENCE });
    expect(await googleAuthVerdict(token, certs, RUN_URL, [account.email])).toEqual({
      accepted: false,
      reason: 'Wrong recipient, payload audience != requiredAudience',
    });
    expect(await googleAuthVerdict(token, certs, AUDIENCE, ['someone@else.example.com'])).toEqual({
      accepted: false,
      reason: 'Invalid issuer, expected one of [someone@else.example.com], but got interop-signer@test-project.iam.gserviceaccount.com',
    });
    const forged = signServiceAccountJwt(readServiceAccountKey(impostor.keyFile), { audience: AUDIENCE, issuer: account.email });
    expect(await googleAuthVerdict(forged, certs, AUDIENCE, [account.email])).toEqual({ accepted: false, reason: 'Invalid token signature' });
  });
});
