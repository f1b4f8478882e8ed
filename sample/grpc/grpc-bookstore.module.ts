import { type DynamicModule, Module } from '@nestjs/common';
import { EndpointsAuthModule } from '../../lib/index.js';
import { BookstoreService } from '../shelves/bookstore.service.js';
import { BookstoreGrpcController } from './bookstore-grpc.controller.js';
import { SERVICE_CONFIG_PATH } from './bookstore-proto.js';
import { LocalServiceAccount } from './local-service-account.js';

/** Provides the embedded service account; it is started before the auth module reads the service configuration. */
@Module({
  providers: [{ provide: LocalServiceAccount, useFactory: () => LocalServiceAccount.start() }],
  exports: [LocalServiceAccount],
})
export class LocalServiceAccountModule {}

/** The gRPC Bookstore: its methods guarded by the service configuration's rules. */
@Module({})
export class GrpcBookstoreModule {
  /** The module over `bookstore`: pass the REST app's store so both APIs serve the same shelves. */
  static over(bookstore: BookstoreService): DynamicModule {
    return {
      module: GrpcBookstoreModule,
      imports: [
        LocalServiceAccountModule,
        EndpointsAuthModule.forRootAsync({
          imports: [LocalServiceAccountModule],
          inject: [LocalServiceAccount],
          useFactory: (account: LocalServiceAccount) => ({ spec: account.configWithLocalKeys(SERVICE_CONFIG_PATH) }),
        }),
      ],
      controllers: [BookstoreGrpcController],
      providers: [{ provide: BookstoreService, useValue: bookstore }],
    };
  }
}
