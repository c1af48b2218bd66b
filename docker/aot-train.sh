#!/usr/bin/env bash
# Image build step: one training run of the gateway that records a JDK 25 AOT cache.
#   aot-train.sh <enabled:true|false> <cache-file> <args-file>
# Writes <args-file> for the entrypoint (`java @args-file -jar ...`): it names the cache when the
# run produced one and is empty otherwise, so a skipped or failed training never breaks the image.
# The gateway starts on its defaults (embedded memory broker, no Redis); its warm-up sends signed
# publishes through the public listener (AOT_WARMUP_REQUESTS of them, default 20000), the hot path worth caching. Only bash is assumed
# (no curl in the JRE image): HTTP probes use /dev/tcp.
set -euo pipefail

enabled=$1 cache=$2 args=$3
jar=${AOT_JAR:-/app/spillway.jar}
options=${AOT_JVM_OPTIONS:-/app/jvm.options}   # the entrypoint's flags: a cache needs the same module options
admin_port=${AOT_ADMIN_PORT:-9090}
deadline=$((SECONDS + ${AOT_TRAINING_TIMEOUT:-180}))

: >"$args"
[[ $enabled == true ]] || { echo "aot-train: skipped"; exit 0; }

# Prints the HTTP status code of GET $1 on the admin port, or nothing when nobody answers.
status() {
    local line=""
    { exec 3<>"/dev/tcp/127.0.0.1/$admin_port"; } 2>/dev/null || return 0
    printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$1" >&3
    IFS= read -r -t 5 line <&3 || true
    exec 3<&-
    line=${line#HTTP/* }
    echo "${line%% *}"
}

log=$(mktemp)
# A fixed heap for training: 60% of a big build host could exceed 32 GB and switch off compressed
# oops, which would make the cache unusable for the pod's small heap.
# The warm-up (signed publishes through the public listener) runs far longer than at a pod's start, so that the
# cache's method profiles are those of a hot path the compiler has settled on, not of its first few hundred calls.
SPILLWAY_WARMUP_REQUESTS=${AOT_WARMUP_REQUESTS:-20000} \
  java -Xmx1g -XX:AOTCacheOutput="$cache" @"$options" -jar "$jar" >"$log" 2>&1 &
pid=$!

give_up() {
    echo "aot-train: WARNING: $1; building the image without an AOT cache. Gateway output:" >&2
    tail -n 40 "$log" >&2 || true
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$cache" "$log"
    exit 0
}

# Helidon answers 204 (no details) or 200 for UP; any 2xx counts, as for the kubelet.
until [[ $(status /observe/health/ready) == 2?? ]]; do
    kill -0 "$pid" 2>/dev/null || give_up "the gateway exited during training"
    ((SECONDS < deadline)) || give_up "the gateway was not ready in time"
    sleep 1
done
# Ready means warm-up passed; a few more scrapes cover the admin endpoints Kubernetes calls.
for _ in 1 2 3; do
    status /observe/health/live >/dev/null
    status /observe/health/started >/dev/null
    status /observe/metrics >/dev/null
done

# SIGTERM takes the normal drain path (drain-delay + grace period); the JVM then writes the cache,
# which takes a few seconds more. A gateway that ignores SIGTERM must not hang the image build.
kill -TERM "$pid"
stop_deadline=$((SECONDS + 120))
while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < stop_deadline)) || { kill -KILL "$pid"; give_up "the gateway did not stop on SIGTERM"; }
    sleep 1
done
wait "$pid" || true
[[ -s $cache ]] || give_up "the JVM wrote no AOT cache"
# Adapter caching is switched off at run time: JDK 25 mislinks some cached i2c/c2i adapters
# (JDK-8364929, fixed in 26) and warns about it on every start; the class cache is what matters.
echo "-XX:AOTCache=$cache -XX:+UnlockDiagnosticVMOptions -XX:-AOTAdapterCaching" >"$args"
rm -f "$log"
echo "aot-train: wrote $cache ($(du -h "$cache" | cut -f1))"
