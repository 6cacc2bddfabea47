/* Reflection drafts: autosave through HTMX, and never lose text or overwrite newer text.
 *
 * Every keystroke is copied to localStorage as {fields, base, at}: the text, the
 * version of the stored text it was edited from, and when. HTMX posts the form to
 * the draft endpoint after a pause in typing and when a field loses focus, with the
 * version the page holds; a form that equals what the server already has is not
 * sent. The server refuses a save based on an older version (another window or
 * device saved meanwhile): the page then keeps the text on screen and in the
 * browser, says why, and stops autosaving.
 *
 * When the page loads with a browser copy that differs from the stored text, the
 * copy is offered back if it was edited from the stored version; if the stored
 * text is newer, the copy is only shown, read-only, next to it. Nothing is put
 * back without the person choosing to.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-key]");
  if (!form) return;
  var key = form.dataset.draftKey;
  var status = document.getElementById("save-status");
  var problem = document.getElementById("save-problem");
  var version = document.getElementById("draft-version");
  var texts = document.getElementById("draft-messages").dataset;
  var fields = Array.prototype.slice.call(form.querySelectorAll("textarea"));

  var saved = snapshot(); // what the server holds, as far as this page knows
  var sending = null; // the text of the autosave under way
  var stopped = false; // refused as stale or closed: autosaving again would not help
  var waiting = false; // a submit waits for the answer to the autosave under way
  var submitter = null; // the button that submit came from
  var submitting = false; // the page is being submitted: an autosave now would race it

  function values() {
    var result = {};
    fields.forEach(function (field) { result[field.name] = field.value; });
    return result;
  }

  function snapshot() { return JSON.stringify(values()); }

  function currentVersion() { return parseInt(version.value, 10) || 0; }

  function remember() {
    try {
      localStorage.setItem(
        key, JSON.stringify({ fields: values(), base: currentVersion(), at: Date.now() })
      );
    } catch (e) { /* storage full or blocked: the server copy still counts */ }
  }

  function stored() {
    try {
      var copy = JSON.parse(localStorage.getItem(key) || "null");
      return copy && copy.fields ? copy : null;
    } catch (e) { return null; }
  }

  function forget() {
    try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
  }

  // Only the copy of the text just saved: another tab may have stored newer text meanwhile.
  function forgetIfSaved(text) {
    var copy = stored();
    if (copy && JSON.stringify(copy.fields) === text) { forget(); }
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

  function setVersion(value) {
    version.value = value;
    form.dataset.serverVersion = value;
  }

  function saveNow() {
    if (window.htmx) { window.htmx.trigger(form, "focusout"); }
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  // --- A browser copy left from earlier (offline, logged out, another tab) -------------

  function labelOf(field) {
    var label = form.querySelector("label[for='" + field.id + "']");
    return label ? label.textContent.replace(/\s+/g, " ").trim() : field.name;
  }

  function offer(copy, differing, older) {
    var notice = element("div", { "class": "panel draft-notice", id: "draft-notice" });
    notice.appendChild(element("p", { role: "alert" }, older ? texts.offerOlder : texts.offerRestore));
    if (older) {
      differing.forEach(function (field) {
        var id = "draft-local-" + field.id;
        notice.appendChild(element("label", { "for": id }, format(texts.localCopy, { label: labelOf(field) })));
        var area = element("textarea", { id: id, rows: "8", readonly: "" });
        area.value = copy.fields[field.name];
        notice.appendChild(area);
      });
    }
    var actions = element("p", { "class": "draft-notice-actions" });
    if (!older) {
      var restore = element("button", { type: "button", "class": "button" }, texts.restore);
      restore.addEventListener("click", function () {
        fields.forEach(function (field) {
          if (typeof copy.fields[field.name] === "string") {
            field.value = copy.fields[field.name];
            countWords(field);
          }
        });
        remember();
        notice.remove();
        status.textContent = texts.restored;
        saveNow();
        fields[0].focus();
      });
      actions.appendChild(restore);
    }
    var discard = element("button", { type: "button", "class": "button" }, texts.discard);
    discard.addEventListener("click", function () {
      // Only the copy offered: text typed since belongs to this page.
      var now = stored();
      if (now && JSON.stringify(now.fields) === JSON.stringify(copy.fields)) { forget(); }
      notice.remove();
      fields[0].focus();
    });
    actions.appendChild(discard);
    notice.appendChild(actions);
    form.parentNode.insertBefore(notice, form);
  }

  function checkBrowserCopy() {
    var copy = stored();
    if (!copy) return;
    var differing = fields.filter(function (field) {
      var text = copy.fields[field.name];
      return typeof text === "string" && text !== field.value;
    });
    if (!differing.length) { forget(); return; }
    // Edited from the stored text: offer it back. Edited from older text (or from a copy
    // that does not say): the stored text is newer, so the copy is only shown.
    offer(copy, differing, copy.base !== currentVersion());
  }

  // --- Typing, autosave and its answers -------------------------------------------------

  fields.forEach(function (field) {
    countWords(field);
    field.addEventListener("input", function () {
      remember();
      countWords(field);
      if (problem.hidden) { status.textContent = texts.pending; }
    });
  });

  checkBrowserCopy();

  // Nothing to send when the server has this text already, nor once refused for good.
  form.addEventListener("htmx:confirm", function (event) {
    if (stopped || waiting || submitting || snapshot() === saved) { event.preventDefault(); }
  });
  form.addEventListener("htmx:configRequest", function () { sending = snapshot(); });

  form.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var text = sending;
    sending = null;
    if (event.detail.successful) {
      var next = xhr.getResponseHeader("X-Draft-Version");
      if (next) { setVersion(next); }
      saved = text;
      clearProblem();
      if (snapshot() === saved) { forgetIfSaved(saved); }
      else { remember(); } // typed on while saving: the copy now builds on the new version
    } else if (xhr && xhr.status) {
      refused(xhr);
    }
    // No status: offline or cancelled; htmx:sendError says offline, every keystroke is kept.
    if (waiting) { submitWaiting(); }
  });
  form.addEventListener("htmx:sendError", function () { showProblem(texts.offline, false); });

  function refused(xhr) {
    var reason = xhr.getResponseHeader("X-Draft-Refused");
    remember();
    if (xhr.status === 401) { showProblem(texts.loggedOut, true); return; }
    if (xhr.status === 409 || xhr.status === 413) {
      // The server's own words, in the person's language; shown as text, never as HTML.
      showProblem((xhr.responseText || "").trim() || texts.refused, false);
      // Newer text was saved elsewhere, or the work was submitted: keep typing locally only.
      if (reason === "stale" || reason === "closed") { stopped = true; }
      return;
    }
    showProblem(texts.refused, xhr.status === 403);
  }

  // Back online: save what was written meanwhile.
  window.addEventListener("online", function () {
    if (!stopped && snapshot() !== saved) { saveNow(); }
  });

  // --- The real submit ---------------------------------------------------------------

  function focusProblem() {
    problem.setAttribute("tabindex", "-1");
    problem.focus();
  }

  function submitWaiting() {
    var button = submitter;
    waiting = false;
    submitter = null;
    if (stopped) { focusProblem(); return; }
    if (form.requestSubmit) { form.requestSubmit(button || undefined); return; }
    submitting = true;
    form.submit();
  }

  // Leaving a field to click "Submit" starts an autosave; submitting before its answer
  // arrives would send the version it replaces and be refused as stale. Wait for it.
  form.addEventListener("submit", function (event) {
    if (stopped) {
      event.preventDefault();
      focusProblem();
      return;
    }
    if (sending !== null) {
      event.preventDefault();
      waiting = true;
      submitter = event.submitter || null;
      return;
    }
    submitting = true;
  });
  // Back from the next page (the browser kept this one): the submit did not happen here.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { submitting = false; }
  });
})();
