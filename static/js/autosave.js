// Autosaving forms (form[data-autosave], ELEVATE and instrument items): written answers save while typing
// (debounced) and when the page is hidden or left, so nothing typed is lost. Choices save on "change"
// through htmx. Leaving while a save is refused or still on its way asks first.
// No inline handlers: the Content Security Policy allows scripts from this origin only.
(function () {
  "use strict";

  var DELAY_MS = 700;
  var pending = new Map(); // form → timer
  var inFlight = new Set(); // forms whose save has not answered yet

  function isWritten(field) {
    return field && (field.tagName === "TEXTAREA" || (field.tagName === "INPUT" && field.type === "text"));
  }

  function saveNow(form) {
    clearTimeout(pending.get(form));
    pending.delete(form);
    if (window.htmx) window.htmx.trigger(form, "autosave");
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!isWritten(field)) return;
    var form = field.closest("form[data-autosave]");
    if (!form) return;
    clearTimeout(pending.get(form));
    pending.set(form, setTimeout(function () { saveNow(form); }, DELAY_MS));
  });

  // A field that loses focus saves at once through its "change" event; the timer goes.
  document.addEventListener("change", function (event) {
    var form = event.target && event.target.closest && event.target.closest("form[data-autosave]");
    if (form) {
      clearTimeout(pending.get(form));
      pending.delete(form);
    }
  }, true);

  // Leaving or hiding the page: send what is still waiting with sendBeacon, which outlives the page.
  function flush() {
    pending.forEach(function (timer, form) {
      clearTimeout(timer);
      var sent = navigator.sendBeacon && navigator.sendBeacon(form.action, new FormData(form));
      if (!sent) saveNow(form);
    });
    pending.clear();
  }
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });

  window.addEventListener("beforeunload", function (event) {
    // A refused save leaves its message ([data-not-saved]) in the form: what is on screen is not stored.
    // (The message, not the slot's class: htmx settles a swapped element's own attributes a moment later.)
    if (inFlight.size || document.querySelector("form[data-autosave] [data-not-saved]")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  function autosaveForm(event) {
    var elt = event.detail.elt;
    return elt && elt.closest && elt.closest("form[data-autosave]");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = autosaveForm(event);
    if (form) inFlight.add(form);
  });

  // A refused save (400, 403, 409) still shows its message in the item's feedback slot.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = autosaveForm(event);
    if (form && event.detail.xhr.status >= 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = autosaveForm(event);
    if (!form) return;
    inFlight.delete(form);
  });
})();
