// Integration forms: fields that name vendor objects (a Connect instance, an assistant, a site, a
// number) get suggestions listed from the provider account chosen above them, through
// GET /api/v1/accounts/{id}/choices/?field=... When the vendor cannot be asked the field stays
// free text and the status line under it says why. Plain JS, no CDN.
"use strict";

(() => {
  const form = document.querySelector("form.form");
  if (!form) return;
  const inputs = Array.from(form.querySelectorAll("[data-picker-field]"));
  if (!inputs.length) return;
  const named = (name) => form.querySelector(`[name="${CSS.escape(name)}"]`);
  const depends = (input) => (input.dataset.pickerDepends || "").split(",").filter(Boolean);
  const latest = new Map();

  function say(status, state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  async function refresh(input) {
    const field = input.dataset.pickerField;
    const status = document.getElementById(`picker-status-${field}`);
    const list = document.getElementById(`choices-${field}`);
    const account = named(input.dataset.pickerAccount);
    if (!status) return;
    if (list) list.replaceChildren();
    if (!account || !account.value) {
      say(status, "waiting", "Choose the account above to see what it has.");
      return;
    }
    const params = new URLSearchParams({ field });
    for (const name of depends(input)) {
      const source = named(name);
      const value = source ? source.value.trim() : "";
      if (!value) {
        say(status, "waiting", `Give ${name.replace(/^config\./, "")} first: the choices depend on it.`);
        return;
      }
      params.set(name.replace(/^config\./, ""), value);
    }
    const ticket = {};
    latest.set(field, ticket);
    say(status, "loading", "Asking the vendor what this account has…");
    let ok = false;
    let body = {};
    try {
      const response = await fetch(`/api/v1/accounts/${encodeURIComponent(account.value)}/choices/?${params}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      ok = response.ok;
      body = await response.json();
    } catch (error) {
      body = { detail: "The vendor could not be asked." };
    }
    if (latest.get(field) !== ticket) return; // a newer request answers instead
    if (!ok) {
      const reason = body.errors ? Object.values(body.errors).flat().join(" ") : body.detail;
      say(status, "unavailable", `${reason || "The vendor could not be asked."} You can type the value yourself.`);
      return;
    }
    const choices = body.choices || [];
    for (const choice of choices) {
      if (!list) break;
      const option = document.createElement("option");
      option.value = choice.value;
      option.label = choice.label;
      list.append(option);
    }
    if (!choices.length) {
      say(status, "ready", `This account has no ${body.noun} yet.`);
    } else {
      const how = list ? "Suggested as you type" : "Type the ones to use, one per line";
      say(status, "ready", `${how}: ${choices.map((c) => c.label).join("; ")}.`);
    }
  }

  for (const input of inputs) {
    const account = named(input.dataset.pickerAccount);
    if (account) account.addEventListener("change", () => refresh(input));
    for (const name of depends(input)) {
      const source = named(name);
      if (source) source.addEventListener("change", () => refresh(input));
    }
    refresh(input);
  }
})();
