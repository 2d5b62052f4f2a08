/* Grid map: the details of the grid (or event) under the pointer, in focus or tapped are
   shown in the panel beside the map. On a touch screen the first tap on a grid shows its
   details and the second opens it; a mouse click or Enter opens it at once. No inline
   script: loaded by dashboards/map.html. */
(function () {
  "use strict";
  var panel = document.getElementById("gridmap-details");
  var map = document.querySelector(".gridmap-page svg.choropleth");
  if (!panel || !map) { return; }
  var pointer = "mouse";
  var selected = null;

  function anchorOf(target) {
    return target && target.closest ? target.closest("a") : null;
  }

  function show(a) {
    var title = a.querySelector("title");
    var isEvent = !!a.closest(".points");
    panel.textContent = "";
    var text = document.createElement("strong");
    text.textContent = title ? title.textContent : "";
    var link = document.createElement("a");
    link.href = a.getAttribute("href") || a.getAttribute("xlink:href") || "#";
    link.textContent = panel.getAttribute(isEvent ? "data-open-event" : "data-open-grid") + " →";
    panel.appendChild(text);
    panel.appendChild(document.createElement("br"));
    panel.appendChild(link);
  }

  function select(a) {
    if (selected) { selected.classList.remove("selected"); }
    selected = a;
    a.classList.add("selected");
    show(a);
  }

  map.addEventListener("pointerdown", function (e) { pointer = e.pointerType || "mouse"; });
  map.addEventListener("click", function (e) {
    var a = anchorOf(e.target);
    if (!a) { return; }
    if (pointer === "touch" && a !== selected) {
      e.preventDefault();
      select(a);
    }
  });
  map.addEventListener("mouseover", function (e) {
    var a = anchorOf(e.target);
    if (a && pointer !== "touch") { show(a); }
  });
  map.addEventListener("focusin", function (e) {
    // Shown, not selected: a tap focuses the link before its click, which must still be
    // held back the first time.
    var a = anchorOf(e.target);
    if (a) { show(a); }
  });
})();
