package io.cumulus.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.sync.hash.Sha256;
import tools.jackson.databind.JsonNode;

/** Accounts, login, device registration and revocation over HTTP, against a real PostgreSQL. */
class AccountsAndDevicesIT {
    private static RunningIngestApi api;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        api = RunningIngestApi.start();
        client = api.client();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void anAdminCreatesAnAccountWhoseOwnerLogsInAndRegistersADevice() {
        // given a new username
        String username = ApiClient.uniqueName("alice");

        // when the admin creates the account, its owner logs in and registers a device
        Response created = client.createAccount(username);
        Response login = client.send("POST", "/v1/login", null,
                Map.of("username", username, "password", ApiClient.passwordOf(username)), Map.of());
        Device laptop = client.registerDevice(username, "Laptop");

        // then the account has a home namespace it owns, and the device token works
        assertThat(created.status()).isEqualTo(201);
        JsonNode account = created.json();
        assertThat(account.get("username").asString()).isEqualTo(username);
        String accountId = account.get("accountId").asString();
        String home = account.get("homeNamespace").asString();
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.json().get("accountId").asString()).isEqualTo(accountId);
        JsonNode namespaces = login.json().get("namespaces");
        assertThat(namespaces).hasSize(1);
        assertThat(namespaces.get(0).get("id").asString()).isEqualTo(home);
        assertThat(namespaces.get(0).get("kind").asString()).isEqualTo("home");
        assertThat(namespaces.get(0).get("role").asString()).isEqualTo("owner");
        assertThat(laptop.accountId()).isEqualTo(accountId);
        assertThat(laptop.namespace()).isEqualTo(home);
        assertThat(laptop.token()).matches("[A-Za-z0-9_-]{43}");
        Response devices = client.get(laptop, "/v1/devices");
        assertThat(devices.status()).isEqualTo(200);
        assertThat(devices.json().get("devices")).hasSize(1);
        assertThat(devices.json().get("devices").get(0).get("deviceId").asString()).isEqualTo(laptop.id());
        assertThat(devices.json().get("devices").get(0).get("name").asString()).isEqualTo("Laptop");
        assertThat(devices.json().get("devices").get(0).get("revoked").asBoolean()).isFalse();
        assertThat(devices.json().get("devices").get(0).get("createdAt").asString()).endsWith("Z");
    }

    @Test
    void thePasswordIsStoredAsASaltedArgon2idHashAndTheTokenOnlyAsItsSha256() {
        // given an account with a device
        Device device = client.newAccountWithDevice("hashes", "Laptop");

        // then neither secret is in the database in the clear
        assertThat(api.count("select count(*) from ingest.accounts where username = ? and password_hash like '$argon2id$v=19$m=19456,t=2,p=1$%'",
                device.username())).isEqualTo(1);
        assertThat(api.count("select count(*) from ingest.accounts where password_hash like ?",
                "%" + ApiClient.passwordOf(device.username()) + "%")).isZero();
        assertThat(api.count("select count(*) from ingest.devices where token_sha256 = ?", Sha256.hex(device.token().getBytes())))
                .isEqualTo(1);
        assertThat(api.count("select count(*) from ingest.devices where token_sha256 = ?", device.token())).isZero();
    }

    @Test
    void aRevokedDeviceTokenIsRefusedAtOnceWhileTheOthersStillWork() {
        // given two devices of one account
        Device laptop = client.newAccountWithDevice("bob", "Laptop");
        Device phone = client.registerDevice(laptop.username(), "Phone");
        assertThat(client.get(phone, "/v1/devices").status()).isEqualTo(200);

        // when the laptop revokes the phone
        Response revoked = client.send("DELETE", "/v1/devices/" + phone.id(), laptop.token(), null, Map.of());

        // then the phone's token is useless and the listing shows it revoked
        assertThat(revoked.status()).isEqualTo(204);
        Response refused = client.get(phone, "/v1/devices");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.problem()).isEqualTo("unauthorized");
        assertThat(refused.header("WWW-Authenticate")).hasValue("Bearer");
        JsonNode devices = client.get(laptop, "/v1/devices").json().get("devices");
        assertThat(devices).hasSize(2);
        assertThat(devices).filteredOn(d -> d.get("deviceId").asString().equals(phone.id()))
                .singleElement().satisfies(d -> assertThat(d.get("revoked").asBoolean()).isTrue());
        assertThat(client.send("DELETE", "/v1/devices/" + phone.id(), laptop.token(), null, Map.of()).status()).isEqualTo(204);
    }

    @Test
    void anotherAccountsDeviceCannotBeRevokedOrEvenSeen() {
        // given two accounts
        Device mine = client.newAccountWithDevice("carol", "Laptop");
        Device theirs = client.newAccountWithDevice("dave", "Laptop");

        // when one tries to revoke the other's device, then it is not found and still works
        Response r = client.send("DELETE", "/v1/devices/" + theirs.id(), mine.token(), null, Map.of());
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.problem()).isEqualTo("device-not-found");
        assertThat(client.send("DELETE", "/v1/devices/not-a-uuid", mine.token(), null, Map.of()).status()).isEqualTo(404);
        assertThat(client.get(theirs, "/v1/devices").status()).isEqualTo(200);
        assertThat(client.get(mine, "/v1/devices").json().get("devices")).hasSize(1);
    }

    @Test
    void accountCreationNeedsTheAdminTokenAValidUsernameAndAStrongEnoughPassword() {
        String username = ApiClient.uniqueName("erin");
        Map<String, String> body = Map.of("username", username, "password", "long enough");

        Response noToken = client.send("POST", "/v1/admin/accounts", null, body, Map.of());
        Response wrongToken = client.send("POST", "/v1/admin/accounts", api.adminToken() + "x", body, Map.of());
        Response badName = client.send("POST", "/v1/admin/accounts", api.adminToken(),
                Map.of("username", "no spaces", "password", "long enough"), Map.of());
        Response tooLongName = client.send("POST", "/v1/admin/accounts", api.adminToken(),
                Map.of("username", "x".repeat(65), "password", "long enough"), Map.of());
        Response shortPassword = client.send("POST", "/v1/admin/accounts", api.adminToken(),
                Map.of("username", username, "password", "short"), Map.of());
        Response malformed = client.send("POST", "/v1/admin/accounts", api.adminToken(), "{\"username\":", Map.of());

        assertThat(noToken.status()).isEqualTo(401);
        assertThat(wrongToken.status()).isEqualTo(401);
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.problem()).isEqualTo("invalid-username");
        assertThat(tooLongName.problem()).isEqualTo("invalid-username");
        assertThat(shortPassword.status()).isEqualTo(400);
        assertThat(shortPassword.problem()).isEqualTo("weak-password");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.problem()).isEqualTo("malformed-json");
        assertThat(api.count("select count(*) from ingest.accounts where lower(username) = lower(?)", username)).isZero();
    }

    @Test
    void aUsernameIsTakenWhateverItsCase() {
        // given an account
        String username = ApiClient.uniqueName("Frank");
        assertThat(client.createAccount(username).status()).isEqualTo(201);

        // when the same name is created again, in any case
        Response again = client.createAccount(username);
        Response otherCase = client.createAccount(username.toLowerCase());

        // then both are conflicts and there is still one account with one home namespace
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.problem()).isEqualTo("username-taken");
        assertThat(otherCase.status()).isEqualTo(409);
        assertThat(api.count("select count(*) from ingest.accounts where lower(username) = lower(?)", username)).isEqualTo(1);
        assertThat(api.count("select count(*) from ingest.namespaces n join ingest.accounts a on a.id = n.owner_account "
                + "where a.username = ?", username)).isEqualTo(1);
    }

    @Test
    void aWrongPasswordOrUnknownUserGetsTheSameRefusal() {
        // given an account
        Device device = client.newAccountWithDevice("grace", "Laptop");

        // when logging in or registering with a wrong password or an unknown user
        Response wrongPassword = client.send("POST", "/v1/login", null,
                Map.of("username", device.username(), "password", "wrong password"), Map.of());
        Response unknownUser = client.send("POST", "/v1/login", null,
                Map.of("username", "nobody-" + device.username(), "password", "wrong password"), Map.of());
        Response register = client.send("POST", "/v1/devices", null,
                Map.of("username", device.username(), "password", "wrong password", "deviceName", "Thief"), Map.of());

        // then each is the same 401 and no device was added
        for (Response r : new Response[] {wrongPassword, unknownUser, register}) {
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.problem()).isEqualTo("bad-credentials");
            assertThat(r.json().get("detail").asString()).isEqualTo("the username or password is wrong");
        }
        assertThat(api.count("select count(*) from ingest.devices where account_id = ?::uuid", device.accountId())).isEqualTo(1);
    }

    @Test
    void everyOtherEndpointNeedsAValidDeviceToken() {
        // given a device and its account's namespace
        Device device = client.newAccountWithDevice("heidi", "Laptop");

        // then requests without a token, with a made-up one, or with the admin token are refused
        for (String bearer : new String[] {null, "not-a-token", api.adminToken()}) {
            assertThat(client.send("GET", "/v1/devices", bearer, null, Map.of()).status()).isEqualTo(401);
            assertThat(client.send("GET", "/v1/namespaces/" + device.namespace() + "/changes", bearer, null, Map.of()).status())
                    .isEqualTo(401);
            assertThat(client.send("POST", "/v1/chunks/missing", bearer, Map.of("chunkIds", java.util.List.of()), Map.of()).status())
                    .isEqualTo(401);
        }
        assertThat(client.send("GET", "/v1/devices", null, null, Map.of("Authorization", "Basic " + device.token())).status())
                .isEqualTo(401);
    }
}
