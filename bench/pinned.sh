#!/usr/bin/env bash
# bin/bench pinned | peer: closed-loop wrk runs with the server under test alone on one core.
#
# Layout (said in every report): the server under test runs under `taskset -c $SERVER_CPU` (default 1); wrk, the
# probe poller and redis-server under `taskset -c $LOAD_CPU` (default 0). Every pod is started fresh and loaded from
# the moment it answers ready (a cold JIT is exactly MT1's "new pods"), then goes through $PHASES.
# Per phase: 2xx/s, 429/s, 503/s, other/s, gateway CPU per 2xx (from /proc/<pid>/stat), 2xx per server CPU-second,
# refusal cost rho (see below), wrk's p50/p99, peak RSS, and liveness/readiness probe p99 and failures
# (probes every 100 ms with a 2 s timeout, like a kubelet).
#
# Environment:
#   SUBJECTS  space-separated list of servers, each one of
#             redis-on redis-off memory-on memory-off (Spillway, broker + admission) | soketi (needs PEER_DIR)
#             | bare (the same Helidon server and listener config, one route that reads the body: bench/BareRoute.java)
#             default "redis-on redis-off"; a Spillway subject may end in @JAR to run another build (before/after)
#   PHASES    space-separated conns:seconds, default "64:10 1024:10 64:10"; the word `burst` sends 200 simultaneous
#             publishes (bench/burst.py) three times instead
#   ROUNDS    alternating rounds of all subjects, default 2
#   CHANNELS  channels the pre-signed requests rotate over, default 32; DATA_BYTES default 100
#   JVM_FLAGS gateway JVM flags, default "-Xms128m -Xmx256m -XX:+UseSerialGC", then the shipped ones (bin/jvm-flags: docker/jvm.options
#             and the build's AOT cache; a subject ~SPILLWAY_AOT=false runs without the cache);
#             with -XX:NativeMemoryTracking=summary each phase also leaves raw/<pod>-<phase>.nmt (jcmd VM.native_memory)
#             and may end in ~K=V,K=V: environment variables for that gateway (Helidon maps them onto config keys,
#             e.g. redis-on~SPILLWAY_ADMISSION_CONCURRENCY_INITIAL=512; POD_JVM_FLAGS=-XX:A=1+-XX:B=2 adds JVM
#             flags after the shipped ones, so they override them: a before/after of a flag in one run)
#   EXTRA_YAML extra YAML appended under `spillway:` for every Spillway subject (indented two spaces)
#   PEER_DIR  soketi install (see ../shared/peers/soketi.md): a folder with node_modules/@soketi/soketi and a node
#   RESULTS   output folder, default bench/results/<scenario>-<timestamp>
#
# rho = server CPU per refused request / server CPU per 2xx, estimated per phase from this subject's own phases:
# CPU = a*2xx + b*refused, fitted over the phases of the same pod (needs >= 2 phases with different mixes); it is
# printed as "-" when the fit is not determined.
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/java-home
JAVA_HOME="$(find_jdk)"; export JAVA_HOME
scenario=${1:-pinned}
SERVER_CPU=${SERVER_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
if [ "$scenario" = peer ]; then SUBJECTS=${SUBJECTS:-soketi redis-on redis-off memory-off}; fi
SUBJECTS=${SUBJECTS:-redis-on redis-off}
# soketi 1.6.1 as src/test/node/install.sh lays it out (see ../shared/peers/soketi.md)
soketi_cache=$(src/test/node/soketi-dir.sh 2>/dev/null || true)
PEER_DIR=${PEER_DIR:-$soketi_cache/app}
PEER_NODE=${PEER_NODE:-$soketi_cache/node/bin/node}
PHASES=${PHASES:-64:10 1024:10 64:10}
ROUNDS=${ROUNDS:-2}
CHANNELS=${CHANNELS:-32}
DATA_BYTES=${DATA_BYTES:-100}
JVM_FLAGS=${JVM_FLAGS:--Xms128m -Xmx256m -XX:+UseSerialGC}
stamp=$(date +%Y%m%d-%H%M%S)
out=${RESULTS:-bench/results/$scenario-$stamp}
mkdir -p "$out/raw"
raw=$(cd "$out/raw" && pwd)
APP_ID=1001 APP_KEY=bench-key APP_SECRET=bench-secret

command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 1; }
[ -f target/spillway.jar ] || { echo "build first: mvn -q -DskipTests package" >&2; exit 1; }
bin/jvm-flags >/dev/null   # records the build's AOT cache now if it is missing, not inside a measured start

pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kb() { awk '/VmRSS/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
log() { echo "[$(date +%T)] $*" | tee -a "$out/log.txt" >&2; }

redis_port=$(free_port)
taskset -c "$LOAD_CPU" redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no >"$raw/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

# One pre-signed publish per channel; valid for the gateway's +-600 s window, re-signed for every pod.
write_lua() {
  local lua=$1 path="/apps/$APP_ID/events" ts
  ts=$(date +%s)
  data=$(head -c "$DATA_BYTES" /dev/zero | tr '\0' x)
  {
    echo "local reqs = {}"
    for c in $(seq 0 $((CHANNELS - 1))); do
      body="{\"name\":\"bench\",\"channels\":[\"bench-$c\"],\"data\":\"$data\"}"
      md5=$(printf '%s' "$body" | md5sum | cut -d' ' -f1)
      query="auth_key=$APP_KEY&auth_timestamp=$ts&auth_version=1.0&body_md5=$md5"
      sig=$(printf 'POST\n%s\n%s' "$path" "$query" | openssl dgst -sha256 -hmac "$APP_SECRET" | sed 's/^.*= //')
      echo "reqs[$((c + 1))] = wrk.format('POST', '$path?$query&auth_signature=$sig', {['Host']='127.0.0.1', ['Content-Type']='application/json'}, '$body')"
    done
    cat <<'LUA'
local n = 0
counts = {}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {} end
function request() n = n + 1; return reqs[(n % #reqs) + 1] end
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, k .. "=" .. v) end
  io.write("STATUS " .. table.concat(parts, " ") .. "\n")
  io.write(string.format("LAT p50=%.2f p99=%.2f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("ERR connect=%d read=%d write=%d timeout=%d\n", summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout))
end
LUA
  } >"$lua"
}

# Polls live and ready every 100 ms (2 s timeout) until its stop file appears; one line per probe: path code seconds.
probe_loop() {
  local admin=$1 stopfile=$2 file=$3
  while [ ! -e "$stopfile" ]; do
    for p in live ready; do
      curl -s -o /dev/null -m 2 -w "$p %{http_code} %{time_total}\n" "http://127.0.0.1:$admin/observe/health/$p" >>"$file" || true
    done
    sleep 0.1
  done
}

start_spillway() {
  local name=$1 broker=$2 admission=$3 port=$4 admin=$5 jar=${6:-$PWD/target/spillway.jar}
  local yaml="$raw/$name.yaml"
  {
    echo "server:"
    echo "  port: $port"
    echo "  host: 127.0.0.1"
    echo "  sockets:"
    echo "    - name: admin"
    echo "      port: $admin"
    echo "      host: 127.0.0.1"
    echo "spillway:"
    echo "  broker: $([ "$broker" = bare ] && echo memory || echo "$broker")"
    echo "  apps:"
    echo "    - {id: \"$APP_ID\", key: \"$APP_KEY\", secret: \"$APP_SECRET\", rate: 10000000, burst: 10000000}"
    echo "  redis:"
    echo "    mode: single"
    echo "    address: redis://127.0.0.1:$redis_port"
    echo "  admission:"
    echo "    enabled: $([ "$admission" = on ] && echo true || echo false)"
    echo "  lifecycle:"
    echo "    drain-delay: 0s"
    echo "    grace-period: 2s"
    [ -n "${EXTRA_YAML:-}" ] && printf '%s\n' "$EXTRA_YAML"
  } >"$yaml"
  # shellcheck disable=SC2086
  local main=(-jar "$jar") shipped extra=${POD_JVM_FLAGS:-}
  # The shipped flags (bin/jvm-flags: docker/jvm.options, the build's AOT cache); the cache fits only its own jar.
  if [ "$jar" = "$PWD/target/spillway.jar" ]; then shipped=$(bin/jvm-flags); else shipped=$(SPILLWAY_AOT=false bin/jvm-flags); fi
  # bare: the same server and listener config with one route that reads the body and answers {} (bench/BareRoute.java)
  [ "$broker" = bare ] && main=(-cp "$jar" "$PWD/bench/BareRoute.java")
  (cd "$raw" && SPILLWAY_CONFIG="$yaml" exec taskset -c "$SERVER_CPU" "$JAVA_HOME/bin/java" $JVM_FLAGS \
      $shipped ${extra//+/ } "${main[@]}" >"$raw/$name.log" 2>&1) &
  echo $!
}

start_soketi() {
  local name=$1 port=$2
  [ -d "$PEER_DIR/node_modules/@soketi/soketi" ] || { echo "soketi not installed: run src/test/node/install.sh" >&2; return 1; }
  local node=$PEER_NODE
  (cd "$PEER_DIR" && SOKETI_ADAPTER_DRIVER=redis SOKETI_DB_REDIS_HOST=127.0.0.1 SOKETI_DB_REDIS_PORT=$redis_port \
     SOKETI_DEFAULT_APP_ID=$APP_ID SOKETI_DEFAULT_APP_KEY=$APP_KEY SOKETI_DEFAULT_APP_SECRET=$APP_SECRET \
     SOKETI_PORT=$port SOKETI_HOST=127.0.0.1 SOKETI_METRICS_ENABLED=false \
     exec taskset -c "$SERVER_CPU" "$node" node_modules/@soketi/soketi/bin/server.js start >"$raw/$name.log" 2>&1) &
  echo $!
}

printf '| round | subject | phase | start->ready ms | 2xx/s | 429/s | 503/s | other+err/s | server CPU %% | 2xx per CPU-s | CPU us/2xx | p50 ms | p99 ms | RSS MB | probe p99 ms | probe fails |\n' >"$out/table.md"
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n' >>"$out/table.md"

for round in $(seq "$ROUNDS"); do
  for subject in $SUBJECTS; do
    label=$subject; envs=""
    case $subject in *~*) envs=${subject#*~}; subject=${subject%%~*};; esac
    jar=""; case $subject in *@*) jar=$(realpath "${subject#*@}"); subject=${subject%%@*}-$(basename "$jar" .jar);; esac
    [ -n "$envs" ] && subject="$subject~$envs"
    name="r$round-${subject//[^A-Za-z0-9_.@-]/_}"
    port=$(free_port); admin=$(free_port)
    t0=$(date +%s%N)
    if [ "$subject" = soketi ]; then
      pid=$(start_soketi "$name" "$port"); ready_url="http://127.0.0.1:$port/ready"; admin=""
    elif [ "$subject" = bare ]; then
      pid=$(start_spillway "$name" bare off "$port" "$admin" $jar)
      ready_url="http://127.0.0.1:$port/observe/health/ready"; admin=""
    else
      kind=${subject%%-*}; rest=${subject#*-}; adm=${rest%%[-~]*}
      pid=$(for kv in ${envs//,/ }; do export "$kv"; done; start_spillway "$name" "$kind" "$adm" "$port" "$admin" $jar)
      ready_url="http://127.0.0.1:$admin/observe/health/ready"
    fi
    pids+=("$pid")
    for _ in $(seq 600); do
      [ "$(curl -s -o /dev/null -m 1 -w '%{http_code}' "$ready_url")" = 200 ] && break; sleep 0.02
    done
    ready_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    log "$name ready in $ready_ms ms (pid $pid)"
    write_lua "$raw/$name.lua"; phase_n=0
    for phase in $PHASES; do
      if [ "$phase" = burst ]; then
        # 200 simultaneous publishes on the pod as it is now (a client's Promise.all), 3 rounds
        python3 bench/burst.py 127.0.0.1 "$port" "$APP_ID" "$APP_KEY" "$APP_SECRET" 200 3 2>&1 \
          | sed "s/^/$subject burst: /" | tee -a "$out/burst.txt" >&2
        continue
      fi
      conns=${phase%:*}; secs=${phase#*:}
      phase_n=$((${phase_n:-0} + 1))
      probes="$raw/$name-$phase_n.probes"; stopf="$raw/$name-$phase_n.stop"; : >"$probes"
      [ -n "$admin" ] && { taskset -c "$LOAD_CPU" bash -c "$(declare -f probe_loop); probe_loop $admin $stopf $probes" & }
      c0=$(cpu_ticks "$pid"); peak=0
      taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${secs}s" --timeout 5s -s "$raw/$name.lua" "http://127.0.0.1:$port" \
          >"$raw/$name-$phase_n.wrk" 2>&1 &
      wrk_pid=$!
      while kill -0 "$wrk_pid" 2>/dev/null; do r=$(rss_kb "$pid"); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.5; done
      wait "$wrk_pid" || true
      c1=$(cpu_ticks "$pid"); touch "$stopf"; sleep 0.3
      # Where the RSS is (heap, code, threads, Netty's direct memory...), after the phase's CPU was read.
      case $JVM_FLAGS in *NativeMemoryTracking*) [ -n "$admin" ] && "$JAVA_HOME/bin/jcmd" "$pid" VM.native_memory summary \
          >"$raw/$name-$phase_n.nmt" 2>&1 || true;; esac
      st=$(grep '^STATUS' "$raw/$name-$phase_n.wrk" | cut -d' ' -f2- || true)
      get() { echo "$st" | tr ' ' '\n' | awk -F= -v k="$1" '$1==k{print $2}'; }
      ok=0; for k in 200 201 202 204; do v=$(get $k); ok=$((ok + ${v:-0})); done
      r429=$(get 429); r503=$(get 503); r429=${r429:-0}; r503=${r503:-0}
      all=$(echo "$st" | tr ' ' '\n' | awk -F= '{s+=$2} END{print s+0}')
      errs=$( (grep '^ERR' "$raw/$name-$phase_n.wrk" || true) | tr ' =' '\n\n' | awk 'NR%2==1 && NR>1' | awk '{s+=$1} END{print s+0}')
      other=$((all - ok - r429 - r503 + errs))
      lat=$(grep '^LAT' "$raw/$name-$phase_n.wrk" || echo "LAT p50=0 p99=0")
      p50=$(echo "$lat" | sed -E 's/.*p50=([0-9.]+).*/\1/'); p99=$(echo "$lat" | sed -E 's/.*p99=([0-9.]+).*/\1/')
      cpu_s=$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.2f", (b-a)/100}')
      if [ -n "$admin" ]; then
        probe_p99=$(awk '{print $3*1000}' "$probes" | sort -n | awk '{a[NR]=$1} END{if(NR==0){print "-"} else {i=int(NR*0.99); if(i<1)i=1; printf "%.1f", a[i]}}')
        probe_fail=$(awk '$2!=200' "$probes" | wc -l); probe_n=$(wc -l <"$probes")
        probe_cell="$probe_fail/$probe_n"
      else probe_p99="-"; probe_cell="-"; fi
      row=$(awk -v ok="$ok" -v r429="$r429" -v r503="$r503" -v other="$other" -v secs="$secs" -v cpu="$cpu_s" \
          -v p50="$p50" -v p99="$p99" -v rss="$peak" -v pp="$probe_p99" -v pf="$probe_cell" -v ready="$ready_ms" \
          -v round="$round" -v subject="$subject" -v phase="c=$conns ${secs}s" 'BEGIN{
            printf "| %s | %s | %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f | %s | %s | %.0f | %s | %s |",
              round, subject, phase, ready, ok/secs, r429/secs, r503/secs, other/secs, 100*cpu/secs,
              (cpu>0 ? ok/cpu : 0), (ok>0 ? 1e6*cpu/ok : 0), p50, p99, rss/1024, pp, pf }')
      echo "$row" >>"$out/table.md"
      echo "$subject $conns $secs $ok $((r429 + r503)) $cpu_s" >>"$out/raw/cpu-fit.txt"
      log "$row"
    done
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
done

{
  echo "# bin/bench $scenario, $(date -u +%FT%TZ)"
  echo
  echo "Server under test on CPU $SERVER_CPU alone (taskset); wrk (-t1, closed loop, --timeout 5s), the probe poller and"
  echo "redis-server on CPU $LOAD_CPU. Every pod loaded from the moment it answered ready. $CHANNELS channels, $DATA_BYTES-byte"
  echo "data, one signed publish per request. JVM: $JVM_FLAGS $(bin/jvm-flags | tr '\n' ' ')(bin/jvm-flags; a subject ~SPILLWAY_AOT=false or @JAR starts without the AOT cache). Machine: $(nproc) cores,"
  echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  cat "$out/table.md"
  if [ -f "$out/burst.txt" ]; then echo; echo '```'; cat "$out/burst.txt"; echo '```'; fi
} >"$out/report.md"
log "report: $out/report.md"
