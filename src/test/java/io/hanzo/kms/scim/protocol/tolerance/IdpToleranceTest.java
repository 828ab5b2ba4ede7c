package io.hanzo.kms.scim.protocol.tolerance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Keeps the registry honest: every accepted deviation is consulted by name in the server's code, is
 * proved by a test that exists, names who sends it and what it departs from, and appears in the
 * administrators' conformance table.
 */
class IdpToleranceTest {
    private static final Path MAIN = Path.of("src/main/java");
    private static final Path TABLE = Path.of("docs/idp-compatibility.md");

    @Test
    void everyEntryNamesItsFormTheRfcAndWhoSendsIt() {
        for (IdpTolerance t : IdpTolerance.values()) {
            assertThat(t.form()).as(t.name()).isNotBlank();
            assertThat(t.rfc()).as(t.name()).contains("RFC");
            assertThat(t.idps()).as(t.name()).isNotEmpty();
        }
    }

    @Test
    void everyEntryIsConsultedByNameOutsideTheRegistry() throws IOException {
        String code = mainSources();
        for (IdpTolerance t : IdpTolerance.values()) {
            assertThat(code).as("IdpTolerance.%s is consulted somewhere in src/main/java", t.name())
                    .contains("IdpTolerance." + t.name() + ".accepted()");
        }
    }

    @Test
    void everyProofIsATestThatExists() throws Exception {
        for (IdpTolerance t : IdpTolerance.values()) {
            String[] parts = t.proof().split("#");
            assertThat(parts).as(t.name() + ": " + t.proof()).hasSize(2);
            Class<?> type = Class.forName("io.hanzo.kms.scim." + parts[0]);
            Method method = Arrays.stream(type.getDeclaredMethods()).filter(m -> m.getName().equals(parts[1]))
                    .findFirst().orElseThrow(() -> new AssertionError(t.name() + ": no method " + t.proof()));
            assertThat(method.isAnnotationPresent(Test.class) || method.isAnnotationPresent(ParameterizedTest.class))
                    .as("%s: %s is a test", t.name(), t.proof()).isTrue();
        }
    }

    @Test
    void theConformanceTableListsEveryEntryAndNoOther() throws IOException {
        String table = Files.readString(TABLE);
        Set<String> names = Arrays.stream(IdpTolerance.values()).map(Enum::name).collect(Collectors.toSet());
        for (String name : names) {
            assertThat(table).as("docs/idp-compatibility.md names %s", name).contains("`" + name + "`");
        }
        Set<String> mentioned = new HashSet<>();
        Matcher m = Pattern.compile("`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`").matcher(table);
        while (m.find()) {
            mentioned.add(m.group(1));
        }
        assertThat(names).as("tolerances named in the table exist in the registry").containsAll(mentioned);
    }

    private static String mainSources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            List<Path> java = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.getFileName().toString().equals("IdpTolerance.java")).toList();
            StringBuilder all = new StringBuilder();
            for (Path p : java) {
                all.append(Files.readString(p)).append('\n');
            }
            return all.toString();
        }
    }
}
