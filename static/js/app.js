// Small progressive enhancements; every page works without this file.
// No inline handlers anywhere: the Content Security Policy allows scripts from this origin only.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // A table wider than the screen scrolls inside its box: that box must take keyboard focus to be
  // scrolled without a mouse (WCAG 2.1.1), named after its table. Only boxes that do overflow get a tab stop.
  var SCROLL_BOXES = ".table-scroll, .ins-table-wrap";

  function scrollBoxName(box) {
    var caption = box.querySelector("caption");
    var heading = box.closest("section, article, details, main");
    heading = heading && heading.querySelector("h1, h2, h3, summary");
    var text = (caption || heading || {}).textContent || "";
    return (text.trim().replace(/\s+/g, " ") || "Table") + " (scrolls sideways)";
  }

  function markScrollBoxes(root) {
    (root || document).querySelectorAll(SCROLL_BOXES).forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", scrollBoxName(box));
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { markScrollBoxes(); });
  document.addEventListener("htmx:load", function (event) { markScrollBoxes(event.target.parentNode || document); });
  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(markScrollBoxes, 150);
  });

  // Leaving a page with unsaved changes asks first (form[data-warn-unsaved]: editor, rubric, study forms).
  // A form is unsaved when a field differs from what the page was served with, or when the server marked
  // it data-unsaved (a refused save re-rendered with what the user typed, none of it stored).
  function fieldChanged(field) {
    if (field.type === "hidden" || field.disabled) return false;
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") {
      return Array.from(field.options).some(function (o) { return o.selected !== o.defaultSelected; });
    }
    return "defaultValue" in field && field.value !== field.defaultValue;
  }

  function unsavedForms() {
    return Array.from(document.querySelectorAll("form[data-warn-unsaved]")).filter(function (form) {
      return form.hasAttribute("data-unsaved") || Array.from(form.elements).some(fieldChanged);
    });
  }

  var submitting = false;
  document.addEventListener("submit", function (event) {
    // A plain form post leaves the page on purpose; an htmx one stays and swaps in the saved state.
    if (!event.target.hasAttribute("hx-post")) submitting = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting) return;
    if (unsavedForms().length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  window.addEventListener("pageshow", function () { submitting = false; });

  // Irreversible actions ask first: a form[data-confirm="dialog-id"] opens that <dialog>, which says what
  // will change; only its confirming button ([data-confirm-yes]) sends the form. Esc or Cancel keeps all.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var id = form.getAttribute && form.getAttribute("data-confirm");
    if (!id || form.dataset.confirmed === "yes") return;
    var dialog = document.getElementById(id);
    if (!dialog || !dialog.showModal) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    dialog.showModal();
    var yes = dialog.querySelector("[data-confirm-yes]");
    if (yes) yes.focus();
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm-yes], [data-confirm-no]");
    if (!button) return;
    var dialog = button.closest("dialog");
    if (dialog) dialog.close();
    if (button.hasAttribute("data-confirm-yes")) {
      var form = document.querySelector('form[data-confirm="' + dialog.id + '"]');
      if (form) {
        form.dataset.confirmed = "yes";
        form.requestSubmit();
      }
    }
  });
})();
