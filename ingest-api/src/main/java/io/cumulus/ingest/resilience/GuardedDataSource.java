package io.cumulus.ingest.resilience;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * PostgreSQL behind a circuit breaker (named {@code postgres}): every connection the API takes
 * from the pool is a call through the breaker, and every statement run on it reports a lost or
 * timed-out server to the breaker too, so that a server that stops answering in the middle of
 * requests opens it as surely as one that refuses new connections. While the breaker is open,
 * {@link #getConnection()} fails at once (the request gets 503 and {@code Retry-After} instead of
 * waiting for the pool's connection timeout); after its open period a few requests probe the
 * server, and it closes by itself once they succeed.
 *
 * <p>Only signs of an unavailable server count as failures ({@link #unavailable}): a connection
 * that cannot be made or was lost, a shutdown, a timeout, a server out of resources. A constraint
 * violation, bad SQL or a serialization conflict is the request's problem, not the server's. The
 * timeouts themselves belong to the pool and the driver (connection timeout, {@code connectTimeout},
 * {@code socketTimeout}); a failure the breaker records is still thrown as the driver threw it, so
 * the transaction around it rolls back and the caller acknowledges nothing.
 */
public final class GuardedDataSource extends DelegatingDataSource {
    private final CircuitBreaker breaker;

    public GuardedDataSource(DataSource pool, CircuitBreaker breaker) {
        super(pool);
        this.breaker = breaker;
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (!breaker.tryAcquirePermission()) {
            throw open();
        }
        long start = System.nanoTime();
        try {
            Connection connection = obtainTargetDataSource().getConnection();
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return guarded(connection, Connection.class);
        } catch (SQLException e) {
            record(start, e);
            throw e;
        } catch (RuntimeException | Error e) {
            breaker.releasePermission();
            throw e;
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLException("the API's connections all use the pool's credentials");
    }

    /**
     * Whether the failure says the server is unreachable, gone or overwhelmed (SQLSTATE classes
     * 08 connection exception, 53 insufficient resources, 57 operator intervention, which holds
     * shutdowns and the statement timeout's cancel), rather than that the request was wrong.
     */
    static boolean unavailable(SQLException e) {
        if (e instanceof SQLTransientConnectionException || e instanceof SQLRecoverableException
                || e instanceof SQLTimeoutException || e instanceof java.sql.SQLNonTransientConnectionException) {
            return true;
        }
        String state = e.getSQLState();
        if (state == null) {
            return e.getCause() instanceof java.io.IOException;
        }
        return state.startsWith("08") || state.startsWith("53") || state.startsWith("57");
    }

    private void record(long start, SQLException e) {
        long elapsed = System.nanoTime() - start;
        if (unavailable(e)) {
            breaker.onError(elapsed, TimeUnit.NANOSECONDS, new StoreUnavailableException("postgres", e.getMessage(), e));
        } else {
            breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
        }
    }

    /** A failure a statement met on a connection already handed out: only an unavailable server is told to the breaker. */
    private void recordOnConnection(SQLException e) {
        if (unavailable(e)) {
            breaker.onError(0, TimeUnit.NANOSECONDS, new StoreUnavailableException("postgres", e.getMessage(), e));
        }
    }

    /**
     * The open breaker's refusal, as the {@link SQLException} a data source throws, carrying the
     * {@link StoreUnavailableException} that names the store for the 503 answer.
     */
    private SQLException open() {
        return new SQLTransientConnectionException("the postgres circuit is open after repeated failures; retry shortly",
                "08001", new StoreUnavailableException("postgres", "the postgres circuit breaker is open",
                        CallNotPermittedException.createCallNotPermittedException(breaker)));
    }

    /** The object behind a proxy that reports failures; statements made on a guarded connection are guarded too. */
    private <T> T guarded(T target, Class<T> type) {
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> invoke(target, method, args);
        };
        return type.cast(Proxy.newProxyInstance(GuardedDataSource.class.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private Object invoke(Object target, Method method, Object[] args) throws Throwable {
        Object result;
        try {
            result = method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof SQLException sql) {
                recordOnConnection(sql);
            }
            throw e.getCause();
        }
        Class<?> type = method.getReturnType();
        if (result instanceof Statement && (type == Statement.class || type == PreparedStatement.class
                || type == CallableStatement.class)) {
            return guardedStatement(result, type);
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private <T> T guardedStatement(Object statement, Class<T> type) {
        return guarded((T) statement, type);
    }
}
