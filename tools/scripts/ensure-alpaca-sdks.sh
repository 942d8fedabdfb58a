#!/usr/bin/env bash
# Installs Alpaca's official SDKs, unmodified, into DIR for the consumer gateway's /v2/tickwire test:
# alpaca-py from PyPI in a Python virtual environment DIR/venv, and @alpacahq/alpaca-trade-api from npm
# in DIR/node (not a project dependency). Versions as the test names them (arguments 2 and 3).
# Idempotent: a second run with the same DIR installs nothing. Prints the installed versions.
set -euo pipefail
dir="$1"
py_version="${2:-0.44.0}"
js_version="${3:-4.0.2}"
mkdir -p "$dir/node"
if [ ! -x "$dir/venv/bin/python" ]; then
  python3 -m venv "$dir/venv"
fi
if ! "$dir/venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('alpaca-py') != '$py_version')" 2>/dev/null; then
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "alpaca-py==$py_version"
fi
if [ ! -f "$dir/node/node_modules/@alpacahq/alpaca-trade-api/package.json" ] ||
  ! grep -q "\"version\": \"$js_version\"" "$dir/node/node_modules/@alpacahq/alpaca-trade-api/package.json"; then
  [ -f "$dir/node/package.json" ] || echo '{"name":"alpaca-sdk-test-client","private":true}' >"$dir/node/package.json"
  npm install --prefix "$dir/node" --no-audit --no-fund --no-package-lock --loglevel=error "@alpacahq/alpaca-trade-api@$js_version"
fi
echo "alpaca-py $("$dir/venv/bin/python" -c "import importlib.metadata as m; print(m.version('alpaca-py'))")"
echo "@alpacahq/alpaca-trade-api $(node -p "require('$dir/node/node_modules/@alpacahq/alpaca-trade-api/package.json').version")"
