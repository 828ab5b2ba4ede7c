package io.hanzo.kms.scim;

import io.hanzo.kms.scim.config.AppConfig;
import io.hanzo.kms.scim.config.ConfigException;

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
        try {
            Application app = Application.start(config, null);
            Runtime.getRuntime().addShutdownHook(new Thread(app::stop, "shutdown"));
        } catch (Exception e) {
            System.err.println("kms-scim could not start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }
}
