// Task forms: a submission token made here (resent on any retry), one submit per page,
// Ctrl+Enter to submit, e to edit, n to skip.
(function () {
  "use strict";
  var form = document.getElementById("task-form");
  if (!form) return;
  var token = document.getElementById("submission-token");
  if (token && !token.value) {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    token.value = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  var sent = false;
  form.addEventListener("submit", function (ev) {
    if (sent) { ev.preventDefault(); return; }  // a double click sends once (the token covers retries)
    // A task may take the submit for a step of its own (judge: continue to the next level).
    if (typeof window.Studio.beforeSubmit === "function" && window.Studio.beforeSubmit() === false) {
      ev.preventDefault();
      return;
    }
    sent = true;
    // Disable after the browser has collected the form data (a disabled submitter is fine then).
    setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  window.Studio.submitTask = function () { form.requestSubmit(); };

  var S = window.Studio, G = "Task";
  S.bind("Ctrl+Enter", G, "Submit (or continue to the next level when judging)", function () { S.submitTask(); },
         { inText: true });
  S.bind("e", G, "Edit the text (cursor at the end)", function () {
    var editor = form.querySelector("[data-editor]");
    if (!editor) return false;
    if (typeof S.beforeEdit === "function") S.beforeEdit();
    editor.focus();
    editor.setSelectionRange(editor.value.length, editor.value.length);
  });
  var skip = document.getElementById("skip-form");
  if (skip) S.bind("n", G, "Skip this item (it goes back to the queue; Ctrl+Z on the next item undoes it)",
                   function () { skip.requestSubmit(); });
  var undo = document.getElementById("undo-form");
  if (undo) S.bind("Ctrl+Z", G, "Undo the skip of the previous item", function () { undo.requestSubmit(); });
  var verified = document.getElementById("verified");
  if (verified) S.bind("v", G, "Verified on/off", function () { verified.checked = !verified.checked; });
})();
