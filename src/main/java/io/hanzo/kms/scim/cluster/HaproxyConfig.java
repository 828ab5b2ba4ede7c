package io.hanzo.kms.scim.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Renders deploy/haproxy/haproxy.cfg.tmpl for instances on this machine or elsewhere: the listen and
 * statistics addresses, and one {@code server} line per instance. The cluster script, the bench and
 * the integration test all render the same template through this class, so what they try is what the
 * repository ships.
 * <pre>
 * HaproxyConfig --template FILE --out FILE --listen HOST:PORT --stats HOST:PORT --server HOST:PORT [--server ...]
 * </pre>
 */
public final class HaproxyConfig {
    /** host:port, with a numeric port; the host is a name or an IPv4 address. */
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9.-]+:[0-9]{1,5}");

    private HaproxyConfig() {
    }

    /**
     * The template with its placeholders replaced; servers are named scim1, scim2, ... in order, the
     * same in every backend that lists them.
     */
    public static String render(String template, String listen, String stats, List<String> servers) {
        check(listen);
        check(stats);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("At least one server is needed");
        }
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < servers.size(); i++) {
            check(servers.get(i));
            lines.append("    server scim").append(i + 1).append(' ').append(servers.get(i));
            if (i < servers.size() - 1) {
                lines.append('\n');
            }
        }
        for (String marker : List.of("@LISTEN@", "@STATS@")) {
            if (template.indexOf(marker) < 0 || template.indexOf(marker) != template.lastIndexOf(marker)) {
                throw new IllegalArgumentException("The template must hold " + marker + " exactly once");
            }
        }
        // Once per backend that sends requests to the instances.
        if (!template.contains("@SERVERS@")) {
            throw new IllegalArgumentException("The template must hold @SERVERS@");
        }
        return template.replace("@LISTEN@", listen).replace("@STATS@", stats).replace("@SERVERS@", lines);
    }

    public static void render(Path template, Path out, String listen, String stats, List<String> servers)
            throws IOException {
        String text = render(Files.readString(template, StandardCharsets.UTF_8), listen, stats, servers);
        Files.writeString(out, text, StandardCharsets.UTF_8);
    }

    private static void check(String address) {
        if (address == null || !ADDRESS.matcher(address).matches()) {
            throw new IllegalArgumentException("Not a host:port address: " + address);
        }
    }

    public static void main(String[] args) throws IOException {
        String template = null;
        String out = null;
        String listen = null;
        String stats = null;
        List<String> servers = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--template" -> template = args[i + 1];
                case "--out" -> out = args[i + 1];
                case "--listen" -> listen = args[i + 1];
                case "--stats" -> stats = args[i + 1];
                case "--server" -> servers.add(args[i + 1]);
                default -> throw new IllegalArgumentException("Unknown option " + args[i]);
            }
        }
        if (args.length % 2 != 0 || template == null || out == null) {
            System.err.println("Usage: HaproxyConfig --template FILE --out FILE --listen HOST:PORT --stats HOST:PORT "
                    + "--server HOST:PORT [--server ...]");
            System.exit(2);
        }
        render(Path.of(template), Path.of(out), listen, stats, servers);
    }
}
