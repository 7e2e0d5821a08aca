package io.cumulus.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;

/**
 * An account whose stored hash is the earlier PBKDF2 form still signs in, and that sign-in replaces
 * the hash by an Argon2id one in the same request; a wrong password changes nothing.
 */
class PasswordUpgradeIT {
    private static RunningIngestApi api;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        api = RunningIngestApi.start(Map.of("cumulus.passwords.argon2.memory-kib", 1024,
                "cumulus.passwords.argon2.iterations", 1));
        client = api.client();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void anAccountWithAPbkdf2HashSignsInAndItsRowThenHoldsAnArgon2idHashThatStillSignsIn() {
        // given an account whose row holds a PBKDF2 hash, as accounts made before Argon2id do
        String username = accountWithPbkdf2Hash();

        // when it signs in
        Response first = login(username, ApiClient.passwordOf(username));

        // then it is let in, and its row now holds an Argon2id hash of the same password
        assertThat(first.status()).isEqualTo(200);
        String upgraded = storedHash(username);
        assertThat(upgraded).startsWith("$argon2id$v=19$m=1024,t=1,p=1$");
        assertThat(new PasswordHasher(new SecureRandom(), new Argon2Settings(1024, 1, 1))
                .matches(ApiClient.passwordOf(username), upgraded)).isTrue();

        // and the next sign-in, and a device registration, use it and leave it as it is
        assertThat(login(username, ApiClient.passwordOf(username)).status()).isEqualTo(200);
        assertThat(client.registerDevice(username, "Laptop").token()).isNotBlank();
        assertThat(storedHash(username)).isEqualTo(upgraded);
    }

    @Test
    void aDeviceRegistrationUpgradesThePbkdf2HashAsASignInDoes() {
        // given an account whose row holds a PBKDF2 hash
        String username = accountWithPbkdf2Hash();

        // when a device is registered with its password
        client.registerDevice(username, "Phone");

        // then the row holds an Argon2id hash
        assertThat(storedHash(username)).startsWith("$argon2id$");
    }

    @Test
    void aWrongPasswordLeavesThePbkdf2HashAsItIs() {
        // given an account whose row holds a PBKDF2 hash
        String username = accountWithPbkdf2Hash();
        String before = storedHash(username);

        // when a wrong password is tried
        Response wrong = login(username, "not the password");

        // then it is refused and nothing is rewritten
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(storedHash(username)).isEqualTo(before).startsWith("pbkdf2$");
    }

    private static String accountWithPbkdf2Hash() {
        String username = ApiClient.uniqueName("legacy");
        assertThat(client.createAccount(username).status()).isEqualTo(201);
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        api.execute("UPDATE ingest.accounts SET password_hash = ? WHERE username = ?",
                Pbkdf2Hash.hash(ApiClient.passwordOf(username), salt, Pbkdf2Hash.MIN_ITERATIONS), username);
        assertThat(storedHash(username)).startsWith("pbkdf2$210000$");
        return username;
    }

    private static Response login(String username, String password) {
        return client.send("POST", "/v1/login", null, Map.of("username", username, "password", password), Map.of());
    }

    private static String storedHash(String username) {
        try (Connection c = api.postgres().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT password_hash FROM ingest.accounts WHERE username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
