// The account set-up page the invitation link opens. The one-time token arrives in the URL fragment,
// which browsers never send to a server; this page sends it only in request bodies.
import { ApiError, request, when } from './api.js';
import { PBKDF2_ITERATIONS, base64, fingerprint, makeKeyPair, publicKeyBytes, sealPrivateKey, strength } from './keys.js';

const $ = (id) => document.getElementById(id);
const MIN_LENGTH = 12;
const STRENGTH_WORDS = ['Too weak', 'Weak', 'Fair', 'Good', 'Strong'];

/** Why an invitation cannot be used, as the read endpoint names it, in the person's words. */
const PROBLEMS = {
  missing: ['This page needs your invitation link',
    'Open the set-up link from your invitation email exactly as it arrived. If you reloaded this page, open the link again.'],
  invalid: ['This set-up link is not valid',
    'The link may have been cut short when it was copied. Open it again from your invitation email, or ask your administrator to re-send the invitation.'],
  used: ['This link has already been used',
    'Each set-up link works once. If you set up your account with it, sign in to Hanzo KMS. If you did not, ask your administrator to re-send your invitation.'],
  replaced: ['This link was replaced by a newer invitation',
    'Your administrator sent you a new invitation. Use the link in the most recent email.'],
  expired: ['This link has expired',
    'Set-up links work for a limited time. Ask your administrator to re-send your invitation.'],
  gone: ['This invitation is no longer valid',
    'Your membership was removed from the organisation. Ask your administrator if you think this is a mistake.'],
  deactivated: ['Your membership is deactivated',
    'Ask your administrator to activate it in your identity provider, then to re-send your invitation.'],
  'already-set-up': ['Your account is already set up',
    'Sign in to Hanzo KMS with your organisation\'s single sign-on and your master password.'],
};

let token = null;
let invitation = null;

/**
 * Takes the token from the fragment and removes it from the address bar and from this tab's entry
 * for the page, so Back and a reload do not show it. The browser's global history still holds the
 * URL as first opened, and no page can remove that: the token is one-time and expires instead.
 */
function takeToken() {
  const params = new URLSearchParams(location.hash.slice(1));
  const found = params.get('token');
  if (location.hash) {
    history.replaceState(null, '', location.pathname + location.search);
  }
  return found && found.trim() ? found.trim() : null;
}

function showProblem(kind, extra) {
  const [title, text] = PROBLEMS[kind] || [kind, ''];
  $('loading').hidden = true;
  $('setup').hidden = true;
  $('problem').hidden = false;
  $('problem').dataset.problem = kind;
  $('problem-title').textContent = title;
  $('problem-text').textContent = extra ? text + ' (' + extra + ')' : text;
  $('title').focus();
}

async function loadInvitation() {
  $('problem').hidden = true;
  $('setup').hidden = true;
  $('done').hidden = true;
  $('loading').hidden = false;
  $('form-error').textContent = '';
  $('working').textContent = '';
  $('submit').disabled = false;
  token = takeToken();
  if (!token) {
    showProblem('missing');
    return;
  }
  try {
    invitation = await request('POST', '/api/v1/account/invitation', { body: { token } });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      showProblem('invalid');
    } else {
      showProblem('Something went wrong', e.detail || String(e));
    }
    return;
  }
  if (invitation.state !== 'open') {
    showProblem(invitation.state);
    return;
  }
  $('org-name').textContent = invitation.organization || 'your organisation';
  $('user-name').textContent = invitation.userName;
  $('expires').textContent = when(invitation.expiresAt, 'it expires');
  if (invitation.expiresAt) {
    $('expires').dateTime = invitation.expiresAt;
  }
  $('loading').hidden = true;
  $('setup').hidden = false;
  $('password').focus();
}

function showStrength() {
  const score = strength($('password').value);
  $('strength-meter').value = score;
  $('strength-text').textContent = $('password').value ? 'Strength: ' + STRENGTH_WORDS[score] : 'Strength: type a password';
}

/** A refusal of POST /api/v1/account/setup, in the person's words. */
function refusalMessage(e) {
  switch (e.status) {
    case 0:
      return e.detail;
    case 400:
      return 'The server did not accept the keys this browser made (' + e.detail + '). Try again in an up-to-date browser.';
    case 401:
      return PROBLEMS.invalid[1];
    case 403:
      return 'Your membership is deactivated: ask your administrator. (' + e.detail + ')';
    case 409:
      return 'Your account is already set up: sign in to Hanzo KMS.';
    case 410:
      return e.detail + ' Ask your administrator to re-send your invitation if you still need to set up.';
    case 413:
      return 'The request was too large for the server. Try again in an up-to-date browser.';
    default:
      return 'The server could not finish set-up (' + e.detail + '). Try again in a moment.';
  }
}

async function submit(event) {
  event.preventDefault();
  const password = $('password').value;
  const again = $('password-again').value;
  $('form-error').textContent = '';
  if (password.length < MIN_LENGTH) {
    $('form-error').textContent = 'Choose a master password of at least ' + MIN_LENGTH + ' characters.';
    $('password').focus();
    return;
  }
  if (password !== again) {
    $('form-error').textContent = 'The two passwords differ. Type the same master password twice.';
    $('password-again').focus();
    return;
  }
  $('submit').disabled = true;
  $('working').textContent = 'Making your keys… this takes a few seconds.';
  try {
    const { keyType, pair } = await makeKeyPair();
    const sealed = await sealPrivateKey(password, pair.privateKey);
    const spki = await publicKeyBytes(pair.publicKey);
    const kdfParams = { algorithm: 'pbkdf2-sha256', iterations: PBKDF2_ITERATIONS, keyType };
    await request('POST', '/api/v1/account/setup', {
      body: {
        token,
        publicKey: base64(spki),
        encryptedPrivateKey: base64(sealed.encryptedPrivateKey),
        kdfSalt: base64(sealed.salt),
        kdfParams,
      },
    });
    token = null;
    $('password').value = '';
    $('password-again').value = '';
    await showDone(keyType, spki, sealed, kdfParams);
  } catch (e) {
    $('working').textContent = '';
    $('submit').disabled = false;
    $('form-error').textContent = e instanceof ApiError ? refusalMessage(e)
      : 'This browser could not make the keys (' + e.message + '). Try an up-to-date browser.';
  }
}

/**
 * A name for the emergency kit between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: a text
 * editor then keeps any right-to-left override in it from reordering the rest of the line.
 */
function isolate(text) {
  return '\u2068' + text + '\u2069';
}

async function showDone(keyType, spki, sealed, kdfParams) {
  const print = await fingerprint(spki);
  $('fingerprint').textContent = print;
  $('key-type').textContent = keyType;
  const kit = [
    'Hanzo KMS emergency kit',
    '',
    'Organisation: ' + isolate(invitation.organization || ''),
    'Account: ' + isolate(invitation.userName),
    'Created: ' + new Date().toISOString(),
    '',
    'Public key fingerprint (SHA-256): ' + print,
    'Key type: ' + keyType,
    'Public key (base64, X.509 SubjectPublicKeyInfo): ' + base64(spki),
    '',
    'Encrypted private key (base64; 12-byte AES-256-GCM IV, then ciphertext and tag; PKCS#8 inside):',
    base64(sealed.encryptedPrivateKey),
    'Key derivation: PBKDF2-SHA-256, ' + kdfParams.iterations + ' iterations',
    'Salt (base64): ' + base64(sealed.salt),
    '',
    'Your master password is NOT in this kit. Without it the private key above cannot be opened,',
    'by you or anyone else. Keep this file and your password in separate, safe places.',
    '',
  ].join('\n');
  $('kit').href = URL.createObjectURL(new Blob([kit], { type: 'text/plain;charset=utf-8' }));
  $('setup').hidden = true;
  $('done').hidden = false;
  $('done-title').focus();
}

$('password').addEventListener('input', showStrength);
$('setup-form').addEventListener('input', () => {
  $('form-error').textContent = '';
});
$('setup-form').addEventListener('submit', submit);
// A second link opened in the same tab changes only the fragment, which reloads nothing.
window.addEventListener('hashchange', () => {
  if (location.hash) {
    loadInvitation();
  }
});
loadInvitation();
