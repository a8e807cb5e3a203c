// Numbers: a paged table with the filters of GET /phone_numbers (#/numbers), and one number
// with its voice settings and the jobs that touched it (#/numbers/ID).
import { alert, api, clearErrors, field, h, jsonBlock, query, redact, section, showErrors, statusBadge, time } from "./core.js";

const STATUSES = ["purchase-pending", "purchase-failed", "port-pending", "active", "deleted",
  "port-failed", "emergency-only", "ported-out", "port-out-pending"];
const any = (values) => [["", "any"], ...values.map((v) => [v, v])];
// one field per filter of GET /phone_numbers, named exactly as its query parameter
const FILTERS = [
  { name: "filter[phone_number]", label: "Phone number contains", hint: "Digits, at least 3" },
  { name: "filter[tag]", label: "Tag" },
  { name: "filter[status]", label: "Status", options: any(STATUSES) },
  { name: "filter[country_iso_alpha2]", label: "Country (ISO alpha-2, comma-separated)" },
  { name: "filter[connection_id]", label: "Connection id" },
  { name: "filter[voice.connection_name][contains]", label: "Connection name contains" },
  { name: "filter[voice.usage_payment_method]", label: "Usage payment method", options: any(["pay-per-minute", "channel"]) },
  { name: "filter[billing_group_id]", label: "Billing group id", hint: "null: numbers without one" },
  { name: "filter[emergency_address_id]", label: "Emergency address id", hint: "null: numbers without one" },
  { name: "filter[customer_reference]", label: "Customer reference" },
  { name: "filter[number_type][eq]", label: "Number type", options: any(["local", "national", "toll_free", "mobile", "shared_cost"]) },
  { name: "filter[source]", label: "Source", options: any(["ported", "purchased"]) },
  { name: "filter[without_tags]", label: "Only numbers without tags", type: "checkbox" },
  { name: "sort", label: "Sort", options: [["", "newest first (default)"], ...["purchased_at", "phone_number", "connection_name", "usage_payment_method"]
    .flatMap((s) => [[s, `${s} ascending`], [`-${s}`, `${s} descending`]])] },
  { name: "page[size]", label: "Per page", value: "20", options: [["20", "20"], ["50", "50"], ["100", "100"], ["250", "250"]] },
];

// what the table shows keeps across visits to a number and back
const kept = { params: { "page[size]": "20" }, page: 1 };

export function numbersView({ main }) {
  const summary = h("p", { class: "summary", role: "status", "aria-live": "polite" });
  const table = h("div", { class: "table-wrap" });
  const pager = h("nav", { class: "pager", "aria-label": "Pages of numbers" });
  const form = h("form", { id: "numbers-filter", class: "filters grid", "aria-label": "Filter numbers", novalidate: true },
    FILTERS.map((f) => field("numbers", { ...f, value: f.type === "checkbox" ? kept.params[f.name] === "true" : (kept.params[f.name] ?? f.value ?? "") })),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Apply filters"), h("button", { type: "reset" }, "Clear")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    kept.params = Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => v !== ""));
    kept.page = 1;
    load();
  });
  form.addEventListener("reset", () => {
    kept.params = { "page[size]": "20" };
    kept.page = 1;
    setTimeout(load);
  });
  main.replaceChildren(h("h2", {}, "Numbers"), form, summary, table, pager);

  async function load() {
    const answer = await api("GET", `/v2/phone_numbers${query({ ...kept.params, "page[number]": kept.page })}`);
    if (!answer.ok) {
      showErrors(form, answer.json, answer.status);
      summary.textContent = "The filter was refused: see the fields marked above.";
      table.replaceChildren();
      pager.replaceChildren();
      return;
    }
    clearErrors(form);
    const { data, meta } = answer.json;
    summary.textContent = `${meta.total_results} number${meta.total_results === 1 ? "" : "s"} · page ${meta.page_number} of ${Math.max(1, meta.total_pages)}`;
    summary.dataset.total = meta.total_results;
    table.replaceChildren(data.length
      ? h("table", { class: "numbers" },
        h("caption", { class: "visually-hidden" }, "Phone numbers"),
        h("thead", {}, h("tr", {}, ["Phone number", "Status", "Tags", "Connection", "Type", "Country", "Emergency"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, data.map((n) => h("tr", { "data-number": n.id },
          h("td", { "data-label": "Phone number" }, h("a", { href: `#/numbers/${encodeURIComponent(n.id)}` }, n.phone_number)),
          h("td", { "data-label": "Status" }, statusBadge(n.status)),
          h("td", { "data-label": "Tags" }, n.tags.join(", ")),
          h("td", { "data-label": "Connection" }, n.connection_name || n.connection_id || ""),
          h("td", { "data-label": "Type" }, n.phone_number_type),
          h("td", { "data-label": "Country" }, n.country_iso_alpha2),
          h("td", { "data-label": "Emergency" }, n.emergency_enabled ? "on" : "off"),
        ))))
      : h("p", { class: "empty" }, "No numbers match."));
    const go = (page) => () => {
      kept.page = page;
      load();
    };
    pager.replaceChildren(
      h("button", { type: "button", disabled: meta.page_number <= 1, onclick: go(meta.page_number - 1) }, "Previous page"),
      h("span", {}, `Page ${meta.page_number} of ${Math.max(1, meta.total_pages)}`),
      h("button", { type: "button", disabled: meta.page_number >= meta.total_pages, onclick: go(meta.page_number + 1) }, "Next page"),
    );
  }
  load();
  // the table changes only when you ask (a poll would move rows under the pointer)
  return { refresh: null, dispose() {} };
}

function facts(number) {
  const shown = redact(number);
  const rows = ["phone_number", "status", "tags", "connection_name", "connection_id", "customer_reference",
    "billing_group_id", "emergency_enabled", "emergency_address_id", "emergency_status", "phone_number_type",
    "country_iso_alpha2", "external_pin", "created_at", "updated_at"];
  return h("dl", { class: "facts" }, rows.flatMap((name) => [
    h("dt", {}, name),
    h("dd", {}, name.endsWith("_at") ? time(shown[name]) : Array.isArray(shown[name]) ? shown[name].join(", ") : String(shown[name] ?? "")),
  ]));
}

export function numberView({ main }, id) {
  const detail = h("div", {});
  const voice = h("div", {});
  const jobs = h("div", { class: "table-wrap" });
  main.replaceChildren(
    h("p", {}, h("a", { href: "#/numbers" }, "← All numbers")),
    h("h2", {}, "Number ", h("code", {}, id)),
    section("Detail", detail), section("Voice settings", voice), section("Jobs that touched it", jobs),
  );

  async function refresh() {
    const [number, settings, touched] = await Promise.all([
      api("GET", `/v2/phone_numbers/${encodeURIComponent(id)}`),
      api("GET", `/v2/phone_numbers/${encodeURIComponent(id)}/voice`),
      api("GET", `/v2/phone_numbers/jobs${query({ "filter[phone_number]": id, "page[size]": 50 })}`),
    ]);
    detail.replaceChildren(number.ok ? facts(number.json.data) : alert(number.json, number.status));
    voice.replaceChildren(settings.ok ? jsonBlock(settings.json.data, "Voice settings") : alert(settings.json, settings.status));
    if (!touched.ok) {
      jobs.replaceChildren(alert(touched.json, touched.status));
    } else if (!touched.json.data.length) {
      jobs.replaceChildren(h("p", { class: "empty" }, "No job has touched this number."));
    } else {
      jobs.replaceChildren(h("table", {},
        h("thead", {}, h("tr", {}, ["Job", "Type", "Status", "Created"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, touched.json.data.map((job) => h("tr", {},
          h("td", { "data-label": "Job" }, h("a", { href: `#/jobs/${encodeURIComponent(job.id)}` }, job.id)),
          h("td", { "data-label": "Type" }, job.type),
          h("td", { "data-label": "Status" }, statusBadge(job.status)),
          h("td", { "data-label": "Created" }, time(job.created_at)),
        )))));
    }
  }
  return { refresh, dispose() {} };
}
