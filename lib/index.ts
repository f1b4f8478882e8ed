// First: refuses an unsupported Node with a clear message before any dependency (jwks-rsa) is loaded.
import './node-version.js';
export * from './client/index.js';
export * from './decorators/public.decorator.js';
export * from './decorators/secured.decorator.js';
export * from './decorators/user-info.decorator.js';
export * from './endpoints-auth.constants.js';
export * from './endpoints-auth.module-definition.js';
export * from './endpoints-auth.module.js';
export * from './errors/index.js';
export * from './guards/endpoints-auth.guard.js';
export * from './interfaces/index.js';
export * from './keys/key-counters.js';
export * from './routes/route-requirements.js';
export * from './api-config/index.js';
export * from './strategies/endpoints-jwt.strategy.js';
export * from './strategies/request-authenticator.js';
export * from './token/http-request.interface.js';
export * from './strategies/strategy-registry.js';
