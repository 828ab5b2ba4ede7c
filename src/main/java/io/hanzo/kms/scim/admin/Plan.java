package io.hanzo.kms.scim.admin;

import java.util.Locale;

/** An organisation's plan; SCIM provisioning needs a paid one. */
public enum Plan {
    FREE, PRO, ENTERPRISE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean includesScim() {
        return this != FREE;
    }

    /** Plan by its wire name, or null. */
    public static Plan fromWireName(String s) {
        for (Plan p : values()) {
            if (p.wireName().equals(s)) {
                return p;
            }
        }
        return null;
    }
}
