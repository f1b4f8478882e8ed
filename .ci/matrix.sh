#!/usr/bin/env bash
# The support matrix (CONTRIBUTING.md): every test suite on Nodes 22 and 24 and on Nest 11, and the clear start-up
# refusal on a Node older than `engines` — the combinations `npm test` (Nest 12, the current Node) does not cover.
# Runs in a copy of the repository under a temporary folder; the repository's package.json, lock and node_modules are
# left alone. Prints a table of the combinations; exits non-zero when any of them failed.
#
#   MATRIX_DIR=/path   where to make the copy (default: a new temporary folder, removed at the end)
#   MATRIX_KEEP=1      keep the copy (and its install) after the run
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
NEST11=(
  @nestjs/common@^11 @nestjs/core@^11 @nestjs/microservices@^11 @nestjs/passport@^11
  @nestjs/platform-express@^11 @nestjs/platform-fastify@^11 @nestjs/testing@^11
  @nestjs/axios@^4 # the @nestjs/axios major made for Nest 11
  @nestjs/swagger@^11
  @nestjs/graphql@^13 @nestjs/apollo@^13 @nestjs/mercurius@^13 # the GraphQL majors made for Nest 11
  @nestjs/websockets@^11 @nestjs/platform-ws@^11 @nestjs/platform-socket.io@^11
)
OLD_NODE=20.18.0 # the newest Node 20 below `engines` (^20.19.0): no require(esm) by default
REFUSAL="nestjs-endpoints-auth needs Node 20.19+, 22.12+ or 24+; this is ${OLD_NODE}"

export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

WORK="${MATRIX_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/nestjs-endpoints-auth-matrix-XXXXXX")}"
COPY="$WORK/repo"
LOGS="$WORK/logs"
if [[ "${MATRIX_KEEP:-}" != 1 ]]; then trap 'rm -rf "$WORK"' EXIT; fi

ROWS=()
FAILED=0

# Runs one combination: `step NAME COMMAND...`; its output goes to a log, printed only when it fails.
step() {
  local name="$1" log="$LOGS/$(echo "$1" | tr -c 'A-Za-z0-9.\n' '-').log" start=$SECONDS status
  shift
  echo "matrix: ${name} ..."
  if ("$@") >"$log" 2>&1; then status=passed; else status=FAILED; FAILED=1; fi
  # A suite's counts: vitest's "Tests  2 failed | 1883 passed (1885)" line.
  local counts
  counts="$(sed -E 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ +Tests +[0-9]' | tail -n 1 | sed -E 's/^ +Tests +//')"
  ROWS+=("$(printf '%-44s %-7s %5ss  %s' "$name" "$status" "$((SECONDS - start))" "$counts")")
  if [[ "$status" == FAILED ]]; then
    echo "matrix: ${name} FAILED; its failures (or the end of its output):"
    if grep -q 'Failed Tests' "$log"; then sed -n '/Failed Tests/,$p' "$log" | head -n 200; else tail -n 80 "$log"; fi
  fi
  [[ "$status" == passed ]]
}

table() {
  echo
  printf '%-44s %-7s %6s  %s\n' 'combination' 'result' 'time' 'tests'
  printf '%s\n' "${ROWS[@]}"
  echo "matrix: $((SECONDS / 60)) min $((SECONDS % 60)) s in all; $([[ $FAILED -eq 0 ]] && echo 'every combination passed' || echo 'FAILED')"
}

# The repository's files as they are now (tracked and new, not ignored), without node_modules or builds.
copy_repo() {
  mkdir -p "$COPY"
  (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard) |
    grep -zv -e '^node_modules$' -e '^dist' |
    (cd "$ROOT" && tar --null --ignore-failed-read -T - -cf -) |
    tar -xf - -C "$COPY"
}

# The tarball as `npm publish` makes it: built with the repository's own dependencies (Nest 12, from the lock).
pack() {
  cd "$COPY" && npm ci --prefer-offline && npm run build && npm pack --pack-destination "$WORK"
}

# Then the newest Nest 11 over it, without touching package.json or the lock; fails unless every major is right.
install_nest11() {
  cd "$COPY" &&
    npm install --no-save --prefer-offline "${NEST11[@]}" &&
    node -e '
      let wrong = 0;
      for (const spec of process.argv.slice(1)) {
        const [, name, range] = /^(.+)@\^(\d+)$/.exec(spec);
        const { version } = require(`${name}/package.json`);
        console.log(`${name} ${version}`);
        if (!version.startsWith(`${range}.`)) wrong++;
      }
      process.exit(wrong);
    ' "${NEST11[@]}"
}

versions() {
  cd "$COPY" && node -p '["common","core","platform-express","platform-fastify"].map((n) => `@nestjs/${n} ${require(`@nestjs/${n}/package.json`).version}`).join(", ")'
}

# Every suite (vitest run) on the given Node: `suites 22` runs Node 22 from npm; no argument, the current Node.
suites() {
  cd "$COPY" || return 1
  if [[ $# -eq 0 ]]; then
    node --version && node node_modules/vitest/vitest.mjs run
  else
    npx -y -p "node@$1" -- node --version && npx -y -p "node@$1" -- node node_modules/vitest/vitest.mjs run
  fi
}

# The exact version `npx -p node@MAJOR` runs (fetching it once, before any suite runs).
node_version() {
  npx -y -p "node@$1" -- node -p 'process.versions.node'
}

# On a Node below `engines`, importing the packed build and running its bin must stop with the clear message.
old_node_refuses() {
  cd "$COPY" || return 1
  local form out code=0 result=0
  for form in "import('./dist/index.js')" "bin --help"; do
    if [[ "$form" == "bin --help" ]]; then
      out="$(npx -y -p "node@$OLD_NODE" -- node dist/cli/main.js --help 2>&1)" && code=0 || code=$?
    else
      out="$(npx -y -p "node@$OLD_NODE" -- node -e "$form" 2>&1)" && code=0 || code=$?
    fi
    echo "--- Node $OLD_NODE, $form: exit $code"
    echo "$out"
    if [[ $code -eq 0 || "$out" != *"Error: $REFUSAL"* || "$out" == *ERR_REQUIRE_ESM* ]]; then result=1; fi
  done
  return $result
}

mkdir -p "$LOGS"
echo "matrix: working in $WORK"
CURRENT="$(node -p 'process.versions.node')"
if step "copy of the repository" copy_repo && step "Nest 12: npm ci, build and pack" pack; then
  ENDPOINTS_AUTH_PACKED_TARBALL="$(ls "$WORK"/*.tgz)"
  export ENDPOINTS_AUTH_PACKED_TARBALL # test/package tests this tarball, as `npm publish` packs it, on every Nest
  NODE22="$(node_version 22)" || NODE22=22 # the suites' step then fails, saying why
  NODE24="$(node_version 24)" || NODE24=24
  echo "matrix: $(versions)"
  # Each Node and each Nest major once (npm test ran Nest 12 on the current Node): three suites keep CI near 30 min.
  step "Nest 12, Node $NODE22: vitest run" suites 22
  step "Nest 12, Node $NODE24: vitest run" suites 24
  if step "Nest 11: npm install --no-save" install_nest11; then
    echo "matrix: $(versions)"
    step "Nest 11, Node $CURRENT: vitest run" suites
  fi
  step "Node $OLD_NODE: import and bin refused clearly" old_node_refuses
fi
table
exit $FAILED
