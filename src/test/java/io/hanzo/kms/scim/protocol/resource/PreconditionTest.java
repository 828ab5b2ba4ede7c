package io.hanzo.kms.scim.protocol.resource;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PreconditionTest {
    @Test
    void noConditionHoldsForEveryVersionAndPinsNone() {
        assertThat(Precondition.NONE.none()).isTrue();
        assertThat(Precondition.NONE.holds(7)).isTrue();
        assertThat(Precondition.NONE.pinned()).isFalse();
        assertThat(Precondition.ifMatch(null)).isEqualTo(Precondition.NONE);
    }

    @Test
    void ifMatchHoldsForTheVersionsItNames() {
        Precondition three = Precondition.ifMatch("W/\"3\"");
        assertThat(three.holds(3)).isTrue();
        assertThat(three.holds(4)).isFalse();
        assertThat(three.pinned()).isTrue();
        Precondition any = Precondition.ifMatch(" * ");
        assertThat(any.holds(4)).isTrue();
        assertThat(any.pinned()).isFalse();
        assertThat(three.failed("user", 4, "W/\"4\"").detail()).isEqualTo("The user has changed: its version is now W/\"4\".");
    }

    /** RFC 9110 §13.1.2: on a write, If-None-Match fails for an existing resource it names, or for any under "*". */
    @Test
    void ifNoneMatchFailsForTheVersionsItNamesAndUnderAStarForAll() {
        Precondition star = new Precondition(null, "*");
        assertThat(star.none()).isFalse();
        assertThat(star.holds(1)).isFalse();
        assertThat(star.pinned()).isTrue();
        Precondition three = new Precondition(null, "\"2\", W/\"3\"");
        assertThat(three.holds(3)).isFalse();
        assertThat(three.holds(2)).isFalse();
        assertThat(three.holds(4)).isTrue();
        assertThat(three.pinned()).isTrue();
        assertThat(three.failed("group", 3, "W/\"3\"").detail()).contains("If-None-Match").contains("W/\"3\"");
        assertThat(three.failed("group", 3, "W/\"3\"").status()).isEqualTo(412);
    }

    @Test
    void bothHeadersMustHold() {
        Precondition both = new Precondition("W/\"3\"", "W/\"3\"");
        assertThat(both.holds(3)).isFalse();
        assertThat(both.holds(4)).isFalse();
        assertThat(new Precondition("*", "W/\"3\"").holds(4)).isTrue();
    }
}
