import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Guards publishing: what `lib/` imports must be installable from the manifest, and the manifest must let both
 * `import` and `require()` (Node's require(esm)) load the package.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LIB = join(ROOT, 'lib');

interface Manifest {
  type?: string;
  exports?: Record<string, string | Record<string, string>>;
  files?: string[];
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
const dependencies = Object.keys(manifest.dependencies ?? {});
const peers = Object.keys(manifest.peerDependencies ?? {});

/** Libraries that keep state in one module instance: a second copy under the library breaks the app. */
const SINGLETON_PEERS = ['@nestjs/common', '@nestjs/core', '@nestjs/microservices', '@nestjs/passport', 'passport', 'reflect-metadata', 'rxjs'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const parsed = sourceFiles(LIB).map((file) => ({
  file: relative(ROOT, file),
  source: ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS),
}));

interface ModuleImport {
  specifier: string;
  typeOnly: boolean;
  /** `import()`: loaded only when the code runs, so a missing optional peer breaks only the code that needs it. */
  dynamic?: boolean;
}

/** Every module specifier of `import`/`export … from`, `import x = require()`, `import()` and `import('x').T`. */
function importsOf(source: ts.SourceFile): ModuleImport[] {
  const found: ModuleImport[] = [];
  const add = (node: ts.Node | undefined, typeOnly: boolean, dynamic = false) => {
    if (node && ts.isStringLiteralLike(node)) found.push({ specifier: node.text, typeOnly, ...(dynamic ? { dynamic } : {}) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `@scope/name/sub/path.js` → `@scope/name`, `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function isBarePackage(specifier: string): boolean {
  return !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('node:') && !isBuiltin(specifier);
}

/**
 * Packages `lib/` imports, each with the files importing it, those importing it when they load (not type-only, not a
 * dynamic `import()`), and whether every import is type-only or lazy (so the package is needed only when that code
 * runs).
 */
function importedPackages(): Map<string, { files: string[]; loadedBy: string[]; typeOnly: boolean; lazyOnly: boolean }> {
  const packages = new Map<string, { files: string[]; loadedBy: string[]; typeOnly: boolean; lazyOnly: boolean }>();
  for (const { file, source } of parsed) {
    for (const { specifier, typeOnly, dynamic } of importsOf(source).filter((found) => isBarePackage(found.specifier))) {
      const name = packageName(specifier);
      const entry = packages.get(name) ?? { files: [], loadedBy: [], typeOnly: true, lazyOnly: true };
      if (!entry.files.includes(file)) entry.files.push(file);
      if (!typeOnly && dynamic !== true && !entry.loadedBy.includes(file)) entry.loadedBy.push(file);
      entry.typeOnly &&= typeOnly;
      entry.lazyOnly &&= typeOnly || dynamic === true;
      packages.set(name, entry);
    }
  }
  return packages;
}

/** `await` / `for await` / `await using` outside any function: it makes the module async, and `require()` throws. */
function topLevelAwaits(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const where = (node: ts.Node) => {
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    return `${relative(ROOT, source.fileName)}:${line + 1}:${character + 1}`;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return;
    if (
      ts.isAwaitExpression(node) ||
      (ts.isForOfStatement(node) && node.awaitModifier !== undefined) ||
      (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing)
    ) {
      found.push(where(node));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const parse = (text: string) => ts.createSourceFile(join(ROOT, 'x.ts'), text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);

describe('the checks themselves', () => {
  it('find every kind of import and map subpaths to package names', () => {
    const imports = importsOf(
      parse(`import {\n  a,\n} from '@scope/pkg/sub/path.js';\nimport type { T } from 'types-only';\nexport * from 'reexported';
import 'side-effect'; import fs from 'node:fs'; import path from 'path'; import { b } from './local.js';
type K = import('type-query').K; const lazy = () => import('dynamic');`),
    );
    expect(imports.filter((found) => isBarePackage(found.specifier)).map((found) => packageName(found.specifier))).toEqual([
      '@scope/pkg',
      'types-only',
      'reexported',
      'side-effect',
      'type-query',
      'dynamic',
    ]);
    expect(imports.filter((found) => found.dynamic).map((found) => found.specifier)).toEqual(['dynamic']);
    expect(parsed.length).toBeGreaterThan(10);
    expect([...importedPackages().keys()]).toEqual(expect.arrayContaining(['@nestjs/common', '@nestjs/core', 'passport']));
  });

  it('find top-level await but not await inside functions', () => {
    const source = parse(`await a();\nfor await (const x of y) {}\nasync function f() { await b(); }
const g = async () => { for await (const z of w) {} };\nclass C { async m() { await c(); } }`);
    expect(topLevelAwaits(source)).toEqual(['x.ts:1:1', 'x.ts:2:1']);
  });
});

describe('package.json', () => {

  it('declares every package lib/ imports as a dependency or a peer', () => {
    const undeclared = [...importedPackages()]
      .filter(([name]) => !dependencies.includes(name) && !peers.includes(name))
      .map(([name, { files }]) => `${name} (imported by ${files.join(', ')})`);
    expect(undeclared, `undeclared packages:\n${undeclared.join('\n')}`).toEqual([]);
  });

  it('does not mark a peer that lib/ imports when it loads as optional (a lazy import() is fine, and so is a subpath entry of its own)', () => {
    // `nestjs-endpoints-auth/ws` may import @nestjs/platform-ws: only an app that uses that peer imports that entry.
    const subpathFolders = Object.entries(manifest.exports ?? {})
      .filter(([subpath]) => subpath !== '.' && subpath !== './package.json')
      .map(([, target]) => String((target as { default?: string }).default ?? '').replace(/^\.\/dist\//, 'lib/').replace(/index\.js$/, ''));
    expect(subpathFolders).toEqual(expect.arrayContaining(['lib/testing/', 'lib/websockets/ws/']));
    const atLoad = (files: string[]) => files.filter((file) => !subpathFolders.some((folder) => file.startsWith(folder)));
    const optional = [...importedPackages()]
      .filter(([name, { loadedBy }]) => atLoad(loadedBy).length > 0 && manifest.peerDependenciesMeta?.[name]?.optional === true)
      .map(([name, { loadedBy }]) => `${name} (imported by ${atLoad(loadedBy).join(', ')})`);
    expect(optional, `optional peers that lib/ needs:\n${optional.join('\n')}`).toEqual([]);
  });

  it('is an ES module whose "." export has "types" and "default"', () => {
    expect(manifest.type).toBe('module');
    const root = manifest.exports?.['.'];
    expect(typeof root).toBe('object');
    // require(esm) resolves with the "require" and "default" conditions, never "import": without "default" (or
    // "require") a CommonJS app cannot require() the package. "types" must come first for TypeScript to use it.
    expect(root).toMatchObject({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(Object.keys(root as object)[0]).toBe('types');
  });

  it('exports ./package.json', () => {
    expect(manifest.exports?.['./package.json']).toBe('./package.json');
  });

  it('publishes dist/', () => {
    expect(manifest.files?.map((entry) => entry.replace(/^\.\//, '').replace(/\/$/, ''))).toContain('dist');
  });

  it('requires a Node.js with require(esm) enabled by default', () => {
    expect(manifest.engines?.node).toBe('^20.19.0 || ^22.12.0 || >=24.0.0');
  });

  it.each(SINGLETON_PEERS)('declares %s as a peer, never as a dependency', (name) => {
    // passport keeps its strategies in the module instance: a second copy under the library answers
    // "Unknown authentication strategy"; a second @nestjs/common or @nestjs/core breaks dependency injection.
    expect(peers).toContain(name);
    expect(dependencies).not.toContain(name);
  });

  it('has no top-level await in lib/, so require() can load it', () => {
    const awaits = parsed.flatMap(({ source }) => topLevelAwaits(source));
    expect(awaits, `top-level await at:\n${awaits.join('\n')}`).toEqual([]);
  });
});
