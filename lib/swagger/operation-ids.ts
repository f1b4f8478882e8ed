import { OPERATION_METHODS, isRecord } from './openapi-document.js';

/**
 * Gives every operation of `paths` an `operationId` Endpoints accepts, unique in the document: its own (letters,
 * digits and `_` kept, anything else made `_`), else one made of the method and path; a repeat gets `_2`, `_3`, ...
 */
export function assignOperationIds(paths: Record<string, unknown>): void {
  const taken = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    if (!isRecord(item)) continue;
    for (const method of OPERATION_METHODS) {
      const operation = item[method];
      if (!isRecord(operation)) continue;
      const own = typeof operation['operationId'] === 'string' && operation['operationId'] !== '' ? operation['operationId'] : `${method}${path}`;
      const base = own.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || method;
      let id = base;
      for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
      taken.add(id);
      operation['operationId'] = id;
    }
  }
}
