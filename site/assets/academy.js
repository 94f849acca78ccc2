/* The portal's pages: a box that scrolls sideways (a wide table on a phone) can be reached
   and scrolled with the keyboard (WCAG 2.1.1): it gets a tab stop while, and only while,
   it scrolls. mkdocs-material wraps tables itself, so this runs in the browser. (The
   course books wrap their tables at build time: academy.books.lesson_frame.) */
(function () {
  var SCROLLERS = ".md-typeset__scrollwrap, .md-typeset__table";
  function mark() {
    document.querySelectorAll(SCROLLERS).forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      var style = getComputedStyle(box);
      scrolls = scrolls && /(auto|scroll)/.test(style.overflowX + style.overflowY);
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.academyScroll = "1";
      } else if (!scrolls && box.dataset.academyScroll) {
        box.removeAttribute("tabindex");
        delete box.dataset.academyScroll;
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
  window.addEventListener("load", mark);
  window.addEventListener("resize", mark);
  /* mkdocs-material swaps pages in place when instant loading is on, and wraps tables late */
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(function () { setTimeout(mark, 0); });
  else setTimeout(mark, 500);
})();
