package io.hanzo.kms.scim.protocol;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;

class PathSegmentTest {
    @Test
    void keepsWhatASegmentMayHoldAndEncodesTheRest() {
        assertThat(PathSegment.encode("bulkId:new-user_1.~")).isEqualTo("bulkId:new-user_1.~");
        assertThat(PathSegment.encode("a b?x#y%/z")).isEqualTo("a%20b%3Fx%23y%25%2Fz");
        assertThat(PathSegment.encode("\u00e9\ud83d\ude00")).isEqualTo("%C3%A9%F0%9F%98%80");
    }

    @Test
    void aSegmentOfDotsIsNeverThisOrTheParentPath() {
        assertThat(PathSegment.encode(".")).isEqualTo("%2E");
        assertThat(PathSegment.encode("..")).isEqualTo("%2E%2E");
        assertThat(PathSegment.encode("a.b")).isEqualTo("a.b");
        URI base = URI.create("https://kms.example.com/api/v1/scim/Users/");
        assertThat(base.resolve(PathSegment.encode("..")).getRawPath()).isEqualTo("/api/v1/scim/Users/%2E%2E");
    }
}
