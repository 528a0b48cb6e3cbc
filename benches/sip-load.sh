#!/usr/bin/env bash
# SIP edge load benchmark (issue 4); not run by CI.
#
# SIPp UAC -> subject -> SIPp UAS over UDP on 127.0.0.1, the scenario
# INVITE/100/180/200/ACK/BYE/200 (SIPp's built-in uac and uas). Two subjects
# on the same machine in the same run:
#   edge      target/release/edge-bench: the Switchboard edge, every call
#             relayed through the B2BUA leg API (two legs, two dialogs)
#   kamailio  Kamailio as a stateful proxy (tm, record-route), the baseline,
#             with one worker process like the edge's one task (with two,
#             its workers reorder a 180 behind the 200 and SIPp fails the call)
# For each subject: the highest call rate (calls/s) with zero failed calls
# that SIPp actually sustained, and the CPU time per call of the subject's
# processes (utime+stime from /proc) at a common rate; for the edge, the
# memory per established call with 20,000 calls up at once.
#
#   benches/sip-load.sh [--seconds N] [--rates "500 1000 ..."] [--common-rate R] [--concurrent N]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib.sh

seconds=10
rates="500 1000 1500 2000 2500 3000 3500 4000"
common=1000
concurrent=20000
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) seconds=$2; shift 2 ;;
        --rates) rates=$2; shift 2 ;;
        --common-rate) common=$2; shift 2 ;;
        --concurrent) concurrent=$2; shift 2 ;;
        *) die "unknown argument $1 (see the header of $0)" ;;
    esac
done

ensure_rust
ensure_packages sip-tester kamailio
cargo build --release --locked -p sip --bin edge-bench >&2
ulimit -n 65536 2>/dev/null || true

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    pkill -f "kamailio.*$work" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

hz=$(getconf CLK_TCK)
subject_port=5980
uas_port=5990
uac_port=5970

# The pids of a subject: its main process and, for kamailio, its children.
subject_pids() {
    local main=$1
    echo "$main"
    pgrep -P "$main" || true
}

# CPU seconds (user+system) used so far by the given pids.
cpu_seconds() {
    local total=0 pid t
    for pid in "$@"; do
        t=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
        total=$((total + t))
    done
    awk -v t="$total" -v hz="$hz" 'BEGIN { printf "%.3f", t / hz }'
}

start_uas() {
    sipp -sn uas -i 127.0.0.1 -p "$uas_port" -mi 127.0.0.1 -mp 6990 -cp 8890 -nostdin -bg >/dev/null 2>&1 </dev/null || true
    uas_pid=$(pgrep -f "sipp -sn uas -i 127.0.0.1 -p $uas_port" | head -n 1)
    [ -n "$uas_pid" ] || die "the SIPp UAS did not start"
    pids+=("$uas_pid")
}

stop_uas() {
    kill "$uas_pid" 2>/dev/null || true
    while kill -0 "$uas_pid" 2>/dev/null; do sleep 0.1; done
}

start_subject() {
    case $1 in
        edge)
            "$root/target/release/edge-bench" "127.0.0.1:$subject_port" "127.0.0.1:$uas_port" >/dev/null &
            subject_pid=$!
            ;;
        kamailio)
            cat >"$work/kamailio.cfg" <<CFG
#!KAMAILIO
log_stderror=yes
debug=0
children=1
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
listen=udp:127.0.0.1:$subject_port
loadpath "/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
request_route {
    if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
    if (has_totag()) {
        if (!loose_route()) { \$du = "sip:127.0.0.1:$uas_port"; }
        t_relay();
        exit;
    }
    if (\$rm == "CANCEL") { if (t_check_trans()) { t_relay(); } exit; }
    record_route();
    \$du = "sip:127.0.0.1:$uas_port";
    if (!t_relay()) { sl_reply_error(); }
}
CFG
            kamailio -c -f "$work/kamailio.cfg" >/dev/null 2>&1 || die "kamailio rejects $work/kamailio.cfg"
            kamailio -DD -E -f "$work/kamailio.cfg" -m 256 -M 32 -Y "$work/kamrun" >/dev/null 2>&1 &
            subject_pid=$!
            ;;
    esac
    pids+=("$subject_pid")
    sleep 0.5
    kill -0 "$subject_pid" 2>/dev/null || die "$1 did not start"
}

stop_subject() {
    kill "$subject_pid" 2>/dev/null || true
    while kill -0 "$subject_pid" 2>/dev/null; do sleep 0.1; done
}

# Runs `calls` calls at `rate` through the running subject; prints
# "rc achieved_rate cpu_seconds".
load() {
    local rate=$1 calls=$2 before after start end rc
    local spids
    spids=$(subject_pids "$subject_pid")
    # shellcheck disable=SC2086
    before=$(cpu_seconds $spids)
    start=$(date +%s.%N)
    rc=0
    sipp "127.0.0.1:$subject_port" -sn uac -i 127.0.0.1 -p "$uac_port" -mi 127.0.0.1 -mp 6970 -cp 8870 \
        -r "$rate" -m "$calls" -d 200 -l $((rate * 4)) -timeout $((seconds * 6 + 30)) -nostdin \
        >"$work/uac.log" 2>&1 </dev/null || rc=$?
    end=$(date +%s.%N)
    # shellcheck disable=SC2086
    after=$(cpu_seconds $spids)
    awk -v rc="$rc" -v c="$calls" -v s="$start" -v e="$end" -v b="$before" -v a="$after" \
        'BEGIN { printf "%d %.0f %.3f\n", rc, c / (e - s), a - b }'
}

echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "scenario: SIPp uac -> subject -> SIPp uas, UDP, INVITE/180/200/ACK, 200 ms call, BYE, ${seconds} s per step"
declare -A best cpu_per_call
for subject in edge kamailio; do
    best[$subject]=0
    for rate in $rates; do
        # A failed step is run once more: on a shared machine one noisy
        # burst can fail a step that the subject sustains.
        for try in 1 2; do
            start_uas
            start_subject "$subject"
            read -r rc achieved cpu <<<"$(load "$rate" $((rate * seconds)))"
            stop_subject
            stop_uas
            ok=no
            if [ "$rc" -eq 0 ] && [ "$achieved" -ge $((rate * 95 / 100)) ]; then ok=yes; best[$subject]=$rate; fi
            [ "$ok" = yes ] && break
            echo "$subject rate=$rate try=$try failed (sipp_rc=$rc achieved=${achieved}/s)"
        done
        per_call=$(awk -v c="$cpu" -v n=$((rate * seconds)) 'BEGIN { printf "%.1f", c * 1e6 / n }')
        echo "$subject rate=$rate sipp_rc=$rc achieved=${achieved}/s cpu=${cpu}s per_call=${per_call}us ok=$ok"
        [ "$rate" -eq "$common" ] && cpu_per_call[$subject]=$per_call
        [ "$ok" = yes ] || break
    done
done

# Memory per established call, edge only (Kamailio preallocates its shared
# memory, so its RSS does not follow the calls).
mem=""
if [ "$concurrent" -gt 0 ]; then
    start_uas
    start_subject edge
    rss_before=$(awk '/VmRSS/ {print $2}' "/proc/$subject_pid/status")
    rate=1000
    sipp "127.0.0.1:$subject_port" -sn uac -i 127.0.0.1 -p "$uac_port" -mi 127.0.0.1 -mp 6970 -cp 8870 \
        -r "$rate" -m "$concurrent" -l "$concurrent" -d 600000 -nostdin \
        -trace_stat -stf "$work/hold.csv" -fd 1 >"$work/uac-hold.log" 2>&1 </dev/null &
    uac_pid=$!
    pids+=("$uac_pid")
    # Wait until every call is set up (rate-limited) plus a margin for retransmissions.
    sleep $((concurrent / rate + 10))
    rss_after=$(awk '/VmRSS/ {print $2}' "/proc/$subject_pid/status")
    # SIPp's statistics: how many calls were up, and how many failed.
    up=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "CurrentCall") c = i } END { print $c }' "$work/hold.csv")
    failed=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "FailedCall(C)") c = i } END { print $c }' "$work/hold.csv")
    kill "$uac_pid" 2>/dev/null || true
    stop_subject
    stop_uas
    mem=$(awk -v a="$rss_after" -v b="$rss_before" -v n="${up:-$concurrent}" 'BEGIN { printf "%.1f", (a - b) * 1024 / n / 1024 }')
    echo "edge memory: RSS ${rss_before} kB idle, ${rss_after} kB with ${up} calls up (SIPp: ${failed} failed): ${mem} KiB per call"
    [ "$up" = "$concurrent" ] || echo "warning: only $up of $concurrent calls were up when measured"
fi

echo
echo "| | highest rate with 0 failed calls | CPU per call at ${common}/s |"
echo "|---|---|---|"
echo "| edge (B2BUA, 2 legs) | ${best[edge]}/s | ${cpu_per_call[edge]:-n/a} µs |"
echo "| Kamailio (stateful proxy) | ${best[kamailio]}/s | ${cpu_per_call[kamailio]:-n/a} µs |"
if [ -n "${cpu_per_call[edge]:-}" ] && [ -n "${cpu_per_call[kamailio]:-}" ]; then
    awk -v e="${cpu_per_call[edge]}" -v k="${cpu_per_call[kamailio]}" 'BEGIN { printf "CPU per call, edge / Kamailio: %.2f x\n", e / k }'
fi
[ -n "$mem" ] && echo "edge memory per established call: ${mem} KiB"
