package io.hanzo.kms.scim.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Key material made the way a person's device makes it at first login: an X25519 key pair, the
 * private key (PKCS#8) sealed with AES-256-GCM under a key derived from the master password with
 * PBKDF2-HMAC-SHA256. Only the public key, the sealed private key, the salt and the KDF parameters
 * leave the device.
 */
final class DeviceKeys {
    static final int ITERATIONS = 600_000;
    static final String KDF = "pbkdf2-sha256";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KeyPair pair;
    private final String password;
    private final byte[] salt;
    private final byte[] encryptedPrivateKey;

    private DeviceKeys(KeyPair pair, String password, byte[] salt, byte[] encryptedPrivateKey) {
        this.pair = pair;
        this.password = password;
        this.salt = salt;
        this.encryptedPrivateKey = encryptedPrivateKey;
    }

    static DeviceKeys generate(String password) {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            byte[] salt = random(16);
            byte[] iv = random(IV_BYTES);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, deriveKey(password, salt, ITERATIONS), new GCMParameterSpec(TAG_BITS, iv));
            byte[] sealed = c.doFinal(pair.getPrivate().getEncoded());
            byte[] out = Arrays.copyOf(iv, IV_BYTES + sealed.length);
            System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
            return new DeviceKeys(pair, password, salt, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Key material could not be made", e);
        }
    }

    /** X.509 SubjectPublicKeyInfo of the public key. */
    byte[] publicKey() {
        return pair.getPublic().getEncoded();
    }

    /** PKCS#8 of the private key: what must never reach the server in the clear. */
    byte[] privateKeyPkcs8() {
        return pair.getPrivate().getEncoded();
    }

    /** iv || AES-GCM ciphertext with tag. */
    byte[] encryptedPrivateKey() {
        return encryptedPrivateKey.clone();
    }

    byte[] salt() {
        return salt.clone();
    }

    String password() {
        return password;
    }

    ObjectNode kdfParams() {
        return JSON.createObjectNode().put("algorithm", KDF).put("iterations", ITERATIONS);
    }

    /** The body of POST /api/v1/account/setup. */
    ObjectNode setupBody(String token) {
        ObjectNode body = JSON.createObjectNode();
        body.put("token", token);
        body.put("publicKey", b64(publicKey()));
        body.put("encryptedPrivateKey", b64(encryptedPrivateKey));
        body.put("kdfSalt", b64(salt));
        body.set("kdfParams", kdfParams());
        return body;
    }

    String setupJson(String token) {
        return setupBody(token).toString();
    }

    /** Opens sealed private key bytes with the password, as the person's device does at log-in. */
    static byte[] decryptPrivateKey(byte[] ivAndCiphertext, String password, byte[] salt, int iterations) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, deriveKey(password, salt, iterations),
                    new GCMParameterSpec(TAG_BITS, ivAndCiphertext, 0, IV_BYTES));
            return c.doFinal(ivAndCiphertext, IV_BYTES, ivAndCiphertext.length - IV_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The private key could not be opened", e);
        }
    }

    /** The X25519 shared secret of a private key (PKCS#8) and a public key (X.509), both as bytes. */
    static byte[] agree(byte[] privatePkcs8, byte[] publicX509) {
        return agree("X25519", privatePkcs8, publicX509);
    }

    /**
     * The shared secret of a private key (PKCS#8) and a public key (X.509) of the key type a device
     * names in its kdfParams: {@code X25519}, or {@code P-256} for ECDH on that curve.
     */
    static byte[] agree(String keyType, byte[] privatePkcs8, byte[] publicX509) {
        boolean x25519 = "X25519".equals(keyType);
        try {
            KeyFactory kf = KeyFactory.getInstance(x25519 ? "X25519" : "EC");
            PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(privatePkcs8));
            PublicKey pub = kf.generatePublic(new X509EncodedKeySpec(publicX509));
            KeyAgreement ka = KeyAgreement.getInstance(x25519 ? "X25519" : "ECDH");
            ka.init(priv);
            ka.doPhase(pub, true);
            return ka.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Key agreement failed", e);
        }
    }

    /**
     * Whether a private key and a public key are one pair: each agrees with a fresh pair of the same
     * type on the same secret, which only the matching halves can do.
     */
    static boolean samePair(String keyType, byte[] privatePkcs8, byte[] publicX509) {
        try {
            KeyPairGenerator g;
            if ("X25519".equals(keyType)) {
                g = KeyPairGenerator.getInstance("X25519");
            } else {
                g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
            }
            KeyPair other = g.generateKeyPair();
            byte[] mine = agree(keyType, privatePkcs8, other.getPublic().getEncoded());
            byte[] theirs = agree(keyType, other.getPrivate().getEncoded(), publicX509);
            return Arrays.equals(mine, theirs);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("No key pair generator for " + keyType, e);
        }
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static SecretKeySpec deriveKey(String password, byte[] salt, int iterations) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
        try {
            byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            return new SecretKeySpec(key, "AES");
        } finally {
            spec.clearPassword();
        }
    }
}
