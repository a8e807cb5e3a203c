// Controls: the tenant's clock, running its jobs, resetting it, and its faults. Each is a form;
// the server validates, and each error it names is shown beside its field.
import { alert, api, clearErrors, field, h, numeric, section, showErrors } from "./core.js";

function actions(...buttons) {
  return h("div", { class: "actions" }, ...buttons);
}

// a form that POSTs what build() returns; done(answer) runs after a success
function postForm({ id, label, fields, button, path, build, done, method = "POST", validate }) {
  const result = h("p", { class: "result", role: "status", "aria-live": "polite" });
  const form = h("form", { id, class: "control", "aria-label": label, novalidate: true },
    ...fields, actions(h("button", { type: "submit" }, button)), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    result.textContent = "";
    const local = validate ? validate(form) : null;
    if (local) {
      showErrors(form, { errors: local }, 0);
      return;
    }
    const answer = await api(method, path, build ? build(form) : undefined);
    if (!answer.ok) {
      showErrors(form, answer.json, answer.status);
      return;
    }
    result.textContent = await done(answer);
  });
  return form;
}

function value(form, name) {
  const el = form.elements.namedItem(name);
  return el ? el.value : "";
}

// advance the clock and run every job: on the jobs views and in Controls
export function clockForms(refreshAll, prefix) {
  const advance = postForm({
    id: `${prefix}-advance`, label: "Advance the clock",
    fields: [field(`${prefix}-advance`, { name: "seconds", label: "Advance clock by (seconds)", inputmode: "decimal", value: "1" })],
    button: "Advance", path: "/_mock/clock/advance",
    build: (form) => ({ seconds: numeric(value(form, "seconds")) }),
    done: (answer) => {
      refreshAll();
      return `Clock now ${answer.json.data.now}`;
    },
  });
  const run = postForm({
    id: `${prefix}-run`, label: "Run all jobs", fields: [], button: "Run all jobs", path: "/_mock/jobs/run",
    done: (answer) => {
      refreshAll();
      return `Every job ran to its end; clock now ${answer.json.data.now}`;
    },
  });
  return h("div", { class: "clock-forms" }, advance, run);
}

function faultRow(fault) {
  const scope = [fault.method, fault.route].filter(Boolean).join(" ") || "every request";
  const what = fault.kind === "status" ? `status ${fault.status}` : fault.kind === "latency" ? `latency ${fault.ms} ms` : fault.kind;
  return h("tr", { "data-fault": fault.id },
    h("td", { "data-label": "Id" }, fault.id),
    h("td", { "data-label": "Fault" }, what),
    h("td", { "data-label": "Scope" }, scope),
    h("td", { "data-label": "Times left" }, fault.times === null ? "unlimited" : fault.times),
    h("td", { "data-label": "Probability" }, fault.probability === null ? "1" : fault.probability),
    h("td", { "data-label": "Fired" }, fault.fired));
}

export function controlsView({ main, refreshAll }) {
  const faultList = h("div", { class: "table-wrap" });
  const setClock = postForm({
    id: "set-clock", label: "Set the clock",
    fields: [field("set-clock", { name: "now", label: "Set clock to (ISO 8601)", hint: "Never backwards, e.g. 2026-01-02T00:00:00Z" })],
    button: "Set clock", path: "/_mock/clock/set",
    build: (form) => ({ now: value(form, "now").trim() }),
    done: (answer) => {
      refreshAll();
      return `Clock now ${answer.json.data.now}`;
    },
  });
  const reset = postForm({
    id: "reset", label: "Reset the tenant",
    fields: [field("reset", { name: "confirm", label: "Forget this tenant's jobs, changes, faults and journal", type: "checkbox" })],
    button: "Reset tenant", path: "/_mock/reset",
    validate: (form) => (form.elements.namedItem("confirm").checked ? null
      : [{ detail: "Tick the box to confirm the reset.", source: { pointer: "/confirm" } }]),
    done: () => {
      refreshAll();
      return "The tenant starts again from the default world.";
    },
  });
  const addFault = postForm({
    id: "fault", label: "Add a fault",
    fields: [
      field("fault", { name: "kind", label: "Kind", value: "status",
        hint: "status answers an error; latency delays; drop closes; expire_jobs / fail_jobs: the next jobs",
        options: [["status", "status"], ["latency", "latency"], ["drop", "drop"], ["expire_jobs", "expire_jobs"], ["fail_jobs", "fail_jobs"]] }),
      field("fault", { name: "status", label: "Status", value: "500", options: [["429", "429"], ["500", "500"], ["503", "503"], ["", "(none)"]] }),
      field("fault", { name: "ms", label: "Latency (ms)", inputmode: "numeric" }),
      field("fault", { name: "route", label: "Route (regular expression)", hint: "Searched in the path without /v2, e.g. ^/phone_numbers/jobs" }),
      field("fault", { name: "method", label: "Method", options: [["", "any"], ["GET", "GET"], ["POST", "POST"], ["PATCH", "PATCH"], ["DELETE", "DELETE"]] }),
      field("fault", { name: "times", label: "Times", inputmode: "numeric", hint: "Empty: every matching request" }),
      field("fault", { name: "probability", label: "Probability", inputmode: "decimal", hint: "Greater than 0, at most 1" }),
      field("fault", { name: "retry_after", label: "Retry-After (seconds)", inputmode: "decimal" }),
    ],
    button: "Add fault", path: "/_mock/faults",
    build: (form) => {
      const kind = value(form, "kind");
      const body = { kind };
      if (kind === "status") body.status = numeric(value(form, "status"));
      for (const name of ["ms", "times", "probability", "retry_after"]) {
        const v = numeric(value(form, name));
        if (v !== undefined && (name !== "ms" || kind === "latency") && (name !== "retry_after" || kind === "status")) body[name] = v;
      }
      for (const name of ["route", "method"]) {
        const v = value(form, name).trim();
        if (v && !(kind === "expire_jobs" || kind === "fail_jobs")) body[name] = v;
      }
      return body;
    },
    done: async (answer) => {
      await refresh();
      const data = answer.json.data;
      return data.id ? `Added ${data.id}` : `The next ${data.times} job(s) will ${data.kind === "expire_jobs" ? "expire" : "fail"}`;
    },
  });
  const clearFaults = postForm({
    id: "clear-faults", label: "Clear the faults", fields: [], button: "Clear faults", path: "/_mock/faults", method: "DELETE",
    done: async (answer) => {
      await refresh();
      return `Cleared ${answer.json.data.cleared} fault(s)`;
    },
  });
  main.replaceChildren(
    h("h2", {}, "Controls"),
    section("Clock and jobs", clockForms(refreshAll, "controls"), setClock),
    section("Faults", addFault, h("h4", {}, "Active faults"), faultList, clearFaults),
    section("Tenant", reset),
  );

  async function refresh() {
    const answer = await api("GET", "/_mock/faults");
    if (!answer.ok) {
      faultList.replaceChildren(alert(answer.json, answer.status));
      return;
    }
    const { data, meta } = answer.json;
    const jobFaults = [];
    if (meta.expire_next) jobFaults.push(`the next ${meta.expire_next} job(s) will expire`);
    if (meta.fail_next) jobFaults.push(`the next ${meta.fail_next} job(s) will fail`);
    faultList.replaceChildren(...[
      data.length
        ? h("table", { class: "faults" },
          h("thead", {}, h("tr", {}, ["Id", "Fault", "Scope", "Times left", "Probability", "Fired"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, data.map(faultRow)))
        : h("p", { class: "empty" }, "No request faults."),
      jobFaults.length ? h("p", {}, `Job faults: ${jobFaults.join("; ")}.`) : null,
    ].filter(Boolean));
  }
  // the fault list changes only through this page or the API: refresh it with the rest
  return { refresh, dispose() {} };
}
