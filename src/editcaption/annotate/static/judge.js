// Judge: the Table 6 checklist one level at a time. A ticked P0 ends the item (P1 and P2
// are never shown); otherwise P1, then P2. The server checks the same rule again.
(function () {
  "use strict";
  var form = document.getElementById("task-form");
  var stages = Array.prototype.slice.call(form.querySelectorAll("fieldset.stage"));
  var levelInput = document.getElementById("level");
  var status = document.getElementById("judge-status");
  var button = document.getElementById("judge-continue");
  var current = 0;

  function ticked(stage) { return stage.querySelectorAll("input[type=checkbox]:checked").length > 0; }
  function levelSoFar() {
    for (var i = 0; i <= current; i++) if (ticked(stages[i])) return stages[i].getAttribute("data-level");
    return "correct";
  }
  function p0Ticked() { return ticked(stages[0]); }
  function finalStep() { return current === stages.length - 1 || (current === 0 && p0Ticked()); }

  function render() {
    stages.forEach(function (stage, i) {
      var state = i < current ? "done" : i === current ? "current" : "locked";
      stage.setAttribute("data-state", state);
      stage.hidden = state === "locked";
      stage.disabled = state === "locked";  // locked rows are neither shown nor sent
      stage.inert = state === "done";       // earlier rows are kept (and sent) but not editable
    });
    var level = levelSoFar();
    levelInput.value = finalStep() ? level : "";
    status.textContent = "Level so far: " + level + (current === 0 && p0Ticked() ? " — a P0 ends this item" : "");
    var label = finalStep() ? "Submit: " + level : "Continue to " + stages[current + 1].getAttribute("data-level");
    button.firstChild.textContent = label + " ";
    form.setAttribute("data-stage", stages[current].getAttribute("data-level"));
  }

  // Ticking a P0 row clears anything ticked at lower levels (they no longer count).
  stages[0].addEventListener("change", function () {
    if (p0Ticked()) {
      stages.slice(1).forEach(function (s) { s.querySelectorAll("input:checked").forEach(function (c) { c.checked = false; }); });
    }
    render();
  });
  stages.slice(1).forEach(function (s) { s.addEventListener("change", render); });

  // Continue to the next level, or submit when this is the last step.
  window.Studio.beforeSubmit = function () {
    if (finalStep()) { levelInput.value = levelSoFar(); return true; }
    current += 1;
    render();
    return false;
  };

  var S = window.Studio, G = "Judge";
  S.bind(["1", "2", "3", "4", "5", "6", "7", "8"], G, "Tick or untick a row of the current level (its Table 6 number)",
         function (ev) {
    var box = stages[current].querySelector("input[data-key='" + ev.key + "']");
    if (!box) return;
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  });
  S.bind("u", G, "Back to the previous level", function () {
    if (current === 0) return;
    stages[current].querySelectorAll("input:checked").forEach(function (c) { c.checked = false; });
    current -= 1;
    render();
  });
  render();
})();
