# syntax=docker/dockerfile:1
#
# Spillway container image.
#   docker build -t spillway:dev .
#   docker run --rm -p 8080:8080 -p 9090:9090 spillway:dev
# Stage 1 builds the thin jar + target/libs with Maven on a Temurin 25 JDK; stage 2 runs it on the
# Temurin 25 JRE, after a training run that records a JDK 25 AOT cache (faster start, see below).
# Base images are pinned to exact releases (both Ubuntu 24.04 "noble"); bump them deliberately.

FROM maven:3.9.12-eclipse-temurin-25-noble AS build
WORKDIR /build
COPY pom.xml ./
COPY src/main ./src/main
# Tests need real Redis processes and run in CI, not in the image build (src/test is not even in
# the context). The cache mount keeps ~/.m2 between builds without baking it into a layer.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -Dmaven.test.skip=true package

FROM eclipse-temurin:25.0.3_9-jre-noble

# Numeric uid/gid so Kubernetes' runAsNonRoot can verify the user without reading /etc/passwd.
RUN groupadd --system --gid 10001 spillway \
 && useradd --system --uid 10001 --gid spillway --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin spillway

WORKDIR /app
COPY --from=build /build/target/libs ./libs
COPY --from=build /build/target/spillway.jar ./spillway.jar

# JVM flags for a container (users replace the whole set by overriding JDK_JAVA_OPTIONS):
# - Heap follows the container memory limit: 60% for the heap leaves room for metaspace, code cache,
#   thread stacks and Netty's direct buffers (Redisson) under the same limit. Initial = maximum, so
#   the heap is never resized in the middle of a load spike.
# - SerialGC explicitly, chosen by measurement (bin/bench jvm, 2 cores, 4x overload, 256 MB heap): Serial
#   admitted 4000/s at p99 39 ms with 330 MB RSS, G1 3473/s at p99 305 ms with 417 MB. The gateway's
#   heap is small and short-lived garbage dominates, so young collections are brief, and a concurrent
#   collector's threads would compete for the one or two cores a gateway pod gets.
# - Exit on OOM: a restarted pod is better than one that limps on with a half-dead heap.
# - The root filesystem is read-only in Kubernetes, so crash files go to /tmp (an emptyDir there).
# The flags every start needs (Unsafe/JNI access for Netty) are not here but in /app/jvm.options
# (docker/jvm.options, which bin/spillway reads too), named by the entrypoint.
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=60 -XX:InitialRAMPercentage=60 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -XX:ErrorFile=/tmp/hs_err_pid%p.log"
COPY docker/jvm.options ./jvm.options
# No app in it: apps come from a mounted Secret or SPILLWAY_APPS_* variables (see the file).
COPY docker/application.yaml ./config/application.yaml

# Training run for the JDK 25 AOT cache (JEP 483/514/515): start the gateway on the embedded memory
# broker (no Redis needed), let its own warm-up drive signed publishes through the public listener,
# then stop it; the JVM writes /app/spillway.aot on exit. It runs here, on the runtime JVM with the
# runtime flags and jar paths, because a cache is only valid for exactly that combination.
# /app/jvm.args names the cache for the entrypoint, or stays empty when training is skipped
# (--build-arg AOT_TRAINING=false) or fails, so the image always starts. Training reads the same
# /app/jvm.options as the entrypoint.
ARG AOT_TRAINING=true
COPY docker/aot-train.sh /tmp/aot-train.sh
RUN bash /tmp/aot-train.sh "$AOT_TRAINING" /app/spillway.aot /app/jvm.args \
 && rm -rf /tmp/aot-train.sh /tmp/hsperfdata_root

USER 10001:10001
# 8080: publish API. 9090: admin (health and Prometheus metrics only).
EXPOSE 8080 9090
# No HEALTHCHECK: orchestrators probe /observe/health/{live,ready,started} on 9090 themselves.
# Java runs as PID 1 and handles SIGTERM itself (drain, then exit), so no init wrapper is needed.
ENTRYPOINT ["java", "@/app/jvm.options", "@/app/jvm.args", "-jar", "/app/spillway.jar"]
