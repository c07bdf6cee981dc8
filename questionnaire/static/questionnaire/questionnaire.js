// Enhancements of the questionnaire pages; every page works without them.
(function () {
  "use strict";
  // Bring keyboard and screen-reader users straight to the list of errors.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  // Show or hide questions live as the library answers, mirroring the server's
  // conditions (questionnaire/conditions.py). The server decides in the end: a
  // hidden question's value is discarded there.
  var form = document.querySelector("form.questionnaire-form");
  if (!form) { return; }

  function valuesOf(code) {
    var inputs = form.querySelectorAll('[name="' + code + '"]');
    var values = [];
    inputs.forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      if (input.value.trim() !== "") { values.push(input.value); }
    });
    return values;
  }

  function conditionMet(condition) {
    var values = valuesOf(condition.question);
    if (condition.any_of) {
      return condition.any_of.some(function (code) { return values.indexOf(code) !== -1; });
    }
    return values.length > 0;
  }

  var dependents = Array.prototype.slice.call(form.querySelectorAll("[data-show-if]"));

  function update() {
    dependents.forEach(function (element) {
      var shown = conditionMet(JSON.parse(element.getAttribute("data-show-if")));
      element.hidden = !shown;
      element.querySelectorAll("input, textarea, select").forEach(function (input) { input.disabled = !shown; });
    });
  }

  dependents.forEach(function (element) {
    var note = element.querySelector(".condition-note");
    if (note) { note.hidden = true; }  // the live behaviour says it already
  });
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
