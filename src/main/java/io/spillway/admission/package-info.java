/**
 * Admission control for the publish API: decides cheaply, before any work is done, whether a request
 * may enter ({@link io.spillway.admission.AdmissionController#enter()}: lifecycle gate, pod-wide rate,
 * adaptive concurrency limit) and, once its body is parsed, whether its app may publish that many
 * messages ({@link io.spillway.admission.AdmissionController#charge(String, long)}).
 *
 * <p>Rates are Bucket4j local token buckets, the concurrency limit is a Netflix concurrency-limits
 * {@code Limit} fed by {@link io.spillway.admission.Permit}s. Nothing here blocks or queues: a request
 * that does not fit is refused at once with a reason, a status and a Retry-After.
 */
package io.spillway.admission;
