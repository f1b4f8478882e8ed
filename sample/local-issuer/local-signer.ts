import type { KeyObject } from 'node:crypto';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { KeyDocumentServer } from './key-document-server.js';
import { signRs256 } from './sign-rs256.js';

/**
 * What the sample's local issuers share: an RSA key made at start-up, its key document served on 127.0.0.1, and
 * RS256 tokens signed with it for a fixed caller — so the sample runs with no Google project and no network.
 */
export class LocalSigner implements OnApplicationShutdown {
  protected constructor(
    private readonly server: KeyDocumentServer,
    private readonly privateKey: KeyObject,
    private readonly kid: string,
    /** The claims that name the caller (`iss`, `sub`, ...), put in every token. */
    private readonly caller: Record<string, string>,
  ) {}

  /** Where the key document is served. */
  get keysUri(): string {
    return this.server.url;
  }

  /** An RS256 token for `audience`, valid for `lifetimeSeconds` (a negative lifetime makes an expired one). */
  mint(audience: string, claims: Record<string, unknown> = {}, lifetimeSeconds = 3600): string {
    const now = Math.floor(Date.now() / 1000);
    return signRs256(this.privateKey, this.kid, { ...this.caller, aud: audience, iat: now, exp: now + lifetimeSeconds, ...claims });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.stop();
  }
}
