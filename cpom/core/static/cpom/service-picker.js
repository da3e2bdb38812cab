// Search-as-you-type for the service picker of a new contract. Without JavaScript the page is a plain list of
// checkboxes with a filter form (GET); with it, typing hides the services that do not match and the live region
// says how many remain. Ticked services always stay visible.
(function () {
  "use strict";
  var input = document.getElementById("service-filter");
  var list = document.getElementById("service-choices");
  var count = document.getElementById("service-count");
  if (!input || !list || !count) return;
  var fold = function (text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, "").toLowerCase();
  };
  var items = Array.prototype.map.call(list.querySelectorAll("input[type=checkbox]"), function (box) {
    var label = list.querySelector("label[for='" + box.id + "']");
    var holder = box.closest(".fr-checkbox-group, .fr-fieldset__element") || box.parentElement;
    return { box: box, holder: holder, text: fold(label ? label.textContent : "") };
  });
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var wanted = fold(input.value);
      var shown = 0;
      items.forEach(function (item) {
        var visible = !wanted || item.box.checked || item.text.indexOf(wanted) !== -1;
        item.holder.hidden = !visible;
        if (visible) shown += 1;
      });
      count.textContent = shown + (shown > 1 ? " services affichés." : " service affiché.");
    }, 150);
  });
})();
