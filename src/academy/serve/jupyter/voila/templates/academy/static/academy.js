// City Data Academy click-through lessons: the accessibility the stock widgets lack.
// - feedback areas become polite live regions, so screen readers announce results;
// - slider handles get the slider's label as their accessible name and a spoken value;
// - when a new step appears, focus moves to its heading (keyboard and screen-reader users
//   land at the start of the new step).
(function () {
  "use strict";
  var seenHeadings = new WeakSet();

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
  }

  var pending = false;
  var observer = new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; update(); });
  });

  function start() {
    var main = document.getElementById("rendered_cells");
    if (main && !main.hasAttribute("role")) { main.setAttribute("role", "main"); }
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
