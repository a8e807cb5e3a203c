// Jobs: the live list (#/jobs) and one job (#/jobs/ID) with its operations and creating request.
import { alert, api, errorList, h, jsonBlock, progressBar, query, section, statusBadge, time } from "./core.js";
import { clockForms } from "./controls.js";

const TYPES = ["update_phone_numbers", "update_emergency_settings", "delete_phone_numbers"];
const STATUSES = ["pending", "in_progress", "completed", "failed", "expired"];

// runs fetches in order of asking and applies only the newest answer (polls may overlap)
function latestOnly() {
  let asked = 0;
  return async (fetcher, apply) => {
    const mine = ++asked;
    const result = await fetcher();
    if (mine === asked) apply(result);
  };
}

export function jobsView({ main, refreshAll }) {
  const filters = { "filter[type]": "", "filter[status]": "" };
  const body = h("div", { class: "table-wrap" });
  const summary = h("p", { class: "summary", "aria-live": "polite" });
  const form = h("form", { class: "filters inline", "aria-label": "Filter jobs" },
    h("div", { class: "field" }, h("label", { for: "jobs-type" }, "Type"),
      h("select", { id: "jobs-type", name: "filter[type]" }, h("option", { value: "" }, "any"), TYPES.map((t) => h("option", { value: t }, t)))),
    h("div", { class: "field" }, h("label", { for: "jobs-status" }, "Status"),
      h("select", { id: "jobs-status", name: "filter[status]" }, h("option", { value: "" }, "any"), STATUSES.map((s) => h("option", { value: s }, s)))));
  form.addEventListener("change", (event) => {
    filters[event.target.name] = event.target.value;
    refreshAll();
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  main.replaceChildren(h("h2", {}, "Jobs"), clockForms(refreshAll, "jobs"), form, summary, body);
  const apply = latestOnly();

  async function refresh() {
    await apply(
      () => api("GET", `/v2/phone_numbers/jobs${query({ ...filters, "page[size]": 50 })}`),
      (answer) => {
        if (!answer.ok) {
          body.replaceChildren(alert(answer.json, answer.status));
          return;
        }
        const jobs = answer.json.data;
        const total = answer.json.meta.total_results;
        summary.textContent = `${total} job${total === 1 ? "" : "s"}${total > jobs.length ? ` (newest ${jobs.length} shown)` : ""}`;
        if (!jobs.length) {
          body.replaceChildren(h("p", { class: "empty" }, "No jobs yet. Create one through the API; it appears here."));
          return;
        }
        body.replaceChildren(h("table", { class: "jobs" },
          h("caption", { class: "visually-hidden" }, "Jobs, newest first"),
          h("thead", {}, h("tr", {}, ["Job", "Type", "Status", "Created", "Operations"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, jobs.map((job) => h("tr", { "data-job": job.id },
            h("td", { "data-label": "Job" }, h("a", { href: `#/jobs/${encodeURIComponent(job.id)}` }, job.id)),
            h("td", { "data-label": "Type" }, job.type),
            h("td", { "data-label": "Status" }, statusBadge(job.status)),
            h("td", { "data-label": "Created" }, time(job.created_at)),
            h("td", { "data-label": "Operations" }, progressBar(job)),
          )))));
      },
    );
  }
  return { refresh, dispose() {} };
}

function operations(title, items, withErrors) {
  if (!items.length) return section(title, h("p", { class: "empty" }, "None"));
  return section(`${title} (${items.length})`, h("div", { class: "table-wrap" }, h("table", { class: "ops" },
    h("thead", {}, h("tr", {}, ["Id", "Phone number", withErrors ? "Errors" : null].filter(Boolean).map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, items.map((op) => h("tr", {},
      h("td", { "data-label": "Id" }, op.id ? h("a", { href: `#/numbers/${encodeURIComponent(op.id)}` }, op.id) : ""),
      h("td", { "data-label": "Phone number" }, op.phone_number || ""),
      withErrors ? h("td", { "data-label": "Errors" }, errorList({ errors: op.errors || [] })) : null,
    ))))));
}

// the journal entry of the request that created the job (absent once the journal dropped it)
async function creatingRequest(id) {
  const answer = await api("GET", `/_mock/journal${query({ method: "POST", path: "/phone_numbers/jobs/{kind}" })}`);
  if (!answer.ok) return null;
  return answer.json.data.find((entry) => entry.response && entry.response.data && entry.response.data.id === id) || null;
}

export function jobView({ main, refreshAll }, id) {
  const head = h("div", {});
  const ops = h("div", {});
  const origin = h("div", {});
  main.replaceChildren(
    h("p", {}, h("a", { href: "#/jobs" }, "← All jobs")),
    h("h2", {}, "Job ", h("code", {}, id)),
    clockForms(refreshAll, "job"), head, ops,
    section("Request that created it", origin),
  );
  const apply = latestOnly();
  let originShown = false;
  let missing = false; // a job this tenant does not have never appears later: ask once

  async function refresh() {
    if (missing) return;
    await apply(
      () => api("GET", `/v2/phone_numbers/jobs/${encodeURIComponent(id)}`),
      (answer) => {
        if (!answer.ok) {
          missing = answer.status === 404;
          head.replaceChildren(alert(answer.json, answer.status));
          ops.replaceChildren();
          return;
        }
        const job = answer.json.data;
        head.replaceChildren(h("dl", { class: "facts" },
          h("dt", {}, "Type"), h("dd", {}, job.type),
          h("dt", {}, "Status"), h("dd", {}, statusBadge(job.status)),
          h("dt", {}, "Created"), h("dd", {}, time(job.created_at)),
          h("dt", {}, "Updated"), h("dd", {}, time(job.updated_at)),
          h("dt", {}, "Estimated end"), h("dd", {}, time(job.etc)),
          h("dt", {}, "Operations"), h("dd", {}, progressBar(job)),
        ), section("Parameters", jsonBlock(job.parameters, "Job parameters")));
        ops.replaceChildren(
          operations("Failed operations", job.failed_operations, true),
          operations("Pending operations", job.pending_operations, false),
          operations("Successful operations", job.successful_operations, false),
        );
      },
    );
    if (!originShown) {
      const entry = await creatingRequest(id);
      originShown = true;
      origin.replaceChildren(entry
        ? h("div", {}, h("p", {}, h("code", {}, `${entry.method} ${entry.path}${entry.query ? `?${entry.query}` : ""} → ${entry.status}`), " at ", time(entry.at)),
          jsonBlock(entry.request, "Request body"))
        : h("p", { class: "empty" }, "Not in the journal (cleared, or dropped to keep it bounded)."));
    }
  }
  return { refresh, dispose() {} };
}
