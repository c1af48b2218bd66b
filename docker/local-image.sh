#!/usr/bin/env bash
# Builds the Spillway OCI image without a Docker engine or a registry, then starts it and checks it:
# ready, one signed publish, SIGTERM drain. What it builds comes from the Dockerfile's final stage
# (WORKDIR, COPY destinations, ENV JDK_JAVA_OPTIONS, USER, EXPOSE, ENTRYPOINT), so the two cannot drift;
# only the base differs: no eclipse-temurin image can be pulled here, so the base layer is a jlink'ed
# runtime of the local JDK at the same place (/opt/java/openjdk) on `scratch`, and the AOT training
# RUN step is skipped (its jvm.args is empty, as with --build-arg AOT_TRAINING=false).
#   docker/local-image.sh [work-dir]        (default target/image; needs buildah, skopeo, umoci, crun)
# Starting: `podman run` first; where the machine's rlimits make it fail (see NOTES-deploy.md), the
# unpacked OCI bundle runs under crun with the image's own config, and failing that, in a chroot.
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/java-home
JAVA_HOME="$(find_jdk)"; export JAVA_HOME
work=$(realpath -m "${1:-target/image}")
export STORAGE_DRIVER=vfs          # overlay needs kernel support a sandbox may not give
tag=localhost/spillway:local
say() { echo "local-image: $*"; }

for tool in buildah skopeo umoci runc; do
  command -v "$tool" >/dev/null || { say "$tool not found (apt-get install buildah skopeo umoci runc podman)"; exit 1; }
done
[ -f target/spillway.jar ] || mvn -B -q -ntp -Dstyle.color=never -DskipTests package

# The Dockerfile's final stage, continuation lines joined, comments dropped.
final_stage() {
  sed -e '/^[[:space:]]*#/d' Dockerfile | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' \
    | awk '/^FROM /{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}'
}
stage=$(final_stage)
workdir=$(sed -n 's/^WORKDIR //p' <<<"$stage" | tail -1)
user=$(sed -n 's/^USER //p' <<<"$stage" | tail -1)
java_opts=$(sed -n 's/^ENV JDK_JAVA_OPTIONS="\(.*\)"$/\1/p' <<<"$stage")
entrypoint=$(sed -n 's/^ENTRYPOINT //p' <<<"$stage")
expose=$(sed -n 's/^EXPOSE //p' <<<"$stage")
[ -n "$workdir" ] && [ -n "$user" ] && [ -n "$java_opts" ] && [ -n "$entrypoint" ] \
  || { say "cannot read WORKDIR/USER/ENV JDK_JAVA_OPTIONS/ENTRYPOINT from the Dockerfile"; exit 1; }

rm -rf "$work"; mkdir -p "$work/rootfs"
rootfs=$work/rootfs
say "jlink runtime -> /opt/java/openjdk"
"$JAVA_HOME/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.crypto.ec,jdk.naming.dns,jdk.management,jdk.zipfs,jdk.httpserver \
  --strip-debug --no-header-files --no-man-pages --output "$rootfs/opt/java/openjdk"
# `scratch` has no C library: add the shared objects the runtime links against (what the Temurin base's
# Ubuntu layer provides), and name resolution for localhost.
find "$rootfs/opt/java/openjdk" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 ldd 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' \
  | sort -u | while read -r lib; do mkdir -p "$rootfs$(dirname "$lib")"; cp -L "$lib" "$rootfs$lib"; done
mkdir -p "$rootfs/tmp" "$rootfs/etc" "$rootfs$workdir"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$rootfs/etc/hosts"
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
chmod 1777 "$rootfs/tmp"
uid=${user%%:*}; gid=${user##*:}
printf 'root:x:0:0::/root:/sbin/nologin\nspillway:x:%s:%s::/nonexistent:/usr/sbin/nologin\n' "$uid" "$gid" >"$rootfs/etc/passwd"
printf 'root:x:0:\nspillway:x:%s:\n' "$gid" >"$rootfs/etc/group"

# COPY lines of the final stage: the build stage's /build/target/X is this checkout's target/X.
while read -r _ a b c; do
  if [[ $a == --from=build ]]; then src=${b#/build/}; dest=$c; else src=$a; dest=$b; fi
  [[ $dest == /* ]] || dest="$workdir/${dest#./}"
  [[ $dest == /tmp/* ]] && continue                    # the AOT training script, deleted in its RUN
  mkdir -p "$(dirname "$rootfs$dest")"
  cp -a "$src" "$rootfs$dest"
done < <(grep '^COPY ' <<<"$stage")
: >"$rootfs$workdir/jvm.args"                          # what aot-train.sh writes when training is skipped

say "buildah: scratch + layer, config from the Dockerfile"
ctr=$(buildah from scratch)
id=spillway-local-check-$$
# Leaves nothing behind in the machine's container storage: the working container, a podman or runc container,
# the image (the OCI archive under the work dir stays).
cleanup() {
  podman rm -f spillway-local-check >/dev/null 2>&1 || true
  runc delete -f "$id" >/dev/null 2>&1 || true
  buildah rm "$ctr" >/dev/null 2>&1 || true
  buildah rmi -f "$tag" >/dev/null 2>&1 || true
}
trap cleanup EXIT
buildah copy "$ctr" "$rootfs" / >/dev/null
buildah config --workingdir "$workdir" --user "$user" \
  --env PATH=/opt/java/openjdk/bin:/usr/bin:/bin --env JAVA_HOME=/opt/java/openjdk \
  --env JDK_JAVA_OPTIONS="$java_opts" --entrypoint "$entrypoint" "$ctr"
for port in $expose; do buildah config --port "$port" "$ctr"; done
buildah commit -q --format oci "$ctr" "$tag" >/dev/null
buildah push -q "$tag" "oci-archive:$work/spillway-image.tar:spillway:local" >/dev/null
say "image $tag -> $work/spillway-image.tar ($(du -h "$work/spillway-image.tar" | cut -f1))"

# ---- start it and check: ready, one signed publish, SIGTERM drain -> exit 0 ----
public_port=${LOCAL_IMAGE_PORT:-28781}; admin_port=$((public_port + 1))
env_args=(SERVER_PORT=$public_port SERVER_SOCKETS_0_PORT=$admin_port SERVER_HOST=127.0.0.1 SERVER_SOCKETS_0_HOST=127.0.0.1
          SPILLWAY_APPS_0_ID=1001 SPILLWAY_APPS_0_KEY=app-key SPILLWAY_APPS_0_SECRET=local-image-secret)
log=$work/container.log
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$admin_port/observe/health/ready")" = 200 ]; }
await_ready() {   # $1 = pid of the runtime process
  for _ in $(seq 1 90); do ready && return 0; kill -0 "$1" 2>/dev/null || return 1; sleep 1; done; return 1
}
check() {
  local out
  out=$(SPILLWAY_URL="http://127.0.0.1:$public_port" APP_SECRET=local-image-secret bin/publish image-check e '{"ok":1}')
  [ "$(tail -1 <<<"$out")" = 200 ] || { say "publish answered: $out"; return 1; }
  say "ready on :$admin_port and a signed publish answered 200"
}

started=""
podman_env=(); for e in "${env_args[@]}"; do podman_env+=(-e "$e"); done
say "try: podman run --network host --ulimit host $tag"
podman rm -f spillway-local-check >/dev/null 2>&1 || true
podman run -d --name spillway-local-check --network host --ulimit host "${podman_env[@]}" "$tag" >"$log" 2>&1 \
  && started=podman || say "podman run failed: $(tail -1 "$log")"
if [ "$started" = podman ]; then
  podman logs -f spillway-local-check >>"$log" 2>&1 & pid=$!
  await_ready "$pid" && check
  podman stop -t 40 spillway-local-check >/dev/null
  status=$(podman inspect -f '{{.State.ExitCode}}' spillway-local-check)
else
  # The image as an OCI runtime bundle (umoci turns the image config into config.json: args, env, user, cwd).
  # Changed for this machine only: no rlimits (setrlimit is refused here), the host's network (loopback checks),
  # no cgroups (this host mixes cgroup v1 and v2).
  skopeo copy -q "oci-archive:$work/spillway-image.tar:spillway:local" "oci:$work/oci:local"
  umoci unpack --image "$work/oci:local" "$work/bundle" >/dev/null
  python3 - "$work/bundle/config.json" "${env_args[@]}" <<'PY'
import json, sys
path, extra = sys.argv[1], sys.argv[2:]
c = json.load(open(path))
c["process"].pop("rlimits", None)
c["process"]["terminal"] = False
c["process"]["env"] += extra
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
c["linux"].pop("resources", None)
c["linux"].pop("cgroupsPath", None)
json.dump(c, open(path, "w"))
PY
  say "try: runc run --bundle $work/bundle (the image's process, user $user, cwd $workdir)"
  runc run --bundle "$work/bundle" "$id" >"$log" 2>&1 </dev/null & pid=$!
  if ! await_ready "$pid"; then say "not ready; container output:"; tail -20 "$log"; exit 1; fi
  check
  runc kill "$id" TERM
  status=0; timeout 60 tail --pid="$pid" -f /dev/null || status=124
  wait "$pid" || status=$?
  started=runc
fi
grep -q 'Spillway .* started' "$log" && say "$(grep -o 'Spillway .* started[^;]*' "$log" | head -1)"
[ "$status" = 0 ] || { say "exit status $status after SIGTERM; output:"; tail -20 "$log"; exit 1; }
say "OK: image started with $started, served, drained on SIGTERM and exited 0"
