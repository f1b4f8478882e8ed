import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ENDPOINTS_AUTH_SETTINGS, ENDPOINTS_AUTH_SPEC } from '../endpoints-auth.constants.js';
import type { ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import type { ProviderKeys } from '../interfaces/provider.interface.js';
import { EndpointsAuthCounters } from '../keys/key-counters.js';
import { discoveryLoader, redactUrl, remoteLoader } from '../keys/key-loader.js';
import { type KeySet, StaticKeys } from '../keys/key-set.interface.js';
import { KeyStore } from '../keys/key-store.js';
import type { ResolvedSpec } from '../spec/resolved-spec.js';
import { EndpointsJwtStrategy } from './endpoints-jwt.strategy.js';
import { registerPassportName, unregisterPassportName } from './passport-names.js';

/**
 * The Passport strategies of one module instance, one per security definition, created from the resolved options;
 * the guard verifies with these instances, so two apps in one process never share keys.
 * @publicApi
 */
@Injectable()
export class StrategyRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(StrategyRegistry.name);
  private readonly strategies = new Map<string, EndpointsJwtStrategy>();
  private readonly eager: boolean;

  constructor(
    @Inject(ENDPOINTS_AUTH_SPEC) spec: ResolvedSpec,
    @Inject(ENDPOINTS_AUTH_SETTINGS) settings: ResolvedEndpointsAuthOptions,
    counters: EndpointsAuthCounters,
  ) {
    this.eager = settings.eager;
    const policy = {
      ttlMs: settings.keyTtlSeconds * 1000,
      staleGraceMs: settings.staleGraceSeconds * 1000,
      unknownKidCooldownMs: settings.unknownKidCooldownSeconds * 1000,
    };
    for (const provider of spec.providers.values()) {
      const source = provider.keys;
      let keys: KeySet;
      if (source.kind === 'symmetric') keys = new StaticKeys(source.record);
      else {
        const loader =
          source.kind === 'remote'
            ? remoteLoader(provider.name, source.uri, settings)
            : discoveryLoader(provider.name, source.url, settings);
        keys = new KeyStore(provider.name, loader, policy, counters);
      }
      this.strategies.set(provider.name, new EndpointsJwtStrategy(provider, keys, settings));
    }
  }

  async onModuleInit(): Promise<void> {
    for (const [name, strategy] of this.strategies) {
      const { issuer, keys, audiences } = strategy.provider;
      const audience = audiences.length > 0 ? audiences.join(', ') : 'any (service-name check disabled)';
      this.logger.log(`"${name}": issuer ${issuer}, keys ${describeKeys(keys)}, audiences ${audience}`);
    }
    if (this.eager) await this.loadAll();
    for (const [name, strategy] of this.strategies) registerPassportName(this, name, strategy);
  }

  /**
   * `keyCache.eager`: every key set is fetched before the app starts, and a definition whose keys cannot be had
   * stops it. Without it an unreachable key server only logs a warning and requests get 401 until keys arrive.
   */
  private async loadAll(): Promise<void> {
    const failed: string[] = [];
    await Promise.all(
      [...this.strategies].map(([name, strategy]) =>
        strategy.keys.getKeys().then(
          (keys) => keys.length > 0 || failed.push(`"${name}" (no usable key)`),
          () => failed.push(`"${name}" (${describeKeys(strategy.provider.keys)})`),
        ),
      ),
    );
    if (failed.length > 0) {
      throw new Error(`nestjs-endpoints-auth: keyCache.eager: the keys of ${failed.join(', ')} could not be had at start-up`);
    }
  }

  onModuleDestroy(): void {
    for (const [name, strategy] of this.strategies) {
      unregisterPassportName(this, name);
      strategy.keys.close?.();
    }
  }

  /** Every strategy of this module instance. */
  all(): IterableIterator<EndpointsJwtStrategy> {
    return this.strategies.values();
  }

  /** The strategy of the definition `name`; names were checked against the spec at start-up. */
  get(name: string): EndpointsJwtStrategy {
    const strategy = this.strategies.get(name);
    if (!strategy) throw new Error(`nestjs-endpoints-auth: no strategy "${name}"`);
    return strategy;
  }
}

/** Where a definition's keys come from, for its start-up line (never the key itself). */
function describeKeys(keys: ProviderKeys): string {
  if (keys.kind === 'remote') return redactUrl(keys.uri);
  if (keys.kind === 'discovery') return `from OpenID discovery at ${redactUrl(keys.url)}`;
  return 'a symmetric key written in the spec (HS256/384/512)';
}
