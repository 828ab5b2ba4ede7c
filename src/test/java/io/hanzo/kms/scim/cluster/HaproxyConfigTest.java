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
        assertThat(out).doesNotContain("@LISTEN@", "@STATS@", "@SERVERS@")
                .contains("bind 127.0.0.1:8080\n", "bind 127.0.0.1:8404\n",
                        "    server scim1 127.0.0.1:8081\n    server scim2 127.0.0.1:8082\n    server scim3 10.0.0.7:8080\n")
                .contains("balance hdr(Authorization)", "hash-type consistent", "uri /health/ready");
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
