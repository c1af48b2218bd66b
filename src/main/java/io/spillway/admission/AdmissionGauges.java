package io.spillway.admission;

/** The live values metrics publish as gauges; {@link AdmissionController} provides them. */
public interface AdmissionGauges {
    /** The concurrency limit enter() applies right now (the learned limit scaled by the capacity factor). */
    int concurrencyLimit();

    /** Permits handed out and not yet ended. */
    int inflight();

    /** Requests parked in the backlog, waiting for a slot. */
    int backlogWaiting();

    /** The capacity factor in force, quantized to 5 % steps (1.0 outside slow start). */
    double capacityFactor();
}
