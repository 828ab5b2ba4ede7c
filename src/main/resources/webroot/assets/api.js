// Requests to kms-scim's JSON API, and small helpers both pages share.

/** A refusal from the server (or no answer at all: status 0), with the server's own explanation. */
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
    this.detail = detail;
  }
}

/**
 * Sends one request. Secrets go in the Authorization header or the JSON body, never in the URL;
 * no cookies are sent, and no Referer.
 */
export async function request(method, path, { bearer, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (bearer) {
    headers.Authorization = 'Bearer ' + bearer;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch (e) {
    throw new ApiError(0, 'The server could not be reached. Check your connection and try again.');
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (!response.ok) {
    const detail = json && typeof json.detail === 'string' ? json.detail : 'The server answered ' + response.status + '.';
    throw new ApiError(response.status, detail);
  }
  return json;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A readable local date and time for an ISO instant, or the fallback when there is none. */
export function when(iso, fallback = '—') {
  if (!iso) {
    return fallback;
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? fallback : dateTime.format(d);
}

/** Creates an element with properties and children; text is always set as text, never as HTML. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (key === 'class') {
      node.className = value;
    } else if (key === 'text') {
      node.textContent = value;
    } else if (key.startsWith('data-') || key.startsWith('aria-') || key === 'role' || key === 'for') {
      node.setAttribute(key, value);
    } else {
      node[key] = value;
    }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

/**
 * Text that an identity provider or an admin chose (names, descriptions, reasons), in a <bdi>: a
 * right-to-left override or mark inside it cannot reorder what the page shows after it.
 */
export function isolated(text) {
  return el('bdi', { text });
}

/**
 * Copies an input's value. The Clipboard API needs a secure context and a permission; where it is
 * refused, the text is selected and copied the older way, or left selected for Ctrl+C.
 */
export async function copyFrom(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch (e) {
    input.focus();
    input.select();
    try {
      return document.execCommand('copy');
    } catch (e2) {
      return false;
    }
  }
}

/** Wires every button with data-copy="<input id>" and says the outcome in the live region. */
export function wireCopyButtons(root, announce) {
  root.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-copy]');
    if (!button) {
      return;
    }
    const input = document.getElementById(button.dataset.copy);
    const ok = await copyFrom(input);
    const label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    button.textContent = ok ? 'Copied' : 'Press Ctrl+C';
    announce(ok ? 'Copied to the clipboard.' : 'Selected: press Ctrl+C to copy.');
    setTimeout(() => {
      button.textContent = label;
    }, 2000);
  });
}
