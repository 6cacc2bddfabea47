/* Reflection drafts: autosave through HTMX, and never lose text.
 *
 * Every keystroke is copied to localStorage first. HTMX posts the form to the
 * draft endpoint after a pause in typing and when a field loses focus. A
 * successful save clears the browser copy; a failed one (offline, logged out,
 * refused) says so plainly and keeps it. When the page loads with a browser copy
 * that differs from what the server has, the copy is put back and saved.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-key]");
  if (!form) return;
  var key = form.dataset.draftKey;
  var status = document.getElementById("save-status");
  var problem = document.getElementById("save-problem");
  var texts = document.getElementById("draft-messages").dataset;
  var fields = Array.prototype.slice.call(form.querySelectorAll("textarea"));

  function values() {
    var result = {};
    fields.forEach(function (field) { result[field.name] = field.value; });
    return result;
  }

  function remember() {
    try {
      localStorage.setItem(key, JSON.stringify({ fields: values(), at: Date.now() }));
    } catch (e) { /* storage full or blocked: the server copy still counts */ }
  }

  function forget() {
    try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
  }

  function format(template, data) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return data[name]; });
  }

  function countWords(field) {
    var n = field.value.trim() ? field.value.trim().split(/\s+/).length : 0;
    var min = parseInt(field.dataset.minWords || "0", 10);
    var max = parseInt(field.dataset.maxWords || "0", 10);
    var out = document.getElementById(field.id + "-count");
    var text = format(texts.words, { n: n });
    var state = "ok";
    if (max && n > max) { text = format(texts.tooMany, { n: n, max: max }); state = "over"; }
    else if (n > 0 && n < min) { text = format(texts.tooFew, { n: n, min: min }); state = "under"; }
    out.textContent = text;
    out.dataset.state = state;
  }

  function showProblem(message, withLogin) {
    problem.textContent = message + " ";
    if (withLogin) {
      var link = document.createElement("a");
      link.href = form.dataset.loginUrl;
      link.textContent = texts.logIn;
      problem.appendChild(link);
    }
    problem.hidden = false;
    status.hidden = true;
  }

  function clearProblem() {
    problem.hidden = true;
    problem.textContent = "";
    status.hidden = false;
  }

  fields.forEach(function (field) {
    countWords(field);
    field.addEventListener("input", function () {
      remember();
      countWords(field);
      if (problem.hidden) { status.textContent = texts.pending; }
    });
  });

  // Put back text that only this browser still has (after a failed save or a logout).
  try {
    var stored = JSON.parse(localStorage.getItem(key) || "null");
    if (stored && stored.fields) {
      var differs = fields.some(function (field) {
        return field.name in stored.fields && stored.fields[field.name] !== field.value;
      });
      if (differs) {
        fields.forEach(function (field) {
          if (field.name in stored.fields) { field.value = stored.fields[field.name]; countWords(field); }
        });
        status.textContent = texts.restored;
        // Save it once HTMX has set up the form (it does so when the page has loaded).
        window.addEventListener("load", function () {
          if (window.htmx) { window.htmx.trigger(form, "focusout"); }
        });
      } else {
        forget();
      }
    }
  } catch (e) { /* unreadable copy: ignore */ }

  var lastSent = null;
  form.addEventListener("htmx:configRequest", function () { lastSent = JSON.stringify(values()); });
  form.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (event.detail.successful) {
      clearProblem();
      // Forget the browser copy only if nothing was typed after this save left.
      if (lastSent === JSON.stringify(values())) { forget(); }
      return;
    }
    remember();
    if (!xhr || xhr.status === 0) { showProblem(texts.offline, false); }
    else if (xhr.status === 401) { showProblem(texts.loggedOut, true); }
    else { showProblem(texts.refused, xhr.status === 403); }
  });
  form.addEventListener("htmx:sendError", function () { remember(); showProblem(texts.offline, false); });
  // The real submit leaves the page; the server saves the text before checking it.
  form.addEventListener("submit", function () { remember(); });
})();
