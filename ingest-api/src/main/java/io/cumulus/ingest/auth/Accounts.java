package io.cumulus.ingest.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.auth.AccountStore.StoredAccount;

/** Creating accounts and checking their passwords. */
public final class Accounts {
    private static final Logger log = LoggerFactory.getLogger(Accounts.class);

    private final AccountStore store;
    private final PasswordHasher hasher;

    public Accounts(AccountStore store, PasswordHasher hasher) {
        this.store = store;
        this.hasher = hasher;
    }

    public StoredAccount create(String username, String password) {
        CredentialRules.username(username);
        CredentialRules.newPassword(password);
        StoredAccount account = store.create(username, hasher.hash(password))
                .orElseThrow(() -> new UsernameTakenException(username));
        log.info("account created accountId={} username={} homeNamespace={}", account.id(), username, account.homeNamespace());
        return account;
    }

    /** The account whose password this is; {@link BadCredentialsException} otherwise, in about the same time. */
    public StoredAccount authenticate(String username, String password) {
        if (username == null || password == null || password.length() > CredentialRules.MAX_PASSWORD_LENGTH) {
            throw new BadCredentialsException();
        }
        var account = store.findByUsername(username);
        boolean matches = account.isPresent()
                ? hasher.matches(password, account.get().passwordHash())
                : hasher.matchesNothing(password);
        if (!matches) {
            throw new BadCredentialsException();
        }
        return account.get();
    }
}
