// The Provisioning tab: an organisation's SCIM switch, tokens, activity, members and role mappings,
// driven through the admin API with the admin token kept in this tab's sessionStorage.
import { ApiError, el, isolated, request, when, wireCopyButtons } from './api.js';

const ORGS = '/api/v1/organizations';
const TOKEN_KEY = 'kms-scim.adminToken';
const ORG_KEY = 'kms-scim.orgId';
const REFRESH_MS = 5000;
const PAGE = 25;
const MAX_CATCH_UP_PAGES = 8;
const ROLES = [
  ['admin', 'Admin'],
  ['member', 'Member'],
  ['viewer', 'Viewer'],
  ['no-access', 'No access'],
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const $ = (id) => document.getElementById(id);
const state = {
  org: null,
  scimUrl: '',
  tokens: new Map(),
  events: { ids: new Set(), cursor: null, loaded: false, generation: 0 },
  members: { cursor: null },
  loads: {},
  refreshTimer: null,
  pendingRevoke: null,
  scimBusy: false,
  /** The organisation whose mappings the form shows; a save is refused until they are read. */
  mappingsOf: null,
};

function adminToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

function announce(text) {
  $('announce').textContent = text;
}

/** An admin API call; a refused admin token signs the tab out. */
async function api(method, path, body) {
  try {
    return await request(method, path, { bearer: adminToken(), body });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      signOut('The admin token was not accepted. Sign in again.');
    }
    throw e;
  }
}

function showError(id, e) {
  $(id).textContent = e instanceof ApiError ? e.detail : String(e);
}

function clearError(id) {
  $(id).textContent = '';
}

// ---- signing in ----

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(ORG_KEY);
  stopRefresh();
  state.org = null;
  $('workspace').hidden = true;
  $('org-view').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message || '';
  $('admin-token').value = '';
  $('admin-token').focus();
}

async function signIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  try {
    const found = await request('GET', ORGS, { bearer: token });
    state.scimUrl = found.scimUrl;
    $('sign-in').hidden = true;
    $('workspace').hidden = false;
    $('sign-out').hidden = false;
    showOrganizations(found.organizations);
    const remembered = sessionStorage.getItem(ORG_KEY);
    const again = remembered && found.organizations.find((o) => o.id === remembered);
    if (again) {
      await openOrganization(again);
    } else {
      $('org-query').focus();
    }
  } catch (e) {
    sessionStorage.removeItem(TOKEN_KEY);
    $('sign-in').hidden = false;
    $('sign-in-error').textContent = e instanceof ApiError && e.status === 401
      ? 'That admin token is not valid.' : (e.detail || String(e));
  }
}

// ---- choosing an organisation ----

function showOrganizations(list) {
  const ul = $('org-results');
  ul.replaceChildren();
  if (list.length === 0) {
    ul.append(el('li', { class: 'empty', text: 'No organisation matches.' }));
    return;
  }
  for (const org of list) {
    const button = el('button', { type: 'button', 'data-org': org.id },
      el('strong', {}, isolated(org.name)), ' ', el('span', { class: 'badge', text: org.plan }), ' ',
      el('span', { class: 'muted mono', text: org.id }));
    button.addEventListener('click', () => openOrganization(org));
    ul.append(el('li', {}, button));
  }
}

async function findOrganizations(query) {
  clearError('org-error');
  try {
    const q = query.trim();
    if (UUID.test(q)) {
      showOrganizations([await api('GET', ORGS + '/' + encodeURIComponent(q))]);
    } else {
      const found = await api('GET', ORGS + (q ? '?name=' + encodeURIComponent(q) : ''));
      showOrganizations(found.organizations);
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      showOrganizations([]);
    } else {
      showError('org-error', e);
    }
  }
}

function orgPath(suffix = '') {
  return ORGS + '/' + encodeURIComponent(state.org.id) + suffix;
}

/** A check that is true while the organisation open now is still open. */
function whileOpen() {
  const { id } = state.org;
  return () => state.org !== null && state.org.id === id;
}

/**
 * Starts a load of one of the organisation's lists. The check it returns is true only while this
 * is the newest load of that list and its organisation is still open: an answer that arrives after
 * another filter, page or organisation was asked for is dropped instead of mixed in.
 */
function startLoad(list) {
  const n = (state.loads[list] || 0) + 1;
  state.loads[list] = n;
  const open = whileOpen();
  return () => state.loads[list] === n && open();
}

async function openOrganization(org) {
  stopRefresh();
  state.org = org;
  sessionStorage.setItem(ORG_KEY, org.id);
  $('org-view').hidden = false;
  $('org-title').replaceChildren('Provisioning · ', isolated(org.name));
  $('scim-url').value = state.scimUrl;
  $('new-token').hidden = true;
  $('new-token-value').value = '';
  // Nothing of the organisation open before stays on screen under this one's name.
  $('token-rows').replaceChildren();
  $('mapping-rows').replaceChildren();
  $('default-role').replaceChildren();
  state.mappingsOf = null;
  $('mappings-status').textContent = '';
  ['token-error', 'events-error', 'members-error', 'mappings-error'].forEach(clearError);
  renderSwitch(org);
  $('org-title').focus();
  await Promise.all([loadTokens(), resetEvents(), resetMembers(), loadMappings()]);
  startRefresh();
}

// ---- the SCIM switch ----

/** The SCIM switch takes input again once a change is answered or another organisation is shown. */
function scimIdle(box) {
  state.scimBusy = false;
  box.removeAttribute('aria-disabled');
}

function renderSwitch(org) {
  const free = org.plan === 'free';
  const box = $('scim-enabled');
  box.checked = org.scimEnabled;
  box.disabled = free;
  scimIdle(box);
  $('org-plan').textContent = org.plan + ' plan';
  $('scim-plan-note').hidden = !free;
  $('scim-status').textContent = org.scimEnabled
    ? 'On: identity providers with a valid token can provision this organisation.'
    : 'Off: SCIM requests for this organisation are refused.';
  clearError('scim-error');
}

async function toggleScim() {
  const box = $('scim-enabled');
  const wanted = box.checked;
  const open = whileOpen();
  // Not disabled while the change is sent: that would take the keyboard focus off the switch.
  state.scimBusy = true;
  box.setAttribute('aria-disabled', 'true');
  try {
    const org = await api('PATCH', orgPath(), { scimEnabled: wanted });
    if (!open()) {
      return;
    }
    state.org = org;
    renderSwitch(state.org);
    announce(wanted ? 'SCIM provisioning is on.' : 'SCIM provisioning is off.');
  } catch (e) {
    if (!open()) {
      return;
    }
    box.checked = !wanted;
    scimIdle(box);
    showError('scim-error', e);
  }
}

// ---- tokens ----

async function loadTokens() {
  const current = startLoad('tokens');
  try {
    const { tokens } = await api('GET', orgPath('/scim-tokens'));
    if (!current()) {
      return;
    }
    state.tokens = new Map(tokens.map((t) => [t.id, t]));
    const rows = tokens.map((t) => {
      const revoke = el('button', { type: 'button', class: 'danger', text: 'Revoke', 'aria-label': 'Revoke token ' + (t.description || t.id) });
      revoke.addEventListener('click', () => askRevoke(t));
      const expiry = t.expiresAt === null ? 'Never'
        : t.expired ? [when(t.expiresAt), ' ', el('span', { class: 'badge bad', text: 'Expired' })]
          : t.expiringSoon ? [when(t.expiresAt), ' ', el('span', { class: 'badge warn', text: 'Expiring soon' })] : when(t.expiresAt);
      return el('tr', { 'data-token': t.id },
        el('td', {}, t.description ? isolated(t.description) : el('span', { class: 'muted', text: '(no description)' })),
        el('td', { text: when(t.createdAt) }),
        el('td', { text: when(t.lastUsedAt, 'Never') }),
        el('td', {}, expiry),
        el('td', { class: 'actions' }, revoke));
    });
    $('token-rows').replaceChildren(...rows);
    $('tokens-empty').hidden = tokens.length > 0;
  } catch (e) {
    if (current()) {
      showError('token-error', e);
    }
  }
}

async function createToken(event) {
  event.preventDefault();
  clearError('token-error');
  const open = whileOpen();
  try {
    const created = await api('POST', orgPath('/scim-tokens'), {
      description: $('token-description').value.trim(),
      ttlDays: Number($('token-ttl').value),
    });
    if (!open()) {
      // Shown now, it would sit under another organisation's name; it is listed, and revocable, under its own.
      return;
    }
    $('new-token-value').value = created.token;
    $('new-token').hidden = false;
    $('new-token-value').focus();
    $('new-token-value').select();
    $('token-description').value = '';
    announce('Token created. Copy it now: it will not be shown again.');
    await loadTokens();
  } catch (e) {
    if (open()) {
      showError('token-error', e);
    }
  }
}

function askRevoke(token) {
  state.pendingRevoke = token;
  $('revoke-text').replaceChildren('Identity providers using “', isolated(token.description || token.id),
    '” will be refused at once. This cannot be undone.');
  $('revoke-dialog').returnValue = '';
  $('revoke-dialog').showModal();
}

async function revokeClosed() {
  const token = state.pendingRevoke;
  state.pendingRevoke = null;
  if ($('revoke-dialog').returnValue !== 'revoke' || !token) {
    return;
  }
  const open = whileOpen();
  const position = [...$('token-rows').children].findIndex((row) => row.dataset.token === token.id);
  try {
    await api('DELETE', orgPath('/scim-tokens/' + encodeURIComponent(token.id)));
    announce('Token revoked.');
  } catch (e) {
    if (open() && !(e instanceof ApiError && e.status === 404)) {
      showError('token-error', e);
    }
  }
  if (open()) {
    await loadTokens();
    if (open()) {
      focusTokenAt(position);
    }
  }
}

/** After a revoke, the focus goes to the revoke button now in that row, else the last one, else the heading. */
function focusTokenAt(position) {
  const buttons = [...$('token-rows').querySelectorAll('button.danger')];
  if (buttons.length > 0) {
    buttons[Math.min(Math.max(position, 0), buttons.length - 1)].focus();
  } else {
    $('tokens-title').focus();
  }
}

// ---- activity ----

function eventQuery(cursor) {
  const params = new URLSearchParams({ limit: String(PAGE) });
  if ($('event-outcome').value) {
    params.set('outcome', $('event-outcome').value);
  }
  if ($('event-type').value) {
    params.set('resourceType', $('event-type').value);
  }
  if (cursor) {
    params.set('cursor', cursor);
  }
  return orgPath('/scim-events?' + params);
}

function eventItem(e) {
  const refused = e.outcome === 'refused';
  const token = e.tokenId && state.tokens.get(e.tokenId);
  const resource = [e.resourceType, e.resourceId && isolated(e.resourceId)].filter(Boolean)
    .flatMap((part, i) => (i === 0 ? [part] : [' ', part]));
  return el('li', { class: refused ? 'refused' : 'success', 'data-event': e.id, 'data-outcome': e.outcome },
    el('time', { class: 'when', dateTime: e.at, text: when(e.at) }),
    el('span', { class: 'code', text: String(e.status), 'aria-label': 'status ' + e.status }),
    el('span', { class: 'what' },
      el('strong', { text: e.operation }), resource.length ? [' · ', ...resource] : '',
      token ? el('span', { class: 'muted' }, ' · token “', isolated(token.description || token.id), '”') : '',
      refused ? ' ' : '', refused ? el('span', { class: 'badge bad', text: 'Refused' }) : ''),
    refused && e.detail ? el('span', { class: 'reason' }, isolated(e.detail)) : '');
}

async function resetEvents() {
  // A refresh still in flight for the previous filter sees a new generation and drops its answer.
  state.events = { ids: new Set(), cursor: null, loaded: false, generation: state.events.generation + 1 };
  $('events').replaceChildren();
  $('events-more').disabled = false;
  await refreshEvents();
}

/**
 * Puts the newest events on top; the first load also sets the cursor for "load more". When a whole
 * page is new, more arrived than a page holds since the last refresh: the pages after it are read
 * until a known event. When MAX_CATCH_UP_PAGES pages do not reach one, the events between them and
 * the list shown are too many to fetch at once: the list is replaced by the pages read, so it never
 * hides a gap, and "load more" goes on from the oldest of them.
 */
async function refreshEvents() {
  const { generation } = state.events;
  try {
    let page = await api('GET', eventQuery(null));
    const fresh = [];
    let reachedShown = false;
    for (let pages = 1; ; pages++) {
      if (generation !== state.events.generation) {
        return;
      }
      const unseen = page.events.filter((e) => !state.events.ids.has(e.id));
      fresh.push(...unseen);
      reachedShown = unseen.length < page.events.length || !page.nextCursor;
      if (!state.events.loaded || reachedShown || pages >= MAX_CATCH_UP_PAGES) {
        break;
      }
      page = await api('GET', eventQuery(page.nextCursor));
    }
    if (!state.events.loaded || !reachedShown) {
      // A "load more" still in flight would append below the replaced list: it drops its answer.
      state.events = { ids: new Set(), cursor: page.nextCursor, loaded: true, generation: generation + 1 };
      $('events').replaceChildren();
      $('events-more').disabled = false;
    }
    // Another refresh may have put some of them on top while this one read its pages.
    const shown = fresh.filter((e) => !state.events.ids.has(e.id));
    shown.forEach((e) => state.events.ids.add(e.id));
    $('events').prepend(...shown.map(eventItem));
    renderEventsFooter();
    clearError('events-error');
  } catch (e) {
    if (generation === state.events.generation) {
      showError('events-error', e);
    }
  }
}

async function moreEvents() {
  const { generation } = state.events;
  $('events-more').disabled = true;
  try {
    const page = await api('GET', eventQuery(state.events.cursor));
    if (generation !== state.events.generation) {
      return;
    }
    const older = page.events.filter((e) => !state.events.ids.has(e.id));
    older.forEach((e) => state.events.ids.add(e.id));
    $('events').append(...older.map(eventItem));
    state.events.cursor = page.nextCursor;
    renderEventsFooter();
  } catch (e) {
    if (generation === state.events.generation) {
      showError('events-error', e);
    }
  } finally {
    if (generation === state.events.generation) {
      $('events-more').disabled = false;
    }
  }
}

function renderEventsFooter() {
  $('events-empty').hidden = state.events.ids.size > 0;
  $('events-more').hidden = !state.events.cursor;
}

function startRefresh() {
  stopRefresh();
  state.refreshTimer = setInterval(() => {
    if (!document.hidden && state.org) {
      refreshEvents();
    }
  }, REFRESH_MS);
}

function stopRefresh() {
  if (state.refreshTimer) {
    clearInterval(state.refreshTimer);
    state.refreshTimer = null;
  }
}

// ---- members ----

function memberRow(m) {
  const setup = !m.active ? el('span', { class: 'badge bad', text: 'Deactivated' })
    : m.setupState === 'accepted' ? el('span', { class: 'badge ok', text: 'Set up' })
      : el('span', { class: 'badge warn', text: 'Invited' });
  const groups = el('div', { class: 'tags' }, m.groups.map((g) => el('span', {
    class: g.pending ? 'tag pending' : 'tag',
    title: g.pending ? 'Takes effect once the member has set up their account' : undefined,
  }, isolated(g.displayName), g.pending ? ' (pending)' : '')));
  let action = '';
  if (m.active && m.setupState === 'invited') {
    action = el('button', { type: 'button', class: 'secondary', text: 'Re-send invitation', 'aria-label': 'Re-send invitation to ' + m.userName });
    action.addEventListener('click', () => resend(m, action));
  }
  return el('tr', { 'data-member': m.id, 'data-user-name': m.userName },
    el('td', {}, isolated(m.userName)), el('td', {}, setup),
    el('td', { text: (ROLES.find((r) => r[0] === m.role) || [m.role, m.role])[1] }),
    el('td', {}, m.groups.length ? groups : el('span', { class: 'muted', text: 'None' })),
    el('td', { class: 'actions' }, action));
}

/** Loads a page of members: the first (cursor null) replaces the rows, the next ones add to them. */
async function loadMembers(cursor) {
  const current = startLoad('members');
  const params = new URLSearchParams({ limit: String(PAGE) });
  if ($('member-state').value) {
    params.set('state', $('member-state').value);
  }
  if (cursor) {
    params.set('cursor', cursor);
  }
  $('members-more').disabled = true;
  try {
    const page = await api('GET', orgPath('/members?' + params));
    if (!current()) {
      return;
    }
    const rows = page.members.map(memberRow);
    if (cursor) {
      $('member-rows').append(...rows);
    } else {
      $('member-rows').replaceChildren(...rows);
    }
    state.members.cursor = page.nextCursor;
    $('members-more').hidden = !page.nextCursor;
    $('members-empty').hidden = $('member-rows').children.length > 0;
    clearError('members-error');
  } catch (e) {
    if (current()) {
      showError('members-error', e);
    }
  } finally {
    if (current()) {
      $('members-more').disabled = false;
    }
  }
}

async function resetMembers() {
  $('member-rows').replaceChildren();
  $('members-more').hidden = true;
  $('members-status').textContent = '';
  await loadMembers(null);
}

async function resend(member, button) {
  button.disabled = true;
  clearError('members-error');
  const open = whileOpen();
  try {
    await api('POST', orgPath('/members/' + encodeURIComponent(member.id) + '/invitation'));
    if (!open()) {
      return;
    }
    $('members-status').replaceChildren('A new invitation is on its way to ', isolated(member.userName),
      '. The link sent before no longer works.');
  } catch (e) {
    if (open()) {
      showError('members-error', e);
    }
  } finally {
    button.disabled = false;
  }
}

// ---- role mappings ----

function roleSelect(selected, label) {
  const select = el('select', { class: 'role-select', 'aria-label': label });
  for (const [value, text] of ROLES) {
    select.append(el('option', { value, text, selected: value === selected }));
  }
  return select;
}

let mappingSeq = 0;

function mappingRow(group = '', role = 'member') {
  const id = 'mapping-group-' + (++mappingSeq);
  const input = el('input', { type: 'text', id, value: group, maxLength: 512, autocomplete: 'off', 'aria-label': 'Group name' });
  const remove = el('button', { type: 'button', class: 'danger', text: 'Remove' });
  const row = el('tr', { class: 'mapping' }, el('td', {}, input), el('td', {}, roleSelect(role, 'Role')), el('td', { class: 'actions' }, remove));
  remove.setAttribute('aria-label', 'Remove mapping');
  remove.addEventListener('click', () => {
    row.remove();
    $('mapping-add').focus();
  });
  return row;
}

function renderMappings(m) {
  state.mappingsOf = state.org.id;
  const select = $('default-role');
  select.replaceChildren(...ROLES.map(([value, text]) => el('option', { value, text, selected: value === m.defaultRole })));
  $('mapping-rows').replaceChildren(...m.mappings.map((x) => mappingRow(x.group, x.role)));
}

async function loadMappings() {
  const current = startLoad('mappings');
  try {
    const mappings = await api('GET', orgPath('/group-role-mappings'));
    if (current()) {
      renderMappings(mappings);
    }
  } catch (e) {
    if (current()) {
      showError('mappings-error', e);
    }
  }
}

async function saveMappings(event) {
  event.preventDefault();
  clearError('mappings-error');
  $('mappings-status').textContent = '';
  if (state.mappingsOf !== state.org.id) {
    // A save replaces the whole set: made before this organisation's mappings were read, it would
    // replace them with an empty list and another organisation's default role.
    showError('mappings-error', 'The mappings have not been read yet; wait for them, or reload the page, before saving.');
    return;
  }
  const mappings = [...$('mapping-rows').querySelectorAll('tr.mapping')]
    .map((row) => ({ group: row.querySelector('input').value.trim(), role: row.querySelector('select').value }))
    .filter((m) => m.group !== '');
  const current = startLoad('mappings');
  try {
    const saved = await api('PUT', orgPath('/group-role-mappings'), { defaultRole: $('default-role').value, mappings });
    if (!current()) {
      return;
    }
    renderMappings(saved);
    $('mappings-status').textContent = 'Mappings saved. Roles follow them at once.';
    await resetMembers();
  } catch (e) {
    if (current()) {
      showError('mappings-error', e);
    }
  }
}

// ---- start ----

function start() {
  wireCopyButtons(document.body, announce);
  $('sign-in-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('admin-token').value.trim();
    $('admin-token').value = '';
    if (token) {
      signIn(token);
    }
  });
  $('sign-out').addEventListener('click', () => signOut(''));
  $('org-search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    findOrganizations($('org-query').value);
  });
  $('scim-enabled').addEventListener('click', (e) => {
    if (state.scimBusy) {
      e.preventDefault();
    }
  });
  $('scim-enabled').addEventListener('change', toggleScim);
  $('token-form').addEventListener('submit', createToken);
  $('new-token-done').addEventListener('click', () => {
    $('new-token-value').value = '';
    $('new-token').hidden = true;
    $('token-description').focus();
  });
  $('revoke-dialog').addEventListener('close', revokeClosed);
  $('event-outcome').addEventListener('change', resetEvents);
  $('event-type').addEventListener('change', resetEvents);
  $('events-more').addEventListener('click', moreEvents);
  $('member-state').addEventListener('change', resetMembers);
  $('members-more').addEventListener('click', () => loadMembers(state.members.cursor));
  $('mapping-add').addEventListener('click', () => {
    const row = mappingRow();
    $('mapping-rows').append(row);
    row.querySelector('input').focus();
  });
  $('mappings-form').addEventListener('submit', saveMappings);

  const token = adminToken();
  if (token) {
    signIn(token);
  } else {
    $('sign-in').hidden = false;
    $('admin-token').focus();
  }
}

start();
