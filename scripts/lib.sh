# Shared steps of scripts/demo and scripts/test: each installs what is missing and skips
# what is already done, so a fresh machine and a warm one run the same commands.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
STAMPS="$ROOT/.stamps"
mkdir -p "$STAMPS"

# What we build must not carry this machine's paths: panic locations name source files,
# and they would ship inside the wasm modules and the addon as /root/.cargo/registry/...
# Every cargo call of these scripts uses the same flags, so nothing is rebuilt between them.
# (RUSTFLAGS wins over a target's own rustflags: scripts/cross-build moves REMAP_FLAGS
# into each target's CARGO_TARGET_<triple>_RUSTFLAGS instead.)
if [ -z "${REMAP_FLAGS:-}" ]; then
  REMAP_FLAGS="--remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}/registry/src=/cargo --remap-path-prefix=$ROOT=/oauth-callback-rs"
  if command -v rustc >/dev/null; then REMAP_FLAGS="$REMAP_FLAGS --remap-path-prefix=$(rustc --print sysroot)=/rust"; fi
  export REMAP_FLAGS
  export RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }$REMAP_FLAGS"
fi

if [ -t 1 ]; then BOLD=$'\e[1m'; DIM=$'\e[2m'; RESET=$'\e[0m'; else BOLD=""; DIM=""; RESET=""; fi
step() { printf '%s==> %s%s\n' "$BOLD" "$*" "$RESET"; }
note() { printf '%s    %s%s\n' "$DIM" "$*" "$RESET"; }

APT_UPDATED=0
# ensure_apt PACKAGE... : installs Debian packages that are not installed yet.
ensure_apt() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  step "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ "$APT_UPDATED" -eq 0 ]; then $sudo apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_rust() {
  command -v cargo >/dev/null || { echo "cargo is missing: install Rust with rustup first" >&2; exit 1; }
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown Rust target"
    rustup target add wasm32-unknown-unknown
  fi
  # The CLI must equal the wasm-bindgen crate version exactly (pinned with "=" in the crate).
  local pin
  pin="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' crates/wasm/Cargo.toml)"
  if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $pin" ]; then
    step "installing wasm-bindgen-cli $pin (about 2-3 minutes, once)"
    # No --locked: with it, cargo asks for a crate version the registry does not have.
    cargo install wasm-bindgen-cli --version "$pin" --quiet
  fi
}

ensure_npm() {
  local want have=""
  want="$(sha256sum package-lock.json package.json npm/package.json | sha256sum | cut -c1-64)"
  [ -f "$STAMPS/npm" ] && have="$(cat "$STAMPS/npm")"
  if [ ! -d node_modules ] || [ "$want" != "$have" ]; then
    step "installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$STAMPS/npm"
  fi
}

# The MCP conformance suite and the Node >= 22 it needs (npm's node-<os>-<arch> package),
# pinned by tests/conformance/package.json and its lock, in node_modules/.cache (not the
# workspace: the suite brings its own copy of the MCP SDK). Installed again only when the
# pins change; otherwise this is a hash and two file checks.
ensure_conformance() {
  local dir="$ROOT/node_modules/.cache/mcp-conformance" want have=""
  want="$(cat tests/conformance/package.json tests/conformance/package-lock.json | sha256sum | cut -c1-64)"
  [ -f "$dir/.stamp" ] && have="$(cat "$dir/.stamp")"
  if [ "$want" != "$have" ] || [ ! -f "$dir/node_modules/@modelcontextprotocol/conformance/package.json" ]; then
    step "installing the MCP conformance suite and Node 22 (tests/conformance/package.json)"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp tests/conformance/package.json tests/conformance/package-lock.json "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$dir/.stamp"
  fi
}

# Builds the wasm core, its JS glue, the napi addon and the TypeScript facade into npm/.
# cargo and tsc are incremental; the glue and wasm-opt run only when the module changed.
# bindgen_wasm RAW OUTDIR NAME: JS glue and an optimized module for RAW into OUTDIR, only
# when RAW changed since the last time (its hash is kept in .stamps/NAME).
bindgen_wasm() {
  local raw="$1" out="$2" name="$3"
  if stale "$raw" "$name" "$out/oauth_callback_wasm_bg.wasm"; then
    rm -rf "$out"
    wasm-bindgen --target web --out-name oauth_callback_wasm --out-dir "$out" "$raw"
    optimize_wasm "$out/oauth_callback_wasm_bg.wasm" "$out/oauth_callback_wasm_bg.wasm"
    stamp "$raw" "$name"
  fi
  note "$name: $(wc -c < "$out/oauth_callback_wasm_bg.wasm") bytes, $(gzip -9nc "$out/oauth_callback_wasm_bg.wasm" | wc -c) gzip"
}

# stale RAW NAME OUT: true when OUT is missing or RAW changed since `stamp RAW NAME`.
stale() {
  local have=""
  [ -f "$STAMPS/$2" ] && have="$(cat "$STAMPS/$2")"
  [ ! -f "$3" ] || [ "$(sha256sum "$1" | cut -c1-64)" != "$have" ]
}

stamp() {
  sha256sum "$1" | cut -c1-64 > "$STAMPS/$2"
}

# optimize_wasm IN OUT: size-first wasm-opt, the same for every module. binaryen from npm:
# Debian's wasm-opt 108 produces modules that fail to load.
optimize_wasm() {
  wasm-opt -Oz --strip-debug --strip-producers --strip-target-features --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue -o "$2" "$1"
}

# Builds the wasm core (a full module for Node, Bun and Deno, a smaller one for browsers),
# its JS glue, the napi addon and the TypeScript facade into npm/. cargo and tsc are
# incremental; the glue and wasm-opt run only when a module changed.
build_all() {
  local dir="target/wasm32-unknown-unknown/wasm-release"
  step "building the wasm core"
  cargo build --quiet -p oauth-callback-wasm --target wasm32-unknown-unknown --profile wasm-release --no-default-features
  cp "$dir/oauth_callback_wasm.wasm" "$dir/oauth_callback_wasm.browser.wasm"
  build_wasm_node
  bindgen_wasm "$dir/oauth_callback_wasm.browser.wasm" npm/wasm-browser wasm-browser
  build_wasm_authorize
  build_wasm_login

  step "building the native addon"
  build_napi

  step "compiling the TypeScript facade"
  # tsc type-checks (including the generated wasm and addon .d.ts) and emits .d.ts and
  # per-module .js (which type checkers such as Deno resolve next to the .d.ts);
  # esbuild bundles each entry into one file, because every extra ES module a fresh
  # process loads costs about a millisecond of import time.
  tsc -p npm
  bundle_facade
  bundle_embedded
}

# The browser's small module for pages that only start a login (crates/wasm-authorize):
# no wasm-bindgen, so no glue to generate; wasm-opt runs only when the module changed.
# Two builds: oauth_callback_authorize_min.wasm (PKCE, state, nonce, authorization URLs,
# endpoint checks), which init() loads for a page that uses nothing else, and
# oauth_callback_authorize.wasm (feature `full`: also templates, loopback redirect URIs and
# challenges of existing verifiers).
build_wasm_authorize() {
  local raw="target/wasm32-unknown-unknown/wasm-release/oauth_callback_wasm_authorize.wasm"
  local variant features out
  for variant in _min ""; do
    out="npm/wasm-authorize/oauth_callback_authorize$variant.wasm"
    features="full"
    [ "$variant" = _min ] && features=""
    cargo build --quiet -p oauth-callback-wasm-authorize --target wasm32-unknown-unknown --profile wasm-release --features "$features"
    if stale "$raw" "wasm-authorize$variant" "$out"; then
      mkdir -p npm/wasm-authorize
      optimize_wasm "$raw" "$out"
      stamp "$raw" "wasm-authorize$variant"
    fi
    note "wasm-authorize$variant: $(wc -c < "$out") bytes, $(gzip -9nc "$out" | wc -c) gzip"
  done
}

# BrowserOAuthClient's module (crates/wasm-authorize with feature `login`: also discovery,
# tokens, UserInfo; src/login.rs). The crate's output file is the authorize module's: it is
# copied aside before anything builds the crate again. Built alone: with other packages,
# core's std feature would be unified in, and std's panic handler clash with the module's.
build_wasm_login() {
  local dir="target/wasm32-unknown-unknown/wasm-release"
  local raw="$dir/oauth_callback_wasm_login.wasm"
  local out="npm/wasm-login/oauth_callback_login.wasm"
  cargo build --quiet -p oauth-callback-wasm-authorize --features login --target wasm32-unknown-unknown --profile wasm-release
  cp "$dir/oauth_callback_wasm_authorize.wasm" "$raw"
  if stale "$raw" wasm-login "$out"; then
    mkdir -p npm/wasm-login
    optimize_wasm "$raw" "$out"
    stamp "$raw" wasm-login
  fi
  note "wasm-login: $(wc -c < "$out") bytes, $(gzip -9nc "$out" | wc -c) gzip"
}

# The wasm module for Node, Bun and Deno (the full one) and its glue.
build_wasm_node() {
  local dir="target/wasm32-unknown-unknown/wasm-release"
  cargo build --quiet -p oauth-callback-wasm --target wasm32-unknown-unknown --profile wasm-release
  bindgen_wasm "$dir/oauth_callback_wasm.wasm" npm/wasm wasm
  # The Node/Bun/Deno entries bundle this glue: minified (its exports keep their names;
  # idempotent)...
  esbuild npm/wasm/oauth_callback_wasm.js --minify --format=esm --log-level=warning --allow-overwrite --outfile=npm/wasm/oauth_callback_wasm.js
  # ...and bundle it as text, compiled on first use (npm/src/wasm-sync.ts): the root import
  # then scans a string instead of pre-parsing the glue.
  node scripts/glue-text.mjs npm/wasm/oauth_callback_wasm.js npm/wasm/oauth_callback_wasm.text.js
}

# The napi addon for this platform into npm/native.
# Profile napi-release (Cargo.toml): size first (opt-level z, fat LTO, stripped), for the
# 1.5 MB per-platform budget; scripts/cross-build builds the other platforms the same way.
build_napi() {
  napi build --platform --profile napi-release --manifest-path crates/node/Cargo.toml \
    --config-path crates/node/napi.json --output-dir npm/native --no-js --dts binding.d.ts \
    >"$STAMPS/napi.log" 2>&1 || { cat "$STAMPS/napi.log"; return 1; }
}

# Bundles each entry point of the facade into npm/dist (no type check: tsc does that).
bundle_facade() {
  local entry
  for entry in index.node index.deno mcp.node mcp.deno; do
    # Whitespace and syntax minified, names kept as written: a fresh process parses every
    # byte at import. No --keep-names (its __name() calls cost import time too): the
    # classes avoid naming themselves in their bodies, so the bundler never renames them
    # (tests/facade checks every exported class prints as written).
    esbuild "npm/src/$entry.ts" --bundle --format=esm --platform=neutral --target=es2022 --minify-whitespace --minify-syntax \
      --external:node:* --external:@redis/client --legal-comments=none --log-level=warning --outfile="npm/dist/$entry.js"
  done
  # The browser entry stays tree-shakable for the page's own bundler: no --keep-names
  # (its __name() calls are side effects a bundler must keep), and the client module's
  # glue stays its own file, imported only when a BrowserOAuthClient needs it. A page
  # that only starts a login keeps the protocol functions and the authorize module's
  # loader, nothing else (tests/browser checks the class names survive).
  esbuild npm/src/index.browser.ts --bundle --format=esm --platform=neutral --target=es2022 \
    --external:node:* --external:../wasm-browser/* --legal-comments=none --log-level=warning --outfile=npm/dist/index.browser.js
}

# oauth-callback-rs/embedded (README "Bundling and single executables"):
# dist/embedded.inline.js with the Node/Bun/Deno wasm module inlined as base64 (the default
# entries never inline it: import time; not dist/embedded.js, which tsc writes and
# scripts/dev-bundle does not replace), and dist/embedded.bun.js copied as written (not
# bundled, so the addon requires keep the literal paths `bun build --compile` embeds).
bundle_embedded() {
  esbuild npm/src/embedded.ts --bundle --format=esm --platform=neutral --target=es2022 \
    --external:node:* --loader:.wasm=base64 --legal-comments=none --log-level=warning --outfile=npm/dist/embedded.inline.js
  cp npm/src/embedded.bun.mjs npm/dist/embedded.bun.js
  note "embedded.inline.js: $(wc -c < npm/dist/embedded.inline.js) bytes (wasm core $(wc -c < npm/wasm/oauth_callback_wasm_bg.wasm) bytes inlined as base64)"
}

setup_and_build() {
  ensure_rust
  ensure_npm
  build_all
}
