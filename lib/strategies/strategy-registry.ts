import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import { ENDPOINTS_AUTH_SETTINGS, ENDPOINTS_AUTH_SPEC } from '../endpoints-auth.constants.js';
import type { ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import { ENDPOINTS_AUTH_KEY_SETS, type KeySetFactory, createKeySet, describeKeys } from '../keys/create-key-set.js';
import { ENDPOINTS_AUTH_KEY_CLOCK, type KeyClock, SYSTEM_KEY_CLOCK } from '../keys/key-clock.js';
import { EndpointsAuthCounters } from '../keys/key-counters.js';
import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import { ENDPOINTS_AUTH_TRACER } from '../telemetry/load-tracer.js';
import type { TracerLike } from '../telemetry/tracer-like.js';
import { definitionProfiles } from '../firebase/definition-profiles.js';
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
    // Optional, so a guard subclass that builds a registry itself need not know about it.
    @Optional() @Inject(ENDPOINTS_AUTH_KEY_CLOCK) clock: KeyClock = SYSTEM_KEY_CLOCK,
    @Optional() @Inject(ENDPOINTS_AUTH_KEY_SETS) keySets: KeySetFactory = createKeySet,
    @Optional() @Inject(ENDPOINTS_AUTH_TRACER) tracer?: TracerLike,
  ) {
    this.eager = settings.eager;
    const profiles = definitionProfiles(spec, settings, clock);
    for (const provider of spec.providers.values()) {
      const keys = keySets(provider, settings, counters, clock, tracer);
      this.strategies.set(provider.name, new EndpointsJwtStrategy(provider, keys, settings, profiles.get(provider.name)));
    }
  }

  async onModuleInit(): Promise<void> {
    for (const [name, strategy] of this.strategies) {
      const { issuer, keys, audiences } = strategy.provider;
      const audience = audiences.length > 0 ? audiences.join(', ') : 'any (service-name check disabled)';
      const profile = strategy.profile ? `, ${strategy.profile.description}` : '';
      this.logger.log(`"${name}": issuer ${issuer}, keys ${strategy.keys.description ?? describeKeys(keys)}, audiences ${audience}${profile}`);
    }
    if (this.eager) await this.loadAll();
    else this.prefetchAll();
    for (const [name, strategy] of this.strategies) registerPassportName(this, name, strategy);
  }

  /**
   * Without `keyCache.eager` every key set is fetched at start-up in the background, as ESPv2's asynchronous fetcher
   * does, but the app does not wait: a key server that cannot be reached costs a warning (the key store logs it), and
   * requests get 401 until keys arrive.
   */
  private prefetchAll(): void {
    for (const strategy of this.strategies.values()) {
      strategy.keys.getKeys().catch(() => {
        // Already logged by the key store; the next request or retry tries again.
      });
    }
  }

  /**
   * `keyCache.eager`: every key set is fetched before the app starts, and a definition whose keys cannot be had
   * stops it.
   */
  private async loadAll(): Promise<void> {
    const failed: string[] = [];
    await Promise.all(
      [...this.strategies].map(([name, strategy]) =>
        strategy.keys.getKeys().then(
          (keys) => keys.length > 0 || failed.push(`"${name}" (no usable key)`),
          () => failed.push(`"${name}" (${strategy.keys.description ?? describeKeys(strategy.provider.keys)})`),
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

