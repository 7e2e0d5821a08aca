/**
 * What an operator watches a Cumulus process by, whatever services it runs, assembled by
 * {@link io.cumulus.standalone.operations.ProcessOperations} as the process starts each service: its
 * one Prometheus registry ({@link io.cumulus.standalone.operations.ProcessMetrics}), the probes it adds there
 * (consumer lag per group and partition, outbox lag), and its health: liveness (its services'
 * threads still run) and readiness per service, from the stores each one needs. An API process
 * serves them on its own port beside the API; any other process on a small management server
 * ({@code --management-port}). The series and the health answers are listed in docs/metrics.md;
 * docs/decisions/0038 explains the choices.
 */
package io.cumulus.standalone.operations;
