// nestjs-endpoints-auth/ws: the adapter for @nestjs/platform-ws gateways (never loaded by the main entry).
// First: refuses an unsupported Node with a clear message, as the main entry does.
import '../../node-version.js';
export * from './endpoints-auth-ws.adapter.js';
export type { WsRefusal } from '../ws-refusal.js';
