package io.hanzo.kms.scim.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.store.MemberStore.KeyMaterial;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The body of {@code POST /api/v1/account/setup}: the set-up token and the key material the person's
 * device generated, all base64. Sizes are checked so that only plausible key material is stored; a
 * field that could carry a master password or a plaintext private key does not exist.
 */
public record SetupRequest(String token, KeyMaterial keys) {
    private static final Set<String> FIELDS = Set.of("token", "publicKey", "encryptedPrivateKey", "kdfSalt", "kdfParams");
    /** Which key pair the device made: browsers without X25519 in Web Crypto make a P-256 pair. */
    private static final Set<String> KEY_TYPES = Set.of("X25519", "P-256");
    /**
     * The key derivations accepted and, for each, the least each cost parameter may be: OWASP's Password Storage Cheat Sheet's
     * minimums. A weaker derivation would let whoever reads the stored key material guess the master
     * password too cheaply, so it is refused rather than stored.
     */
    private static final Map<String, List<Floor>> KDF_FLOORS = Map.of(
            "pbkdf2-sha256", List.of(new Floor("iterations", 600_000)),
            "argon2id", List.of(new Floor("memoryKiB", 19_456), new Floor("iterations", 2), new Floor("parallelism", 1)),
            "scrypt", List.of(new Floor("cost", 131_072), new Floor("blockSize", 8), new Floor("parallelism", 1)));

    /** The least a key-derivation parameter may be. */
    private record Floor(String name, long least) {
    }

    public static SetupRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ScimException.invalidSyntax("The request body must be a JSON object.");
        }
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!FIELDS.contains(n)) {
                throw ScimException.invalidValue("Unknown field '" + n + "'; allowed: " + String.join(", ", FIELDS) + ".");
            }
        }
        String token = text(body, "token");
        byte[] publicKey = base64(body, "publicKey", 32, 1024);
        byte[] encryptedPrivateKey = base64(body, "encryptedPrivateKey", 32, 8192);
        byte[] salt = base64(body, "kdfSalt", 16, 64);
        JsonNode params = body.get("kdfParams");
        if (params == null || !params.isObject()) {
            throw ScimException.invalidValue("Field 'kdfParams' must be an object such as {\"algorithm\": \"argon2id\", ...}.");
        }
        JsonNode algorithm = params.get("algorithm");
        if (algorithm == null || !KDF_FLOORS.containsKey(algorithm.asText())) {
            throw ScimException.invalidValue("kdfParams.algorithm must be one of " + String.join(", ", new TreeSet<>(KDF_FLOORS.keySet())) + ".");
        }
        params.fields().forEachRemaining(f -> {
            if (!f.getKey().matches("[A-Za-z][A-Za-z0-9_-]{0,31}")) {
                throw ScimException.invalidValue("kdfParams names must be short words such as 'iterations'.");
            }
            if (f.getKey().equals("keyType")) {
                if (!KEY_TYPES.contains(f.getValue().asText()) || !f.getValue().isTextual()) {
                    throw ScimException.invalidValue("kdfParams.keyType must be one of " + String.join(", ", KEY_TYPES) + ".");
                }
                return;
            }
            // canConvertToLong first: asLong() of a number beyond 64 bits wraps, and -2^64 + 1 became 1.
            JsonNode v = f.getValue();
            if (!f.getKey().equals("algorithm") && !(v.isIntegralNumber() && v.canConvertToLong() && v.asLong() > 0)) {
                throw ScimException.invalidValue("kdfParams." + f.getKey() + " must be a positive whole number.");
            }
        });
        for (Floor floor : KDF_FLOORS.get(algorithm.asText())) {
            JsonNode v = params.get(floor.name());
            if (v == null) {
                throw ScimException.invalidValue("kdfParams." + floor.name() + " is required for " + algorithm.asText()
                        + " (at least " + floor.least() + ").");
            }
            if (v.asLong() < floor.least()) {
                throw ScimException.invalidValue("kdfParams." + floor.name() + " must be at least " + floor.least()
                        + " for " + algorithm.asText() + ", not " + v.asLong() + ".");
            }
        }
        String paramsJson = new String(Json.bytes(params), StandardCharsets.UTF_8);
        if (paramsJson.length() > 1024) {
            throw ScimException.invalidValue("kdfParams is too large.");
        }
        return new SetupRequest(token, new KeyMaterial(publicKey, encryptedPrivateKey, salt, paramsJson));
    }

    /** The body of the set-up page's invitation read: {@code {"token": "..."}} and nothing else. */
    public static String tokenOnly(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ScimException.invalidSyntax("The request body must be a JSON object.");
        }
        if (body.size() != 1 || !body.has("token")) {
            throw ScimException.invalidValue("The body must be {\"token\": \"...\"} and nothing else.");
        }
        return text(body, "token");
    }

    private static String text(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw ScimException.invalidValue("Field '" + name + "' is required.");
        }
        return v.asText();
    }

    private static byte[] base64(JsonNode body, String name, int min, int max) {
        String s = text(body, name);
        byte[] b;
        try {
            b = Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw ScimException.invalidValue("Field '" + name + "' must be base64.");
        }
        if (b.length < min || b.length > max) {
            throw ScimException.invalidValue("Field '" + name + "' must decode to " + min + " to " + max + " bytes, not "
                    + b.length + ".");
        }
        return b;
    }
}
