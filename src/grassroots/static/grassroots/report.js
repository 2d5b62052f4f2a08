// Report forms (grid worker /m/ and public /public/): the browser's own idempotency key,
// "use my position", a tap on the grid map to set lat/lon, and no double submission.
// Everything here is optional: without JS the server's key and typed fields still work.
(function () {
  "use strict";

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // randomUUID needs a secure context (https); getRandomValues does not.
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function byName(form, name) {
    return form ? form.querySelector("[name='" + name + "']") : null;
  }

  // --- idempotency key -------------------------------------------------------------------
  var form = document.querySelector("form.report-form");
  var key = byName(form, "idempotency_key");
  function freshKey() {
    if (key && window.crypto) { key.value = uuid4(); }
  }
  if (key && key.getAttribute("data-fresh") === "1") { freshKey(); }

  // --- one submission at a time ----------------------------------------------------------
  function guard(f) {
    f.addEventListener("submit", function () {
      var button = f.querySelector("button[type=submit]");
      if (!button) { return; }
      // Disabled after this tick, so that the button's own value is still sent.
      window.setTimeout(function () {
        button.disabled = true;
        if (button.getAttribute("data-busy")) {
          button.setAttribute("data-label", button.textContent);
          button.textContent = button.getAttribute("data-busy");
        }
      }, 0);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("form.report-form, form.busy-form"), guard);

  // Back to a form already sent (the browser kept the page): a new report needs a new key.
  window.addEventListener("pageshow", function (evt) {
    if (!evt.persisted) { return; }
    freshKey();
    Array.prototype.forEach.call(document.querySelectorAll("button[data-label]"), function (b) {
      b.disabled = false;
      b.textContent = b.getAttribute("data-label");
    });
  });

  if (!form) { return; }
  var lat = byName(form, "lat");
  var lon = byName(form, "lon");
  var status = document.getElementById("geo-status");

  // --- the grid map ----------------------------------------------------------------------
  var map = document.getElementById("gridmap");
  var pin = document.getElementById("pin");
  function num(el, name) { return parseFloat(el.getAttribute("data-" + name)); }
  function placePin() {
    if (!map || !pin || !lat || !lon) { return; }
    var la = parseFloat(lat.value), lo = parseFloat(lon.value);
    if (isNaN(la) || isNaN(lo)) { pin.setAttribute("cx", -20); pin.setAttribute("cy", -20); return; }
    pin.setAttribute("cx", num(map, "x0") + (lo - num(map, "lon0")) * num(map, "kx"));
    pin.setAttribute("cy", num(map, "y0") + (num(map, "lat0") - la) * num(map, "ky"));
  }
  if (map && lat && lon) {
    map.addEventListener("click", function (evt) {
      var ctm = map.getScreenCTM();
      if (!ctm) { return; }
      var pt = map.createSVGPoint();
      pt.x = evt.clientX;
      pt.y = evt.clientY;
      var p = pt.matrixTransform(ctm.inverse());
      lon.value = (num(map, "lon0") + (p.x - num(map, "x0")) / num(map, "kx")).toFixed(6);
      lat.value = (num(map, "lat0") - (p.y - num(map, "y0")) / num(map, "ky")).toFixed(6);
      placePin();
      if (status) { status.textContent = ""; }
    });
    lat.addEventListener("input", placePin);
    lon.addEventListener("input", placePin);
    placePin();
  }

  // --- use my position -------------------------------------------------------------------
  var locate = document.getElementById("locate");
  if (locate && lat && lon) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      if (!navigator.geolocation) {
        if (status) { status.textContent = locate.getAttribute("data-unsupported"); }
        return;
      }
      if (status) { status.textContent = locate.getAttribute("data-wait"); }
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          lat.value = pos.coords.latitude.toFixed(6);
          lon.value = pos.coords.longitude.toFixed(6);
          placePin();
          if (status) { status.textContent = locate.getAttribute("data-ok"); }
        },
        function () {
          if (status) { status.textContent = locate.getAttribute("data-fail"); }
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }
})();
