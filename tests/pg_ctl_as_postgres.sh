#!/usr/bin/env bash
# pg_ctl for test clusters when the tests run as root (CI does): PostgreSQL refuses to
# run as root, so this runs the real pg_ctl as the 'postgres' system user that Debian's
# postgresql package creates, after handing that user the cluster's folder.
# The real pg_ctl comes in MEMBERDESK_REAL_PG_CTL (tests/postgres_cluster.py sets it).
set -euo pipefail
real="${MEMBERDESK_REAL_PG_CTL:?set by tests/postgres_cluster.py}"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    -D | --pgdata | -l | --log)
      target="${args[$((i + 1))]}"
      folder="$(dirname -- "$target")"
      mkdir -p -- "$folder"
      chown postgres: -- "$folder"
      # Let the postgres user reach the folder through pytest's private temp tree.
      path="$folder"
      while [ "$path" != "/" ]; do
        path="$(dirname -- "$path")"
        chmod o+x -- "$path"
      done
      ;;
  esac
done
cd /
exec runuser -u postgres -- "$real" "$@"
