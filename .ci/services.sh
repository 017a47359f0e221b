# shellcheck shell=bash
# Sourced by .ci/run before pytest: starts the services the tests need, for this run only.
#
# PostgreSQL: a throw-away server in a temporary folder, listening on 127.0.0.1 on a free port,
# with one database; its URL goes into ESCAP_TEST_PG_URL for the tests marked `postgres`.
# initdb refuses to run as root, so as root the server runs as the `postgres` user (or `nobody`).
# Installs Debian's postgresql package when no initdb/pg_ctl is found. Any failure stops .ci/run
# with a message: CI never skips the PostgreSQL tests silently. The server and its folder are
# removed when the shell exits, keeping the exit code of whatever ran last (pytest).
#
# faketime: .ci/run reruns the date-sensitive tests with the machine's clock moved (see there);
# dovecot: the MSSanté tests read replies from a real IMAP server (tests/mail/imap_server.py).
# Debian's faketime and dovecot-imapd packages are installed the same way when missing.

_escap_pg_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) \
    "$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")"; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/createdb" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

_escap_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$ESCAP_PG_USER" -- "$@"
  else
    "$@"
  fi
}

_escap_services_stop() {
  if [ -n "${ESCAP_PG_DIR:-}" ] && [ -d "$ESCAP_PG_DIR" ]; then
    _escap_pg_as_owner "$ESCAP_PG_BIN/pg_ctl" -D "$ESCAP_PG_DIR/data" -m fast -w stop \
      >/dev/null 2>&1 || true
    rm -rf "$ESCAP_PG_DIR"
  fi
}

_escap_services_fail() {
  echo "services.sh : ERREUR : $*" >&2
  if [ -n "${ESCAP_PG_DIR:-}" ] && [ -f "$ESCAP_PG_DIR/server.log" ]; then
    echo "--- journal PostgreSQL ---" >&2
    tail -n 40 "$ESCAP_PG_DIR/server.log" >&2 || true
  fi
  _escap_services_stop
  return 1
}

_escap_debian_tool_ready() {
  # $1: the program the tests run, $2: the Debian package that has it.
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] && return 0
  echo "services.sh : $1 absent, installation du paquet Debian $2..." >&2
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "services.sh : ERREUR : $1 introuvable et apt-get inutilisable" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y -qq "$2" >&2 || { apt-get update -qq >&2 && apt-get install -y -qq "$2" >&2; }; } \
    || { echo "services.sh : ERREUR : l'installation de $2 a échoué" >&2; return 1; }
}

_escap_services_start() {
  if ! ESCAP_PG_BIN="$(_escap_pg_bindir)"; then
    echo "services.sh : PostgreSQL absent, installation du paquet Debian postgresql..." >&2
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      _escap_services_fail "initdb/pg_ctl introuvables et apt-get inutilisable"
      return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2 \
      || { _escap_services_fail "l'installation de postgresql a échoué"; return 1; }
    ESCAP_PG_BIN="$(_escap_pg_bindir)" \
      || { _escap_services_fail "initdb/pg_ctl toujours introuvables"; return 1; }
  fi
  export ESCAP_PG_BIN

  ESCAP_PG_USER="$(id -un)"
  if [ "$(id -u)" -eq 0 ]; then
    if id postgres >/dev/null 2>&1; then ESCAP_PG_USER=postgres; else ESCAP_PG_USER=nobody; fi
  fi
  export ESCAP_PG_USER

  ESCAP_PG_DIR="$(mktemp -d /tmp/escap-pg.XXXXXX)" \
    || { _escap_services_fail "dossier temporaire impossible"; return 1; }
  export ESCAP_PG_DIR
  if [ "$(id -u)" -eq 0 ]; then chown "$ESCAP_PG_USER" "$ESCAP_PG_DIR"; fi
  chmod 700 "$ESCAP_PG_DIR"

  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')" \
    || { _escap_services_fail "aucun port libre"; return 1; }

  _escap_pg_as_owner "$ESCAP_PG_BIN/initdb" -D "$ESCAP_PG_DIR/data" -U escap -A trust \
    -E UTF8 --no-locale >"$ESCAP_PG_DIR/initdb.log" 2>&1 \
    || { cat "$ESCAP_PG_DIR/initdb.log" >&2; _escap_services_fail "initdb a échoué"; return 1; }
  # Durability is pointless for a throw-away test server: fsync off keeps the tests quick.
  _escap_pg_as_owner "$ESCAP_PG_BIN/pg_ctl" -D "$ESCAP_PG_DIR/data" -l "$ESCAP_PG_DIR/server.log" \
    -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $port -k $ESCAP_PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null \
    || { _escap_services_fail "PostgreSQL n'a pas démarré"; return 1; }
  trap '_escap_rc=$?; _escap_services_stop; exit $_escap_rc' EXIT

  _escap_pg_as_owner "$ESCAP_PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U escap escap_test \
    || { _escap_services_fail "createdb a échoué"; return 1; }
  export ESCAP_TEST_PG_URL="postgresql+psycopg://escap@127.0.0.1:$port/escap_test"
  echo "services.sh : PostgreSQL de test prêt sur 127.0.0.1:$port (ESCAP_TEST_PG_URL)" >&2
}

_escap_debian_tool_ready faketime faketime || return 1
_escap_debian_tool_ready dovecot dovecot-imapd || return 1
_escap_services_start || return 1
