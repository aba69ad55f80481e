// Adds rows to a repeatable group in the page. Without JavaScript the page already offers
// empty rows, and a saved draft comes back with more; this only saves a round trip.
(function () {
  "use strict";
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var prefix = button.getAttribute("data-add-row");
    var maxRows = parseInt(button.getAttribute("data-max-rows"), 10) || 10;
    var fieldset = button.closest("fieldset");
    var total = fieldset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var rows = fieldset.querySelector("[data-group-rows]");
    var template = fieldset.querySelector("template[data-empty-row]");
    if (!total || !rows || !template) { return; }

    function filledRows() {
      return Array.prototype.filter.call(rows.querySelectorAll("[data-group-row]"), function (row) {
        return Array.prototype.some.call(row.querySelectorAll("input, textarea, select"), function (input) {
          if (input.name.slice(-7) === "-DELETE") { return false; }
          return (input.type === "radio" || input.type === "checkbox") ? input.checked : input.value !== "";
        });
      }).length;
    }

    function refresh() { button.disabled = filledRows() >= maxRows; }

    button.hidden = false;
    refresh();
    fieldset.addEventListener("input", refresh);
    fieldset.addEventListener("change", refresh);
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = rows.lastElementChild.querySelector("input, textarea, select");
      if (first) { first.focus(); }
      refresh();
    });
  });
})();
