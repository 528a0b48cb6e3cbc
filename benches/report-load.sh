#!/usr/bin/env bash
# Reports on a large history (issue 7); not run by CI.
#
# A private PostgreSQL cluster (production settings but for the cluster's
# size), the demo tenant, and `switchboard history` writing --days of
# synthetic history at --calls-per-day (10 million calls by default: 365
# days × 27,400, with 609 agents: 45 calls a day each) straight into the CDR table and the agent state
# intervals; the rollup triggers (migration 0011) fill the 15-minute
# rollups as the rows go in. Then `switchboard serve` (release), and for
# each report measured — service level by day, volume with abandonment
# by stage by day, agents, heatmap — --runs requests over as many 30-day
# ranges (each starting one day later, the newest last) through the REST
# API as the demo admin, timed by curl (connect to last byte), beside the
# same figures computed by one direct SQL aggregate over the raw CDR table
# (and the raw state intervals for the agents) for the same range, timed
# by psql (`\timing`: the round trip) in the same run. Reported: p50 and
# p95 of each, and raw p95 / API p95.
#
# The raw aggregates read only what each report needs (no JSON, no
# second query), so the ratio is, if anything, in the raw SQL's favour.
#
# --keep keeps the work directory (the cluster with its history); --reuse
# DIR measures again on a kept one (no new history: to compare two builds
# on the same data; a newer build migrates it first).
#
#   benches/report-load.sh [--days N] [--calls-per-day N] [--runs N]
#                          [--bin PATH] [--keep] [--reuse DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib.sh

days=365
per_day=27400
runs=40
given_bin=""
keep=no
reuse=""
while [ $# -gt 0 ]; do
    case $1 in
        --days) days=$2; shift 2 ;;
        --calls-per-day) per_day=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --bin) given_bin=$(realpath "$2"); shift 2 ;;
        --keep) keep=yes; shift ;;
        --reuse) reuse=$(realpath "$2"); keep=yes; shift 2 ;;
        *) die "unknown argument $1 (see the header of $0)" ;;
    esac
done
# Staffed like the generator's default: 45 calls a day per agent.
agents=$(((per_day + 44) / 45))
[ "$days" -ge $((30 + runs)) ] || die "--days must be at least 30 + --runs (each run takes a range one day later)"

ensure_rust
ensure_packages postgresql jq curl cmake
bin="$given_bin"
if [ -z "$bin" ]; then
    cargo build --release --locked -p switchboard --bin switchboard >&2
    bin="${CARGO_TARGET_DIR:-$root/target}/release/switchboard"
fi

# The history needs room: about 1.3 GB per million calls with indexes.
need_gb=$(((days * per_day) * 13 / 10000000 + 2))
work_parent=${REPORT_LOAD_DIR:-/tmp}
free_gb=$(df -P -BG "$work_parent" | awk 'NR == 2 { sub("G", "", $4); print $4 }')
if [ -z "$reuse" ]; then
    [ "$free_gb" -ge "$need_gb" ] || die "$work_parent has ${free_gb} GB free; this history needs about ${need_gb} GB (set REPORT_LOAD_DIR)"
    work=$(mktemp -d "$work_parent/report-load.XXXXXX")
    chmod 755 "$work"
else
    [ -f "$reuse/history.log" ] || die "$reuse holds no kept history"
    work=$reuse
fi
http_port=18090
serve_pid=""
cleanup() {
    local rc=$?
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
    wait 2>/dev/null || true
    stop_cluster "$work/var/pg"
    if [ "$keep" = yes ] || [ "$rc" -ne 0 ]; then
        echo "kept $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

export SWITCHBOARD_DATA_DIR="$work/var"
export SWITCHBOARD_HTTP__LISTEN="127.0.0.1:$http_port"
export SWITCHBOARD_SIP__UDP_LISTEN="127.0.0.1:15160"
export SWITCHBOARD_MEDIA__PORT_FIRST=29000
export SWITCHBOARD_MEDIA__PORT_LAST=29999
export SWITCHBOARD_LOG__FILTER=warn
api="http://127.0.0.1:$http_port"
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.0f", e - s }'; }

echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -z "$reuse" ]; then
    "$bin" demo >"$work/demo.log" 2>&1 || die "switchboard demo failed: $(tail -n 5 "$work/demo.log")"
    until_day=$(date -u -d yesterday +%F)
    started=$(now)
    "$bin" history --tenant demo --days "$days" --calls-per-day "$per_day" --agents "$agents" --until "$until_day" --seed 7 \
        >"$work/history.log" 2>&1 || die "switchboard history failed: $(tail -n 5 "$work/history.log")"
    took=$(since "$started")
    echo "$until_day $took" >"$work/history.meta"
else
    read -r until_day took <"$work/history.meta"
fi
"$bin" serve >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 600); do
    curl -sf "$api/healthz" >/dev/null 2>&1 && break
    kill -0 "$serve_pid" 2>/dev/null || die "serve exited: $(tail -n 5 "$work/serve.log")"
    sleep 0.1
done
db_url=$(grep -o 'postgres://[^ "]*' "$work/serve.log" | head -n 1)
[ -n "$db_url" ] || die "serve did not print its database URL"
sql() { psql "$db_url" -Atq -F ' ' -c "$1"; }
sql "ANALYZE" >/dev/null
read -r tenant tz <<<"$(sql "SELECT id, time_zone FROM tenants WHERE slug = 'demo'")"
read -r calls_n rollup_n agent_rollup_n intervals_n db_size <<<"$(sql "
    SELECT (SELECT count(*) FROM calls WHERE tenant_id = '$tenant'), (SELECT count(*) FROM call_rollup),
           (SELECT count(*) FROM agent_rollup), (SELECT count(*) FROM agent_state_intervals),
           pg_size_pretty(pg_database_size(current_database()))")"
echo "history: $calls_n calls over $days days written in $took s ($(awk -v n="$calls_n" -v t="$took" 'BEGIN { printf "%.0f", n / (t > 0 ? t : 1) }') calls/s, triggers included); $rollup_n call rollup rows, $agent_rollup_n agent rollup rows, $intervals_n state intervals; database $db_size; tenant zone $tz"

token=$(curl -s "$api/api/v1/auth/login" -H 'content-type: application/json' \
    --data '{"tenant":"demo","username":"admin","password":"demo-admin"}' | jq -r .token)
[ -n "$token" ] && [ "$token" != null ] || die "could not log in as the demo admin"

# The range of run i: 30 days ending (runs - i) days before the history's end.
range() {
    local end_day from to
    end_day=$(date -u -d "$until_day - $(($2 - $1)) days" +%F)
    from=$(date -u -d "$end_day - 30 days" +%FT00:00:00Z)
    to=$(date -u -d "$end_day" +%FT00:00:00Z)
    echo "$from $to"
}

# p50 and p95 (nearest rank) of the numbers on standard input.
percentiles() { sort -n | awk '{ v[NR] = $1 } END { i50 = int(NR * 0.50 + 0.999); i95 = int(NR * 0.95 + 0.999); printf "%.1f %.1f", v[i50], v[i95] }'; }

raw_sql() {
    local from=$2 to=$3 span="tenant_id = '$tenant' AND arrived_at >= '$2' AND arrived_at < '$3'"
    case $1 in
        service-level) echo "SELECT date_trunc('day', arrived_at AT TIME ZONE '$tz') AS d,
            count(*) FILTER (WHERE outcome = 'answered' AND coalesce(wait_ms, 0) <= 20000),
            count(*) FILTER (WHERE outcome = 'answered'),
            count(*) FILTER (WHERE outcome = 'abandoned' AND abandon_stage IN ('queue', 'ringing'))
            FROM calls WHERE $span AND queue_id IS NOT NULL GROUP BY 1 ORDER BY 1" ;;
        volume) echo "SELECT date_trunc('day', arrived_at AT TIME ZONE '$tz') AS d, outcome, abandon_stage,
            count(*), count(*) FILTER (WHERE queued_at IS NOT NULL), count(*) FILTER (WHERE ivr_entered_at IS NOT NULL),
            count(*) FILTER (WHERE outside_business_hours), sum(wait_ms)
            FROM calls WHERE $span GROUP BY 1, 2, 3 ORDER BY 1" ;;
        agents) echo "WITH answered AS (
                SELECT agent_id, count(*) AS n, sum(ring_ms) AS ring, sum(talk_ms) AS talk, sum(hold_ms) AS hold,
                       sum(wrap_up_ms) AS wrap, count(survey_score) FILTER (WHERE survey_scale = 5) AS surveyed,
                       sum(survey_score) FILTER (WHERE survey_scale = 5) AS score
                FROM calls WHERE $span AND agent_id IS NOT NULL GROUP BY agent_id),
            missed AS (
                SELECT a AS agent_id, count(*) AS n FROM calls, unnest(rona_agent_ids) AS a WHERE $span GROUP BY a),
            states AS (
                SELECT agent_id, state, reason,
                       sum(extract(epoch FROM least(ended_at, '$to') - greatest(started_at, '$from'))) AS secs
                FROM agent_state_intervals
                WHERE tenant_id = '$tenant' AND started_at < '$to' AND ended_at > '$from' GROUP BY 1, 2, 3)
            SELECT * FROM answered FULL JOIN missed USING (agent_id) FULL JOIN states USING (agent_id)" ;;
        heatmap) echo "SELECT extract(isodow FROM arrived_at AT TIME ZONE '$tz') AS wd, extract(hour FROM arrived_at AT TIME ZONE '$tz') AS h,
            count(*), count(*) FILTER (WHERE outcome = 'answered' AND coalesce(wait_ms, 0) <= 20000),
            count(*) FILTER (WHERE outcome = 'answered'),
            count(*) FILTER (WHERE outcome = 'abandoned' AND abandon_stage IN ('queue', 'ringing'))
            FROM calls WHERE $span GROUP BY 1, 2 ORDER BY 1, 2" ;;
    esac
}

api_path() {
    case $1 in
        service-level) echo "/api/v1/reports/service-level?from=$2&to=$3&group=day" ;;
        volume) echo "/api/v1/reports/volume?from=$2&to=$3&group=day" ;;
        agents) echo "/api/v1/reports/agents?from=$2&to=$3" ;;
        heatmap) echo "/api/v1/reports/heatmap?from=$2&to=$3" ;;
    esac
}

rows=()
for report in service-level volume agents heatmap; do
    : >"$work/$report.api" ; : >"$work/$report.raw"
    # One of each first: the caches warm, and a failing report stops the run.
    read -r from to <<<"$(range 1 "$runs")"
    out=$(curl -s -o "$work/$report.json" -w '%{http_code}' -H "authorization: Bearer $token" "$api$(api_path "$report" "$from" "$to")")
    [ "$out" = 200 ] || die "GET $(api_path "$report" "$from" "$to") answered $out: $(head -c 300 "$work/$report.json")"
    sql "$(raw_sql "$report" "$from" "$to")" >/dev/null
    for i in $(seq "$runs"); do
        read -r from to <<<"$(range "$i" "$runs")"
        curl -s -o /dev/null -w '%{time_total}\n' -H "authorization: Bearer $token" "$api$(api_path "$report" "$from" "$to")" |
            awk '{ printf "%.3f\n", $1 * 1000 }' >>"$work/$report.api"
        psql "$db_url" -Atq -c '\timing on' -c "$(raw_sql "$report" "$from" "$to")" |
            sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' >>"$work/$report.raw"
    done
    read -r a50 a95 <<<"$(percentiles <"$work/$report.api")"
    read -r r50 r95 <<<"$(percentiles <"$work/$report.raw")"
    rows+=("$(awk -v r="$report" -v a50="$a50" -v a95="$a95" -v r50="$r50" -v r95="$r95" -v n="$runs" \
        'BEGIN { printf "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f× |", r, n, a50, a95, r50, r95, r95 / a95 }')")
    echo "${rows[-1]}"
done

echo
echo "| report (30 days) | runs | API p50 ms | API p95 ms | raw SQL p50 ms | raw SQL p95 ms | raw p95 / API p95 |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
