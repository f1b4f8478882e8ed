// nestjs-endpoints-auth/socket.io: the adapter for @nestjs/platform-socket.io gateways (never loaded by the main entry).
// First: refuses an unsupported Node with a clear message, as the main entry does.
import '../../node-version.js';
export * from './endpoints-auth-io.adapter.js';
export type { WsRefusal } from '../ws-refusal.js';
