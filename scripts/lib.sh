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
