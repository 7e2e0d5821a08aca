package io.cumulus.ingest.auth;

import java.util.Optional;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;

/** Accounts and their home namespaces in {@code ingest.accounts}, {@code namespaces} and {@code namespace_members}. */
public final class AccountStore {
    private final IngestDatabase db;

    public record StoredAccount(UUID id, String username, String passwordHash, UUID homeNamespace) {
    }

    public AccountStore(IngestDatabase db) {
        this.db = db;
    }

    /**
     * Creates the account with its home namespace (kind {@code home}, the account its owner), all
     * or nothing; empty when the username is taken.
     */
    public Optional<StoredAccount> create(String username, String passwordHash) {
        StoredAccount account = new StoredAccount(UUID.randomUUID(), username, passwordHash, UUID.randomUUID());
        return db.transactions().execute(tx -> {
            int inserted = db.jdbc().sql("""
                            INSERT INTO ingest.accounts (id, username, password_hash, home_namespace)
                            VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING""")
                    .params(account.id(), username, passwordHash, account.homeNamespace())
                    .update();
            if (inserted == 0) {
                return Optional.<StoredAccount>empty();
            }
            db.jdbc().sql("INSERT INTO ingest.namespaces (id, kind, name, owner_account) VALUES (?, 'home', 'Home', ?)")
                    .params(account.homeNamespace(), account.id())
                    .update();
            db.jdbc().sql("INSERT INTO ingest.namespace_members (namespace_id, account_id, role) VALUES (?, ?, 'owner')")
                    .params(account.homeNamespace(), account.id())
                    .update();
            return Optional.of(account);
        });
    }

    /**
     * Replaces the account's password hash by {@code newHash} if it still is {@code oldHash} (a password
     * change in between wins); whether it was replaced.
     */
    public boolean replacePasswordHash(UUID accountId, String oldHash, String newHash) {
        return db.jdbc().sql("UPDATE ingest.accounts SET password_hash = ? WHERE id = ? AND password_hash = ?")
                .params(newHash, accountId, oldHash)
                .update() == 1;
    }

    /** The account of a username, compared case-insensitively like the uniqueness rule. */
    public Optional<StoredAccount> findByUsername(String username) {
        return db.jdbc().sql("""
                        SELECT id, username, password_hash, home_namespace FROM ingest.accounts
                        WHERE lower(username) = lower(?)""")
                .param(username)
                .query((rs, i) -> new StoredAccount(rs.getObject("id", UUID.class), rs.getString("username"),
                        rs.getString("password_hash"), rs.getObject("home_namespace", UUID.class)))
                .optional();
    }
}
