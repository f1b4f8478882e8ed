import { join } from 'node:path';
import ts from 'typescript';
import { ROOT } from './doc-files.js';
import { PRELUDE } from './prelude.js';

/** A TypeScript block of a doc page: the page (relative to the root), the line of its first code line, its code. */
export interface DocBlock {
  doc: string;
  line: number;
  code: string;
}

const LIBRARY = 'nestjs-endpoints-auth';
const LIBRARY_ENTRY = join(ROOT, 'lib/index.ts');
/** The package's other entry points, as a user imports them. */
const SUBPATHS: Record<string, string> = {
  [`${LIBRARY}/testing`]: join(ROOT, 'lib/testing/index.ts'),
  [`${LIBRARY}/ws`]: join(ROOT, 'lib/websockets/ws/index.ts'),
  [`${LIBRARY}/socket.io`]: join(ROOT, 'lib/websockets/socket.io/index.ts'),
};
/** Where the blocks are placed (in memory only): inside the package, so its package.json makes them ES modules. */
const BLOCKS_DIR = join(ROOT, 'test/docs/.blocks');
/** The user's own root module, which a complete test file imports as `../src/app.module.js` (in memory only). */
const USER_APP_MODULE = { file: join(BLOCKS_DIR, '../src/app.module.ts'), code: 'export class AppModule {}\n' };

/**
 * Type-checks each block as its own module of a user's app — the prelude, then the block — in one program, with the
 * repository's compiler options and `nestjs-endpoints-auth` mapped to `lib/index.ts`. Returns one message per problem,
 * `<doc>:<line>: <diagnostic>`, the line being the page's; an empty list when every block compiles.
 */
export function compileBlocks(blocks: readonly DocBlock[]): string[] {
  const options = compilerOptions();
  const host = cachingHost(options);
  const exports = libraryExports(options, host);
  const files = new Map<string, { block: DocBlock; preludeLines: number }>();
  host.virtual.set(USER_APP_MODULE.file, USER_APP_MODULE.code);
  for (const [index, block] of blocks.entries()) {
    const prelude = preludeFor(block.code, exports);
    const fileName = join(BLOCKS_DIR, `${index}-${block.doc.replace(/[^\w.-]/g, '_')}-${block.line}.ts`);
    files.set(fileName, { block, preludeLines: prelude.split('\n').length - 1 });
    host.virtual.set(fileName, prelude + block.code + '\n');
  }
  const program = ts.createProgram({ rootNames: [...files.keys()], options, host });
  const messages = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map(
    (diagnostic) => `compiler: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`,
  );
  for (const [fileName, { block, preludeLines }] of files) {
    const sourceFile = program.getSourceFile(fileName)!;
    for (const diagnostic of [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]) {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      const line = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line;
      messages.push(
        line >= preludeLines
          ? `${block.doc}:${block.line + line - preludeLines}: ${text}`
          : `${block.doc}:${block.line}: in the prelude (test/docs/prelude.ts): ${text}`,
      );
    }
  }
  return messages;
}

/** The repository's compiler options, for type-checking only, with the package name mapped to its source. */
function compilerOptions(): ts.CompilerOptions {
  const configPath = join(ROOT, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const { options, errors } = ts.convertCompilerOptionsFromJson(config.compilerOptions, ROOT, configPath);
  if (errors.length > 0) throw new Error(errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n')).join('\n'));
  return {
    ...options,
    noEmit: true,
    declaration: false,
    sourceMap: false,
    outDir: undefined,
    rootDir: undefined,
    paths: { [LIBRARY]: [LIBRARY_ENTRY], ...Object.fromEntries(Object.entries(SUBPATHS).map(([name, entry]) => [name, [entry]])) },
  };
}

/** A compiler host that serves the blocks from memory and parses every other file once for both programs. */
function cachingHost(options: ts.CompilerOptions): ts.CompilerHost & { virtual: Map<string, string> } {
  const host = ts.createCompilerHost(options, true);
  const virtual = new Map<string, string>();
  const parsed = new Map<string, ts.SourceFile | undefined>();
  return {
    ...host,
    virtual,
    fileExists: (fileName) => virtual.has(fileName) || host.fileExists(fileName),
    // The resolver looks for a file's folder first: a folder that holds only virtual files exists too.
    directoryExists: (name) => [...virtual.keys()].some((file) => file.startsWith(`${name}/`)) || (host.directoryExists?.(name) ?? true),
    readFile: (fileName) => virtual.get(fileName) ?? host.readFile(fileName),
    getSourceFile: (fileName, languageVersion, onError) => {
      const text = virtual.get(fileName);
      if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
      if (!parsed.has(fileName)) parsed.set(fileName, host.getSourceFile(fileName, languageVersion, onError));
      return parsed.get(fileName);
    },
  };
}

/** The library's public exports, as its users import them: each name, and whether it is a type only. */
function libraryExports(options: ts.CompilerOptions, host: ts.CompilerHost): Map<string, { typeOnly: boolean }> {
  const program = ts.createProgram({ rootNames: [LIBRARY_ENTRY], options, host });
  const checker = program.getTypeChecker();
  const entry = checker.getSymbolAtLocation(program.getSourceFile(LIBRARY_ENTRY)!)!;
  const exports = new Map<string, { typeOnly: boolean }>();
  for (const symbol of checker.getExportsOfModule(entry)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    exports.set(symbol.name, { typeOnly: (target.flags & ts.SymbolFlags.Value) === 0 });
  }
  return exports;
}

/**
 * The text put before a block: the library import, then the prelude's statements, without the names the block binds
 * itself (and without prelude names the library exports, which the library import already gives).
 */
function preludeFor(code: string, exports: ReadonlyMap<string, { typeOnly: boolean }>): string {
  const own = topLevelNames(ts.createSourceFile('block.ts', code, ts.ScriptTarget.Latest));
  const imported = [...exports].filter(([name]) => !own.has(name));
  const values = imported.filter(([, { typeOnly }]) => !typeOnly).map(([name]) => name);
  const types = imported.filter(([, { typeOnly }]) => typeOnly).map(([name]) => name);
  const lines = [
    values.length > 0 ? `import { ${values.join(', ')} } from '${LIBRARY}';` : '',
    types.length > 0 ? `import type { ${types.join(', ')} } from '${LIBRARY}';` : '',
  ];
  const taken = new Set([...own, ...exports.keys()]);
  const prelude = ts.createSourceFile('prelude.ts', PRELUDE, ts.ScriptTarget.Latest, true);
  for (const statement of prelude.statements) {
    if (ts.isImportDeclaration(statement)) lines.push(importWithout(statement, prelude, taken));
    else if (![...namesBoundBy(statement)].some((name) => taken.has(name))) lines.push(statement.getFullText(prelude));
  }
  return lines.join('\n') + '\n';
}

/** An import statement of the prelude without the bindings in `taken` (empty when none is left). */
function importWithout(statement: ts.ImportDeclaration, prelude: ts.SourceFile, taken: ReadonlySet<string>): string {
  const bindings = statement.importClause?.namedBindings;
  const from = statement.moduleSpecifier.getText(prelude);
  if (bindings && ts.isNamespaceImport(bindings)) {
    return taken.has(bindings.name.text) ? '' : `import * as ${bindings.name.text} from ${from};`;
  }
  const names = (bindings && ts.isNamedImports(bindings) ? bindings.elements : [])
    .map((element) => element.name.text)
    .filter((name) => !taken.has(name));
  return names.length > 0 ? `import { ${names.join(', ')} } from ${from};` : '';
}

/** The names a block binds at its top level: imports and declarations, which a prelude name must not clash with. */
function topLevelNames(sourceFile: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of sourceFile.statements) for (const name of namesBoundBy(statement)) names.add(name);
  return names;
}

function namesBoundBy(statement: ts.Statement): string[] {
  if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    const bindings = clause?.namedBindings;
    return [
      ...(clause?.name ? [clause.name.text] : []),
      ...(bindings && ts.isNamespaceImport(bindings) ? [bindings.name.text] : []),
      ...(bindings && ts.isNamedImports(bindings) ? bindings.elements.map((element) => element.name.text) : []),
    ];
  }
  if (ts.isImportEqualsDeclaration(statement)) return [statement.name.text];
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.flatMap((d) => bindingNames(d.name));
  const named = statement as ts.Statement & { name?: ts.Node };
  return named.name && ts.isIdentifier(named.name) ? [named.name.text] : [];
}

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) => (ts.isOmittedExpression(element) ? [] : bindingNames(element.name)));
}
