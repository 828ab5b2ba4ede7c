package io.hanzo.kms.scim;

import io.hanzo.kms.scim.config.AppConfig;
import io.hanzo.kms.scim.config.ConfigException;
import io.hanzo.kms.scim.ops.LogSetup;
import io.hanzo.kms.scim.ops.StartupFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Loads the configuration and starts the server; stops it cleanly on SIGTERM or Ctrl-C. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        AppConfig config;
        try {
            config = AppConfig.load(System.getenv());
        } catch (ConfigException e) {
            System.err.println("Configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        LogSetup.use(config.logFormat());
        try {
            Application app = Application.start(config, null);
            Runtime.getRuntime().addShutdownHook(new Thread(app::stop, "shutdown"));
            // SIGTERM (docker stop, Kubernetes): the orderly stop, then exit 0; the JVM's default would
            // exit 143 after the shutdown hook. Ctrl-C keeps the hook alone.
            Signal.handle(new Signal("TERM"), signal -> {
                app.stop();
                System.exit(0);
            });
        } catch (Exception e) {
            // One line, so that log.format=json stays one object per line; the trace only for debugging.
            // The logger is made here, after LogSetup chose the format.
            Logger log = LoggerFactory.getLogger(Main.class);
            log.error("kms-scim could not start: {}", StartupFailure.oneLine(e));
            log.debug("Start-up failure in full", e);
            System.exit(1);
        }
    }
}
