/* The job aid's print button: hidden in the HTML, so a page without this script
 * shows no button that does nothing (its hint names the browser's print command);
 * with it, the button opens the browser's print dialog. The print layout itself is
 * CSS (@media print in app.css).
 */
(function () {
  "use strict";
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
