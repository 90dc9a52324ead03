// Keyboard shortcuts for the studio: one registry, one listener, and the help overlay built
// from the registry (so the overlay always lists exactly what is bound).
(function () {
  "use strict";
  var bindings = [];

  function isTextField(el) {
    if (!el) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return ["text", "password", "search", "email", "url", "number", "tel"].indexOf(el.type) >= 0;
  }

  // "Ctrl+Enter", "Shift+B", "b", "?", "ArrowLeft": letters compare case-insensitively with the
  // Shift state; other keys compare by the character produced (so "?" needs no "Shift+").
  function matches(combo, ev) {
    var parts = combo.split("+");
    var key = parts.pop() || "+";
    var ctrl = parts.indexOf("Ctrl") >= 0, shift = parts.indexOf("Shift") >= 0, alt = parts.indexOf("Alt") >= 0;
    if ((ev.ctrlKey || ev.metaKey) !== ctrl || ev.altKey !== alt) return false;
    if (key.length === 1 && /[a-z]/i.test(key)) {
      return ev.key.toLowerCase() === key.toLowerCase() && ev.shiftKey === shift;
    }
    return ev.key === key;
  }

  function bind(combo, group, description, handler, options) {
    bindings.push({ combos: [].concat(combo), group: group, description: description, handler: handler,
                    inText: !!(options && options.inText) });
  }

  function onKey(ev) {
    if (ev.defaultPrevented || ev.isComposing) return;
    var inText = isTextField(document.activeElement);
    for (var i = 0; i < bindings.length; i++) {
      var b = bindings[i];
      if (inText && !b.inText) continue;
      for (var j = 0; j < b.combos.length; j++) {
        if (matches(b.combos[j], ev)) {
          if (b.handler(ev) !== false) ev.preventDefault();
          return;
        }
      }
    }
  }

  var help = document.getElementById("help");
  function toggleHelp(show) {
    if (!help) return;
    var open = show === undefined ? help.hidden : show;
    if (open) renderHelp();
    help.hidden = !open;
  }
  function renderHelp() {
    var body = help.querySelector("tbody");
    while (body.firstChild) body.removeChild(body.firstChild);
    var groups = [];
    bindings.forEach(function (b) { if (groups.indexOf(b.group) < 0) groups.push(b.group); });
    groups.forEach(function (g) {
      var head = document.createElement("tr"), th = document.createElement("th");
      th.colSpan = 2; th.textContent = g; head.appendChild(th); body.appendChild(head);
      bindings.filter(function (b) { return b.group === g; }).forEach(function (b) {
        var tr = document.createElement("tr"), keys = document.createElement("td"), what = document.createElement("td");
        b.combos.forEach(function (c, n) {
          if (n) keys.appendChild(document.createTextNode(" / "));
          var k = document.createElement("kbd"); k.textContent = c; keys.appendChild(k);
        });
        what.textContent = b.description;
        tr.appendChild(keys); tr.appendChild(what); body.appendChild(tr);
      });
    });
  }

  bind("?", "General", "Show or hide this help", function () { toggleHelp(); });
  bind("Escape", "General", "Close the help, or leave the text box", function () {
    if (help && !help.hidden) { toggleHelp(false); return; }
    if (isTextField(document.activeElement)) { document.activeElement.blur(); return; }
    return false;
  }, { inText: true });

  var button = document.getElementById("help-button");
  if (button) button.addEventListener("click", function () { toggleHelp(); });
  if (help) help.addEventListener("click", function (ev) { if (ev.target === help) toggleHelp(false); });
  document.addEventListener("keydown", onKey);

  window.Studio = { bind: bind, isTextField: isTextField, toggleHelp: toggleHelp };
})();
