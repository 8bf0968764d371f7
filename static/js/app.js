// Small progressive enhancements; every page works without this file.
// No inline handlers anywhere: the Content Security Policy allows scripts from this origin only.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
