/** The gRPC Bookstore's files and names, shared by the server and the client (paths relative to the package root, as `npm start` runs). */
export const BOOKSTORE_PROTO = 'sample/grpc/bookstore.proto';

/** The service configuration the gRPC Bookstore enforces; `SERVICE_CONFIG` points it at your own. */
export const SERVICE_CONFIG_PATH = process.env['SERVICE_CONFIG'] ?? 'sample/grpc/api_config_auth.yaml';

/** The proto package, which prefixes every method's full name in the service configuration's selectors. */
export const BOOKSTORE_PACKAGE = 'endpoints.examples.bookstore';

/** proto-loader options of both sides: int64 ids as numbers, and absent fields as their defaults. */
export const LOADER_OPTIONS = { longs: Number, defaults: true } as const;

/** The gRPC port `npm start` uses unless `GRPC_PORT` says otherwise. */
export const DEFAULT_GRPC_PORT = 50051;
