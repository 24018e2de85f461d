// Patchbay dashboard behaviour: copy buttons, confirmations, closing menus. Plain JS, no CDN.
"use strict";

document.addEventListener("click", (event) => {
  const copy = event.target.closest("[data-copy-target]");
  if (copy) {
    const source = document.getElementById(copy.dataset.copyTarget);
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim()).then(() => {
        const label = copy.textContent;
        copy.textContent = "Copied";
        setTimeout(() => { copy.textContent = label; }, 1500);
      });
    }
    return;
  }
  // A click outside an open header menu closes it, as users expect of dropdowns.
  document.querySelectorAll("details.menu[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});

// Progress bars carry their value in aria-valuenow; the width is set here because the
// Content-Security-Policy refuses inline style attributes.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[role=progressbar]").forEach((meter) => {
    const bar = meter.querySelector(".progress-bar");
    if (bar) bar.style.width = `${Number(meter.getAttribute("aria-valuenow")) || 0}%`;
  });
});

document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// ---- calls (ui-calls): a page showing work under way (data-refresh-after="<seconds>") reloads itself
// until it is done, e.g. the SIP probes page while a queued probe runs.
document.addEventListener("DOMContentLoaded", () => {
  const pending = document.querySelector("[data-refresh-after]");
  if (pending) {
    const seconds = Number(pending.dataset.refreshAfter) || 2;
    setTimeout(() => window.location.reload(), seconds * 1000);
  }
});
