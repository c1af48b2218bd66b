package io.spillway.lifecycle;

/** Where the pod is in its life; readiness and the admission gate read it. */
public enum LifecycleState {
    /** Booting: the broker is not connected yet (Redis may be away); liveness UP, readiness DOWN. */
    STARTING,
    /** Connected: priming pools and warming the hot path; traffic is refused with 503. */
    WARMING,
    /** Serving, possibly still ramping up through slow start. */
    READY,
    /** SIGTERM received: readiness DOWN, finishing what was admitted. */
    DRAINING
}
