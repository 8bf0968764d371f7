// Comprehension item: count the time the text page is visible (visibility events) and send it with
// "show the questions"; the server caps it by the lease clock. Without this file the lease clock is used.
(function () {
  "use strict";
  var spent = 0;
  var shownAt = performance.now();
  function elapsed() {
    return spent + (document.visibilityState === "visible" ? performance.now() - shownAt : 0);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") spent += performance.now() - shownAt;
    else shownAt = performance.now();
  });
  document.addEventListener("submit", function (event) {
    var field = event.target.elements && (event.target.elements.visible_ms || event.target.elements.time_spent_ms);
    if (field) field.value = String(Math.round(elapsed()));
  }, true);
  function focusHeading() {
    var heading = document.querySelector(".cq-heading");
    if (heading) heading.focus({ preventScroll: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusHeading);
  else focusHeading();
})();
