// Instrument forms: save written answers and comments while typing (debounced) and when the page is
// hidden or left, so nothing typed is lost. Choices save on "change" through htmx (no code needed here).
// No inline handlers: the Content Security Policy allows scripts from this origin only.
(function () {
  "use strict";

  var DELAY_MS = 700;
  var pending = new Map(); // form → timer

  function saveNow(form) {
    clearTimeout(pending.get(form));
    pending.delete(form);
    if (window.htmx) window.htmx.trigger(form, "autosave");
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field || field.tagName !== "TEXTAREA") return;
    var form = field.closest("form[data-autosave]");
    if (!form) return;
    clearTimeout(pending.get(form));
    pending.set(form, setTimeout(function () { saveNow(form); }, DELAY_MS));
  });

  // A textarea that loses focus saves at once (its "change" event would save too; the timer goes).
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

  // A refused save (400, 403, 409) still shows its message in the item's feedback slot.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.closest && elt.closest("form[data-autosave]") && event.detail.xhr.status >= 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
