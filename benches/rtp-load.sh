#!/usr/bin/env bash
# RTP relay load benchmark (issue 5); not run by CI.
#
# target/release/rtp-bench streams N G.711 μ-law calls (a caller and a
# callee per call, 172-byte packets every 20 ms each way, paced evenly)
# through a backend on 127.0.0.1 and measures, over a steady window, the
# packets relayed, loss, the one-way delay through the backend and the
# backend's CPU time (schedstat of its threads). Backends, same streams,
# same run:
#   direct       no relay: each endpoint sends straight to its peer, the
#                harness's own cost and delay floor
#   rtpengine    rtpengine-daemon in userspace (--table=-1, no kernel
#                module, no Redis), --num-threads as ours
#   switchboard  media::shard in the tool's process, its threads'
#                CPU only, its wakes paced as the product's are (the
#                engine's default, or --pacing-us)
#   switchboard-unpaced
#                the same with --pacing-us 0: each datagram taken as it
#                comes (the baseline for what pacing saves)
# The generator runs on one thread pinned to core 0, the relay pinned to
# core 1 (--no-pin leaves them to the scheduler: better when another busy
# process shares the machine, as a pinned relay then shares its core with
# it), all at nice -15 when run as root, the session's autogroup too. Calls are raised step by step
# and a backend stops at the first step with loss over 1 % or a relay
# using more than 95 % of a core. With --mixer, switchboard is also run
# with a third, silent leg per call (everyone hears everyone), so every
# packet takes the decode/mix/encode path; its delay is timed by a loud
# packet a second.
#
#   benches/rtp-load.sh [--seconds N] [--warmup N] [--calls "500 1000 ..."]
#                       [--backends "direct rtpengine switchboard"]
#                       [--threads N] [--mixer] [--mixer-calls "250 500 ..."] [--no-pin]
#                       [--before BIN] [--pacing-us N]
#
# --before BIN also runs another build of rtp-bench (e.g. the previous
# commit's, built in a worktree) as backend "switchboard-before", step by
# step beside this one, for a before/after ratio in the same run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib.sh

seconds=15
warmup=3
steps="500 1000 1500 2000 2500"
backends="direct rtpengine switchboard"
threads=1
mixer=no
mixer_steps="250 500 1000 1500"
pinning=yes
before=""
pacing=()
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) seconds=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --calls) steps=$2; shift 2 ;;
        --backends) backends=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --mixer) mixer=yes; shift ;;
        --mixer-calls) mixer_steps=$2; shift 2 ;;
        --no-pin) pinning=no; shift ;;
        --before) before=$2; shift 2 ;;
        --pacing-us) pacing=(--pacing-us "$2"); shift 2 ;;
        *) die "unknown argument $1 (see the header of $0)" ;;
    esac
done

ensure_rust
ensure_packages rtpengine-daemon cmake
cargo build --release --locked -p media --bin rtp-bench >&2
bin="${CARGO_TARGET_DIR:-$root/target}/release/rtp-bench"
ulimit -n 65536 2>/dev/null || true
nice=()
autogroup_nice=""
if [ "$(id -u)" -eq 0 ]; then
    nice=(nice -n -15)
    # With autogroups (the kernel's default for desktop sessions), nice
    # ranks threads inside one session only: the session's own weight
    # must be raised too, or a build in another session gets as much CPU
    # as the generator and the relay together. Put back on exit.
    if [ -w /proc/self/autogroup ]; then
        autogroup_nice=$(sed -n 's/.* nice //p' /proc/self/autogroup)
        echo -15 >/proc/self/autogroup
        trap 'echo "$autogroup_nice" >/proc/self/autogroup' EXIT
    fi
fi
cores=$(nproc)
pin=()
[ "$cores" -ge 2 ] && [ "$pinning" = yes ] && pin=(--gen-cpu 0 --relay-cpu 1)

# The value of key $2 in RESULT line $1.
field() {
    tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}

echo "machine: $cores cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rtpengine: $(rtpengine --version 2>&1 | tail -n 1), --num-threads=$threads; switchboard: $threads shard(s)"
echo "pinning: ${pin[*]:-none}; priority: ${nice[*]:-none}, autogroup $(cat /proc/self/autogroup 2>/dev/null)"
echo "streams: G.711 μ-law, 20 ms, 172-byte packets, both directions; ${warmup} s warm-up, ${seconds} s window per step"
results=()
# Runs one step; prints the tool's lines and sets $line to its RESULT line.
# A step whose generator fell behind (fewer than 99 % of the packets due
# sent in the window: on a shared machine another process took its core)
# is run again, up to three times, and the last try is kept either way.
run_step() {
    local backend=$1 calls=$2 extra=$3 try out due sent tool=$bin run_as=$1 paced=()
    case $backend in
        switchboard) paced=("${pacing[@]}") ;;
        switchboard-before) tool=$before run_as=switchboard paced=("${pacing[@]}") ;;
        switchboard-unpaced) run_as=switchboard paced=(--pacing-us 0) ;;
    esac
    for try in 1 2 3; do
        # shellcheck disable=SC2086
        if ! out=$("${nice[@]}" "$tool" --backend "$run_as" --calls "$calls" --warmup "$warmup" --seconds "$seconds" \
            --threads "$threads" "${pin[@]}" "${paced[@]}" $extra 2>&1); then
            echo "$backend calls=$calls failed: $(tail -n 1 <<<"$out")"
            line=""
            return 1
        fi
        line=$(grep '^RESULT' <<<"$out" | sed "s/backend=$run_as /backend=$backend /")
        due=$((calls * 2 * 50 * seconds))
        [ -n "$extra" ] && due=$((calls * 2 * seconds))
        sent=$(field "$line" sent)
        awk -v s="$sent" -v d="$due" 'BEGIN { exit !(s >= d * 0.99 && s <= d * 1.01) }' && break
        echo "$backend calls=$calls try=$try: the generator sent $sent of $due packets due, run again"
    done
    grep -v '^RESULT' <<<"$out" | grep -v '^rtpengine pid'
}

run_backend() {
    local backend=$1 list=$2 extra=$3 calls loss share
    for calls in $list; do
        run_step "$backend" "$calls" "$extra" || return 0
        results+=("$line")
        loss=$(field "$line" loss_pct)
        share=$(field "$line" cpu_share_pct)
        if awk -v l="$loss" -v s="$share" 'BEGIN { exit !(l > 1 || s > 95) }'; then
            echo "$backend: stopping at $calls calls (loss $loss %, relay CPU $share % of a core)"
            return 0
        fi
    done
}
[ -z "$before" ] || [ -x "$before" ] || die "--before $before: no such program"
[ -z "$before" ] || backends="$backends switchboard-before"
for backend in $backends; do
    run_backend "$backend" "$steps" ""
done
if [ "$mixer" = yes ]; then
    run_backend switchboard "$mixer_steps" "--mixer"
fi

echo
echo "| backend | path | calls | packets/s relayed | relay CPU, % of a core | CPU µs/packet | CPU per call, % of a core | calls per core | packets per wake | loss | delay p50 / p99 / p99.9 / max, µs | generator late p99, µs |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for line in "${results[@]}"; do
    echo "| $(field "$line" backend) | $(field "$line" mode) | $(field "$line" calls) | $(field "$line" pps) | $(field "$line" cpu_share_pct) | $(field "$line" cpu_us_per_packet) | $(field "$line" cpu_pct_per_call) | $(field "$line" calls_per_core) | $(field "$line" packets_per_wake) | $(field "$line" loss_pct) % | $(field "$line" p50_us) / $(field "$line" p99_us) / $(field "$line" p999_us) / $(field "$line" max_us) | $(field "$line" late_p99_us) |"
done
echo
# Ours / rtpengine (and / the build before) per packet, at each call
# count both ran on the relay path.
for line in "${results[@]}"; do
    [ "$(field "$line" backend)" = switchboard ] && [ "$(field "$line" mode)" = relay ] || continue
    calls=$(field "$line" calls)
    for other in "${results[@]}"; do
        name=$(field "$other" backend)
        case $name in rtpengine | switchboard-before | switchboard-unpaced) ;; *) continue ;; esac
        [ "$(field "$other" calls)" = "$calls" ] && [ "$(field "$other" mode)" = relay ] || continue
        awk -v a="$(field "$line" cpu_us_per_packet)" -v b="$(field "$other" cpu_us_per_packet)" -v c="$calls" \
            -v n="$name" 'BEGIN { printf "CPU per packet at %d calls, switchboard / %s: %.2f x\n", c, n, a / b }'
    done
done
