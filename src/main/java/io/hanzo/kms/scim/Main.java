package io.hanzo.kms.scim;

import io.hanzo.kms.scim.config.AppConfig;
import io.hanzo.kms.scim.config.ConfigException;
import io.hanzo.kms.scim.ops.LogSetup;
import io.hanzo.kms.scim.ops.StartupFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Loads the configuration and starts the server; stops it cleanly on SIGTERM or Ctrl-C, even while it starts. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        AppConfig config;
        try {
            config = AppConfig.load(System.getenv());
        } catch (ConfigException e) {
            reportConfigurationError(e);
            System.exit(2);
            return;
        }
        LogSetup.use(config.logFormat());
        // The logger is made here, after LogSetup chose the format.
        Logger log = LoggerFactory.getLogger(Main.class);
        Lifecycle lifecycle = new Lifecycle();
        // Both before start-up, which a stop may interrupt: the hook stops what is there by then.
        Runtime.getRuntime().addShutdownHook(new Thread(lifecycle::stop, "shutdown"));
        // SIGTERM (docker stop, Kubernetes): the hook's stop, then exit 0; the JVM's default would exit
        // 143. Ctrl-C keeps the JVM's default: the hook, then 130.
        Signal.handle(new Signal("TERM"), signal -> System.exit(0));
        try {
            lifecycle.start(config);
        } catch (Exception e) {
            // One line, so that log.format=json stays one object per line; the trace only for debugging.
            log.error("kms-scim could not start: {}", StartupFailure.oneLine(e));
            log.debug("Start-up failure in full", e);
            System.exit(1);
        }
    }

    /**
     * Logging is set up from the configuration, which cannot be used; the format it asked for is
     * still followed, so that log.format=json gets one JSON object here too.
     */
    private static void reportConfigurationError(ConfigException e) {
        String format = AppConfig.logFormatAsked(System.getenv());
        LogSetup.use(format);
        if (format.equals("json")) {
            LoggerFactory.getLogger(Main.class).error("Configuration error: {}", e.getMessage());
        } else {
            System.err.println("Configuration error: " + e.getMessage());
        }
    }
}
