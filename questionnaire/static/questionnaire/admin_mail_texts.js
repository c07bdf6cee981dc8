// A round's mail texts: the preview on the form follows what staff type, before they save (issue 22).
// The server renders it (questionnaire/admin/mail_texts.py) with the function the real mail uses
// and escapes everything staff typed; without this script the preview shows the saved texts.
(function () {
  "use strict";
  var NAMES = ["invitation_subject", "invitation_text", "reminder_subject", "reminder_text"];
  var WAIT_MS = 400; // after the last key press, so that typing does not ask once per letter

  function start() {
    var preview = document.getElementById("mail-preview");
    var form = preview && preview.closest("form");
    if (!form || !preview.dataset.url) { return; }
    var fields = NAMES.map(function (name) { return form.elements[name]; }).filter(function (field) {
      return field && typeof field.value === "string";
    });
    if (!fields.length) { return; } // a reader's form: the texts are not editable
    var timer = null;
    var asked = 0;

    function refresh() {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
      fields.forEach(function (field) { data.append(field.name, field.value); });
      var mine = ++asked;
      preview.setAttribute("aria-busy", "true");
      fetch(preview.dataset.url, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (answer) {
          if (!answer.ok) { throw new Error(String(answer.status)); }
          return answer.json();
        })
        .then(function (answer) {
          if (mine === asked) { preview.innerHTML = answer.html; } // escaped by the server
        })
        .catch(function () { /* the last preview stays; saving shows the texts as they are */ })
        .then(function () { if (mine === asked) { preview.removeAttribute("aria-busy"); } });
    }

    fields.forEach(function (field) {
      field.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(refresh, WAIT_MS);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
