// Home page: a queue's number starts it.
(function () {
  "use strict";
  var forms = Array.prototype.slice.call(document.querySelectorAll("form.start-queue"));
  if (!forms.length) return;
  var keys = forms.slice(0, 9).map(function (f) { return f.getAttribute("data-index"); });
  window.Studio.bind(keys, "Queues", "Start the queue with this number", function (ev) {
    var form = forms[Number(ev.key) - 1];
    if (form) form.requestSubmit();
  });
})();
