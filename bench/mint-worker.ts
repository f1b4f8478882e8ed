// Worker thread of token-pool.ts: signs the serials [from, to) and writes each token into its slot of the shared
// buffer. Runs only while no measurement is under way.
import { workerData } from 'node:worker_threads';
import type { MintJob } from './token-pool.js';
import { benchClaims, importPrivateKey, signToken } from './tokens.js';

const job = workerData as MintJob;
const privateKey = importPrivateKey(job.privateKeyPem);
const out = Buffer.from(job.shared);
for (let serial = job.from; serial < job.to; serial++) {
  const token = signToken(job.alg, job.kid, privateKey, benchClaims(serial, job.issuedAt));
  // A token of another length would shift every later slot: fail loudly rather than serve garbage.
  if (token.length !== job.tokenLength) throw new Error(`token ${serial} has length ${token.length}, not ${job.tokenLength}`);
  out.write(token, serial * job.tokenLength, 'latin1');
}
