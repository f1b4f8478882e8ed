import { isObject, loadSpecDocument } from '../api-config/load-spec-document.js';

/** What kind of document a spec file is, for `check`'s first line (the spec has already loaded). */
export function specKind(path: string): string {
  const { document } = loadSpecDocument(path);
  if (typeof document['swagger'] === 'string') return `OpenAPI ${document['swagger']}`;
  if (typeof document['openapi'] === 'string') return `OpenAPI ${document['openapi']}`;
  return isObject(document['authentication']) ? 'gRPC service configuration' : 'document';
}
