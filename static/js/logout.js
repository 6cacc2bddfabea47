/* Logging out forgets the reflection drafts this browser kept (localStorage keys
 * "kb-draft-…"), so the next person at this computer cannot read them.
 *
 * Only a deliberate logout (a form marked data-forget-drafts) does this: when a
 * session merely expires, the copy stays, to be offered back after logging in.
 */
(function () {
  "use strict";
  var PREFIX = "kb-draft-";

  function forgetDrafts() {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var name = localStorage.key(i);
        if (name && name.indexOf(PREFIX) === 0) { localStorage.removeItem(name); }
      }
    } catch (e) { /* storage blocked: there is nothing to forget */ }
  }

  document.addEventListener("submit", function (event) {
    if (event.target.matches("form[data-forget-drafts]")) { forgetDrafts(); }
  });
})();
