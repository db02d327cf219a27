/*
 * A new ticket's extra fields (ticket forms): of every category's and
 * type's form, only those of the category and type chosen are shown and
 * sent. Without this file every form shows, each saying whom it is for,
 * and the server reads only the chosen one's.
 */
(function () {
  "use strict";

  var category = document.getElementById("category");
  var type = document.getElementById("type");
  var groups = document.querySelectorAll("fieldset.form-group");
  var hint = document.getElementById("form-fields-hint");

  if (!category || !type || !groups.length) {
    return;
  }

  function sync() {
    var i, k, g, on, inputs;

    for (i = 0; i < groups.length; i++) {
      g = groups[i];
      on = g.getAttribute("data-category") === category.value
           && (g.getAttribute("data-type") === "any"
               || g.getAttribute("data-type") === type.value);
      g.hidden = !on;
      inputs = g.querySelectorAll("input, select, textarea");

      for (k = 0; k < inputs.length; k++) {
        inputs[k].disabled = !on;
      }
    }
  }

  if (hint) {
    hint.hidden = true;
  }

  category.addEventListener("change", sync);
  type.addEventListener("change", sync);
  sync();
})();
