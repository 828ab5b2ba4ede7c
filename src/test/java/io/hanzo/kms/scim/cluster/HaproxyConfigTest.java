package io.hanzo.kms.scim.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class HaproxyConfigTest {
    private static final Path TEMPLATE = Path.of("deploy/haproxy/haproxy.cfg.tmpl");

    @Test
    void theRepositoryTemplateGetsOneServerLinePerInstanceAndNoMarkerLeft() throws Exception {
        String out = HaproxyConfig.render(Files.readString(TEMPLATE), "127.0.0.1:8080", "127.0.0.1:8404",
                List.of("127.0.0.1:8081", "127.0.0.1:8082", "10.0.0.7:8080"));
        String servers = "    server scim1 127.0.0.1:8081\n    server scim2 127.0.0.1:8082\n    server scim3 10.0.0.7:8080\n";
        assertThat(out).doesNotContain("@LISTEN@", "@STATS@", "@SERVERS@")
                .contains("bind 127.0.0.1:8080\n", "bind 127.0.0.1:8404\n")
                .contains("balance hdr(Authorization)", "hash-type consistent", "uri /health/ready");
        // Both backends list every instance: the ready ones, and the alive ones for when none is ready.
        String ready = out.substring(out.indexOf("\nbackend instances"), out.indexOf("\nbackend alive"));
        String alive = out.substring(out.indexOf("\nbackend alive"), out.indexOf("\nfrontend stats"));
        assertThat(ready).contains(servers, "uri /health/ready");
        assertThat(alive).contains(servers, "uri /health/live");
        assertThat(out).contains("use_backend alive if { nbsrv(instances) eq 0 }");
    }

    @Test
    void refusesAnythingButHostAndPortSoNothingCanBeInjectedIntoTheFile() {
        String template = "bind @LISTEN@\nbind @STATS@\n@SERVERS@\n";
        assertThatThrownBy(() -> HaproxyConfig.render(template, "127.0.0.1:8080", "127.0.0.1:8404",
                List.of("127.0.0.1:8081 backup\n    server evil 1.2.3.4:80")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HaproxyConfig.render(template, "127.0.0.1", "127.0.0.1:8404", List.of("127.0.0.1:8081")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HaproxyConfig.render(template, "127.0.0.1:8080", "127.0.0.1:8404", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HaproxyConfig.render("bind @LISTEN@\n@SERVERS@\n", "127.0.0.1:8080", "127.0.0.1:8404",
                List.of("127.0.0.1:8081"))).hasMessageContaining("@STATS@");
    }
}
