// Corpus editor: keyboard shortcuts, target-grade refresh, and showing refused saves (409/400) in place.
(function () {
  "use strict";

  function segments() { return Array.from(document.querySelectorAll("[data-segment]")); }

  function currentSegment() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("[data-segment]") : null;
  }

  function focusSegment(offset) {
    var all = segments();
    if (!all.length) return;
    var index = all.indexOf(currentSegment());
    var next = all[Math.min(all.length - 1, Math.max(0, index < 0 ? 0 : index + offset))];
    var editor = next.querySelector("[data-simplified]");
    next.scrollIntoView({ block: "center" });
    if (editor) editor.focus();
  }

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
      var segment = currentSegment();
      if (!segment) return;
      event.preventDefault();
      var form = segment.querySelector("[data-save-form]");
      if (form) form.requestSubmit();
    } else if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      focusSegment(event.key === "ArrowDown" ? 1 : -1);
    }
  });

  // A new target grade re-scores every segment against it.
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "target-grade" && window.htmx) {
      document.querySelectorAll("[data-simplified]").forEach(function (editor) {
        window.htmx.trigger(editor, "refresh");
      });
    }
  });

  // A refused save answers 409 (someone saved first) or 400 (invalid): show that card, it keeps the text.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // After a save swaps the card, keep the caret in the same segment's editor.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.matches && target.matches("[data-segment]")) {
      var fresh = document.getElementById(target.id);
      var editor = fresh && fresh.querySelector("[data-simplified]");
      if (editor && event.detail.requestConfig && event.detail.requestConfig.verb === "post" &&
          event.detail.elt && event.detail.elt.matches && event.detail.elt.matches("[data-save-form]")) {
        editor.focus();
      }
    }
  });
})();
