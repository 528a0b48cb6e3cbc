#!/usr/bin/env bash
# Calls end to end under load (issue 6); not run by CI.
#
# `switchboard serve` (release) on its own private PostgreSQL cluster
# (production durability: fsync on), the demo tenant plus one queue "load"
# (no wrap-up, no announcements) and N agents with SIP accounts in it,
# created over the REST API as the demo admin. The agents are one SIPp UAS
# (tests/sipp/agents-answer.xml): they REGISTER with digest auth
# (agents-register.xml, one line of an injection file each), log in over
# the agent API, and answer every call at once, streaming a G.711 tone.
# A SIPp carrier (tests/sipp/carrier.xml) then calls the queue's DID at a
# rising rate, each call streaming its own tone and hanging up after
# --talk s: G.711 RTP both ways through serve's bridge.
#
# Per step (one rate, new calls for --step s): calls attempted / answered
# (bridged to an agent) / failed (SIPp's failures, or a call not bridged);
# the peak of calls up (SIPp) and of bridged calls (from the events);
# over the steady window (from --talk + 5 s after the first call to the
# last new call) serve's CPU (/proc/PID/stat) and RSS per concurrent call,
# the UDP datagrams/s on loopback (/proc/net/snmp: the namespace is ours)
# beside the RTP the calls should carry, the datagrams dropped at serve's
# RTP sockets (ss), the events/s reaching PostgreSQL (events.recorded_at)
# and, after the step, whether every call has all its events (sequence
# 1..n without a gap, one call_ended) and its CDR row: 0 lost events.
# The first step with a failed call or a lost event is the last.
#
# As root it runs in a private network namespace (unshare -n, loopback
# only): no port of another process on the machine meets ours, and the
# UDP counters are this run's alone.
#
# --commit-delay-us N makes every PostgreSQL commit wait N µs longer
# (commit_delay with commit_siblings = 0): a database across a network, or
# a slower disk. --bin PATH runs that switchboard binary instead of
# building one (to compare two builds on the same machine).
#
#   benches/call-load.sh [--agents N] [--rates "10 20 50 100"] [--talk S]
#                        [--step S] [--commit-delay-us N] [--bin PATH]
#                        [--no-netns] [--keep-going]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib.sh

args=("$@")
agents=200
rates="2 5"
talk=30
step=60
netns=yes
keep_going=no
commit_delay=0
given_bin=""
while [ $# -gt 0 ]; do
    case $1 in
        --agents) agents=$2; shift 2 ;;
        --rates) rates=$2; shift 2 ;;
        --talk) talk=$2; shift 2 ;;
        --step) step=$2; shift 2 ;;
        --no-netns) netns=no; shift ;;
        --keep-going) keep_going=yes; shift ;;
        --commit-delay-us) commit_delay=$2; shift 2 ;;
        --bin) given_bin=$(realpath "$2"); shift 2 ;;
        *) die "unknown argument $1 (see the header of $0)" ;;
    esac
done
[ "$step" -ge $((talk + 10)) ] || die "--step must be at least --talk + 10 s (a steady window)"

if [ -z "${CALL_LOAD_IN_NETNS:-}" ]; then
    ensure_rust
    ensure_packages postgresql sip-tester sox jq curl cmake
    built="$given_bin"
    if [ -z "$built" ]; then
        cargo build --release --locked -p switchboard --bin switchboard >&2
        built="${CARGO_TARGET_DIR:-$root/target}/release/switchboard"
    fi
    # A copy: a build of another checkout sharing the target directory
    # must not swap the binary under the run.
    CALL_LOAD_BIN=$(mktemp /tmp/call-load-switchboard.XXXXXX)
    trap 'rm -f "$CALL_LOAD_BIN"' EXIT
    cp "$built" "$CALL_LOAD_BIN"
    chmod 755 "$CALL_LOAD_BIN"
    export CALL_LOAD_BIN
    if [ "$netns" = yes ] && [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
        trap - EXIT
        exec unshare -n env CALL_LOAD_IN_NETNS=1 bash -c 'ip link set lo up && exec "$@"' bash "$0" "${args[@]}"
    fi
    echo "note: not in a private network namespace (needs root): ports may meet other processes' and the UDP counters are the machine's" >&2
fi
bin=$CALL_LOAD_BIN

scenarios="$root/crates/switchboard/tests/sipp"
http_port=18080
sip_port=15060
agents_port=15070
carrier_port=15080
media_first=20000
media_last=32699
did="+442079469999"
hz=$(getconf CLK_TCK)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work=$(mktemp -d /tmp/call-load.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    local rc=$?
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    stop_cluster "$work/var/pg"
    rm -f "$bin"
    # A failed run keeps its logs and database (serve.log, var/pg).
    if [ "${CALL_LOAD_KEEP:-}" = 1 ] || [ "$rc" -ne 0 ]; then
        echo "kept $work (serve's log: $work/serve.log)" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

export SWITCHBOARD_DATA_DIR="$work/var"
export SWITCHBOARD_HTTP__LISTEN="127.0.0.1:$http_port"
export SWITCHBOARD_SIP__UDP_LISTEN="127.0.0.1:$sip_port"
export SWITCHBOARD_MEDIA__PORT_FIRST=$media_first
export SWITCHBOARD_MEDIA__PORT_LAST=$media_last
export SWITCHBOARD_MEDIA__PROMPTS_DIR="$work/prompts"
export SWITCHBOARD_LOG__FORMAT=json
export SWITCHBOARD_LOG__FILTER=warn
mkdir -p "$work/prompts" "$work/agents" "$work/carrier"
api="http://127.0.0.1:$http_port"

# The HTTP status and body of one API call: api METHOD PATH [TOKEN] [BODY].
call_api() {
    local auth=()
    [ -n "${3:-}" ] && auth=(-H "authorization: Bearer $3")
    curl -s -X "$1" "$api$2" "${auth[@]}" -H 'content-type: application/json' --data "${4:-}" -w '\n%{http_code}'
}

# The body of an API call that must answer 2xx.
api_ok() {
    local out code
    out=$(call_api "$@")
    code=${out##*$'\n'}
    [ "${code:0:1}" = 2 ] || die "$1 $2 answered $code: ${out%$'\n'*}"
    printf '%s' "${out%$'\n'*}"
}

login() {
    api_ok POST /api/v1/auth/login "" "{\"tenant\":\"demo\",\"username\":\"$1\",\"password\":\"$2\"}" | jq -r .token
}

start_serve() {
    "$bin" serve >"$work/serve.log" 2>&1 &
    serve_pid=$!
    pids+=("$serve_pid")
    for _ in $(seq 600); do
        curl -sf "$api/healthz" >/dev/null 2>&1 && return 0
        kill -0 "$serve_pid" 2>/dev/null || die "serve exited: $(tail -n 5 "$work/serve.log")"
        sleep 0.1
    done
    die "serve did not answer /healthz"
}

stop_serve() {
    kill -TERM "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
}

sql() { psql "$db_url" -Atq -F ' ' -c "$1"; }

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# utime+stime of the cluster's postmaster and its children.
pg_ticks() {
    local main total=0 pid
    main=$(head -n 1 "$work/var/pg/postmaster.pid" 2>/dev/null) || { echo 0; return; }
    for pid in $main $(pgrep -P "$main"); do total=$((total + $(ticks "$pid"))); done
    echo "$total"
}
# Busy and total jiffies of the machine.
machine() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat; }
# UDP InDatagrams, OutDatagrams and RcvbufErrors of the namespace.
udp() { awk '/^Udp: [0-9]/ {print $2, $5, $6}' /proc/net/snmp; }
# Datagrams dropped so far at serve's RTP sockets.
serve_drops() {
    ss -uanm "sport >= :$media_first and sport <= :$media_last" |
        awk -F'[(,)]' '/skmem/ { for (i = 1; i <= NF; i++) if ($i ~ /^d[0-9]+$/) s += substr($i, 2) } END { print s + 0 }'
}
# The last value of a column of a SIPp -trace_stat file.
stat_col() {
    awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next } c { v = $c } END { print v + 0 }' "$1" 2>/dev/null || echo 0
}
now() { date +%s.%N; }
# The processes using the most CPU over the last second (top's second frame).
busiest() {
    top -b -n 2 -d 1 -o %CPU -w 200 | awk '/^top -/ { frame++ } frame == 2 && $1 ~ /^[0-9]+$/ && n < 5 { printf "%s %s%%; ", $12, $9; n++ }'
}

echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg); busiest processes: $(busiest)"
echo "scenario: $agents SIPp agents, G.711 tone streamed both ways, ${talk} s calls, ${step} s of new calls per step, rates: $rates calls/s, PostgreSQL commit delay ${commit_delay} µs"

# --- The tenant: the demo, a queue "load" and the agents, over the REST API.
sox -n -r 8000 -c 1 -e u-law "$work/carrier/carrier-tone.wav" synth 10 sine 700 vol 0.3
sox -n -r 8000 -c 1 -e u-law "$work/agents/agent-tone.wav" synth 10 sine 440 vol 0.3
"$bin" demo >"$work/demo.log" 2>&1 || die "switchboard demo failed: $(tail -n 5 "$work/demo.log")"
start_serve
db_url=$(grep -o 'postgres://[^ ]*' "$work/serve.log" | head -n 1)
[ -n "$db_url" ] || die "serve did not print its database URL"
admin=$(login admin demo-admin)
if [ "$commit_delay" -gt 0 ]; then
    sql "ALTER SYSTEM SET commit_delay = $commit_delay" >/dev/null
    sql "ALTER SYSTEM SET commit_siblings = 0" >/dev/null
    sql "SELECT pg_reload_conf()" >/dev/null
fi
queue=$(api_ok GET /api/v1/queues "$admin" | jq '.items[] | select(.name == "sales")
    | del(.id, .members) | .name = "load" | .wrap_up_secs = 0 | .max_length = 100000 | .max_wait_secs = 600
    | .required_skills = [] | .overflow = null | .callback_threshold_secs = null | .strategy = "longest_idle"
    | .routing.skill_steps = [] | .routing.announce_interval_secs = null | .routing.vip_relax_after_secs = null')
queue_id=$(api_ok POST /api/v1/queues "$admin" "$queue" | jq -r .id)
api_ok POST /api/v1/numbers "$admin" \
    "{\"e164\":\"$did\",\"entry\":{\"type\":\"queue\",\"queue_id\":\"$queue_id\"},\"label\":\"Load\"}" >/dev/null

create_agent() {
    local ext user
    ext=$(printf 'load%05d' "$1")
    user=$(api_ok POST /api/v1/users "$admin" \
        "{\"username\":\"$ext\",\"display_name\":\"Load $1\",\"role\":\"agent\",\"password\":\"$ext-agent-pw\"}" | jq -r .id)
    api_ok POST /api/v1/agents "$admin" "{\"user_id\":\"$user\",\"name\":\"Load $1\",\"extension\":\"$ext\",
        \"sip_password\":\"$ext-sip-pw\",\"queues\":[{\"queue_id\":\"$queue_id\",\"weight\":100}]}" >/dev/null
}
log_in_agent() {
    local ext token
    ext=$(printf 'load%05d' "$1")
    token=$(login "$ext" "$ext-agent-pw")
    api_ok POST /api/v1/agent/login "$token" >/dev/null
}
export -f create_agent log_in_agent api_ok call_api login die
export api admin queue_id
started=$(now)
seq "$agents" | xargs -P 4 -I{} bash -c 'create_agent {}'
echo "seeded $agents agents over the API in $(awk -v s="$started" -v e="$(now)" 'BEGIN { printf "%.0f", e - s }') s"
# A fresh serve reads them at start (and starts its measurements clean).
stop_serve
start_serve

# --- The agents: one SIPp registering each (digest auth) and answering for all.
{
    echo SEQUENTIAL
    for i in $(seq "$agents"); do printf 'load%05d;[authentication username=load%05d password=load%05d-sip-pw]\n' "$i" "$i" "$i"; done
} >"$work/agents.csv"
(cd "$work/agents" && exec sipp "127.0.0.1:$sip_port" -sf "$scenarios/agents-register.xml" \
    -oocsf "$scenarios/agents-answer.xml" -inf "$work/agents.csv" \
    -key domain demo.switchboard.localhost -key contact "127.0.0.1:$agents_port" \
    -m "$agents" -r 200 -l $((agents * 4 + 1000)) -d 86400000 \
    -i 127.0.0.1 -p $agents_port -mi 127.0.0.1 -mp 16000 -cp 18870 -nostdin \
    -trace_stat -stf "$work/agents/stat.csv" -fd 1 >"$work/agents/sipp.log" 2>&1) &
agents_pid=$!
pids+=("$agents_pid")
for _ in $(seq 600); do
    registered=$(sql "SELECT count(DISTINCT agent_id) FROM events WHERE kind = 'agent_device_registered'")
    [ "$registered" -ge "$agents" ] && break
    kill -0 "$agents_pid" 2>/dev/null || die "the agents' SIPp exited: $(tail -n 20 "$work/agents/sipp.log")"
    sleep 0.5
done
[ "$registered" -ge "$agents" ] || die "only $registered of $agents agents registered"
started=$(now)
seq "$agents" | xargs -P 2 -I{} bash -c 'log_in_agent {}'
echo "registered $registered agents (SIPp, digest auth); logged in $agents over the agent API in $(awk -v s="$started" -v e="$(now)" 'BEGIN { printf "%.0f", e - s }') s"

# --- The steps.
results=()
best_rate=0
best_peak=0
index=0
for rate in $rates; do
    index=$((index + 1))
    caller=$(printf '+4477009%05d' "$index")
    calls=$((rate * step))
    if [ $((rate * talk)) -gt "$agents" ]; then
        echo "note: rate $rate/s × ${talk} s needs $((rate * talk)) agents, there are $agents: calls will wait in the queue"
    fi
    echo "-- step $index: $rate calls/s; load $(cut -d' ' -f1-3 /proc/loadavg); busiest: $(busiest)"
    rss_idle=$(rss_kib "$serve_pid")
    t0=$(now)
    (cd "$work/carrier" && exec sipp "127.0.0.1:$sip_port" -sf "$scenarios/carrier.xml" -s "$did" -key caller "$caller" \
        -d $((talk * 1000)) -r "$rate" -m "$calls" -l $((rate * talk * 2 + 100)) \
        -i 127.0.0.1 -p $carrier_port -mi 127.0.0.1 -mp 16100 -cp 18880 \
        -timeout $((step + talk + 120)) -timeout_error -nostdin \
        -trace_stat -stf "$work/carrier/stat-$index.csv" -fd 1 >"$work/carrier/sipp-$index.log" 2>&1) &
    carrier_pid=$!
    pids+=("$carrier_pid")
    window_start=$((talk + 5))
    peak=0 sum_up=0 samples=0 a_done=no b_done=no mid_busy=""
    while kill -0 "$carrier_pid" 2>/dev/null; do
        sleep 1
        elapsed=$(awk -v s="$t0" -v e="$(now)" 'BEGIN { printf "%d", e - s }')
        up=$(stat_col "$work/carrier/stat-$index.csv" CurrentCall)
        [ "$up" -gt "$peak" ] && peak=$up
        if [ "$a_done" = no ] && [ "$elapsed" -ge "$window_start" ]; then
            a_done=yes
            ta=$(now); cpu_a=$(ticks "$serve_pid"); pg_a=$(pg_ticks); read -r busy_a total_a <<<"$(machine)"
            read -r _ out_a _ <<<"$(udp)"; drops_a=$(serve_drops)
        fi
        if [ "$a_done" = yes ] && [ "$b_done" = no ]; then
            sum_up=$((sum_up + up)); samples=$((samples + 1))
            if [ -z "$mid_busy" ] && [ "$elapsed" -ge $(((window_start + step) / 2)) ]; then mid_busy=$(busiest); fi
        fi
        if [ "$b_done" = no ] && [ "$elapsed" -ge "$step" ]; then
            b_done=yes
            tb=$(now); cpu_b=$(ticks "$serve_pid"); pg_b=$(pg_ticks); read -r busy_b total_b <<<"$(machine)"
            read -r _ out_b _ <<<"$(udp)"; drops_b=$(serve_drops); rss_b=$(rss_kib "$serve_pid")
        fi
    done
    rc=0
    wait "$carrier_pid" || rc=$?
    [ "$b_done" = yes ] || die "SIPp ended before the steady window closed (rc $rc): $(tail -n 20 "$work/carrier/sipp-$index.log")"
    created=$(stat_col "$work/carrier/stat-$index.csv" "TotalCallCreated")
    ok=$(stat_col "$work/carrier/stat-$index.csv" "SuccessfulCall(C)")
    sipp_failed=$(stat_col "$work/carrier/stat-$index.csv" "FailedCall(C)")
    # Every call's CDR row (bounded wait for the last ones).
    for _ in $(seq 120); do
        rows=$(sql "SELECT count(*) FROM calls WHERE caller_number = '$caller'")
        [ "$rows" -ge "$created" ] && break
        sleep 0.5
    done
    read -r arrived complete bridged events_n <<<"$(sql "
        WITH per AS (
            SELECT call_id, count(*) AS n, min(seq) AS lo, max(seq) AS hi,
                   count(*) FILTER (WHERE kind = 'call_ended') AS ended,
                   count(*) FILTER (WHERE kind = 'bridged') AS bridged
            FROM events
            WHERE call_id IN (SELECT call_id FROM events WHERE kind = 'call_arrived' AND payload->>'from' = '$caller')
            GROUP BY call_id)
        SELECT count(*), count(*) FILTER (WHERE lo = 1 AND hi = n AND ended = 1),
               count(*) FILTER (WHERE bridged = 1), coalesce(sum(n), 0) FROM per")"
    read -r rows answered wait_mean wait_p99 <<<"$(sql "
        SELECT count(*), count(*) FILTER (WHERE outcome = 'answered'), coalesce(round(avg(wait_ms)), 0),
               coalesce(round(percentile_cont(0.99) WITHIN GROUP (ORDER BY wait_ms)), 0)
        FROM calls WHERE caller_number = '$caller'")"
    peak_bridged=$(sql "
        WITH spans AS (
            SELECT min(at) FILTER (WHERE kind = 'bridged') AS b, min(at) FILTER (WHERE kind = 'call_ended') AS e
            FROM events
            WHERE call_id IN (SELECT call_id FROM events WHERE kind = 'call_arrived' AND payload->>'from' = '$caller')
            GROUP BY call_id)
        SELECT coalesce(max(c), 0) FROM (
            SELECT (SELECT count(*) FROM spans WHERE b <= t AND e > t) AS c
            FROM generate_series((SELECT min(b) FROM spans), (SELECT max(e) FROM spans), interval '1 second') AS t) x")
    # Calls bridged, on average over the window.
    mean_bridged=$(sql "
        WITH spans AS (
            SELECT min(at) FILTER (WHERE kind = 'bridged') AS b, min(at) FILTER (WHERE kind = 'call_ended') AS e
            FROM events
            WHERE call_id IN (SELECT call_id FROM events WHERE kind = 'call_arrived' AND payload->>'from' = '$caller')
            GROUP BY call_id)
        SELECT coalesce(sum(greatest(0, extract(epoch FROM least(e, to_timestamp($tb)) - greatest(b, to_timestamp($ta))))), 0)
               / ($tb - $ta) FROM spans WHERE b IS NOT NULL")
    read -r events_window events_peak <<<"$(sql "
        SELECT (SELECT count(*) FROM events WHERE recorded_at >= to_timestamp($ta) AND recorded_at < to_timestamp($tb)),
               (SELECT coalesce(max(c), 0) FROM (SELECT count(*) AS c FROM events
                 WHERE recorded_at >= to_timestamp($t0) GROUP BY date_trunc('second', recorded_at)) x)")"
    # Lost: calls whose events have a gap or no single call_ended, and
    # calls with events but no CDR row. Not answered: calls SIPp placed
    # that were never bridged to an agent (refused, abandoned in the queue).
    lost=$((arrived - complete + arrived - rows))
    unanswered=$((created - answered))
    line=$(awk -v rate="$rate" -v created="$created" -v answered="$answered" -v failed="$sipp_failed" -v unanswered="$unanswered" -v lost="$lost" \
        -v peak="$peak" -v peak_b="$peak_bridged" -v mean_b="$mean_bridged" -v wm="$wait_mean" -v wp="$wait_p99" -v sum_up="$sum_up" -v samples="$samples" \
        -v ta="$ta" -v tb="$tb" -v ca="$cpu_a" -v cb="$cpu_b" -v pa="$pg_a" -v pb="$pg_b" -v hz="$hz" \
        -v ba="$busy_a" -v bb="$busy_b" -v xa="$total_a" -v xb="$total_b" -v ncpu="$(nproc)" \
        -v oa="$out_a" -v ob="$out_b" -v da="$drops_a" -v db="$drops_b" \
        -v rss0="$rss_idle" -v rss1="$rss_b" -v ev="$events_window" -v evp="$events_peak" -v evn="$events_n" -v calls="$arrived" \
        'BEGIN {
            t = tb - ta; avg = samples ? sum_up / samples : 0
            cpu = (cb - ca) / hz / t; pg = (pb - pa) / hz / t; mach = (bb - ba) / (xb - xa) * ncpu
            # RTP due: a call up streams to serve and hears serve (music
            # or the agent): 2 × 50 packets/s; a bridged one adds the
            # agent leg, 2 × 50 more.
            printf "| %d/s | %d | %d | %d | %d | %d | %d | %.0f | %.0f / %.0f | %d / %d | %.0f %% | %.3f %% | %.0f | %.1f | %.0f %% | %.1f of %d | %.1f | %.1f | %d | %.0f / %d | %.1f |",
                rate, created, answered, failed, unanswered, lost, peak, peak_b, avg, mean_b, wm, wp, cpu * 100,
                avg ? cpu * 100 / avg : 0, rss1 / 1024, avg ? (rss1 - rss0) / avg : 0, pg * 100, mach, ncpu,
                (ob - oa) / t / 1000, (avg + mean_b) * 100 / 1000, db - da, ev / t, evp, calls ? evn / calls : 0
        }')
    results+=("$line")
    echo "$line"
    echo "   (SIPp rc $rc, $ok successful, $sipp_failed failed; $rows CDR rows, $arrived calls with events, $complete complete, $bridged bridged)"
    echo "   (mid-window, busiest: $mid_busy)"
    if [ "$sipp_failed" -eq 0 ] && [ "$unanswered" -eq 0 ] && [ "$lost" -eq 0 ] && [ "$rc" -eq 0 ]; then
        best_rate=$rate
        [ "$peak_bridged" -gt "$best_peak" ] && best_peak=$peak_bridged
    elif [ "$keep_going" = no ]; then
        break
    fi
    sleep 2
done

echo
echo "| rate | calls | bridged | failed (SIPp) | not bridged | lost events | peak up (SIPp) | peak bridged | mean up / bridged in window | queue wait ms, mean / p99 | serve CPU, % of a core | serve CPU per call up | serve RSS MiB | RSS KiB per call up | PostgreSQL CPU | machine busy, cores | UDP out, k datagrams/s | RTP due, k/s | dropped at serve's RTP sockets | events/s to PostgreSQL, mean / peak | events per call |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---:|"
printf '%s\n' "${results[@]}"
echo
echo "highest rate with 0 failed calls and 0 lost events: ${best_rate}/s, peak ${best_peak} bridged calls at once"
