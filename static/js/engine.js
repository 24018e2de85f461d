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
    document.querySelectorAll("[data-run-status-url]").forEach((box) => {
      const state = box.querySelector("[data-run-state]");
      const active = !state || ["queued", "running"].includes(state.textContent.trim());
      if (active) watch(box);
    });
  });
})();
