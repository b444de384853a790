#!/usr/bin/env bash
# shellcheck shell=bash
# Shared helpers for scripts/setup, scripts/test and scripts/demo.
# Sourced, never run: `source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"`.
set -euo pipefail

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    printf '[siaga112] scripts/lib.sh holds helpers for the other scripts; run scripts/setup, scripts/test or scripts/demo\n' >&2
    exit 2
fi

SIAGA112_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
SIAGA112_VENV="$SIAGA112_ROOT/.venv"
# Written after a successful `pip install -e '.[test]'`; pyproject.toml newer
# than this file means the install must run again.
# shellcheck disable=SC2034  # read by scripts/setup, which sources this file
SIAGA112_STAMP="$SIAGA112_VENV/.siaga112-installed"

# Debian packages the tests need. Later work adds to this one list.
#   chromium    browser tests (Playwright drives /usr/bin/chromium; never `playwright install`)
#   postgresql  the server the PostgreSQL tests create their databases on
#   sip-tester  sipp, a real SIP peer
#   espeak-ng   speech for media tests
#   sox         audio conversion (8 kHz mu-law/A-law) and silence
#   poppler-utils  pdftotext: the report tests read the PDFs they make
#   gammu-smsd  the location link's SMS spool: a test runs the daemon (dummy phone, no modem)
#   kamailio    the SIP proxy in front of two nodes (deploy/kamailio; tests/sip/test_proxy.py)
#   rtpengine-daemon  the media relay in the call's path, recordings (docs/recordings.md)
SIAGA112_SYSTEM_PACKAGES=(chromium postgresql sip-tester espeak-ng sox poppler-utils gammu-smsd kamailio kamailio-tls-modules rtpengine-daemon)

# Tools that live in sbin (runuser, pg_* wrappers are in /usr/bin) may be off PATH in CI.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin:/sbin" ;; esac
export PATH

log() { printf '[siaga112] %s\n' "$*" >&2; }
die() { printf '[siaga112] ERROR: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, else through passwordless sudo.
as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        log "needs root (not root, and no passwordless sudo): $*"
        return 1
    fi
}

# Echo the path of a Python 3.11 interpreter, or fail with what was found.
find_python311() {
    local candidate version
    for candidate in python3.11 python3; do
        command -v "$candidate" >/dev/null 2>&1 || continue
        version="$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"
        if [[ $version == 3.11 ]]; then
            command -v "$candidate"
            return 0
        fi
    done
    version="$(python3 --version 2>&1 || echo 'python3: not found')"
    die "Python 3.11 is required: neither python3.11 nor python3 is 3.11 (python3 says: $version). Install Python 3.11 (Debian 12: apt-get install python3.11 python3.11-venv)."
}

# True when .venv's interpreter runs and is 3.11.
venv_is_usable() {
    [[ -x $SIAGA112_VENV/bin/python ]] &&
        "$SIAGA112_VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null
}

# Hold an exclusive lock on the setup for this checkout (two scripts started at
# once must not both build .venv). The lock lives outside the work tree.
lock_setup() {
    command -v flock >/dev/null 2>&1 || return 0
    local key
    key="$(printf '%s' "$SIAGA112_ROOT" | cksum | cut -d' ' -f1)"
    exec 9>"${TMPDIR:-/tmp}/siaga112-setup-$key.lock"
    if ! flock -n 9; then
        log "another setup of this checkout is running; waiting for it"
        flock 9
    fi
}

# True when the Debian package is installed (not merely known or half-configured).
dpkg_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" == "ii "* ]]
}

# Install the Debian packages from SIAGA112_SYSTEM_PACKAGES that are missing.
# `apt-get update` runs once, and only when something must be installed.
ensure_system_packages() {
    command -v dpkg-query >/dev/null 2>&1 ||
        die "this is not a Debian-like system (no dpkg-query); install by hand: ${SIAGA112_SYSTEM_PACKAGES[*]}"
    local pkg missing=()
    for pkg in "${SIAGA112_SYSTEM_PACKAGES[@]}"; do
        dpkg_installed "$pkg" || missing+=("$pkg")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        log "system packages present: ${SIAGA112_SYSTEM_PACKAGES[*]}"
        return 0
    fi
    log "installing missing system packages: ${missing[*]}"
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q)
    local try
    for try in 1 2 3; do
        as_root "${apt[@]}" update && break
        [[ $try -eq 3 ]] && die "apt-get update failed; cannot install: ${missing[*]}"
        log "apt-get update failed (try $try of 3; another apt may hold the lock); retrying in 20 s"
        sleep 20
    done
    as_root "${apt[@]}" install -y "${missing[@]}" ||
        log "apt-get install reported an error; checking what is installed"
    local still=()
    for pkg in "${missing[@]}"; do
        dpkg_installed "$pkg" || still+=("$pkg")
    done
    [[ ${#still[@]} -eq 0 ]] ||
        die "could not install these system packages: ${still[*]} (try: apt-get install ${still[*]})"
    log "installed: ${missing[*]}"
}

# ---------------------------------------------------------------- PostgreSQL

SIAGA112_PG_SOCKET_DIR=/var/run/postgresql

# A URL with its password (if any) replaced, for messages.
mask_url() { sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<<"$1"; }

# True when a server answers on 127.0.0.1 or on the Unix socket at this port.
pg_answers() {
    pg_isready -q -t 2 -h 127.0.0.1 -p "$1" || pg_isready -q -t 2 -h "$SIAGA112_PG_SOCKET_DIR" -p "$1"
}

# Newest version directory under a folder (/etc/postgresql, /usr/lib/postgresql), or nothing.
pg_newest_version_in() {
    { ls -1 "$1" 2>/dev/null || true; } | awk '/^[0-9]+(\.[0-9]+)?$/' | sort -V | tail -n 1
}

# Make sure the local PostgreSQL answers. Sets SIAGA112_PG_PORT.
# If 127.0.0.1:5432 does not answer: start the newest installed cluster
# "main" (creating it first when there is none) and wait up to 30 s.
ensure_postgres_running() {
    SIAGA112_PG_PORT=5432
    command -v pg_isready >/dev/null 2>&1 ||
        die "PostgreSQL is missing: pg_isready not found (install Debian's postgresql package)"
    if pg_isready -q -t 2 -h 127.0.0.1 -p 5432; then
        log "PostgreSQL answers on 127.0.0.1:5432"
        return 0
    fi
    log "PostgreSQL does not answer on 127.0.0.1:5432; starting the local cluster"

    local version port status _x
    version="$(pg_newest_version_in /etc/postgresql)"
    if [[ -z $version || ! -d /etc/postgresql/$version/main ]]; then
        [[ -n $version ]] || version="$(pg_newest_version_in /usr/lib/postgresql)"
        [[ -n $version && -x /usr/lib/postgresql/$version/bin/postgres ]] ||
            die "PostgreSQL server is missing: no /usr/lib/postgresql/<version>/bin/postgres (install Debian's postgresql package)"
        log "no cluster $version/main; creating it (pg_createcluster $version main)"
        as_root pg_createcluster "$version" main ||
            die "could not create the PostgreSQL cluster: pg_createcluster $version main failed"
    fi

    port=5432 status=unknown
    read -r _x _x port status _x < <(pg_lsclusters -h "$version" main 2>/dev/null) || true
    [[ $port =~ ^[0-9]+$ ]] || port=5432
    if [[ $status == online* ]]; then
        log "cluster $version/main is already running (port $port)"
    else
        log "starting cluster $version/main on port $port (pg_ctlcluster --skip-systemctl-redirect $version main start)"
        if ! as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start; then
            log "last lines of /var/log/postgresql/postgresql-$version-main.log:"
            tail -n 20 "/var/log/postgresql/postgresql-$version-main.log" >&2 2>/dev/null || true
            die "could not start PostgreSQL cluster $version/main"
        fi
    fi

    local waited=0
    until pg_answers "$port"; do
        ((waited >= 30)) &&
            die "PostgreSQL cluster $version/main was started but does not answer on 127.0.0.1:$port nor on $SIAGA112_PG_SOCKET_DIR after 30 s"
        sleep 1
        waited=$((waited + 1))
    done
    log "PostgreSQL $version/main answers (port $port, after ${waited} s)"
    SIAGA112_PG_PORT=$port
}

# Echo the first libpq URL among the arguments that connects without a password.
pg_first_working_url() {
    local url
    for url in "$@"; do
        if PGCONNECT_TIMEOUT=5 psql -w -X -A -t -q -d "$url" -c 'select 1' >/dev/null 2>&1; then
            printf '%s\n' "$url"
            return 0
        fi
    done
    return 1
}

# psql as the postgres OS user over the Unix socket (peer auth), for admin work.
pg_as_postgres() {
    as_root runuser -u postgres -- psql -X -A -t -q -h "$SIAGA112_PG_SOCKET_DIR" -p "$SIAGA112_PG_PORT" -d postgres "$@"
}

# Echo a libpq URL for a superuser role named after the current OS user
# (root here) that works without a password: TCP on 127.0.0.1 first, else the
# Unix socket. Creates the role (or makes it superuser) as user postgres when needed.
postgres_admin_url() {
    local role port=$SIAGA112_PG_PORT tcp sock url
    role="$(id -un)"
    tcp="postgresql://$role@127.0.0.1:$port/postgres"
    sock="postgresql://$role@/postgres?host=$SIAGA112_PG_SOCKET_DIR"
    [[ $port == 5432 ]] || sock="$sock&port=$port"

    if ! url="$(pg_first_working_url "$tcp" "$sock")"; then
        if [[ "$(pg_as_postgres -c "select 1 from pg_roles where rolname = '$role'" 2>/dev/null)" != 1 ]]; then
            log "creating PostgreSQL superuser role '$role' (runuser -u postgres -- createuser -s $role)"
            as_root runuser -u postgres -- createuser -h "$SIAGA112_PG_SOCKET_DIR" -p "$port" -s "$role" ||
                die "could not create PostgreSQL role '$role' as user postgres"
        fi
        url="$(pg_first_working_url "$tcp" "$sock")" ||
            die "PostgreSQL role '$role' cannot connect without a password, neither at $tcp nor at $sock (check pg_hba.conf: trust on 127.0.0.1 or peer on the socket); or set SIAGA112_TEST_POSTGRES_URL"
    fi

    if [[ "$(PGCONNECT_TIMEOUT=5 psql -w -X -A -t -q -d "$url" -c 'select rolsuper from pg_roles where rolname = current_user')" != t ]]; then
        log "PostgreSQL role '$role' is not a superuser; making it one (the tests create and drop databases)"
        pg_as_postgres -c "alter role \"$role\" superuser" >/dev/null ||
            die "could not make PostgreSQL role '$role' a superuser"
    fi
    printf '%s\n' "$url"
}

# Connect with SQLAlchemy (from .venv), as the tests will; fail with the reason.
check_sqlalchemy_url() {
    PGCONNECT_TIMEOUT=10 "$SIAGA112_VENV/bin/python" - "$1" <<'PY' ||
import sys
from sqlalchemy import create_engine, text
try:
    with create_engine(sys.argv[1]).connect() as conn:
        conn.execute(text("select 1"))
except Exception as exc:  # the message is for a person
    print(f"[siaga112] {type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}", file=sys.stderr)
    sys.exit(1)
PY
        die "cannot connect to SIAGA112_TEST_POSTGRES_URL=$(mask_url "$1") with SQLAlchemy"
}
