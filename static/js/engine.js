// Live progress of engine runs: polls the run's JSON once a second with fetch() until it finishes.
// Plain JS, no CDN. Used by the run page and by an integration page with a run under way.
"use strict";

(() => {
  const POLL_MS = 1000;
  const COLOURS = ["grey", "amber", "green", "red"];

  function text(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  function cell(content, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    if (content instanceof Node) td.appendChild(content); else td.textContent = text(content);
    return td;
  }

  function eventRow(event) {
    const tr = document.createElement("tr");
    tr.dataset.eventId = event.id;
    const badge = document.createElement("span");
    badge.className = `badge outcome-${event.outcome}`;
    badge.textContent = event.outcome;
    const code = document.createElement("code");
    code.textContent = text(event.request_id);
    tr.append(
      cell(text(event.at).slice(11, 23), "nowrap small muted"),
      cell(event.node || "run", "nowrap"),
      cell(event.action),
      cell(badge),
      cell(event.duration_ms ? `${event.duration_ms} ms` : "", "nowrap"),
      cell(code, "small"),
      cell(event.message, "small"),
    );
    return tr;
  }

  function lastEventId(tbody) {
    const rows = tbody ? tbody.querySelectorAll("tr[data-event-id]") : [];
    return rows.length ? Number(rows[rows.length - 1].dataset.eventId) : 0;
  }

  function render(box, run) {
    const bar = box.querySelector(".progress-bar");
    const meter = box.querySelector("[role=progressbar]");
    if (bar) {
      bar.style.width = `${run.progress}%`;
      COLOURS.forEach((colour) => bar.classList.remove(`progress-${colour}`));
      bar.classList.add(`progress-${run.state_colour}`);
    }
    if (meter) meter.setAttribute("aria-valuenow", String(run.progress));
    const state = box.querySelector("[data-run-state]");
    if (state) {
      state.textContent = run.state;
      COLOURS.forEach((colour) => state.classList.remove(`badge-${colour}`));
      state.classList.add(`badge-${run.state_colour}`);
    }
    const progress = box.querySelector("[data-run-progress]");
    if (progress) progress.textContent = String(run.progress);
    const message = box.querySelector("[data-run-message]");
    if (message) message.textContent = text(run.message);
    const tbody = document.querySelector("[data-run-events]");
    if (tbody) run.events.forEach((event) => tbody.appendChild(eventRow(event)));
    renderNodes(run);
  }

  // The run page's resources table: one row per node with its state (pending → running → done/failed).
  function nodeDetail(node) {
    const box = document.createDocumentFragment();
    const add = (tag, className, content) => {
      const element = document.createElement(tag);
      if (className) element.className = className;
      element.textContent = text(content);
      box.appendChild(element);
      return element;
    };
    if (node.state === "failed") {
      const error = add("div", "node-error", "");
      error.setAttribute("role", "note");
      const label = document.createElement("strong");
      label.textContent = "Failed:";
      error.append(label, ` ${text(node.message)}`);
      return box;
    }
    if (node.action) add("span", "", node.action);
    if (node.change) add("div", "node-change", node.change);
    if (node.message) add("div", "small muted", node.message);
    if (!node.action && !node.change && !node.message) add("span", "muted", "—");
    return box;
  }

  function renderNodes(run) {
    const tbody = document.querySelector("[data-run-nodes]");
    if (!tbody || !run.nodes) return;
    run.nodes.forEach((node) => {
      let tr = Array.from(tbody.querySelectorAll("tr[data-node]")).find((row) => row.dataset.node === node.node);
      if (!tr) {
        tr = document.createElement("tr");
        tr.dataset.node = node.node;
        const name = document.createElement("strong");
        name.textContent = node.title || node.node;
        const badge = document.createElement("span");
        badge.dataset.nodeState = "";
        const detail = cell("", "node-detail");
        detail.dataset.nodeDetail = "";
        const request = cell("", "small nowrap");
        request.dataset.nodeRequest = "";
        tr.append(cell(name), cell(badge, "nowrap"), detail, request);
        tbody.appendChild(tr);
      }
      tr.dataset.state = node.state;
      tr.className = `node-${node.state.replace(/\s+/g, "-")}`;
      const badge = tr.querySelector("[data-node-state]");
      if (badge) {
        badge.className = `badge badge-${node.colour}`;
        badge.textContent = node.state;
      }
      const detail = tr.querySelector("[data-node-detail]");
      if (detail) detail.replaceChildren(nodeDetail(node));
      const request = tr.querySelector("[data-node-request]");
      if (request) {
        const code = document.createElement("code");
        code.textContent = text(node.request_id);
        request.replaceChildren(code);
      }
    });
    const progress = run.node_progress || {};
    const finished = document.querySelector("[data-node-finished]");
    if (finished) finished.textContent = String(progress.finished || 0);
    const failed = document.querySelector("[data-node-failed]");
    if (failed) failed.textContent = String(progress.failed || 0);
    const failedText = document.querySelector("[data-node-failed-text]");
    if (failedText) failedText.hidden = !progress.failed;
  }

  function watch(box) {
    const url = box.dataset.runStatusUrl;
    const tbody = document.querySelector("[data-run-events]");
    let after = lastEventId(tbody);
    const poll = async () => {
      let run;
      try {
        const response = await fetch(`${url}?after=${after}`, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          cache: "no-store",
        });
        if (response.status === 404) return; // the run is gone (or not ours): stop
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        run = await response.json();
      } catch (error) {
        window.setTimeout(poll, POLL_MS * 3); // the server restarts or the network blinks: keep trying
        return;
      }
      render(box, run);
      if (run.events.length) after = run.events[run.events.length - 1].id;
      if (!run.finished) {
        window.setTimeout(poll, POLL_MS);
        return;
      }
      box.dataset.runFinished = run.state;
      if (run.kind === "teardown" && run.state === "succeeded") {
        // The integration is gone: its page would be a 404. The run page says so and links back.
        if (box.dataset.runUrl) window.location.assign(box.dataset.runUrl);
        else window.location.reload();
        return;
      }
      if (box.dataset.reloadOnFinish) {
        window.location.reload(); // the integration page: show the new resources and conditions
        return;
      }
      const done = box.querySelector("[data-run-done]");
      if (done) {
        // The server renders what to do next (download, back to the integration, deleted).
        const fresh = await fetch(window.location.href, { credentials: "same-origin", cache: "no-store" });
        if (fresh.ok) {
          const page = new DOMParser().parseFromString(await fresh.text(), "text/html");
          const next = page.querySelector("[data-run-done]");
          if (next) done.innerHTML = next.innerHTML;
        }
        done.hidden = false;
      }
    };
    window.setTimeout(poll, POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", () => {
    // A finished run's bar is drawn from its aria-valuenow (the CSP allows no inline style).
    document.querySelectorAll("[role=progressbar]").forEach((meter) => {
      const bar = meter.querySelector(".progress-bar");
      if (bar) bar.style.width = `${Number(meter.getAttribute("aria-valuenow")) || 0}%`;
    });
    document.querySelectorAll("[data-run-status-url]").forEach((box) => {
      const state = box.querySelector("[data-run-state]");
      const active = !state || ["queued", "running"].includes(state.textContent.trim());
      if (active) watch(box);
    });
  });
})();
