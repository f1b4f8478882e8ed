/** The meta-fields that expose the schema; `__typename` names one object's type and stays free, as it is in ESP's view of data. */
const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

/** The parts of a GraphQL AST node the walk reads, written out so that nothing here imports `graphql`. */
interface AstNode {
  readonly kind: string;
  readonly name?: { readonly value: string };
  readonly selectionSet?: { readonly selections: readonly AstNode[] };
}

/**
 * The `__schema` and `__type` fields a document selects, at any depth, in any operation or fragment, under any alias
 * (an alias renames the answer, never the field). Every definition is walked, so fragments need not be followed (a
 * fragment no operation uses is walked too; validation refuses such a document anyway).
 */
export function introspectionFieldsOf(document: { readonly definitions: readonly AstNode[] }): AstNode[] {
  const found: AstNode[] = [];
  const pending: AstNode[] = [...document.definitions];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (node.kind === 'Field' && node.name && INTROSPECTION_FIELDS.has(node.name.value)) found.push(node);
    if (node.selectionSet) pending.push(...node.selectionSet.selections);
  }
  return found;
}
