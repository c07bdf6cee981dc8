// A table wider than the screen scrolls sideways in its box (.results-scroll): say so
// above it and fade the edge that hides more. Every table is there without this script.
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".results-scroll");

  function update(box) {
    var hint = box.previousElementSibling;
    var scrollable = box.scrollWidth > box.clientWidth + 1;
    box.classList.toggle("is-scrollable", scrollable);
    box.classList.toggle("is-at-end", box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
    // A box that scrolls is a stop for the keyboard (arrow keys scroll it); one that fits is not.
    if (scrollable) { box.setAttribute("tabindex", "0"); } else { box.removeAttribute("tabindex"); }
    if (hint && hint.classList.contains("results-scroll-hint")) { hint.hidden = !scrollable; }
  }

  // Judged again, every box at once and a frame later, whenever one's width changes: a turned
  // phone, a table in <details> opened (a hint shown or hidden moves the others down, not aside).
  var waiting = false;
  function updateAll() {
    if (waiting) { return; }
    waiting = true;
    window.requestAnimationFrame(function () {
      waiting = false;
      boxes.forEach(update);
    });
  }

  boxes.forEach(function (box) {
    update(box);
    box.addEventListener("scroll", function () { update(box); }, { passive: true });
  });
  window.addEventListener("resize", updateAll);
  if ("ResizeObserver" in window) {
    var observer = new ResizeObserver(updateAll);
    boxes.forEach(function (box) { observer.observe(box); });
  }
})();
