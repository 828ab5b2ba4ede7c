// The person's key material, made with the Web Crypto API only: nothing secret leaves the page.

/** PBKDF2-SHA-256 work factor; OWASP's current advice for this KDF. */
export const PBKDF2_ITERATIONS = 600000;
const SALT_BYTES = 16;
const IV_BYTES = 12;

/** An X25519 key pair where the browser has it, else ECDH on P-256; says which it made. */
export async function makeKeyPair() {
  try {
    const pair = await crypto.subtle.generateKey({ name: 'X25519' }, true, ['deriveBits']);
    return { keyType: 'X25519', pair };
  } catch (e) {
    const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
    return { keyType: 'P-256', pair };
  }
}

/**
 * Locks the private key under the master password: PBKDF2-SHA-256 over a random salt gives an
 * AES-256-GCM key; the result is the 12-byte IV followed by the ciphertext and its tag.
 */
export async function sealPrivateKey(password, privateKey) {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveKey']);
  const wrapping = await crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: PBKDF2_ITERATIONS },
    base, { name: 'AES-GCM', length: 256 }, false, ['encrypt']);
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', privateKey));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, wrapping, pkcs8));
  pkcs8.fill(0);
  const out = new Uint8Array(IV_BYTES + sealed.length);
  out.set(iv, 0);
  out.set(sealed, IV_BYTES);
  return { salt, encryptedPrivateKey: out };
}

/** The public key as X.509 SubjectPublicKeyInfo bytes. */
export async function publicKeyBytes(publicKey) {
  return new Uint8Array(await crypto.subtle.exportKey('spki', publicKey));
}

/** SHA-256 of the public key, in groups of four hex digits. */
export async function fingerprint(spki) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', spki));
  const hex = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
  return hex.match(/.{4}/g).join(' ');
}

export function base64(bytes) {
  let binary = '';
  for (const b of bytes) {
    binary += String.fromCharCode(b);
  }
  return btoa(binary);
}

const COMMON = ['password', 'passwort', 'qwerty', 'azerty', '123456', 'letmein', 'welcome', 'admin', 'hanzo', 'iloveyou', 'monkey', 'dragon'];

/**
 * A rough strength score from 0 to 4: length counts most, then the mix of character kinds; common
 * words and long runs of one character pull it down. A hint for the person, not a gate.
 */
export function strength(password) {
  if (!password) {
    return 0;
  }
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  let score = 0;
  if (password.length >= 12) score++;
  if (password.length >= 16) score++;
  if (password.length >= 20 || kinds >= 3) score++;
  if (password.length >= 14 && kinds >= 3) score++;
  const lower = password.toLowerCase();
  if (COMMON.some((w) => lower.includes(w)) || /(.)\1{3,}/.test(password)) {
    score = Math.max(0, score - 2);
  }
  return Math.min(4, score);
}
