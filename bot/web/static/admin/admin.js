// The Mediator admin page: plain JavaScript against /api/policies, no build step.
// The draft lives in the page (and sessionStorage) until it is published; the server validates every
// change as you type and refuses anything that breaks the playbook, naming the file and line.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { token: sessionStorage.getItem("mediator-token") || "", published: null, draft: {}, file: "", forms: null };
let validateTimer = null;
let validateSeq = 0;

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { "Authorization": `Bearer ${state.token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let json = null;
  try { json = await res.json(); } catch (e) { json = { message: res.statusText }; }
  return { status: res.status, json };
}

// One status line, and actions that finish out of order (a slow preview, then a publish): an action takes
// a speaker when it starts, and a line from an action that a newer one has overtaken is dropped, so the
// line always tells the outcome of the admin's latest action.
let statusTicket = 0;

function speaker() {
  const ticket = ++statusTicket;
  return (text, ok) => {
    if (ticket !== statusTicket) return;
    const el = $("status");
    el.textContent = text;
    el.className = ok === undefined ? "" : ok ? "ok" : "bad";
  };
}

function status(text, ok) {
  speaker()(text, ok); // said now, by no pending action
}

function changedFiles() {
  const out = {};
  for (const [name, text] of Object.entries(state.draft)) {
    if (state.published.files[name] !== text) out[name] = text;
  }
  return out;
}

function saveDraft() {
  sessionStorage.setItem("mediator-draft", JSON.stringify({ base: state.published.version, files: changedFiles() }));
  const n = Object.keys(changedFiles()).length;
  $("draft-state").textContent = n ? `draft based on version ${state.published.version}: ${n} file(s) changed`
    : `published version ${state.published.version}, no changes`;
}

// ── login ───────────────────────────────────────────────────────────────────────────────────────

async function login(event) {
  if (event) event.preventDefault();
  state.token = $("token").value.trim() || state.token;
  const r = await api("POST", "/admin/login");
  if (r.status !== 200) {
    $("login-error").textContent = r.json.message || "login failed";
    sessionStorage.removeItem("mediator-token");
    return;
  }
  sessionStorage.setItem("mediator-token", state.token);
  $("who").textContent = `${r.json.name} (${r.json.role}) · shop ${r.json.shop}`;
  $("login-view").hidden = true;
  $("app").hidden = false;
  $("logout").hidden = false;
  const canEdit = r.json.role === "admin";
  for (const id of ["publish", "apply-forms"]) $(id).disabled = !canEdit;
  await load(true);
}

function logout() {
  sessionStorage.clear();
  location.reload();
}

// ── loading and the editor ─────────────────────────────────────────────────────────────────────

async function load(keepDraft) {
  const r = await api("GET", "/api/policies");
  if (r.status !== 200) { status(r.json.message, false); return; }
  state.published = r.json;
  state.draft = { ...r.json.files };
  const saved = keepDraft ? JSON.parse(sessionStorage.getItem("mediator-draft") || "null") : null;
  if (saved && saved.base === r.json.version) Object.assign(state.draft, saved.files);
  const select = $("file");
  select.innerHTML = "";
  for (const name of Object.keys(state.draft).sort()) select.add(new Option(name, name));
  state.file = state.draft[state.file] !== undefined ? state.file : "remedies.yml";
  select.value = state.file;
  $("reload").hidden = true;
  showFile();
  saveDraft();
  await Promise.all([validate(), loadForms(), loadScenarios(), loadHistory()]);
}

function showFile() {
  $("source").value = state.draft[state.file] || "";
  gutter([]);
}

function gutter(badLines) {
  const lines = $("source").value.split("\n").length;
  const bad = new Set(badLines);
  const g = $("gutter");
  g.innerHTML = "";
  for (let i = 1; i <= lines; i++) {
    const span = document.createElement("span");
    span.textContent = `${i}\n`;
    if (bad.has(i)) { span.className = "bad"; span.title = "see the problems below"; }
    g.appendChild(span);
  }
  g.scrollTop = $("source").scrollTop;
}

function onEdit() {
  state.draft[state.file] = $("source").value;
  saveDraft();
  clearTimeout(validateTimer);
  validateTimer = setTimeout(validate, 350);
}

async function validate() {
  const seq = ++validateSeq;
  $("valid-badge").textContent = "checking…";
  $("valid-badge").className = "";
  const r = await api("POST", "/api/policies/validate", { base_version: state.published.version, files: changedFiles() });
  if (seq !== validateSeq) return; // a newer edit is being checked
  const list = $("issues");
  list.innerHTML = "";
  if (r.status !== 200) { status(r.json.message || "validation failed", false); return; }
  $("draft-diff").textContent = r.json.diff || "(no changes)";
  if (r.json.ok) {
    $("valid-badge").textContent = "✓ valid";
    $("valid-badge").className = "badge-ok";
    const li = document.createElement("li");
    li.className = "ok";
    li.textContent = "No problems: this draft may be published.";
    list.appendChild(li);
  } else {
    $("valid-badge").textContent = `✗ ${r.json.issues.length} problem(s)`;
    $("valid-badge").className = "badge-bad";
    // A green "Applied…" or "Rolled back…" line must not stay beside a draft that cannot be published.
    if ($("status").classList.contains("ok")) status(`The draft has ${r.json.issues.length} problem(s): fix them, then publish.`, false);
  }
  const seen = new Set();
  for (const issue of r.json.issues) {
    const key = `${issue.file}:${issue.line}: ${issue.message}`;
    if (seen.has(key)) continue; // each problem once
    seen.add(key);
    const li = document.createElement("li");
    li.textContent = `${issue.file}:${issue.line}: ${issue.message}`;
    li.dataset.file = issue.file;
    li.dataset.line = issue.line;
    li.addEventListener("click", () => goTo(issue.file, issue.line));
    list.appendChild(li);
  }
  gutter(r.json.issues.filter((i) => i.file === state.file).map((i) => i.line));
  return r.json;
}

function goTo(file, line) {
  if (state.draft[file] === undefined) return;
  state.file = file;
  $("file").value = file;
  showFile();
  const text = $("source").value;
  let pos = 0;
  for (let i = 1; i < line; i++) pos = text.indexOf("\n", pos) + 1;
  $("source").focus();
  $("source").setSelectionRange(pos, text.indexOf("\n", pos) === -1 ? text.length : text.indexOf("\n", pos));
  $("source").scrollTop = Math.max(0, (line - 5) * 18.2);
  validate();
}

// ── publish, discard, reload ───────────────────────────────────────────────────────────────────

// The server's confirmation step: show the diff it sent, and resolve true only on "Confirm".
function confirmStep(title, message, diff) {
  const dialog = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-message").textContent = message;
  const pre = $("confirm-diff");
  pre.textContent = "";
  for (const line of (diff || "(no differences)").split("\n")) {
    const span = document.createElement("span");
    if (line.startsWith("+") && !line.startsWith("+++")) span.className = "diff-add";
    else if (line.startsWith("-") && !line.startsWith("---")) span.className = "diff-del";
    span.textContent = line + "\n";
    pre.appendChild(span);
  }
  return new Promise((resolve) => {
    const done = (answer) => {
      $("confirm-yes").onclick = $("confirm-no").onclick = dialog.oncancel = null;
      dialog.close();
      resolve(answer);
    };
    $("confirm-yes").onclick = () => done(true);
    $("confirm-no").onclick = () => done(false);
    dialog.oncancel = (e) => { e.preventDefault(); done(false); };
    dialog.showModal();
  });
}

// Send `body`; on the server's 428 ask the admin, then send it again with the token of exactly that change.
async function withConfirmation(method, url, body, title) {
  let r = await api(method, url, body);
  if (r.status !== 428) return r;
  if (!(await confirmStep(title, r.json.message, r.json.diff))) return { status: 0, json: { message: "cancelled, nothing changed" } };
  return api(method, url, { ...body, confirm: r.json.confirm });
}

async function publish() {
  const say = speaker();
  const files = changedFiles();
  if (!Object.keys(files).length) { say("Nothing to publish: the draft equals the published version.", false); return; }
  const body = { base_version: state.published.version, files, comment: $("comment").value };
  const r = await withConfirmation("PUT", "/api/policies", body, "Publish this change?");
  if (r.status === 0) { say("Not published: cancelled, nothing changed.", false); return; }
  if (r.status === 201) {
    say(`Published version ${r.json.version} (${r.json.changed.join(", ")}). New conversations use it now.`, true);
    $("comment").value = "";
    sessionStorage.removeItem("mediator-draft");
    await load(false);
  } else if (r.status === 409) {
    say(`Not published: ${r.json.message}. ${r.json.fix}.`, false);
    $("reload").hidden = false;
  } else {
    say(`Not published: ${r.json.message || r.json.error}`, false);
    await validate();
  }
}

async function discard() {
  const say = speaker();
  sessionStorage.removeItem("mediator-draft");
  await load(false);
  say("Draft discarded.", true);
}

// ── forms ──────────────────────────────────────────────────────────────────────────────────────

async function loadForms() {
  const r = await api("POST", "/api/policies/forms", { base_version: state.published.version, files: changedFiles() });
  if (r.status !== 200) return;
  const v = r.json.values;
  state.forms = v;
  // Amounts carry their currency (issue 21): every amount field reads in the policy's currency.
  for (const el of document.querySelectorAll("[data-currency]")) el.textContent = v.currency || "?";
  const rates = Object.entries(v.rates || {}).map(([code, rate]) => `1 ${v.currency} = ${rate} ${code}`);
  $("currency-note").textContent = `Amounts are in ${v.currency || "the policy currency"} (remedies.yml currency).`
    + (rates.length ? ` Orders in another currency are converted: ${rates.join(", ")}.` : "");
  $("f-authority-max_amount").value = v.authority.max_amount ?? "";
  $("f-authority-max_percent").value = v.authority.max_percent ?? "";
  $("f-impulsive-delay").value = (v.contact.impulsive || {}).delay ?? "";
  $("f-quiet-start").value = v.quiet_hours.start ?? "";
  $("f-quiet-end").value = v.quiet_hours.end ?? "";
  const body = $("limits").tBodies[0];
  body.innerHTML = "";
  for (const rule of v.rules) {
    const tr = body.insertRow();
    tr.insertCell().textContent = rule.id;
    tr.insertCell().textContent = rule.remedy;
    for (const key of ["amount", "percent", "max_amount", "max_percent"]) {
      const input = document.createElement("input");
      input.type = "number";
      input.step = "any";
      input.min = "0";
      input.id = `f-rule-${rule.id}-${key}`;
      input.dataset.file = "remedies.yml";
      input.dataset.path = `rules.${rule.index}.limit.${key}`;
      input.value = rule.limit[key] ?? "";
      input.dataset.initial = input.value;
      const cell = tr.insertCell();
      cell.appendChild(input);
      if (key === "amount" || key === "max_amount") {
        input.setAttribute("aria-label", `${rule.id} ${key.replace("_", " ")} in ${v.currency}`);
        const unit = document.createElement("span");
        unit.className = "unit";
        unit.textContent = ` ${v.currency}`;
        cell.appendChild(unit);
      } else {
        input.setAttribute("aria-label", `${rule.id} ${key.replace("_", " ")} (%)`);
        cell.appendChild(Object.assign(document.createElement("span"), { className: "unit", textContent: " %" }));
      }
    }
  }
  const sigs = $("signatures");
  sigs.innerHTML = "";
  for (const [lang, text] of Object.entries(v.team_signature)) {
    const label = document.createElement("label");
    label.textContent = `${lang} `;
    const input = document.createElement("input");
    input.size = 45;
    input.id = `f-signature-${lang}`;
    input.dataset.file = "shop.yml";
    input.dataset.path = `team_signature.${lang}`;
    input.value = text;
    input.dataset.initial = text;
    label.appendChild(input);
    sigs.appendChild(label);
  }
  const langSel = $("msg-lang");
  const current = langSel.value;
  langSel.innerHTML = "";
  for (const lang of Object.keys(v.messages)) langSel.add(new Option(lang, lang));
  if (current && v.messages[current]) langSel.value = current;
  fillMessageKeys();
  for (const id of ["f-authority-max_amount", "f-authority-max_percent", "f-impulsive-delay", "f-quiet-start", "f-quiet-end"]) {
    $(id).dataset.initial = $(id).value;
  }
}

function fillMessageKeys() {
  const lang = $("msg-lang").value;
  const keys = Object.keys((state.forms && state.forms.messages[lang]) || {});
  const sel = $("msg-key");
  const current = sel.value;
  sel.innerHTML = "";
  for (const key of keys) sel.add(new Option(key, key));
  if (keys.includes(current)) sel.value = current;
  showMessage();
}

function showMessage() {
  const text = ((state.forms && state.forms.messages[$("msg-lang").value]) || {})[$("msg-key").value] ?? "";
  $("msg-text").value = text;
  $("msg-text").dataset.initial = text;
}

function asValue(input) {
  const raw = input.value.trim();
  if (raw === "") return null;
  if (input.type === "number") return Number(raw);
  return input.value;
}

async function applyForms() {
  const say = speaker();
  const edits = [];
  for (const input of document.querySelectorAll("#tab-forms input[data-path]")) {
    if (input.value !== input.dataset.initial) {
      const path = input.dataset.path.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      edits.push({ file: input.dataset.file, path, value: asValue(input) });
    }
  }
  const msg = $("msg-text");
  if (msg.value !== msg.dataset.initial && $("msg-key").value) {
    const path = $("msg-key").value.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    edits.push({ file: `messages/${$("msg-lang").value}.yml`, path, value: msg.value });
  }
  if (!edits.length) { say("No form value changed.", false); return; }
  const r = await api("POST", "/api/policies/forms", { base_version: state.published.version, files: changedFiles(), edits });
  if (r.status !== 200) { say(`Not applied: ${r.json.message}`, false); return; }
  Object.assign(state.draft, r.json.files);
  saveDraft();
  showFile();
  say(`Applied ${edits.length} change(s) to the draft: ${Object.keys(r.json.files).join(", ")}. Preview, then publish.`, true);
  await Promise.all([validate(), loadForms()]);
}

// ── preview ────────────────────────────────────────────────────────────────────────────────────

async function loadScenarios() {
  const r = await api("GET", "/api/policies/scenarios");
  if (r.status !== 200) return;
  const sel = $("scenario");
  const current = sel.value;
  sel.innerHTML = "";
  state.scenarios = {};
  for (const s of r.json.scenarios) {
    sel.add(new Option(s.name, s.name));
    state.scenarios[s.name] = s.description;
  }
  if (current) sel.value = current;
  $("scenario-description").textContent = state.scenarios[sel.value] || "";
}

function turnText(t) {
  return t.remedy ? `${t.text}` : t.text;
}

function renderTranscript(list, run, other) {
  list.innerHTML = "";
  (run.turns || []).forEach((t, i) => {
    const li = document.createElement("li");
    li.className = t.role;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = `${t.role}${t.action ? " · " + t.action : ""} · ${t.stage || ""}`;
    li.appendChild(meta);
    li.appendChild(document.createTextNode(turnText(t)));
    if (t.remedy) {
      const remedy = document.createElement("span");
      remedy.className = "remedy";
      remedy.textContent = `\noffer: ${t.remedy.type} ${t.remedy.amount ?? ""} ${t.remedy.currency ?? ""}`;
      li.appendChild(remedy);
    }
    const twin = (other.turns || [])[i];
    if (!twin || twin.text !== t.text) li.classList.add("differs");
    list.appendChild(li);
  });
}

async function runPreview() {
  const kind = document.querySelector("input[name=pv-kind]:checked").value;
  const body = { base_version: state.published.version, files: changedFiles() };
  if (kind === "scenario") body.scenario = $("scenario").value;
  else body.conversation = {
    review: $("typed-review").value,
    messages: $("typed-messages").value.split("\n").map((s) => s.trim()).filter(Boolean),
  };
  const say = speaker();
  say("Running the preview under the published policy and the draft…");
  $("run-preview").disabled = true;
  const r = await api("POST", "/api/policies/preview", body);
  $("run-preview").disabled = false;
  if (r.status !== 200) { say(`Preview failed: ${r.json.message || JSON.stringify(r.json.errors)}`, false); return; }
  $("pv-active-title").textContent = `Published (version ${r.json.active_version})`;
  renderTranscript($("pv-active"), r.json.active, r.json.draft);
  renderTranscript($("pv-draft"), r.json.draft, r.json.active);
  say("Preview ready: turns that differ are outlined.", true);
}

// ── history and rollback ───────────────────────────────────────────────────────────────────────

async function loadHistory() {
  const r = await api("GET", "/api/policies/history");
  if (r.status !== 200) return;
  const body = $("history").tBodies[0];
  body.innerHTML = "";
  for (const v of r.json.versions) {
    const tr = body.insertRow();
    tr.id = `version-${v.version}`;
    for (const text of [v.version, v.created_at.slice(0, 19).replace("T", " "), v.kind, v.author, v.changed.join(", "), v.comment || ""]) {
      tr.insertCell().textContent = text;
    }
    const cell = tr.insertCell();
    const diff = document.createElement("button");
    diff.textContent = "Diff";
    diff.addEventListener("click", async () => {
      const d = await api("GET", `/api/policies/diff?to=${v.version}`);
      $("history-diff").textContent = d.json.diff || "(no differences)";
    });
    cell.appendChild(diff);
    if (v.version !== state.published.version) {
      const back = document.createElement("button");
      back.textContent = `Roll back to ${v.version}`;
      back.className = "rollback";
      back.addEventListener("click", () => rollback(v.version));
      cell.appendChild(back);
    }
  }
}

async function rollback(version) {
  const say = speaker();
  const body = { to_version: version, base_version: state.published.version };
  const r = await withConfirmation("POST", "/api/policies/rollback", body, `Roll back to version ${version}?`);
  if (r.status === 0) { say("Not rolled back: cancelled, nothing changed.", false); return; }
  if (r.status === 201) {
    say(`Rolled back: version ${r.json.version} publishes version ${version} again.`, true);
    await load(false);
  } else {
    say(`Not rolled back: ${r.json.message}`, false);
    if (r.status === 409) $("reload").hidden = false;
  }
}

// ── wiring ─────────────────────────────────────────────────────────────────────────────────────

function showTab(name) {
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.tab === name);
  for (const s of document.querySelectorAll(".tab")) s.hidden = s.id !== `tab-${name}`;
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", logout);
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  $("file").addEventListener("change", () => { state.file = $("file").value; showFile(); validate(); });
  $("source").addEventListener("input", onEdit);
  $("source").addEventListener("scroll", () => { $("gutter").scrollTop = $("source").scrollTop; });
  $("publish").addEventListener("click", publish);
  $("discard").addEventListener("click", discard);
  $("reload").addEventListener("click", () => {
    const say = speaker();
    load(false).then(() => say("Reloaded the published version; redo your change.", true));
  });
  $("apply-forms").addEventListener("click", applyForms);
  $("msg-lang").addEventListener("change", fillMessageKeys);
  $("msg-key").addEventListener("change", showMessage);
  $("scenario").addEventListener("change", () => { $("scenario-description").textContent = state.scenarios[$("scenario").value] || ""; });
  for (const r of document.querySelectorAll("input[name=pv-kind]")) {
    r.addEventListener("change", () => { $("typed").hidden = r.value !== "typed" || !r.checked; });
  }
  $("run-preview").addEventListener("click", runPreview);
  if (state.token) login();
});
