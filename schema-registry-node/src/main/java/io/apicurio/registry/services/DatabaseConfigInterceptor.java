package io.apicurio.registry.services;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * Replaces Apicurio Registry 3.0.9's interceptor of the same name, which answers
 * {@code quarkus.datasource.<kind>.active=false} for the three datasources the registry does not use.
 * Quarkus 3.15, which 3.0.9 was built on, let a bean inject an inactive datasource; Quarkus 3.33 (the
 * version whose modules our build reaches) fails the start instead, and the registry injects all four.
 * So every datasource stays active, and the unused ones never open a connection (their pools are empty,
 * see META-INF/microprofile-config.properties).
 */
public class DatabaseConfigInterceptor implements ConfigSourceInterceptor {
    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        return context.proceed(name);
    }
}
