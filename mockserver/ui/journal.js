// Journal: the tenant's recent requests and responses, newest first, filterable by method and
// path (the server's own filters) and status (here). Bodies are formatted JSON, secrets redacted.
import { alert, api, field, h, jsonBlock, query, redact, showErrors, clearErrors, statusBadge, time } from "./core.js";

const filters = { method: "", path: "", status: "", live: true };
const SHOWN = 200; // the newest entries on the page

function statusMatches(wanted, status) {
  if (!wanted) return true;
  const text = String(status ?? "dropped");
  return /^[1-5]xx$/i.test(wanted) ? text[0] === wanted[0] : text === wanted;
}

function entryView(entry) {
  const target = `${entry.path}${entry.query ? `?${entry.query}` : ""}`;
  const bodies = h("div", { class: "bodies" });
  // bodies are built when first opened: a journal holds up to 1,000 entries of up to 64 KiB
  const details = h("details", { ontoggle: () => details.open && !bodies.childElementCount && fill() },
      h("summary", {},
        h("span", { class: "method" }, entry.method), " ",
        h("code", { class: "target" }, redact(target)), " → ",
        entry.status === null ? h("span", { class: "badge badge-failed" }, "dropped") : statusBadge(String(entry.status)),
        entry.fault ? h("span", { class: "fault" }, ` fault: ${entry.fault}`) : null,
        " ", h("span", { class: "when" }, `#${entry.seq} · `, time(entry.at))),
    bodies);
  function fill() {
    bodies.replaceChildren(
      h("section", { "aria-label": `Request ${entry.seq}` }, h("h4", {}, `Request (${entry.request_bytes} bytes)`),
        h("p", { class: "label" }, "Headers"), jsonBlock(entry.headers, "Request headers"),
        h("p", { class: "label" }, "Body"), jsonBlock(entry.request, "Request body")),
      h("section", { "aria-label": `Response ${entry.seq}` }, h("h4", {}, `Response (${entry.response_bytes} bytes)`),
        h("p", { class: "label" }, "Body"), jsonBlock(entry.response, "Response body")));
  }
  return h("article", { class: "entry", "data-seq": entry.seq }, details);
}

export function journalView({ main, refreshAll }) {
  const list = h("div", { class: "entries", "aria-live": "polite" });
  const summary = h("p", { class: "summary" });
  const form = h("form", { id: "journal-filter", class: "filters inline", "aria-label": "Filter the journal", novalidate: true },
    field("journal", { name: "method", label: "Method", value: filters.method, options: [["", "any"], ["GET", "GET"], ["POST", "POST"], ["PATCH", "PATCH"], ["DELETE", "DELETE"]] }),
    field("journal", { name: "path", label: "Path", value: filters.path, hint: "Whole path, /v2 optional; {id} matches one segment" }),
    field("journal", { name: "status", label: "Status", value: filters.status, hint: "e.g. 202 or 4xx" }),
    field("journal", { name: "live", label: "Live (refresh every second)", type: "checkbox", value: filters.live }),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Apply filters")));
  form.elements.namedItem("live").addEventListener("change", (event) => {
    filters.live = event.target.checked;
    if (filters.live) refreshAll();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    filters.method = form.elements.namedItem("method").value;
    filters.path = form.elements.namedItem("path").value.trim();
    filters.status = form.elements.namedItem("status").value.trim();
    clearErrors(form);
    if (filters.status && !/^([1-5]\d\d|[1-5]xx|dropped)$/i.test(filters.status)) {
      showErrors(form, { errors: [{ detail: "must be a status such as 202, a class such as 4xx, or dropped", source: { pointer: "/status" } }] }, 0);
      return;
    }
    shown.clear();
    list.replaceChildren();
    first = true; // a new filter applies even while live updates are paused
    refreshAll();
  });
  main.replaceChildren(h("h2", {}, "Journal"), form, summary, list);
  const shown = new Map(); // seq -> element, so open entries stay open while the list updates

  let first = true;
  async function refresh() {
    if (!filters.live && !first) return;
    first = false;
    const answer = await api("GET", `/_mock/journal${query({ method: filters.method, path: filters.path })}`);
    if (!answer.ok) {
      list.replaceChildren(alert(answer.json, answer.status));
      shown.clear();
      return;
    }
    const matching = answer.json.data.filter((e) => statusMatches(filters.status, e.status));
    const entries = matching.reverse().slice(0, SHOWN);
    const wanted = new Set(entries.map((e) => e.seq));
    for (const [seq, el] of shown) {
      if (!wanted.has(seq)) {
        el.remove();
        shown.delete(seq);
      }
    }
    let previous = null;
    for (const entry of entries) {
      let el = shown.get(entry.seq);
      if (!el) {
        el = entryView(entry);
        shown.set(entry.seq, el);
        if (previous) previous.after(el);
        else list.prepend(el);
      }
      previous = el;
    }
    const { total, dropped } = answer.json.meta;
    summary.textContent = `${entries.length} shown${matching.length > entries.length ? ` (newest of ${matching.length} matching)` : ""} of ${total} recorded${dropped ? ` (${dropped} oldest dropped)` : ""}`;
    if (!entries.length && !list.querySelector(".empty")) list.append(h("p", { class: "empty" }, "No requests yet."));
    if (entries.length) for (const el of list.querySelectorAll(".empty")) el.remove();
  }
  return { refresh, dispose() {} };
}
