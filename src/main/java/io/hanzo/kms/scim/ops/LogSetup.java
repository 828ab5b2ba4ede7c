package io.hanzo.kms.scim.ops;

/** Chooses the log format; must run before the first logger is created. */
public final class LogSetup {
    private LogSetup() {
    }

    /** {@code json}: every logger writes JSON lines; {@code plain}: slf4j-simple, as configured. */
    public static void use(String format) {
        String provider = "json".equals(format) ? JsonLogProvider.class.getName() : "org.slf4j.simple.SimpleServiceProvider";
        if (!"json".equals(format) && !(System.err instanceof OneLinePrintStream)) {
            System.setErr(new OneLinePrintStream(System.err));
        }
        System.setProperty("slf4j.provider", provider);
        // SLF4J would otherwise announce the chosen provider in a plain line of its own.
        System.setProperty("slf4j.internal.verbosity", "WARN");
    }
}
