#!/usr/bin/env bash
# psql on the crmkit test server, for a human looking at what a test left:
#
#   tests/postgres/with_server.sh bash        # a shell beside a private server
#   tests/postgres/psql.sh                    # in that shell: psql on $CRMKIT_TEST_POSTGRES
#   tests/postgres/psql.sh 'postgresql:///crmkit_test?host=/tmp/crmkit-pg.AbC123&port=5432&user=postgres' -c '\dn'
#
# The first argument is the URI when it looks like one, else $CRMKIT_TEST_POSTGRES is used;
# the other arguments go to psql (a tenant is a schema: \dn lists them, SET search_path TO
# "tenant" reads one). The server lives only as long as the with_server.sh command beside it.
set -euo pipefail
uri=${CRMKIT_TEST_POSTGRES:-}
case "${1:-}" in postgresql://* | postgres://*) uri=$1; shift ;; esac
if [ -z "$uri" ]; then
  echo "usage: $0 [postgresql://URI] [psql args...]; or set CRMKIT_TEST_POSTGRES" \
       "(tests/postgres/with_server.sh bash starts a server and sets it)" >&2
  exit 2
fi
psql=psql
[ -n "${CRMKIT_TEST_PG_BINDIR:-}" ] && [ -x "$CRMKIT_TEST_PG_BINDIR/psql" ] && psql=$CRMKIT_TEST_PG_BINDIR/psql
exec "$psql" "$uri" "$@"
