import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ENDPOINTS_AUTH_SETTINGS, ENDPOINTS_AUTH_SPEC } from '../endpoints-auth.constants.js';
import type { ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import { EndpointsAuthCounters } from '../keys/key-counters.js';
import { redactUrl, remoteJwksLoader } from '../keys/key-loader.js';
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

  constructor(
    @Inject(ENDPOINTS_AUTH_SPEC) spec: ResolvedSpec,
    @Inject(ENDPOINTS_AUTH_SETTINGS) settings: ResolvedEndpointsAuthOptions,
    counters: EndpointsAuthCounters,
  ) {
    const policy = {
      ttlMs: settings.keyTtlSeconds * 1000,
      staleGraceMs: settings.staleGraceSeconds * 1000,
      unknownKidCooldownMs: settings.unknownKidCooldownSeconds * 1000,
    };
    for (const provider of spec.providers.values()) {
      const loader = remoteJwksLoader(provider.name, provider.jwksUri, settings.fetchTimeoutMs, settings.maxBodyBytes);
      const keys = new KeyStore(provider.name, loader, policy, counters);
      this.strategies.set(provider.name, new EndpointsJwtStrategy(provider, keys, settings));
    }
  }

  onModuleInit(): void {
    for (const [name, strategy] of this.strategies) {
      registerPassportName(this, name, strategy);
      const { issuer, jwksUri, audiences } = strategy.provider;
      const audience = audiences.length > 0 ? audiences.join(', ') : 'any (service-name check disabled)';
      this.logger.log(`"${name}": issuer ${issuer}, keys ${redactUrl(jwksUri)}, audiences ${audience}`);
    }
  }

  onModuleDestroy(): void {
    for (const name of this.strategies.keys()) unregisterPassportName(this, name);
  }

  /** The strategy of the definition `name`; names were checked against the spec at start-up. */
  get(name: string): EndpointsJwtStrategy {
    const strategy = this.strategies.get(name);
    if (!strategy) throw new Error(`nestjs-endpoints-auth: no strategy "${name}"`);
    return strategy;
  }
}
