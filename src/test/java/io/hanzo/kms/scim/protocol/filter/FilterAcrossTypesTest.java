package io.hanzo.kms.scim.protocol.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.schema.GroupSchemas;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

/**
 * A filter searched at the service root, read by Users and by Groups (RFC 7644 §3.4.3): what a type
 * lacks is unassigned there (RFC 7644 §3.4.2.2), so each type keeps what it can match.
 */
class FilterAcrossTypesTest {
    private static final String UID = "0190aa00-0000-7000-8000-000000000001";

    /** The filter as Users and as Groups read it: the resolved filter's text, "all" or "none". */
    private static List<String> each(String filter) {
        return FilterResolver.parseEach(filter, List.of(UserSchemas.USER, GroupSchemas.GROUP)).stream()
                .map(t -> t.filter() != null ? t.filter().toString() : t.none() ? "none" : "all")
                .toList();
    }

    @Test
    void noFilterMatchesEveryResourceOfEveryType() {
        assertThat(each(null)).containsExactly("all", "all");
    }

    @Test
    void eachTypeKeepsTheConditionsOnItsOwnAttributes() {
        assertThat(each("displayName eq \"sales\" or userName eq \"nomail\""))
                .containsExactly("(displayName eq \"sales\" or userName eq \"nomail\")", "displayName eq \"sales\"");
        assertThat(each("externalId eq \"gx-sal\" or userName eq \"nomail\""))
                .containsExactly("(externalId eq \"gx-sal\" or userName eq \"nomail\")", "externalId eq \"gx-sal\"");
        assertThat(each("userName eq \"nomail\" or members.value eq \"" + UID + "\""))
                .containsExactly("userName eq \"nomail\"", "members.value eq \"" + UID + "\"");
        assertThat(each("members[value eq \"" + UID + "\"] or emails[type eq \"work\"]"))
                .containsExactly("emails[type eq \"work\"]", "members[value eq \"" + UID + "\"]");
    }

    @Test
    void aConditionOnAnAttributeATypeLacksAnswersAsOnAnUnassignedOne() {
        assertThat(each("not (userName eq \"x\")")).containsExactly("not(userName eq \"x\")", "all");
        assertThat(each("userName ne \"x\"")).containsExactly("userName ne \"x\"", "all");
        assertThat(each("userName eq null")).containsExactly("userName eq null", "all");
        assertThat(each("userName pr")).containsExactly("userName pr", "none");
        assertThat(each("userName ne null")).containsExactly("userName ne null", "none");
        assertThat(each("userName sw \"a\"")).containsExactly("userName sw \"a\"", "none");
        assertThat(each("emails[type eq \"work\"]")).containsExactly("emails[type eq \"work\"]", "none");
        // A multi-valued attribute without values has none that differs (RFC 7644 §3.4.2.2).
        assertThat(each("emails ne \"x\"")).containsExactly("emails.value ne \"x\"", "none");
        assertThat(each("groups.value ne \"" + UID + "\"")).containsExactly("groups.value ne \"" + UID + "\"", "none");
        assertThat(each("members.value ne \"" + UID + "\"")).containsExactly("none", "members.value ne \"" + UID + "\"");
        assertThat(each("not (emails.value eq \"x\")")).containsExactly("not(emails.value eq \"x\")", "all");
        assertThat(each("userName eq \"x\" and members pr")).containsExactly("none", "none");
        assertThat(each("not (userName eq \"x\" and members pr)")).containsExactly("all", "all");
        assertThat(each("displayName eq \"x\" and not (members pr)"))
                .containsExactly("displayName eq \"x\"", "(displayName eq \"x\" and not(members pr))");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "noSuchAttribute eq \"x\" or userName eq \"y\"",
            "displayName eq \"x\" and not (noSuchAttribute pr)",
            "urn:example:unknown:2.0:User:thing eq \"x\" or displayName eq \"x\"",
    })
    void anAttributeNoTypeHasIsInvalidFilter(String filter) {
        assertThatThrownBy(() -> each(filter))
                .isInstanceOfSatisfying(ScimException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.scimType()).isEqualTo("invalidFilter");
                });
    }

    @Test
    void theMessageNamesTheAttributeNoTypeHas() {
        assertThatThrownBy(() -> each("displayName eq \"x\" or noSuchAttribute eq \"y\""))
                .isInstanceOfSatisfying(ScimException.class, e -> assertThat(e.detail())
                        .isEqualTo("Cannot filter on 'noSuchAttribute': no User or Group has that attribute."));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "active gt true or displayName eq \"x\"",
            "emails.nosuch eq \"x\" or displayName eq \"x\"",
            "name.nosuch eq \"x\" or displayName eq \"x\"",
            "emails[nosuch eq \"x\"] or displayName eq \"x\"",
            "password eq \"x\" or displayName eq \"x\"",
    })
    void whatATypeHavingTheAttributeRefusesIsRefused(String filter) {
        assertThatThrownBy(() -> each(filter))
                .isInstanceOfSatisfying(ScimException.class, e -> assertThat(e.scimType()).isEqualTo("invalidFilter"));
    }
}
