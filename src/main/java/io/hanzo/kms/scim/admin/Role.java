package io.hanzo.kms.scim.admin;

import io.hanzo.kms.scim.protocol.CaseFold;

/** Organisation roles, weakest first: a member with several mapped groups gets the strongest. */
public enum Role {
    NO_ACCESS("no-access"), VIEWER("viewer"), MEMBER("member"), ADMIN("admin");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Role by its wire name in any letter case, or null. */
    public static Role fromWireName(String s) {
        if (s == null) {
            return null;
        }
        for (Role r : values()) {
            if (r.wireName.equals(CaseFold.lower(s))) {
                return r;
            }
        }
        return null;
    }
}
