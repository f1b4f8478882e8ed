import { type DynamicModule, type FactoryProvider, type ModuleMetadata, Module } from '@nestjs/common';
import { EndpointsClient, type EndpointsClientOptions } from './endpoints-client.js';
import { getEndpointsClientToken } from './inject-endpoints-client.decorator.js';

/** `registerAsync` options: the client's name now, the rest from a factory (a `ConfigService`, say). */
export interface EndpointsClientAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** The name to inject the client by (`@InjectEndpointsClient(name)`). */
  name: string;
  /** Providers handed to `useFactory`; none by default. */
  inject?: FactoryProvider['inject'];
  /** Makes the client's options (audience, source, base URL, header) when the app starts. */
  useFactory: (...args: any[]) => Omit<EndpointsClientOptions, 'name'> | Promise<Omit<EndpointsClientOptions, 'name'>>;
}

/**
 * Provides an `EndpointsClient` per called service, injected with `@InjectEndpointsClient(name)`: register the
 * module once per service (or with several options at once) in the module whose providers call it.
 */
@Module({})
export class EndpointsClientModule {
  /** Clients built from options known now. */
  static register(options: EndpointsClientOptions | EndpointsClientOptions[]): DynamicModule {
    const providers = [options].flat().map((each) => ({
      provide: getEndpointsClientToken(each.name),
      useValue: new EndpointsClient(each),
    }));
    return { module: EndpointsClientModule, providers, exports: providers.map((provider) => provider.provide) };
  }

  /** A client whose options a factory makes when the app starts. */
  static registerAsync(options: EndpointsClientAsyncOptions): DynamicModule {
    const provide = getEndpointsClientToken(options.name);
    return {
      module: EndpointsClientModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide,
          inject: options.inject ?? [],
          useFactory: async (...args: unknown[]) => new EndpointsClient({ ...(await options.useFactory(...args)), name: options.name }),
        },
      ],
      exports: [provide],
    };
  }
}
