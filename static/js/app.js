// Small progressive enhancements; every page works without this file.
// No inline handlers anywhere: the Content Security Policy allows scripts from this origin only.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
