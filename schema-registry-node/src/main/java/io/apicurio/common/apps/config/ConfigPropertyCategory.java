package io.apicurio.common.apps.config;

/**
 * The category of a registry configuration property, as Apicurio Registry 3.0.9's classes name it in
 * their {@link Info} annotations. It belongs to Apicurio's config-definitions 3.0.9, which the repository
 * our build reaches does not serve (3.0.6, served, predates it), so Cumulus declares it: the constants are
 * the ones 3.0.9's classes refer to; nothing reads their values but documentation tooling.
 */
public enum ConfigPropertyCategory {
    CATEGORY_API,
    CATEGORY_AUTH,
    CATEGORY_CACHE,
    CATEGORY_CCOMPAT,
    CATEGORY_DOWNLOAD,
    CATEGORY_GITOPS,
    CATEGORY_HEALTH,
    CATEGORY_HIDDEN,
    CATEGORY_IMPORT,
    CATEGORY_LIMITS,
    CATEGORY_REDIRECTS,
    CATEGORY_REST,
    CATEGORY_SEMVER,
    CATEGORY_STORAGE,
    CATEGORY_SYSTEM,
    CATEGORY_UI
}
