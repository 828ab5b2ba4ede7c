package io.hanzo.kms.scim.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The path a request is routed by: endpoint names and doubled slashes rewritten, nothing else. */
class CanonicalPathTest {
    private static final String BASE = ApiRouter.SCIM_BASE;

    @Test
    void aPathSpelledRightIsTheSameString() {
        for (String path : new String[]{BASE + "/Users", BASE + "/Users/abc", BASE + "/Groups/.search", BASE + "/Bulk",
                BASE + "/ServiceProviderConfig", BASE + "/.search", BASE + "/Users/", "/health/ready",
                "/api/v1/organizations/x", BASE, BASE + "/", BASE + "/Unknown/x"}) {
            assertThat(CanonicalPath.of(path)).isSameAs(path);
        }
    }

    @Test
    void endpointNamesInAnotherCaseAreRewrittenAndIdsAreNot() {
        assertThat(CanonicalPath.of(BASE + "/users")).isEqualTo(BASE + "/Users");
        assertThat(CanonicalPath.of(BASE + "/USERS/AbC-1")).isEqualTo(BASE + "/Users/AbC-1");
        assertThat(CanonicalPath.of(BASE + "/groups/")).isEqualTo(BASE + "/Groups/");
        assertThat(CanonicalPath.of(BASE + "/serviceproviderconfig")).isEqualTo(BASE + "/ServiceProviderConfig");
        assertThat(CanonicalPath.of(BASE + "/bulk")).isEqualTo(BASE + "/Bulk");
        assertThat(CanonicalPath.of(BASE + "/.SEARCH")).isEqualTo(BASE + "/.search");
        assertThat(CanonicalPath.of(BASE + "/schemas/urn:ietf:params:scim:schemas:core:2.0:User"))
                .isEqualTo(BASE + "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User");
    }

    @Test
    void searchAfterUsersOrGroupsIsRewrittenInAnyCaseOfEither() {
        assertThat(CanonicalPath.of(BASE + "/users/.SEARCH")).isEqualTo(BASE + "/Users/.search");
        assertThat(CanonicalPath.of(BASE + "/Users/.Search")).isEqualTo(BASE + "/Users/.search");
        assertThat(CanonicalPath.of(BASE + "/GROUPS/.search")).isEqualTo(BASE + "/Groups/.search");
        assertThat(CanonicalPath.of(BASE + "/Users/.searchx")).isEqualTo(BASE + "/Users/.searchx");
        assertThat(CanonicalPath.of(BASE + "/users/.searchx")).isEqualTo(BASE + "/Users/.searchx");
        assertThat(CanonicalPath.of(BASE + "/Users/.SEARCH/more")).isEqualTo(BASE + "/Users/.search/more");
        // Only after Users and Groups; elsewhere the segment is an id.
        assertThat(CanonicalPath.of(BASE + "/schemas/.SEARCH")).isEqualTo(BASE + "/Schemas/.SEARCH");
    }

    @Test
    void doubledSlashesCollapse() {
        assertThat(CanonicalPath.of("/api/v1/scim//Users")).isEqualTo(BASE + "/Users");
        assertThat(CanonicalPath.of("/api/v1/scim//users//x")).isEqualTo(BASE + "/Users/x");
    }
}
