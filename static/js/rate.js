// Rating page: conditional questions, keyboard operation, draft autosave, time on item, lease countdown.
// Every part of the page also works without this file (plain form posts, all questions shown).
(function () {
  "use strict";

  var current = null; // the question that digit keys act on
  var shownAt = 0; // when the item became visible (ms, performance clock)
  var spent = 0; // visible time accumulated before `shownAt`
  var draftTimer = null;
  var leaseTimer = null;

  function form() { return document.querySelector("#rating-item form.rating-form"); }

  function questions() {
    var f = form();
    return f ? Array.from(f.querySelectorAll("fieldset.question")) : [];
  }

  function visible() { return questions().filter(function (q) { return !q.hidden; }); }

  function closest(element, selector) {
    return element && element.closest ? element.closest(selector) : null;
  }

  function contains(list, value) { return list.indexOf(value) !== -1; }

  function answers(key) {
    return Array.from(form().querySelectorAll('[name="' + key + '"]'))
      .filter(function (input) {
        return input.type === "radio" || input.type === "checkbox" ? input.checked : input.value;
      })
      .map(function (input) { return input.value; });
  }

  // Show a question only while its condition holds; hidden questions are disabled so they are not sent.
  function refreshConditions() {
    questions().forEach(function (q) {
      var key = q.dataset.shownIfKey;
      if (!key) return;
      var wanted = q.dataset.shownIfValues.split("|");
      var source = form().querySelector('fieldset[data-key="' + key + '"]');
      var show = !source.hidden && answers(key).some(function (value) { return contains(wanted, value); });
      q.hidden = !show;
      q.disabled = !show;
    });
    if (current && current.hidden) setCurrent(visible()[0], false);
  }

  // The question digit keys act on: highlighted, and named current to assistive technology.
  function mark(question) {
    questions().forEach(function (q) {
      q.classList.toggle("current", q === question);
      if (q === question) q.setAttribute("aria-current", "true");
      else q.removeAttribute("aria-current");
    });
  }

  function setCurrent(question, focus) {
    if (!question) return;
    mark(question);
    current = question;
    if (focus !== false) question.focus({ preventScroll: false });
  }

  function move(step) {
    var list = visible();
    var index = list.indexOf(current);
    var next = list[Math.min(Math.max(index + step, 0), list.length - 1)];
    if (next) setCurrent(next);
  }

  function choose(digit) {
    if (!current || current.disabled) return;
    var inputs = Array.from(current.querySelectorAll("input[type=radio], input[type=checkbox]"));
    var input = inputs[digit - 1];
    if (!input) return;
    if (input.type === "checkbox") input.checked = !input.checked;
    else input.checked = true;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    if (input.type === "radio") {
      // Answered: go on to the next question (conditions may just have revealed it).
      var list = visible();
      var next = list[list.indexOf(current) + 1];
      if (next && next.dataset.type !== "text") setCurrent(next);
    }
  }

  function saveDraft() {
    var f = form();
    if (!f || !f.dataset.draftUrl) return;
    var status = f.querySelector(".draft-status");
    var body = new FormData(f);
    fetch(f.dataset.draftUrl, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": body.get("csrfmiddlewaretoken") },
      credentials: "same-origin"
    })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (text) { if (status) status.textContent = text; })
      .catch(function () { if (status) status.textContent = "Draft not saved (connection problem)."; });
  }

  function scheduleDraft() {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(saveDraft, 700);
  }

  function elapsed() {
    return spent + (document.visibilityState === "visible" ? performance.now() - shownAt : 0);
  }

  // The lease's remaining time, counted down from the seconds the server rendered (so the rater's clock
  // does not matter); the server still decides whether a late answer is taken.
  function startLeaseCountdown() {
    clearInterval(leaseTimer);
    var lease = document.querySelector("#rating-item .lease[data-lease-seconds]");
    if (!lease) return;
    var total = Number(lease.dataset.leaseSeconds);
    var startedAt = performance.now();
    function render() {
      var left = Math.max(0, Math.round(total - (performance.now() - startedAt) / 1000));
      if (left === 0) {
        clearInterval(leaseTimer);
        lease.textContent = "Your lease on this item has ended; you can still submit it while it needs ratings.";
        lease.classList.add("lease-ended");
        return;
      }
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      var strong = document.createElement("strong");
      strong.className = "lease-left";
      strong.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      lease.textContent = "Your lease on this item ends in ";
      lease.appendChild(strong);
      lease.appendChild(document.createTextNode(" (min:s); after that it may go to someone else."));
    }
    render();
    leaseTimer = setInterval(render, 1000);
  }

  function focusHeading() {
    var heading = document.querySelector("#rating-item .item-heading");
    if (heading) heading.focus();
  }

  function init() {
    var f = form();
    var item = document.getElementById("rating-item");
    spent = 0;
    shownAt = performance.now();
    if (item) item.setAttribute("data-ready", "");
    startLeaseCountdown();
    if (!f) {
      focusHeading();
      return;
    }
    refreshConditions();
    var firstError = f.querySelector("fieldset.has-error:not([hidden])");
    if (firstError) {
      setCurrent(firstError);
      return;
    }
    var unanswered = visible().find(function (q) {
      return q.dataset.type !== "text" && !answers(q.dataset.key).length;
    });
    setCurrent(unanswered || visible()[0], false);
    focusHeading();
  }

  function inForm(element) {
    var f = form();
    return Boolean(f && f.contains(element));
  }

  function isTyping(target) {
    return target.tagName === "TEXTAREA" ||
      (target.tagName === "INPUT" && !contains(["radio", "checkbox"], target.type));
  }

  function isChoice(target) {
    return target.tagName === "INPUT" && (target.type === "radio" || target.type === "checkbox");
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") spent += performance.now() - shownAt;
    else shownAt = performance.now();
  });

  document.addEventListener("change", function (event) {
    if (!inForm(event.target)) return;
    refreshConditions();
    scheduleDraft();
  });
  document.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA" && inForm(event.target)) scheduleDraft();
  });
  document.addEventListener("focusin", function (event) {
    var q = closest(event.target, "#rating-item fieldset.question");
    if (q && q !== current) {
      mark(q);
      current = q;
    }
  });

  // Record the time on the item just before the form is sent (capture: before htmx reads the form).
  document.addEventListener("submit", function (event) {
    var f = closest(event.target, "form.rating-form");
    if (!f) return;
    clearTimeout(draftTimer);
    f.elements.time_spent_ms.value = Math.round(elapsed());
  }, true);
  document.addEventListener("htmx:configRequest", function (event) {
    if (closest(event.detail.elt, "form.rating-form") && "time_spent_ms" in event.detail.parameters) {
      event.detail.parameters.time_spent_ms = String(Math.round(elapsed()));
    }
  });

  document.addEventListener("keydown", function (event) {
    var f = form();
    var dialog = document.getElementById("keys-help");
    if (event.key === "?" && !isTyping(event.target)) {
      event.preventDefault();
      if (dialog.open) dialog.close();
      else dialog.showModal();
      return;
    }
    if (!f || (dialog && dialog.open) || event.altKey) return;
    // the flag box and the skip reason have their own keys (choosing a flag kind is not an answer)
    if (closest(event.target, ".item-flag, .skip-group")) return;
    if (isTyping(event.target)) {
      if (event.key === "Escape") {
        event.target.blur();
        setCurrent(closest(event.target, "fieldset.question") || current);
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
      if (closest(event.target, "button, a, summary")) return; // their own Enter
      event.preventDefault();
      f.requestSubmit(f.querySelector("button[type=submit].primary"));
    } else if (event.key === "s" || event.key === "S") {
      event.preventDefault();
      var skip = f.querySelector("button.skip");
      if (skip) skip.click();
    } else if (event.key === "c" || event.key === "C") {
      var text = visible().find(function (q) { return q.dataset.type === "text"; });
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

  // A submit or skip swaps in the next item (outerHTML of #rating-item): start it afresh, in the same
  // task as the swap, so no key press can reach the new item before it is set up.
  document.addEventListener("htmx:afterSwap", function () {
    if (document.getElementById("rating-item")) init();
  });
  // The form and the skip button ask for "settle:0ms", so htmx settles in the same task as the swap: the
  // new form gets its hx-post before any key press can submit it (with the default 20 ms timer, a busy
  // browser ran the Enter key first and the form posted natively, reloading the page). Settling puts back
  // the attributes the server sent on elements whose id the old item also had (every question's
  // fieldset), which drops the "current" mark init() set: mark it again.
  document.addEventListener("htmx:afterSettle", function () {
    if (current && document.contains(current)) mark(current);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
