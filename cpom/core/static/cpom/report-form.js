// Flags, as she types, a figure that breaks a rule: negative or not a whole number, an "of which" above its
// total, a date after the reported year. The server checks the same rules again on save.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  var box = document.getElementById("live-problems");
  if (!form || !box) { return; }

  function number(input) {
    var raw = input.value.replace(/[\s\u202f\u00a0]/g, "");
    if (raw === "") { return null; }
    return /^\d+$/.test(raw) ? parseInt(raw, 10) : NaN;
  }

  function dateProblem(input) {
    var raw = input.value.trim();
    if (raw === "") { return ""; }
    var m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(raw);
    if (!m) { return "« " + raw + " » n'est pas une date au format JJ/MM/AAAA."; }
    if (parseInt(m[3], 10) > parseInt(input.dataset.year, 10)) {
      return "la date est postérieure à l'année suivie (" + input.dataset.year + ").";
    }
    return "";
  }

  function check() {
    var problems = [];
    var byName = {};
    form.querySelectorAll("input[data-kind]").forEach(function (input) { byName[input.name] = input; });
    form.querySelectorAll("input[data-kind]").forEach(function (input) {
      var message = "";
      if (input.dataset.kind === "integer") {
        var value = number(input);
        if (Number.isNaN(value)) {
          message = "ce n'est pas un nombre entier positif ou nul.";
        } else if (value !== null && input.dataset.parent && byName[input.dataset.parent]) {
          var total = number(byName[input.dataset.parent]);
          if (total !== null && !Number.isNaN(total) && value > total) {
            message = value + " dépasse son total (" + total + ").";
          }
        }
      } else {
        message = dateProblem(input);
      }
      input.setAttribute("aria-invalid", message ? "true" : "false");
      input.closest(".fr-input-group").classList.toggle("fr-input-group--error", Boolean(message));
      if (message) { problems.push(input.dataset.label + " : " + message); }
    });
    var list = box.querySelector("ul");
    list.innerHTML = "";
    problems.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
    box.hidden = problems.length === 0;
  }

  form.addEventListener("input", check);
})();
