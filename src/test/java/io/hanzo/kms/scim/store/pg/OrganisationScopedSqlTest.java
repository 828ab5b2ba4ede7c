package io.hanzo.kms.scim.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every table but the organisations' own carries the organisation id, and a database sharded by it
 * (Citus-style) routes a statement to one shard only when the statement names it. So every statement
 * that reads or writes such a table names {@code org_id}. The tables are taken from the migrations, so
 * a table added later is covered.
 */
class OrganisationScopedSqlTest {
    private static final Pattern CREATE_TABLE = Pattern.compile("CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)");
    private static final Pattern ORG_ID = Pattern.compile("\\borg_id\\b");

    @Test
    void everyStatementOnAnOrganisationsTableNamesTheOrganisation() throws Exception {
        Set<String> tables = organisationTables();
        assertThat(tables).contains("scim_users", "scim_groups", "scim_group_members", "invitations", "resource_changes")
                .doesNotContain("organizations");

        Map<String, String> statements = new LinkedHashMap<>();
        for (Field f : Sql.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                f.setAccessible(true);
                statements.put(f.getName(), (String) f.get(null));
            }
        }
        Pattern anyTable = Pattern.compile("\\b(?:" + String.join("|", tables) + ")\\b");
        List<String> unscoped = new ArrayList<>();
        int touching = 0;
        for (Map.Entry<String, String> e : statements.entrySet()) {
            if (anyTable.matcher(e.getValue()).find()) {
                touching++;
                if (!ORG_ID.matcher(e.getValue()).find()) {
                    unscoped.add(e.getKey());
                }
            }
        }
        assertThat(touching).as("statements on organisations' tables").isGreaterThan(40);
        assertThat(unscoped).as("statements that do not name the organisation").isEmpty();
    }

    private static Set<String> organisationTables() throws IOException, URISyntaxException {
        Set<String> tables = new TreeSet<>();
        Path migrations = Path.of(OrganisationScopedSqlTest.class.getResource("/db/migration").toURI());
        List<Path> files;
        try (Stream<Path> list = Files.list(migrations)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".sql")).toList();
        }
        assertThat(files).as("migrations").hasSizeGreaterThanOrEqualTo(5);
        for (Path f : files) {
            Matcher m = CREATE_TABLE.matcher(Files.readString(f, StandardCharsets.UTF_8));
            while (m.find()) {
                tables.add(m.group(1).toLowerCase(Locale.ROOT));
            }
        }
        tables.remove("organizations");
        return tables;
    }
}
