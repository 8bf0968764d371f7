// Rating page: conditional questions, keyboard operation, draft autosave, time on item.
// Every part of the page also works without this file (plain form posts, all questions shown).
(function () {
  "use strict";

  let current = null; // the question that digit keys act on
  let shownAt = 0; // when the item became visible (ms, performance clock)
  let spent = 0; // visible time accumulated before `shownAt`
  let draftTimer = null;

  const form = () => document.querySelector("#rating-item form.rating-form");
  const questions = () => Array.from(form()?.querySelectorAll("fieldset.question") || []);
  const visible = () => questions().filter((q) => !q.hidden);

  function answers(key) {
    return Array.from(form().querySelectorAll(`[name="${key}"]`))
      .filter((input) => (input.type === "radio" || input.type === "checkbox" ? input.checked : input.value))
      .map((input) => input.value);
  }

  // Show a question only while its condition holds; hidden questions are disabled so they are not sent.
  function refreshConditions() {
    for (const q of questions()) {
      const key = q.dataset.shownIfKey;
      if (!key) continue;
      const wanted = q.dataset.shownIfValues.split("|");
      const source = form().querySelector(`fieldset[data-key="${key}"]`);
      const show = !source.hidden && answers(key).some((value) => wanted.includes(value));
      q.hidden = !show;
      q.disabled = !show;
    }
    if (current && current.hidden) setCurrent(visible()[0], false);
  }

  function setCurrent(question, focus = true) {
    if (!question) return;
    for (const q of questions()) q.classList.toggle("current", q === question);
    current = question;
    if (focus) question.focus({ preventScroll: false });
  }

  function move(step) {
    const list = visible();
    const index = list.indexOf(current);
    const next = list[Math.min(Math.max(index + step, 0), list.length - 1)];
    if (next) setCurrent(next);
  }

  function choose(digit) {
    if (!current || current.disabled) return;
    const inputs = Array.from(current.querySelectorAll("input[type=radio], input[type=checkbox]"));
    const input = inputs[digit - 1];
    if (!input) return;
    if (input.type === "checkbox") input.checked = !input.checked;
    else input.checked = true;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    if (input.type === "radio") {
      // Answered: go on to the next question (conditions may just have revealed it).
      const list = visible();
      const next = list[list.indexOf(current) + 1];
      if (next && next.dataset.type !== "text") setCurrent(next);
    }
  }

  function saveDraft() {
    const f = form();
    if (!f || !f.dataset.draftUrl) return;
    const status = f.querySelector(".draft-status");
    const body = new FormData(f);
    fetch(f.dataset.draftUrl, {
      method: "POST",
      body,
      headers: { "X-CSRFToken": body.get("csrfmiddlewaretoken") },
      credentials: "same-origin",
    })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((text) => { if (status) status.textContent = text; })
      .catch(() => { if (status) status.textContent = "Draft not saved (connection problem)."; });
  }

  function scheduleDraft() {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(saveDraft, 700);
  }

  function elapsed() {
    return spent + (document.visibilityState === "visible" ? performance.now() - shownAt : 0);
  }

  function init() {
    const f = form();
    spent = 0;
    shownAt = performance.now();
    document.getElementById("rating-item")?.setAttribute("data-ready", "");
    if (!f) {
      document.querySelector("#rating-item .item-heading")?.focus();
      return;
    }
    refreshConditions();
    const firstError = f.querySelector("fieldset.has-error:not([hidden])");
    if (firstError) {
      setCurrent(firstError);
      return;
    }
    const unanswered = visible().find((q) => q.dataset.type !== "text" && !answers(q.dataset.key).length);
    setCurrent(unanswered || visible()[0], false);
    document.querySelector("#rating-item .item-heading")?.focus();
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") spent += performance.now() - shownAt;
    else shownAt = performance.now();
  });

  document.addEventListener("change", (event) => {
    if (!form()?.contains(event.target)) return;
    refreshConditions();
    scheduleDraft();
  });
  document.addEventListener("input", (event) => {
    if (event.target.tagName === "TEXTAREA" && form()?.contains(event.target)) scheduleDraft();
  });
  document.addEventListener("focusin", (event) => {
    const q = event.target.closest?.("#rating-item fieldset.question");
    if (q && q !== current) {
      for (const other of questions()) other.classList.toggle("current", other === q);
      current = q;
    }
  });

  // Record the time on the item just before the form is sent (capture: before htmx reads the form).
  document.addEventListener(
    "submit",
    (event) => {
      const f = event.target.closest?.("form.rating-form");
      if (!f) return;
      clearTimeout(draftTimer);
      f.elements.time_spent_ms.value = Math.round(elapsed());
    },
    true,
  );
  document.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt.closest?.("form.rating-form") && "time_spent_ms" in event.detail.parameters) {
      event.detail.parameters.time_spent_ms = String(Math.round(elapsed()));
    }
  });

  document.addEventListener("keydown", (event) => {
    const f = form();
    const dialog = document.getElementById("keys-help");
    if (event.key === "?" && !isTyping(event.target)) {
      event.preventDefault();
      if (dialog.open) dialog.close();
      else dialog.showModal();
      return;
    }
    if (!f || dialog?.open || event.altKey) return;
    if (isTyping(event.target)) {
      if (event.key === "Escape") {
        event.target.blur();
        setCurrent(event.target.closest("fieldset.question") || current);
      } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        f.requestSubmit();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey) return;
    if (/^[1-9]$/.test(event.key)) {
      event.preventDefault();
      choose(Number(event.key));
    } else if (event.key === "Enter") {
      if (event.target.closest("button, a, summary")) return; // their own Enter
      event.preventDefault();
      f.requestSubmit(f.querySelector("button[type=submit].primary"));
    } else if (event.key === "s" || event.key === "S") {
      event.preventDefault();
      f.querySelector("button.skip")?.click();
    } else if (event.key === "c" || event.key === "C") {
      const text = visible().find((q) => q.dataset.type === "text");
      if (text) {
        event.preventDefault();
        setCurrent(text, false);
        text.querySelector("textarea").focus();
      }
    } else if ((event.key === "ArrowDown" || event.key === "j") && !isChoice(event.target)) {
      event.preventDefault();
      move(1);
    } else if ((event.key === "ArrowUp" || event.key === "k") && !isChoice(event.target)) {
      event.preventDefault();
      move(-1);
    }
  });

  function isTyping(target) {
    return target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && !["radio", "checkbox"].includes(target.type));
  }

  function isChoice(target) {
    return target.tagName === "INPUT" && (target.type === "radio" || target.type === "checkbox");
  }

  // A submit or skip swaps in the next item (outerHTML of #rating-item): start it afresh, in the same
  // task as the swap, so no key press can reach the new item before it is set up.
  document.addEventListener("htmx:afterSwap", () => {
    if (document.getElementById("rating-item")) init();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
