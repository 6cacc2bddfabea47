/* The grading page: the rubric's total as levels are chosen, and the comment bank.
 *
 * Everything works without this file (the server adds up the total and lists the
 * snippets); with it, the total follows each choice and a snippet goes in at the
 * cursor with one click.
 */
(function () {
  "use strict";

  function updateTotal(form) {
    var output = form.querySelector("[data-rubric-total]");
    if (!output) return;
    var total = 0;
    form.querySelectorAll("input[type=radio][data-points]:checked").forEach(function (radio) {
      total += parseInt(radio.getAttribute("data-points"), 10) || 0;
    });
    output.textContent = String(total);
  }

  function rememberSelection(form, textarea) {
    var hidden = form.querySelector("#snippet-text");
    if (!hidden) return;
    hidden.value = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
  }

  function insertAtCursor(textarea, text, touched) {
    var start = touched ? textarea.selectionStart : textarea.value.length;
    var end = touched ? textarea.selectionEnd : textarea.value.length;
    var before = textarea.value.slice(0, start);
    if (before && !/\s$/.test(before)) text = (touched ? " " : "\n\n") + text;
    textarea.setRangeText(text, start, end, "end");
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function init() {
    var form = document.querySelector("form[data-grading]");
    if (!form) return;
    var textarea = form.querySelector("#grading-comment");
    var touched = false;
    form.classList.add("has-js");

    form.addEventListener("change", function (event) {
      if (event.target.matches("input[type=radio][data-points]")) updateTotal(form);
    });
    updateTotal(form);

    if (textarea) {
      ["select", "keyup", "mouseup", "input", "focus"].forEach(function (name) {
        textarea.addEventListener(name, function () {
          touched = true;
          rememberSelection(form, textarea);
        });
      });
    }

    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-insert-snippet]");
      if (!button || !textarea) return;
      var source = document.getElementById(button.getAttribute("data-insert-snippet"));
      if (!source) return;
      insertAtCursor(textarea, source.textContent, touched);
      touched = true;
      rememberSelection(form, textarea);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
