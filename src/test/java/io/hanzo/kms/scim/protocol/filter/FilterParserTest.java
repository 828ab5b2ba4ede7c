package io.hanzo.kms.scim.protocol.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.ScimUris;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;

class FilterParserTest {

    private static Filter.Compare cmp(String path, CompareOp op, JsonNode value) {
        return new Filter.Compare(AttributePath.parse(path), op, value);
    }

    private static Filter.Compare eq(String path, String value) {
        return cmp(path, CompareOp.EQ, TextNode.valueOf(value));
    }

    private static void assertInvalidFilter(String text) {
        assertThatThrownBy(() -> FilterParser.parse(text))
                .isInstanceOfSatisfying(ScimException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.scimType()).isEqualTo("invalidFilter");
                });
    }

    private static void assertInvalidPath(String text) {
        assertThatThrownBy(() -> FilterParser.parsePath(text))
                .isInstanceOfSatisfying(ScimException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.scimType()).isEqualTo("invalidPath");
                });
    }

    // RFC 7644 §3.4.2.2 grammar

    @ParameterizedTest
    @CsvSource({"eq,EQ", "ne,NE", "co,CO", "sw,SW", "ew,EW", "gt,GT", "ge,GE", "lt,LT", "le,LE"})
    void everyComparisonOperator(String keyword, CompareOp op) {
        assertThat(FilterParser.parse("title " + keyword + " \"x\"")).isEqualTo(cmp("title", op, TextNode.valueOf("x")));
    }

    @Test
    void presence() {
        assertThat(FilterParser.parse("title pr")).isEqualTo(new Filter.Present(AttributePath.of("title")));
        assertThat(FilterParser.parse("name.familyName PR"))
                .isEqualTo(new Filter.Present(AttributePath.of("name", "familyName")));
    }

    @Test
    void andBindsTighterThanOr() {
        assertThat(FilterParser.parse("title pr or userType eq \"Employee\" and active eq true"))
                .isEqualTo(new Filter.Or(new Filter.Present(AttributePath.of("title")),
                        new Filter.And(eq("userType", "Employee"), cmp("active", CompareOp.EQ, BooleanNode.TRUE))));
    }

    @Test
    void andAndOrAreLeftAssociative() {
        assertThat(FilterParser.parse("a eq \"1\" and b eq \"2\" and c eq \"3\""))
                .isEqualTo(new Filter.And(new Filter.And(eq("a", "1"), eq("b", "2")), eq("c", "3")));
        assertThat(FilterParser.parse("a eq \"1\" or b eq \"2\" or c eq \"3\""))
                .isEqualTo(new Filter.Or(new Filter.Or(eq("a", "1"), eq("b", "2")), eq("c", "3")));
    }

    @Test
    void parenthesesOverridePrecedence() {
        assertThat(FilterParser.parse("(title pr or userType eq \"Intern\") and active eq true"))
                .isEqualTo(new Filter.And(
                        new Filter.Or(new Filter.Present(AttributePath.of("title")), eq("userType", "Intern")),
                        cmp("active", CompareOp.EQ, BooleanNode.TRUE)));
    }

    @Test
    void notAppliesToTheParenthesisedExpressionOnly() {
        assertThat(FilterParser.parse("not (title pr) and userName sw \"b\""))
                .isEqualTo(new Filter.And(new Filter.Not(new Filter.Present(AttributePath.of("title"))),
                        cmp("userName", CompareOp.SW, TextNode.valueOf("b"))));
        assertThat(FilterParser.parse("NOT(a eq \"1\" or b eq \"2\")"))
                .isEqualTo(new Filter.Not(new Filter.Or(eq("a", "1"), eq("b", "2"))));
    }

    @Test
    void valuePathWithCompoundFilter() {
        assertThat(FilterParser.parse("emails[type eq \"work\" and value co \"@x\"]"))
                .isEqualTo(new Filter.ValuePath(AttributePath.of("emails"),
                        new Filter.And(eq("type", "work"), cmp("value", CompareOp.CO, TextNode.valueOf("@x")))));
    }

    @Test
    void valuePathCombinedWithOtherExpressions() {
        assertThat(FilterParser.parse("userType eq \"Employee\" and emails[type eq \"work\" and not (value ew \".org\")]"))
                .isEqualTo(new Filter.And(eq("userType", "Employee"), new Filter.ValuePath(AttributePath.of("emails"),
                        new Filter.And(eq("type", "work"),
                                new Filter.Not(cmp("value", CompareOp.EW, TextNode.valueOf(".org")))))));
    }

    @Test
    void urnQualifiedAttributes() {
        assertThat(FilterParser.parse(ScimUris.ENTERPRISE_USER + ":employeeNumber eq \"42\""))
                .isEqualTo(new Filter.Compare(new AttributePath(ScimUris.ENTERPRISE_USER, "employeeNumber", null),
                        CompareOp.EQ, TextNode.valueOf("42")));
        assertThat(FilterParser.parse(ScimUris.ENTERPRISE_USER + ":manager.value eq \"m\""))
                .isEqualTo(new Filter.Compare(new AttributePath(ScimUris.ENTERPRISE_USER, "manager", "value"),
                        CompareOp.EQ, TextNode.valueOf("m")));
        assertThat(FilterParser.parse(ScimUris.CORE_USER + ":userName eq \"bob\""))
                .isEqualTo(new Filter.Compare(new AttributePath(ScimUris.CORE_USER, "userName", null),
                        CompareOp.EQ, TextNode.valueOf("bob")));
    }

    @Test
    void escapesInStrings() {
        assertThat(FilterParser.parse("displayName eq \"say \\\"hi\\\" \\\\ bye\""))
                .isEqualTo(eq("displayName", "say \"hi\" \\ bye"));
        assertThat(FilterParser.parse("displayName eq \"tab\\there \\u00e9\""))
                .isEqualTo(eq("displayName", "tab\there \u00e9"));
        assertThat(FilterParser.parse("displayName eq \"a ] ) ( [ and or\""))
                .isEqualTo(eq("displayName", "a ] ) ( [ and or"));
    }

    @Test
    void numbersBooleansAndNull() {
        assertThat(number("x eq 42")).isEqualByComparingTo("42");
        assertThat(number("x gt -7")).isEqualByComparingTo("-7");
        assertThat(number("x le 1.5")).isEqualByComparingTo("1.5");
        assertThat(number("x eq 2e3")).isEqualByComparingTo("2000");
        assertThat(FilterParser.parse("active eq true")).isEqualTo(cmp("active", CompareOp.EQ, BooleanNode.TRUE));
        assertThat(FilterParser.parse("active eq False")).isEqualTo(cmp("active", CompareOp.EQ, BooleanNode.FALSE));
        assertThat(FilterParser.parse("title eq null")).isEqualTo(cmp("title", CompareOp.EQ, NullNode.instance));
        assertThat(FilterParser.parse("title eq \"null\"")).isEqualTo(eq("title", "null"));
    }

    private static BigDecimal number(String filter) {
        JsonNode value = ((Filter.Compare) FilterParser.parse(filter)).value();
        assertThat(value.isNumber()).as(filter).isTrue();
        return value.decimalValue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1E3", "-0", "0.0000001", "1.50", "12345", "2e+3"})
    void aBareNumberKeepsTheTextItWasSentAs(String token) {
        JsonNode value = ((Filter.Compare) FilterParser.parse("externalId eq " + token)).value();
        assertThat(value.decimalValue()).isEqualByComparingTo(new BigDecimal(token));
        assertThat(((BareNumber) value).literal()).isEqualTo(token);
    }

    @Test
    void aNumberWhoseExponentNoDecimalHoldsIsABareWord() {
        assertThat(FilterParser.parse("externalId eq 1E9999999999")).isEqualTo(eq("externalId", "1E9999999999"));
        assertThat(FilterParser.parse("externalId eq -1e-2147483649")).isEqualTo(eq("externalId", "-1e-2147483649"));
    }

    @Test
    void whitespaceAroundTokensIsIgnored() {
        assertThat(FilterParser.parse("  ( userName   eq  \"b\" )  ")).isEqualTo(eq("userName", "b"));
    }

    @Test
    void attributeNamesMayStartWithKeywords() {
        assertThat(FilterParser.parse("nickName eq \"n\" and organization eq \"o\""))
                .isEqualTo(new Filter.And(eq("nickName", "n"), eq("organization", "o")));
    }

    // Forms identity providers send

    @Test
    void operatorsAndKeywordsInAnyCase() {
        assertThat(FilterParser.parse("email.value Eq \"a@b.c\"")).isEqualTo(eq("email.value", "a@b.c"));
        assertThat(FilterParser.parse("username Eq \"bob\"")).isEqualTo(eq("username", "bob"));
        assertThat(FilterParser.parse("UserName EQ \"x\" AND active eq true"))
                .isEqualTo(new Filter.And(eq("UserName", "x"), cmp("active", CompareOp.EQ, BooleanNode.TRUE)));
    }

    @Test
    void comparisonOnAMultiValuedAttributeParsesAsIs() {
        assertThat(FilterParser.parse("emails eq \"x\"")).isEqualTo(eq("emails", "x"));
    }

    @Test
    void comparisonAfterAValueFilterIsFoldedIntoIt() {
        assertThat(FilterParser.parse("emails[type eq \"work\"].value eq \"x\""))
                .isEqualTo(new Filter.ValuePath(AttributePath.of("emails"),
                        new Filter.And(eq("type", "work"), eq("value", "x"))));
    }

    @Test
    void unquotedValuesAreStrings() {
        assertThat(FilterParser.parse("userName eq bob@x.com")).isEqualTo(eq("userName", "bob@x.com"));
        assertThat(FilterParser.parse("userName eq bob@x.com and active eq true"))
                .isEqualTo(new Filter.And(eq("userName", "bob@x.com"), cmp("active", CompareOp.EQ, BooleanNode.TRUE)));
        assertThat(FilterParser.parse("name.familyName eq O'Brien")).isEqualTo(eq("name.familyName", "O'Brien"));
        // One that reads as a number is, for a string attribute, the text sent: not "1000".
        assertThat(FilterResolver.parse("externalId eq 1E3", UserSchemas.USER)).isEqualTo(eq("externalId", "1E3"));
    }

    // Errors

    @ParameterizedTest
    @ValueSource(strings = {
            "userName like \"bob\"",
            "userName \"bob\"",
            "userName eq",
            "userName eq \"bob",
            "userName eq 'bob'",
            "userName eq 'bob smith'",
            "displayName eq \"bad \\q escape\"",
            "(userName eq \"bob\"",
            "userName eq \"bob\")",
            "emails[type eq \"work\"",
            "emails[]",
            "emails[type[value eq \"x\"] eq \"y\"]",
            "name.givenName[value eq \"x\"]",
            "userName eq \"bob\" garbage",
            "userName eq \"bob\" and",
            "or userName eq \"bob\"",
            "not userName eq \"bob\"",
            "a..b eq \"x\"",
            "eq \"x\"",
            "()",
    })
    void malformedFiltersAreInvalidFilter(String text) {
        assertInvalidFilter(text);
    }

    /** RFC 7644 quotes strings with ASCII double quotes: “x” could be the value's own quotes or meant as quotes. */
    @ParameterizedTest
    @ValueSource(strings = {
            "userName eq \u201Cbob@acme.com\u201D",
            "userName eq \u201Ebob@acme.com\u201C",
            "userName eq \u201Cbob smith\u201D",
            "userName eq bob@acme.com\u201D",
            "emails[value eq \u201Cbob@acme.com\u201D]",
    })
    void typographicQuotesAreInvalidFilterNamingThem(String text) {
        assertThatThrownBy(() -> FilterParser.parse(text))
                .isInstanceOfSatisfying(ScimException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.scimType()).isEqualTo("invalidFilter");
                    assertThat(e.detail()).contains("typographic quotes").containsPattern("U\\+201[CDE]")
                            .contains("ASCII double quotes");
                });
    }

    @Test
    void typographicQuotesInsideAQuotedStringOrAWordAreTheValues() {
        assertThat(FilterParser.parse("title eq \"\u201Cthe\u201D boss\""))
                .isEqualTo(eq("title", "\u201Cthe\u201D boss"));
        assertThat(FilterParser.parse("name.familyName eq O\u2019Brien")).isEqualTo(eq("name.familyName", "O\u2019Brien"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   "})
    void emptyFilterIsInvalidFilter(String text) {
        assertInvalidFilter(text);
    }

    @Test
    void overlongFilterIsInvalidFilter() {
        assertInvalidFilter("userName eq \"" + "x".repeat(9000) + "\"");
    }

    @Test
    void deeplyNestedFilterIsInvalidFilterNotAStackOverflow() {
        assertInvalidFilter("(".repeat(5000) + "a pr" + ")".repeat(5000));
    }

    // PATCH paths (RFC 7644 §3.5.2)

    @Test
    void pathToAnAttributeOrSubAttribute() {
        assertThat(FilterParser.parsePath("userName")).isEqualTo(new PatchPath(AttributePath.of("userName"), null, null));
        assertThat(FilterParser.parsePath(" name.givenName "))
                .isEqualTo(new PatchPath(AttributePath.of("name", "givenName"), null, null));
    }

    @Test
    void pathWithValueFilter() {
        assertThat(FilterParser.parsePath("emails[type eq \"work\"]"))
                .isEqualTo(new PatchPath(AttributePath.of("emails"), eq("type", "work"), null));
        assertThat(FilterParser.parsePath("members[value eq \"2819c223\"]"))
                .isEqualTo(new PatchPath(AttributePath.of("members"), eq("value", "2819c223"), null));
    }

    @Test
    void pathWithValueFilterAndSubAttribute() {
        assertThat(FilterParser.parsePath("addresses[type eq \"work\" and primary eq true].streetAddress"))
                .isEqualTo(new PatchPath(AttributePath.of("addresses"),
                        new Filter.And(eq("type", "work"), cmp("primary", CompareOp.EQ, BooleanNode.TRUE)),
                        "streetAddress"));
    }

    @Test
    void urnQualifiedPaths() {
        assertThat(FilterParser.parsePath(ScimUris.ENTERPRISE_USER + ":manager.value"))
                .isEqualTo(new PatchPath(new AttributePath(ScimUris.ENTERPRISE_USER, "manager", "value"), null, null));
        assertThat(FilterParser.parsePath(ScimUris.ENTERPRISE_USER + ":department"))
                .isEqualTo(new PatchPath(new AttributePath(ScimUris.ENTERPRISE_USER, "department", null), null, null));
    }

    @Test
    void pathThatIsASchemaUrnSplitsAtTheLastColon() {
        PatchPath p = FilterParser.parsePath(ScimUris.ENTERPRISE_USER);
        assertThat(p.attribute().schemaUrn() + ":" + p.attribute().attribute()).isEqualTo(ScimUris.ENTERPRISE_USER);
        assertThat(p.valueFilter()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "emails[type eq \"work\"",
            "emails[type eq \"work\"].",
            "emails[type eq \"work\"].value.display",
            "emails[type eq \"work\"]value",
            "name.givenName[type eq \"x\"]",
            "emails[type zz \"work\"]",
            "emails[]",
            "user name",
            "name.",
            ".name",
    })
    void malformedPathsAreInvalidPath(String text) {
        assertInvalidPath(text);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  "})
    void emptyPathIsInvalidPath(String text) {
        assertInvalidPath(text);
    }
}
