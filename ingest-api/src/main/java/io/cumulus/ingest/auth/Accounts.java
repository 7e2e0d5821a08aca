package io.cumulus.ingest.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.auth.AccountStore.StoredAccount;
import io.cumulus.ingest.gateway.LoginThrottle;

/**
 * Creating accounts and checking their passwords. Every password check is throttled per account and
 * per client address ({@link LoginThrottle}) before the hash is computed, and a stored hash that is
 * not the current kind is replaced in the same request once the password proved right.
 */
public final class Accounts {
    private static final Logger log = LoggerFactory.getLogger(Accounts.class);

    private final AccountStore store;
    private final PasswordHasher hasher;
    private final LoginThrottle throttle;

    public Accounts(AccountStore store, PasswordHasher hasher, LoginThrottle throttle) {
        this.store = store;
        this.hasher = hasher;
        this.throttle = throttle;
    }

    public StoredAccount create(String username, String password) {
        CredentialRules.username(username);
        CredentialRules.newPassword(password);
        StoredAccount account = store.create(username, hasher.hash(password))
                .orElseThrow(() -> new UsernameTakenException(username));
        log.info("account created accountId={} username={} homeNamespace={}", account.id(), username, account.homeNamespace());
        return account;
    }

    /**
     * The account whose password this is; {@link BadCredentialsException} otherwise, in about the same
     * time whether or not the username exists; {@link io.cumulus.ingest.gateway.TooManyRequestsException}
     * without checking anything when the account or the address {@code clientAddress} has failed too often.
     */
    public StoredAccount authenticate(String username, String password, String clientAddress) {
        return throttle.attempt(username, clientAddress, () -> check(username, password));
    }

    private StoredAccount check(String username, String password) {
        if (username == null || password == null || password.length() > CredentialRules.MAX_PASSWORD_LENGTH) {
            throw new BadCredentialsException();
        }
        var found = store.findByUsername(username);
        boolean matches = found.isPresent()
                ? hasher.matches(password, found.get().passwordHash())
                : hasher.matchesNothing(password);
        if (!matches) {
            throw new BadCredentialsException(found.map(StoredAccount::id));
        }
        StoredAccount account = found.get();
        if (hasher.needsRehash(account.passwordHash())) {
            String upgraded = hasher.hash(password);
            if (store.replacePasswordHash(account.id(), account.passwordHash(), upgraded)) {
                log.info("password hash upgraded accountId={} from={}", account.id(), schemeOf(account.passwordHash()));
                account = new StoredAccount(account.id(), account.username(), upgraded, account.homeNamespace());
            }
        }
        return account;
    }

    private static String schemeOf(String stored) {
        int end = stored.indexOf('$', 1);
        return end < 0 ? "unknown" : stored.substring(0, end).replace("$", "");
    }
}
