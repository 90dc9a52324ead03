// Drafts: what is typed into a task form is kept at once in this browser and, a moment later,
// on the server (restored on any device). When the session has ended elsewhere the server
// refuses the save; the text stays in this browser, a "log in again" link is shown, and the
// page opened after the login puts the text back and saves it.
(function () {
  "use strict";
  var form = document.getElementById("task-form");
  if (!form || !form.getAttribute("data-draft-url")) return;
  var url = form.getAttribute("data-draft-url");
  var key = "ec-draft:" + form.getAttribute("action");
  var status = document.getElementById("draft-state");
  var ended = document.getElementById("session-ended");
  var meta = document.querySelector("meta[name=csrf-token]");
  var csrf = meta ? meta.getAttribute("content") : "";
  var SKIP = { csrf_token: true, submission_token: true };
  var DELAY_MS = 1000, KEEP_DAYS = 14;  // one save per pause in typing: at most ~1 write a second per person
  var timer = null, inflight = false, again = false, dead = false;
  var serverAt = form.getAttribute("data-draft-at") || "";

  // Every named field, disabled ones included (the prefer form disables its correction while
  // "correct" is ticked; what was typed there is still kept).
  function fields() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.tagName === "BUTTON") return;
      var list = out[el.name] || (out[el.name] = []);
      if (el.type === "checkbox" || el.type === "radio") { if (el.checked) list.push(el.value); }
      else list.push(el.value);
    });
    return out;
  }

  function apply(values) {
    var toggles = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.tagName === "BUTTON" || !(el.name in values)) return;
      var v = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") { el.checked = v.indexOf(el.value) >= 0; toggles.push(el); }
      else if (el.type !== "hidden") el.value = v.length ? v[0] : "";
    });
    // let the task's own script bring its controls in line with the restored choices
    toggles.forEach(function (el) { el.dispatchEvent(new Event("change", { bubbles: true })); });
  }

  function readLocal() {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function writeLocal(entry) {
    try { window.localStorage.setItem(key, JSON.stringify(entry)); } catch (e) { /* storage full or off */ }
  }
  function stash(synced) { writeLocal({ fields: fields(), base: serverAt, synced: synced, at: Date.now() }); }
  function show(text) { if (status) status.textContent = text; }

  function sessionEnded() {
    dead = true;
    if (ended) ended.hidden = false;
    form.setAttribute("data-session", "ended");
    show("Not saved on the server: your session has ended. Kept in this browser.");
  }

  function send() {
    timer = null;
    if (dead) return;
    if (inflight) { again = true; return; }
    inflight = true;
    var sent = fields(), body = JSON.stringify({ fields: sent });
    fetch(url, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf }
    }).then(function (r) {
      if (r.status === 401 || r.status === 403) { sessionEnded(); return null; }
      if (!r.ok) { show("Draft not saved on the server (" + r.status + "); kept in this browser."); return null; }
      return r.json();
    }).then(function (data) {
      if (!data) return;
      serverAt = data.saved_at;
      var entry = readLocal();
      var same = entry && JSON.stringify(entry.fields) === JSON.stringify(sent);
      writeLocal({ fields: entry ? entry.fields : sent, base: serverAt, synced: !!same, at: Date.now() });
      form.setAttribute("data-draft-at", serverAt);
      show("Draft saved " + new Date().toLocaleTimeString());
    }).catch(function () {
      show("Offline: the draft is kept in this browser and saved when the server answers.");
    }).then(function () {
      inflight = false;
      if (again) { again = false; send(); }
    });
  }

  function edited() {
    stash(false);
    if (timer) clearTimeout(timer);
    timer = setTimeout(send, DELAY_MS);
  }

  // Forget old entries of this browser (a submitted item's page never restores its draft again).
  try {
    var cutoff = Date.now() - KEEP_DAYS * 864e5;
    for (var i = window.localStorage.length - 1; i >= 0; i--) {
      var k = window.localStorage.key(i);
      if (!k || k.indexOf("ec-draft:") !== 0 || k === key) continue;
      var e = JSON.parse(window.localStorage.getItem(k) || "null");
      if (!e || !e.at || e.at < cutoff) window.localStorage.removeItem(k);
    }
  } catch (e) { /* storage off */ }

  // Text typed here that never reached the server (and no newer draft came from elsewhere) comes back.
  var local = readLocal();
  if (local && !local.synced && local.base === serverAt && JSON.stringify(local.fields) !== JSON.stringify(fields())) {
    apply(local.fields);
    show("Restored what you typed before the session ended; saving it.");
    form.setAttribute("data-restored", "local");
    send();
  } else if (local && local.synced) {
    window.localStorage.removeItem(key);
  }

  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  form.addEventListener("submit", function () { stash(false); });
})();
