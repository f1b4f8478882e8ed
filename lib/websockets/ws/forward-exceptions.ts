/** What forwarding needs of a `ws` WebSocket. */
interface ExceptionSource {
  readyState: number;
  send(data: string): void;
  on(event: 'exception', listener: (data: unknown) => void): unknown;
}

const OPEN = 1;

/** The clients whose `exception` events already reach them: several gateways may share one server's clients. */
const FORWARDED = new WeakSet<object>();

/**
 * Sends the `exception` events Nest raises on `client` as `{ event: 'exception', data }` messages. Nest 11's
 * `BaseWsExceptionFilter` calls `client.emit('exception', …)`, which on a `ws` WebSocket (an EventEmitter) only
 * dispatches it locally, so a refused message would get no answer; Nest 12's filter sends it, and never emits it.
 */
export function forwardExceptions(client: ExceptionSource): void {
  if (FORWARDED.has(client)) return;
  FORWARDED.add(client);
  client.on('exception', (data) => {
    if (client.readyState === OPEN) client.send(JSON.stringify({ event: 'exception', data }));
  });
}
