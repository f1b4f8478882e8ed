// A pool of distinct, valid, equal-length tokens for the `unique` mode, minted before any measurement by worker
// threads into one shared buffer (RS256 signing costs ≈ 270 µs, so 200k tokens are ≈ 55 s of one core). One flat
// buffer instead of 200k strings keeps the load generator's heap, and so its GC pauses, small.
import { Worker } from 'node:worker_threads';
import { JTI_DIGITS, type BenchKey, benchClaims, exportPrivateKey, signWith } from './tokens.js';

/** Distinct tokens laid end to end; token `i` is `buffer[i * length, (i + 1) * length)` in latin1. */
export interface TokenPool {
  buffer: Buffer;
  length: number;
  count: number;
}

/** What a mint worker is given. */
export interface MintJob {
  shared: SharedArrayBuffer;
  privateKeyPem: string;
  alg: BenchKey['alg'];
  kid: string;
  issuedAt: number;
  tokenLength: number;
  from: number;
  to: number;
}

export function tokenAt(pool: TokenPool, index: number): string {
  const start = (index % pool.count) * pool.length;
  return pool.buffer.toString('latin1', start, start + pool.length);
}

/** Mints `count` tokens with serials 0…count-1 on `threads` workers; every token is checked to have the same length. */
export async function mintPool(key: BenchKey, count: number, threads: number): Promise<TokenPool> {
  if (count >= 10 ** JTI_DIGITS) throw new Error(`a pool holds at most ${10 ** JTI_DIGITS - 1} tokens`);
  const issuedAt = Math.floor(Date.now() / 1000);
  const length = signWith(key, benchClaims(0, issuedAt)).length;
  const shared = new SharedArrayBuffer(length * count);
  const privateKeyPem = exportPrivateKey(key);
  const share = Math.ceil(count / threads);
  const jobs: Promise<void>[] = [];
  for (let t = 0; t < threads; t++) {
    const from = t * share;
    const to = Math.min(count, from + share);
    if (from >= to) break;
    const job: MintJob = { shared, privateKeyPem, alg: key.alg, kid: key.kid, issuedAt, tokenLength: length, from, to };
    jobs.push(runWorker(job));
  }
  await Promise.all(jobs);
  return { buffer: Buffer.from(shared), length, count };
}

function runWorker(job: MintJob): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./mint-worker.js', import.meta.url), { workerData: job });
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mint worker exited with ${code}`))));
  });
}
