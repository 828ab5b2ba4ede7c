package io.hanzo.kms.scim.protocol.patch;

import io.hanzo.kms.scim.protocol.CaseFold;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

/** The three PATCH operations of RFC 7644 §3.5.2. */
public enum PatchOp {
    ADD, REPLACE, REMOVE;

    /**
     * Operation by name in any letter case ({@code "Replace"} and {@code "ADD"} are what Microsoft
     * Entra sends), or null when the name is none of the three.
     */
    public static PatchOp fromName(String name) {
        if (name == null) {
            return null;
        }
        String key = IdpTolerance.PATCH_OP_ANY_CASE.accepted() ? CaseFold.lower(name.trim()) : name;
        switch (key) {
            case "add": return ADD;
            case "replace": return REPLACE;
            case "remove": return REMOVE;
            default: return null;
        }
    }
}
