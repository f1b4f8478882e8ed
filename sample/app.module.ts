import { Module } from '@nestjs/common';
import { EndpointsAuthModule } from '../lib/index.js';
import { HealthController } from './health.controller.js';
import { LocalIssuer } from './local-issuer/local-issuer.js';
import { BookstoreService } from './shelves/bookstore.service.js';
import { AuthInfoController, ShelvesController } from './shelves/shelves.controller.js';

/** The spec the sample enforces; `OPENAPI_SPEC` points it at your own document. */
export const SPEC_PATH = process.env['OPENAPI_SPEC'] ?? 'sample/openapi.yaml';

/** Provides the embedded issuer; it is started before the auth module reads the spec. */
@Module({
  providers: [{ provide: LocalIssuer, useFactory: () => LocalIssuer.start() }],
  exports: [LocalIssuer],
})
export class LocalIssuerModule {}

/** The Bookstore: its REST API guarded by the spec's security definitions. */
@Module({
  imports: [
    LocalIssuerModule,
    EndpointsAuthModule.forRootAsync({
      imports: [LocalIssuerModule],
      inject: [LocalIssuer],
      useFactory: (issuer: LocalIssuer) => ({ spec: issuer.specWithLocalKeys(SPEC_PATH) }),
    }),
  ],
  controllers: [ShelvesController, AuthInfoController, HealthController],
  providers: [BookstoreService],
})
export class AppModule {}
