/**
 * The schema registry: a client of the Confluent-compatible API, through which {@code AvroSerde} writes
 * the Confluent wire format when a registry is configured (docs/decisions/0037-schema-registry.md).
 */
package io.cumulus.schemas.registry;
