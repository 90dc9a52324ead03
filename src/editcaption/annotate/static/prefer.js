// Prefer: c marks the model's instruction correct; e starts a correction; o/v/d pick the
// failure type and 0/1/2 the severity.
(function () {
  "use strict";
  var form = document.getElementById("task-form");
  var correct = document.getElementById("verdict-correct"), corrected = document.getElementById("verdict-corrected");
  var box = document.getElementById("correction");
  var fields = box.querySelectorAll("textarea, input");

  function sync() {
    var on = corrected.checked;
    box.setAttribute("data-off", on ? "0" : "1");
    fields.forEach(function (f) { f.disabled = !on; f.required = on; });
  }
  correct.addEventListener("change", sync);
  corrected.addEventListener("change", sync);
  sync();

  var S = window.Studio, G = "Prefer";
  S.bind("c", G, "The model's instruction is correct", function () { correct.checked = true; sync(); });
  S.beforeEdit = function () { corrected.checked = true; sync(); };
  form.querySelectorAll("input[name=error_type], input[name=severity]").forEach(function (input) {
    var what = input.name === "error_type" ? "Failure type: " : "Severity: ";
    S.bind(input.getAttribute("data-key"), G, what + input.value, function () {
      corrected.checked = true; sync(); input.checked = true;
    });
  });
})();
