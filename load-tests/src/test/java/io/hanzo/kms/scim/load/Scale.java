package io.hanzo.kms.scim.load;

import java.util.Locale;

/**
 * Sizes of every simulation. {@code default} fits the whole bench in about ten minutes on two cores
 * shared with the load generator; {@code large} is the 100,000 users / 1,000 groups / 1,000,000
 * memberships directory; {@code smoke} only checks that everything runs. Any single number can be
 * overridden with its own setting (BENCH_SYNC_USERS=20000, ...).
 */
public record Scale(
        String name,
        int syncUsers, int syncGroups, int syncMemberships, int syncConcurrency,
        int lookupUsers, int lookupConcurrency, int lookupSeconds,
        int churnUsers, int churnConcurrency, int churnSeconds,
        int entraUsers, int entraGroups, int entraPrefill, int entraRemovals, int entraConcurrency,
        int bulkUsers, int bulkGroups, int bulkMemberships, int bulkOps, int bulkConcurrency) {

    /** PingOne and Okta send at most this many members in one group PATCH. */
    public static final int PATCH_MEMBERS = 256;
    /** Size of the one very large group at large scale. */
    public static final int BIG_GROUP_MAX = 100_000;

    public static Scale named(String name) {
        Scale base = switch (name.toLowerCase(Locale.ROOT)) {
            case "smoke" -> new Scale("smoke",
                    600, 8, 3_000, 8,
                    1_000, 64, 5,
                    500, 8, 5,
                    300, 2, 100, 50, 32,
                    600, 8, 3_000, 500, 2);
            case "large" -> new Scale("large",
                    100_000, 1_000, 1_000_000, 16,
                    100_000, 64, 120,
                    100_000, 16, 120,
                    20_000, 8, 5_000, 2_000, 64,
                    100_000, 1_000, 1_000_000, 500, 4);
            case "default" -> new Scale("default",
                    20_000, 200, 200_000, 16,
                    20_000, 64, 75,
                    10_000, 16, 75,
                    5_000, 4, 1_000, 500, 64,
                    20_000, 200, 200_000, 500, 4);
            default -> throw new IllegalArgumentException("BENCH_SCALE must be smoke, default or large, not " + name);
        };
        return base.withOverrides();
    }

    private Scale withOverrides() {
        return new Scale(name,
                BenchConfig.intValue("syncUsers", syncUsers),
                BenchConfig.intValue("syncGroups", syncGroups),
                BenchConfig.intValue("syncMemberships", syncMemberships),
                BenchConfig.intValue("syncConcurrency", syncConcurrency),
                BenchConfig.intValue("lookupUsers", lookupUsers),
                BenchConfig.intValue("lookupConcurrency", lookupConcurrency),
                BenchConfig.intValue("lookupSeconds", lookupSeconds),
                BenchConfig.intValue("churnUsers", churnUsers),
                BenchConfig.intValue("churnConcurrency", churnConcurrency),
                BenchConfig.intValue("churnSeconds", churnSeconds),
                BenchConfig.intValue("entraUsers", entraUsers),
                BenchConfig.intValue("entraGroups", entraGroups),
                BenchConfig.intValue("entraPrefill", entraPrefill),
                BenchConfig.intValue("entraRemovals", entraRemovals),
                BenchConfig.intValue("entraConcurrency", entraConcurrency),
                BenchConfig.intValue("bulkUsers", bulkUsers),
                BenchConfig.intValue("bulkGroups", bulkGroups),
                BenchConfig.intValue("bulkMemberships", bulkMemberships),
                BenchConfig.intValue("bulkOps", bulkOps),
                BenchConfig.intValue("bulkConcurrency", bulkConcurrency));
    }
}
