// The dashboard: tenant picker, hash routes (#/jobs, #/jobs/ID, #/numbers, #/numbers/ID,
// #/journal, #/controls) and one poller that refreshes the open view every second.
import { api, forgetCurrent, h, knownKeys, remember, rememberedCurrent, state } from "./core.js";
import { controlsView } from "./controls.js";
import { jobView, jobsView } from "./jobs.js";
import { journalView } from "./journal.js";
import { numberView, numbersView } from "./numbers.js";

const POLL_MS = 1000;
const main = document.getElementById("main");
const status = document.getElementById("tenant-status");
const seen = document.getElementById("tenant-seen");
const seenHint = document.getElementById("tenant-seen-hint");
const keyInput = document.getElementById("tenant-key");
const keyError = document.getElementById("tenant-key-error");
let view = null; // {refresh(), dispose()} of the open view
let timer = null;
let clockText = "";
let busy = false;

// a key given in the link (?key=... or #key=...) opens that tenant; the address loses it at once
function keyFromAddress() {
  const search = new URLSearchParams(location.search);
  const hash = new URLSearchParams(location.hash.replace(/^#\/?/, "").replace(/^[^?&=]*[?&]/, ""));
  const key = search.get("key") || hash.get("key");
  if (search.has("key") || hash.has("key")) {
    history.replaceState(null, "", `${location.pathname}#/jobs`);
  }
  return key;
}

async function openTenant(key) {
  const answer = await api("GET", "/_mock/tenants", undefined, key);
  if (!answer.ok) {
    keyError.textContent = answer.status === 401 ? "This key is not accepted by the server." : `Could not open the tenant (${answer.status}).`;
    keyError.hidden = false;
    keyInput.setAttribute("aria-invalid", "true");
    keyInput.focus();
    return false;
  }
  keyError.hidden = true;
  keyInput.removeAttribute("aria-invalid");
  keyInput.value = "";
  state.key = key;
  state.name = answer.json.meta.you;
  remember(state.name, key);
  fillSeen(answer.json.data);
  showTenant();
  route();
  return true;
}

function showTenant() {
  if (!state.name) {
    status.replaceChildren("No tenant open");
    return;
  }
  status.replaceChildren("Tenant ", h("code", { "data-tenant": state.name }, state.name), clockText ? ` · clock ${clockText}` : "");
}

function fillSeen(tenants) {
  const known = knownKeys();
  const chosen = document.activeElement === seen && seen.value ? seen.value : state.name;
  const options = tenants.map(({ tenant }) => {
    const suffix = tenant === state.name ? " (open)" : known[tenant] ? " (key known in this tab)" : "";
    return h("option", { value: tenant, selected: tenant === chosen }, `${tenant}${suffix}`);
  });
  seen.replaceChildren(h("option", { value: "" }, tenants.length ? "Choose a tenant" : "No tenants yet"), ...options);
}

async function loadSeen() {
  const answer = await api("GET", "/_mock/tenants", undefined, null);
  if (answer.ok) fillSeen(answer.json.data);
}

seen.addEventListener("focus", loadSeen); // tenants appear as clients use new keys

seen.addEventListener("change", () => {
  const name = seen.value;
  seenHint.hidden = true;
  if (!name || name === state.name) return;
  const key = knownKeys()[name];
  if (key) {
    openTenant(key);
  } else {
    // the server never reveals a key: a tenant first opened elsewhere needs its key once
    seenHint.textContent = `The server shows tenants by fingerprint only: enter the key of ${name} to open it.`;
    seenHint.hidden = false;
    keyInput.focus();
  }
});

document.getElementById("tenant-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (!key) {
    keyError.textContent = "Enter an API key.";
    keyError.hidden = false;
    keyInput.setAttribute("aria-invalid", "true");
    keyInput.focus();
    return;
  }
  openTenant(key);
});

function parseRoute() {
  const path = location.hash.replace(/^#\/?/, "").split("?")[0];
  const [name, ...rest] = path.split("/");
  return { name: name || "jobs", id: rest.length ? decodeURIComponent(rest.join("/")) : null };
}

function route() {
  if (view) view.dispose();
  view = null;
  const { name, id } = parseRoute();
  for (const link of document.querySelectorAll(".tabs a")) {
    if (link.dataset.view === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (!state.key) {
    main.replaceChildren(h("p", {}, "Enter an API key (any bearer key is a tenant) or pick a tenant the server has seen."));
    return;
  }
  const context = { main, refreshAll: () => poll(true) };
  if (name === "jobs" && id) view = jobView(context, id);
  else if (name === "numbers" && id) view = numberView(context, id);
  else if (name === "numbers") view = numbersView(context);
  else if (name === "journal") view = journalView(context);
  else if (name === "controls") view = controlsView(context);
  else view = jobsView(context);
  poll(true);
}

async function refreshClock() {
  const answer = await api("GET", "/_mock/clock");
  if (answer.ok) {
    clockText = answer.json.data.now;
    showTenant();
  }
}

async function poll(now = false) {
  clearTimeout(timer);
  if (!now) timer = null;
  if (state.key && !busy) {
    // one refresh at a time: an action's refresh that meets a poll in flight waits for the next
    busy = true;
    try {
      const current = view;
      await Promise.all([refreshClock(), current && current.refresh ? current.refresh() : null]);
    } finally {
      busy = false;
    }
  }
  clearTimeout(timer);
  timer = setTimeout(() => poll(), POLL_MS);
}

window.addEventListener("hashchange", route);

const fromAddress = keyFromAddress();
const remembered = rememberedCurrent();
if (fromAddress) {
  openTenant(fromAddress);
} else if (remembered) {
  openTenant(remembered.key);
} else {
  forgetCurrent();
  loadSeen();
  route();
}
