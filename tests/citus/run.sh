#!/usr/bin/env bash
# Opt-in: runs crmkit's PostgreSQL suites against a Citus cluster, each tenant schema made a
# distributed schema (schema-based sharding, Citus 12+). Not part of `make test`: Citus is not
# a Debian package, so CI here has no cluster and claims no Citus coverage (docs/SCALE.md).
#
#   CRMKIT_CITUS_URI='postgresql://coordinator:5432/crmkit_scratch?user=crmkit' \
#     tests/citus/run.sh [BUILD_DIR] [extra ctest arguments...]
#
# CRMKIT_CITUS_URI: a libpq URI of a scratch database on the cluster's COORDINATOR (tenant
# tables can only be created there), where the citus extension is created and at least one
# worker is active. The tests create tenant schemas in it and may leave some behind: do not
# point it at a database that matters. BUILD_DIR (default: build) is a configured crmkit build
# with its tests built (make build).
#
# What it does: checks the URI answers, the extension is there (12.0 or newer), the node is the
# coordinator and has workers; then exports PGOPTIONS='-c citus.enable_schema_based_sharding=on
# -c citus.enable_unsafe_triggers=on' (so every session crmkit opens distributes each schema it
# creates: a new tenant lands whole on one worker; and Citus releases before citus PR #8464
# accept the triggers of crmkit's migrations on those tables, docs/SCALE.md), CRMKIT_TEST_POSTGRES=$CRMKIT_CITUS_URI and CRMKIT_TEST_BACKEND=postgresql
# (what the PostgreSQL variants of the suites read, tests/test_store.hpp with the backend), and runs
# `ctest -L postgres` in BUILD_DIR. A URI that sets its own `options` overrides PGOPTIONS; put the -c in it then.
# The server-restart tests skip (no CRMKIT_TEST_PG_CTL: a cluster is not restarted from here).
# Afterwards it lists the distributed schemas (citus_schemas) and where their shards live.
#
# Exit status: ctest's; 77 (skipped) when CRMKIT_CITUS_URI is unset, psql is missing, or the
# database has no usable citus extension; 1 when the URI does not answer or BUILD_DIR is not
# a build.
set -uo pipefail

skip() { echo "citus/run.sh: skipped: $1" >&2; exit 77; }
die() { echo "citus/run.sh: $1" >&2; exit 1; }

[ -n "${CRMKIT_CITUS_URI:-}" ] || skip "CRMKIT_CITUS_URI is not set (a libpq URI of a scratch database on a Citus coordinator)"
command -v psql >/dev/null 2>&1 || skip "psql is not installed (Debian: postgresql-client)"
build=${1:-build}
[ $# -gt 0 ] && shift
[ -f "$build/CTestTestfile.cmake" ] || die "$build is not a configured build directory (make build, or pass BUILD_DIR)"

q() { psql -X -q -At -v ON_ERROR_STOP=1 "$CRMKIT_CITUS_URI" -c "$1"; }
q 'SELECT 1' >/dev/null || die "cannot connect with CRMKIT_CITUS_URI"
version=$(q "SELECT extversion FROM pg_extension WHERE extname = 'citus'") || die "cannot read pg_extension"
[ -n "$version" ] || skip "the citus extension is not created in that database (CREATE EXTENSION citus, on the coordinator)"
major=${version%%.*}
[ "$major" -ge 12 ] 2>/dev/null || skip "citus $version: schema-based sharding needs Citus 12.0 or newer"
[ "$(q 'SELECT citus_is_coordinator()')" = t ] || die "CRMKIT_CITUS_URI is not the coordinator (tenant tables are created there)"
workers=$(q 'SELECT count(*) FROM citus_get_active_worker_nodes()') || die "cannot list the workers"
[ "$workers" -ge 1 ] || die "the cluster has no active worker (SELECT citus_add_node(host, port) on the coordinator)"

export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c citus.enable_schema_based_sharding=on -c citus.enable_unsafe_triggers=on"
[ "$(q 'SHOW citus.enable_schema_based_sharding')" = on ] && [ "$(q 'SHOW citus.enable_unsafe_triggers')" = on ] \
  || die "citus.enable_schema_based_sharding or citus.enable_unsafe_triggers is not on in the tests' sessions (does the URI set options=?)"
export CRMKIT_TEST_POSTGRES=$CRMKIT_CITUS_URI CRMKIT_TEST_BACKEND=postgresql
unset CRMKIT_TEST_PG_CTL CRMKIT_TEST_PG_DATA CRMKIT_TEST_PG_USER CRMKIT_TEST_PG_BINDIR CRMKIT_TEST_PG_LOG

echo "citus/run.sh: Citus $version, $workers active worker(s); ctest -L postgres in $build"
start=$(date +%s)
(cd "$build" && ctest -L postgres --no-tests=error --output-on-failure "$@")
status=$?
echo "citus/run.sh: ctest exit status $status after $(( $(date +%s) - start )) s; distributed schemas now:"
q "SELECT s.schema_name, s.schema_size, string_agg(DISTINCT n.nodename || ':' || n.nodeport, ', ')
   FROM citus_schemas s
   LEFT JOIN pg_dist_partition p ON p.colocationid = s.colocation_id
   LEFT JOIN pg_dist_shard d ON d.logicalrelid = p.logicalrelid
   LEFT JOIN pg_dist_placement pl ON pl.shardid = d.shardid
   LEFT JOIN pg_dist_node n ON n.groupid = pl.groupid
   GROUP BY 1, 2 ORDER BY 1" | sed 's/^/  /' || true
exit "$status"
