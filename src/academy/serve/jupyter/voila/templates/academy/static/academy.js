// City Data Academy click-through lessons: the accessibility the stock widgets lack.
// - feedback areas become polite live regions, so screen readers announce results;
// - slider handles get the slider's label as their accessible name and a spoken value;
// - when a new step appears, focus moves to its heading (keyboard and screen-reader users
//   land at the start of the new step);
// - new feedback is scrolled into view (a phone shows it, not just the page below);
// - when the button that had focus is disabled (an item picked in an order step), focus
//   moves to the next button of that group instead of getting lost;
// - a lesson that never shows, or whose kernel stops, is opened again in a fresh kernel
//   with a plain message (three times, then the learner is told to wait or ask).
(function () {
  "use strict";
  var seenHeadings = new WeakSet();
  var shownFeedback = new WeakMap();
  var lastFocus = null;
  var START_SECONDS = 45;
  var RETRIES = 3;

  function config() {
    var el = document.getElementById("jupyter-config-data");
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  }

  function tries() {
    try { return parseInt(sessionStorage.getItem("academy-retry:" + location.pathname) || "0", 10); }
    catch (e) { return 0; }
  }

  function setTries(n) {
    try { sessionStorage.setItem("academy-retry:" + location.pathname, String(n)); } catch (e) { /* private mode */ }
  }

  function banner(text) {
    var box = document.getElementById("academy-reload");
    if (!box) {
      box = document.createElement("div");
      box.id = "academy-reload";
      box.className = "academy-reload";
      box.setAttribute("role", "alert");
      document.body.insertBefore(box, document.body.firstChild);
    }
    box.textContent = text;
  }

  var reloading = false;
  function reopen(reason) {
    if (reloading) { return; }
    reloading = true;
    var n = tries();
    if (n >= RETRIES) {
      banner(reason + " It could not be opened again just now. Please wait a minute and reload the page, or tell your trainer.");
      return;
    }
    setTries(n + 1);
    banner(reason + " We are opening it again for you.");
    window.setTimeout(function () { location.reload(); }, 1500);
  }

  function watchKernel() {
    var cfg = config();
    var id = cfg.kernelId;
    if (!id || id.indexOf("academy-") === 0) { return; }
    var base = (cfg.baseUrl || "/").replace(/\/?$/, "/");
    window.setInterval(function () {
      if (reloading || document.hidden) { return; }
      fetch(base + "api/kernels/" + id, { cache: "no-store" }).then(function (r) {
        if (r.status === 404) { reopen("This lesson stopped."); return null; }
        return r.ok ? r.json() : null;
      }).then(function (k) {
        if (k && k.execution_state === "dead") { reopen("This lesson stopped."); }
      }).catch(function () { /* the server may be restarting: try again later */ });
    }, 5000);
    window.setTimeout(function () {
      if (!document.querySelector(".academy-app")) { reopen("This lesson did not start."); }
    }, START_SECONDS * 1000);
  }

  function reveal(box) {
    var r = box.getBoundingClientRect();
    if (r.top >= 0 && r.bottom <= window.innerHeight) { return; }
    try { box.scrollIntoView({ block: "nearest" }); } catch (e) { box.scrollIntoView(false); }
  }

  function showFeedback(root) {
    root.querySelectorAll(".academy-feedback .widget-html-content").forEach(function (el) {
      var text = el.textContent.trim();
      if (text && shownFeedback.get(el) !== text) {
        shownFeedback.set(el, text);
        // at once, after this frame's focus moves (a smooth scroll raced the browser's own
        // scroll to the focused button), and again a moment later in case the step's layout
        // or focus moved it off the screen since (seen on a loaded machine)
        var box = el.closest(".academy-feedback") || el;
        window.requestAnimationFrame(function () {
          reveal(box);
          window.setTimeout(function () { reveal(box); }, 250);
        });
      }
    });
  }

  function keepFocus() {
    var active = document.activeElement;
    if (!lastFocus || (active && active !== document.body)) { return; }
    if (!lastFocus.disabled && document.body.contains(lastFocus)) { return; }
    var group = lastFocus.parentElement;
    while (group && !group.classList.contains("widget-vbox") && !group.classList.contains("widget-hbox")) {
      group = group.parentElement;
    }
    var buttons = group ? Array.prototype.slice.call(group.querySelectorAll("button:not([disabled])")) : [];
    var next = buttons[0] || document.querySelector(".academy-main button:not([disabled])");
    if (next) { next.focus(); }
  }

  function labelSliders(root) {
    root.querySelectorAll(".academy-slider").forEach(function (box) {
      var label = box.querySelector(".widget-label");
      var name = label ? label.textContent.trim() : "Slider";
      var readout = box.querySelector(".widget-readout");
      box.querySelectorAll("[role=slider], .noUi-handle").forEach(function (handle) {
        handle.setAttribute("aria-label", name);
        if (readout) { handle.setAttribute("aria-valuetext", readout.textContent.trim()); }
        if (!handle.hasAttribute("tabindex")) { handle.setAttribute("tabindex", "0"); }
      });
      if (readout) {
        readout.setAttribute("aria-hidden", "true");
        readout.removeAttribute("contenteditable");
      }
    });
  }

  function liveRegions(root) {
    root.querySelectorAll(".academy-feedback .widget-html-content").forEach(function (el) {
      if (!el.hasAttribute("aria-live")) {
        el.setAttribute("role", "status");
        el.setAttribute("aria-live", "polite");
      }
    });
  }

  function focusNewHeading(root) {
    root.querySelectorAll(".academy-step-heading").forEach(function (h) {
      if (!seenHeadings.has(h)) {
        seenHeadings.add(h);
        if (document.querySelector(".academy-app") && document.readyState !== "loading") {
          try { h.focus({ preventScroll: false }); } catch (e) { h.focus(); }
        }
      }
    });
  }

  function update() {
    labelSliders(document);
    liveRegions(document);
    focusNewHeading(document);
    showFeedback(document);
    keepFocus();
    if (document.querySelector(".academy-app")) { setTries(0); }
  }

  document.addEventListener("focusin", function (e) { lastFocus = e.target; });

  var pending = false;
  var observer = new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; update(); });
  });

  function start() {
    var main = document.getElementById("rendered_cells");
    if (main && !main.hasAttribute("role")) { main.setAttribute("role", "main"); }
    observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["disabled"] });
    update();
    watchKernel();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
