import { WsAdapter } from '@nestjs/platform-ws';
import { BaseWsExceptionFilter } from '@nestjs/websockets';
import type { GatewayMessage, WsClient } from './clients.js';

/**
 * Whether Nest sends a gateway's `exception` event to a `ws` client: Nest 12's `BaseWsExceptionFilter` does; Nest 11's
 * calls `client.emit('exception', …)`, which on a `ws` WebSocket only dispatches it on the server side.
 */
export const NEST_SENDS_WS_EXCEPTIONS = typeof Reflect.get(BaseWsExceptionFilter.prototype, 'emitMessage') === 'function';

/** Nest's own `WsAdapter`, which also keeps the `exception` events Nest raises on its server-side clients. */
export class RecordingWsAdapter extends WsAdapter {
  private readonly raised: unknown[] = [];
  private readonly recording = new WeakSet<object>();
  private waiters: (() => void)[] = [];

  override bindClientConnect(server: { on: Function }, callback: Function): void {
    super.bindClientConnect(server, (client: { on: Function }, ...rest: unknown[]) => {
      if (!this.recording.has(client)) {
        this.recording.add(client);
        client.on('exception', (data: unknown) => {
          this.raised.push(data);
          this.waiters.splice(0).forEach((wake) => wake());
        });
      }
      callback(client, ...rest);
    });
  }

  /**
   * What a message sent now is answered with, as the client sees it: the message it receives (Nest 12 sends the
   * `exception` event too), or, where Nest never sends it (Nest 11), the `exception` event Nest raised for it.
   */
  async answer(client: WsClient, event: string, data: unknown = {}): Promise<GatewayMessage> {
    if (NEST_SENDS_WS_EXCEPTIONS) return client.ask(event, data);
    const seen = this.raised.length;
    const raised = (async () => {
      while (this.raised.length === seen) await new Promise<void>((resolve) => this.waiters.push(resolve));
      return { event: 'exception', data: this.raised[seen] };
    })();
    return Promise.race([client.ask(event, data), raised]);
  }
}
