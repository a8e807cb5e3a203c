// What every view shares: the open tenant, the API client, DOM helpers, redaction, form errors.

// the open tenant: its key lives in memory (and in this tab's sessionStorage), never in the URL
export const state = { key: null, name: null };

const KEYS = "telnyx-mock-keys"; // {fingerprint: key} of the tenants opened in this tab
const CURRENT = "telnyx-mock-current";

export function knownKeys() {
  try {
    return JSON.parse(sessionStorage.getItem(KEYS) || "{}");
  } catch {
    return {};
  }
}

export function remember(name, key) {
  const keys = knownKeys();
  keys[name] = key;
  sessionStorage.setItem(KEYS, JSON.stringify(keys));
  sessionStorage.setItem(CURRENT, name);
}

export function forgetCurrent() {
  sessionStorage.removeItem(CURRENT);
}

export function rememberedCurrent() {
  const name = sessionStorage.getItem(CURRENT);
  const key = name ? knownKeys()[name] : undefined;
  return key ? { name, key } : null;
}

// Every call the page makes: same origin, the tenant's bearer key, and the internal mark, so
// the dashboard's own reads are never journaled, faulted or rate limited (they are not traffic
// under test). Answers {ok, status, json}; a network failure is status 0.
export async function api(method, path, body, key = state.key) {
  const headers = { "X-Telnyx-Mock-Internal": "1" };
  if (key) headers.Authorization = `Bearer ${key}`;
  const init = { method, headers, cache: "no-store", credentials: "omit" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    return { ok: false, status: 0, json: { errors: [{ title: "Network error", detail: String(error) }] } };
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { errors: [{ title: `HTTP ${response.status}`, detail: text.slice(0, 300) }] };
  }
  return { ok: response.ok, status: response.status, json };
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.append(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

// h("p", {class: "x"}, "text", child): an element; attributes starting with "on" are listeners
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function time(iso) {
  if (!iso) return "";
  return h("time", { datetime: iso }, iso.replace("T", " ").replace(/\.\d+Z$/, "Z"));
}

// --- secrets: what the journal never stores is never shown either ------------------------------
const SECRET_NAMES = new Set([
  "external_pin", "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
]);
export const REDACTED = "[redacted]";

export function redact(value) {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === "object") {
    const out = {};
    for (const [name, item] of Object.entries(value)) {
      out[name] = SECRET_NAMES.has(name.toLowerCase()) && item !== null ? REDACTED : redact(item);
    }
    return out;
  }
  if (typeof value === "string" && state.key && value.includes(state.key)) {
    return value.split(state.key).join(REDACTED);
  }
  return value;
}

export function jsonBlock(value, label) {
  const text = value === undefined || value === null ? "(empty)" : JSON.stringify(redact(value), null, 2);
  return h("pre", { class: "json", tabindex: "0", "aria-label": label }, h("code", {}, text));
}

export function errorList(json) {
  const errors = (json && json.errors) || [{ title: "Unexpected answer" }];
  return h(
    "ul",
    { class: "errors" },
    errors.map((e) => h("li", {}, [e.code ? `${e.code} ` : "", e.title || "", e.detail ? `: ${e.detail}` : ""])),
  );
}

export function alert(json, status) {
  return h("div", { class: "alert", role: "alert" }, h("p", {}, `Request failed (${status || "no answer"})`), errorList(json));
}

export function statusBadge(status) {
  return h("span", { class: `badge badge-${status}`, "data-status": status }, status);
}

// a stacked bar of a job's successful, pending and failed operations
export function progressBar(job) {
  const ok = job.successful_operations.length;
  const pending = job.pending_operations.length;
  const failed = job.failed_operations.length;
  const total = ok + pending + failed;
  const label = `${ok} successful, ${pending} pending, ${failed} failed of ${total}`;
  const bar = h("div", {
    class: "progress", role: "img", "aria-label": label,
    "data-successful": ok, "data-pending": pending, "data-failed": failed,
  });
  for (const [name, count] of [["ok", ok], ["failed", failed], ["pending", pending]]) {
    const part = h("span", { class: `part part-${name}` });
    part.style.flexGrow = String(count);
    if (count) bar.append(part);
  }
  return h("div", { class: "progress-cell" }, bar, h("span", { class: "progress-text" }, label));
}

// --- forms: an error goes next to the field its pointer or parameter names -------------------
function fieldName(source) {
  if (!source) return null;
  if (source.parameter) return source.parameter;
  if (source.pointer) {
    const [first, ...rest] = source.pointer.replace(/^\//, "").split("/");
    return rest.length ? `${first}${rest.map((p) => `[${p}]`).join("")}` : first;
  }
  return null;
}

export function field(form, { name, label, type = "text", options, hint, value, inputmode }) {
  const id = `${form}-${name.replace(/[^a-z0-9]+/gi, "-").replace(/^-+|-+$/g, "")}`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? `${id}-hint` : null, errorId].filter(Boolean).join(" ");
  let control;
  if (options) {
    control = h("select", { id, name, "aria-describedby": describedBy },
      options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
  } else if (type === "checkbox") {
    control = h("input", { id, name, type, value: "true", checked: value === true, "aria-describedby": describedBy });
  } else {
    control = h("input", { id, name, type, value, inputmode, autocomplete: "off", "aria-describedby": describedBy });
  }
  const parts = type === "checkbox"
    ? [h("span", { class: "check" }, control, h("label", { for: id }, label))]
    : [h("label", { for: id }, label), control];
  return h("div", { class: "field", "data-field": name },
    parts,
    hint ? h("p", { id: `${id}-hint`, class: "hint" }, hint) : null,
    h("p", { id: errorId, class: "field-error", hidden: true }));
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll(".field-error")) {
    el.hidden = true;
    el.textContent = "";
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const general = form.querySelector(".form-error");
  if (general) general.remove();
}

// shows each error beside its field (or above the buttons); focuses the first invalid field
export function showErrors(form, json, status) {
  clearErrors(form);
  const errors = (json && json.errors) || [{ title: `HTTP ${status}` }];
  const loose = [];
  let first = null;
  for (const error of errors) {
    const name = fieldName(error.source);
    const control = name ? form.querySelector(`[name="${CSS.escape(name)}"]`) : null;
    const message = error.detail || error.title || "Invalid";
    if (!control) {
      loose.push(error);
      continue;
    }
    const box = form.querySelector(`#${CSS.escape(control.id)}-error`);
    box.textContent = box.textContent ? `${box.textContent} ${message}` : message;
    box.hidden = false;
    control.setAttribute("aria-invalid", "true");
    first = first || control;
  }
  if (loose.length) {
    form.querySelector(".actions").before(h("div", { class: "form-error alert", role: "alert" }, errorList({ errors: loose })));
  }
  if (first) first.focus();
}

// the value of a text field as JSON: a number when it reads as one, else the text (the server
// then answers with the validation error, shown beside the field)
export function numeric(text) {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : trimmed;
}

export function section(title, ...children) {
  const id = `h-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return h("section", { "aria-labelledby": id }, h("h3", { id }, title), ...children);
}
