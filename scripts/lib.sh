# Shared helpers for scripts/run and scripts/test. Source it; do not run it.

# Prints a message and exits non-zero.
die() {
    echo "error: $*" >&2
    exit 1
}

# Installs the Debian packages given when they are missing: with apt-get when
# we are root, otherwise by telling exactly what to run.
ensure_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || die "missing packages ${missing[*]}, and apt-get is not available: install them by hand"
    if [ "$(id -u)" -ne 0 ]; then
        die "missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}"
    fi
    echo "installing ${missing[*]} ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
}

# Checks for the Rust toolchain.
ensure_rust() {
    command -v cargo >/dev/null || die "cargo not found: install Rust (https://rustup.rs) first"
}

# The directory with PostgreSQL's server binaries (newest version).
pg_bin_dir() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# Stops a local cluster in data directory $1 if it runs.
stop_cluster() {
    local dir=$1 bin
    [ -f "$dir/postmaster.pid" ] || return 0
    bin=$(pg_bin_dir)
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$bin/pg_ctl" stop -D "$dir" -m fast -w >/dev/null 2>&1 || true
    else
        "$bin/pg_ctl" stop -D "$dir" -m fast -w >/dev/null 2>&1 || true
    fi
}

# Builds the web app (web/dist) when it is missing or older than its
# sources, installing its npm packages (npm ci) when they are missing or
# older than package-lock.json. Needs Node.js 20.19 or newer (Vite 8).
ensure_web() {
    local web="$root/web"
    command -v node >/dev/null || die "node not found: the web app needs Node.js 20.19 or newer (https://nodejs.org)"
    node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)' ||
        die "Node.js $(node --version) is too old for the web app: it needs 20.19 or newer"
    if [ ! -f "$web/node_modules/.package-lock.json" ] || [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
        echo "installing the web app's npm packages ..." >&2
        (cd "$web" && npm ci --no-audit --no-fund >/dev/null) || die "npm ci in web/ failed"
    fi
    if [ ! -f "$web/dist/index.html" ] ||
        [ -n "$(find "$web/src" "$web/index.html" "$web/package-lock.json" "$web/vite.config.ts" "$web/tsconfig.json" \
            -newer "$web/dist/index.html" -print -quit)" ]; then
        echo "building the web app ..." >&2
        (cd "$web" && npm run build >/dev/null) || die "the web app's build failed (cd web && npm run build)"
    fi
}
