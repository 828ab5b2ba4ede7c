package io.hanzo.kms.scim.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.ConnectException;
import java.util.concurrent.ExecutionException;

class StartupFailureTest {

    @Test
    void namesTheStepAndTheDeepestCause() {
        Exception wrapped = new ExecutionException(new StartupFailure("HTTP server on 0.0.0.0:8080",
                new BindException("Address already in use")));
        assertThat(StartupFailure.oneLine(wrapped))
                .isEqualTo("HTTP server on 0.0.0.0:8080: Address already in use (BindException)");
    }

    @Test
    void aSeveralLineMessageGivesItsFirstLineOnly() {
        Exception migration = new IllegalStateException("Unable to obtain connection from database\n"
                + "-----\nSQL State  : 08001", new RuntimeException("Connection to db:5432 refused.\nCheck the host",
                        new ConnectException("Connection refused")));
        assertThat(StartupFailure.oneLine(new StartupFailure("database postgresql://db:5432/kms", migration)))
                .isEqualTo("database postgresql://db:5432/kms: Connection refused (ConnectException)");
        assertThat(StartupFailure.oneLine(new IllegalStateException("first\nsecond"))).isEqualTo("first (IllegalStateException)");
    }

    @Test
    void theOutermostStepWinsAndACauseWithoutMessageIsNamedByItsType() {
        Exception nested = new StartupFailure("outer", new StartupFailure("inner", new NullPointerException()));
        assertThat(StartupFailure.oneLine(nested)).isEqualTo("outer: NullPointerException");
    }
}
