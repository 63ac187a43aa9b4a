/* global document, window, fetch, setTimeout, clearTimeout, URLSearchParams */
import { alertBanner } from './banner.js';
import { pipelineCard } from './pipeline-card.js';

/** Often enough to watch a run go by; each refresh is a handful of Temporal calls per pipeline. */
const REFRESH_MS = 5_000;

const byId = (id) => document.getElementById(id);
const path = (...segments) => segments.map(encodeURIComponent).join('/');

/** Per pipeline, the page tokens of the problem record pages seen so far (the first has none). */
const pages = new Map();
/** Records just discarded or synced from here: hidden until Temporal lists them as closed. */
const settled = new Set();
/** The last answer shown per pipeline: a refresh that changes nothing leaves the card (and focus) alone. */
const shown = new Map();
let timer;
/** An alert links to `/?pipeline=<name>`: that card is scrolled to once it is drawn. */
let linked = new URLSearchParams(window.location.search).get('pipeline');

class NeedsToken extends Error {}

async function call(url, init) {
  const response = await fetch(url, {
    credentials: 'same-origin',
    ...init,
    headers: { Accept: 'application/json', ...(init?.body ? { 'Content-Type': 'application/json' } : {}) },
  });
  if (response.status === 401) throw new NeedsToken();
  const body = await response.json().catch(() => ({}));
  return { ok: response.ok, body };
}

async function read(url) {
  const { ok, body } = await call(url);
  if (!ok) throw new Error(body.error ?? 'the dashboard did not answer');
  return body;
}

const post = (url, body) => call(url, { method: 'POST', body: JSON.stringify(body ?? {}) });

function announce(text) {
  byId('announcer').textContent = text;
}

function pagingOf(name) {
  if (!pages.has(name)) pages.set(name, [undefined]);
  const tokens = pages.get(name);
  return { tokens, hasPrevious: tokens.length > 1, number: tokens.length, token: tokens.at(-1) };
}

/** Re-renders a card only when its figures changed, and gives focus back to the button that had it. */
function show(name, detail, act) {
  const text = JSON.stringify(detail);
  if (shown.get(name) === text) return;
  shown.set(name, text);
  const focusKey = document.activeElement?.dataset?.key;
  const card = pipelineCard(detail, act, pagingOf(name));
  const old = [...document.querySelectorAll('section.pipeline')].find((s) => s.dataset.pipeline === name);
  if (old) old.replaceWith(card);
  else byId('pipelines').append(card);
  if (focusKey) [...card.querySelectorAll('[data-key]')].find((e) => e.dataset.key === focusKey)?.focus();
}

async function refresh() {
  clearTimeout(timer);
  // Never redraw under a person's hands: the discard dialog is open.
  if (byId('discard-dialog').open) return void (timer = setTimeout(refresh, REFRESH_MS));
  try {
    const overview = await read('/api/pipelines');
    byId('banner').replaceChildren(...alertBanner(overview));
    const names = overview.pipelines.map((p) => p.name);
    const details = await Promise.all(
      names.map((name) => {
        const token = pagingOf(name).token;
        return read(
          `/api/${path('pipelines', name)}${token ? `?problemsPage=${encodeURIComponent(token)}` : ''}`,
        );
      }),
    );
    for (const detail of details) {
      const listed = new Set(detail.problems.rows.map((row) => `${detail.name}\n${row.recordId}`));
      for (const key of settled)
        if (key.startsWith(`${detail.name}\n`) && !listed.has(key)) settled.delete(key);
      show(detail.name, detail, actions);
    }
    const target = [...document.querySelectorAll('section.pipeline')].find(
      (s) => s.dataset.pipeline === linked,
    );
    if (target) {
      target.scrollIntoView();
      linked = null;
    }
    if (names.length === 0)
      byId('pipelines').replaceChildren('No pipeline is configured (see .env.example).');
    byId('updated').textContent =
      `Updated ${new Date().toLocaleTimeString()}; refreshes every ${REFRESH_MS / 1000} s.`;
  } catch (error) {
    if (error instanceof NeedsToken) return askForToken();
    byId('updated').textContent = `Could not refresh (${error.message}); trying again.`;
  }
  timer = setTimeout(refresh, REFRESH_MS);
}

/** A problem record action; `settles` says from its answer whether the record is done with. */
async function act(button, verb, pipeline, row, action, body, settles) {
  const { recordId } = row;
  button.disabled = true;
  announce(`${verb} ${recordId}…`);
  try {
    const { ok, body: answer } = await post(
      `/api/${path('pipelines', pipeline, 'problems', recordId, action)}`,
      body,
    );
    announce(`${verb} ${recordId}: ${ok ? answer.text : `refused — ${answer.text ?? answer.error}`}`);
    if (ok && settles(answer)) settled.add(`${pipeline}\n${recordId}`);
  } catch (error) {
    if (error instanceof NeedsToken) return askForToken();
    announce(`${verb} ${recordId}: failed (${error.message})`);
  }
  shown.clear();
  await refresh();
}

const ended = (answer) => answer.done && ['SYNCED', 'SKIPPED'].includes(answer.answer?.outcome);

const actions = {
  settled,
  replay: (pipeline, row, button) => act(button, 'Replay of', pipeline, row, 'replay', {}, ended),
  resolve: (pipeline, row, use, button) =>
    act(button, `Resolve (${use}) of`, pipeline, row, 'resolve', { use }, ended),
  confirm: (pipeline, row, button) =>
    act(button, 'Retiring', pipeline, row, 'confirm', {}, (answer) => answer.done),
  discard(pipeline, row, button) {
    const dialog = byId('discard-dialog');
    byId('discard-record').textContent =
      `Record ${row.recordId} of pipeline ${pipeline}: ${row.error ?? row.kind}`;
    byId('discard-reason').value = '';
    dialog.returnValue = '';
    dialog.onclose = () => {
      const reason = byId('discard-reason').value.trim();
      if (dialog.returnValue !== 'discard' || !reason) return void button.focus();
      void act(button, 'Discard of', pipeline, row, 'discard', { reason }, (answer) => answer.done);
    };
    dialog.showModal();
  },
  async runNow(pipeline, button) {
    button.disabled = true;
    try {
      const { ok, body } = await post(`/api/${path('pipelines', pipeline, 'run')}`);
      announce(`${pipeline}: ${ok ? body.text : body.error}`);
    } catch (error) {
      if (error instanceof NeedsToken) return askForToken();
      announce(`${pipeline}: failed (${error.message})`);
    }
    shown.clear();
    await refresh();
  },
  page(pipeline, step, token) {
    const { tokens } = pagingOf(pipeline);
    if (step > 0) tokens.push(token);
    else if (tokens.length > 1) tokens.pop();
    shown.delete(pipeline);
    void refresh();
  },
};

function askForToken() {
  clearTimeout(timer);
  byId('login').hidden = false;
  byId('token').focus();
}

byId('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const { ok, body } = await post('/api/session', { token: byId('token').value });
  byId('token').value = '';
  if (!ok) return void (byId('login-error').textContent = body.error ?? 'refused');
  byId('login').hidden = true;
  byId('login-error').textContent = '';
  await refresh();
});

void refresh();
