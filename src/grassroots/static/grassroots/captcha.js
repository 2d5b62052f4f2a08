// The public report form's captcha: "换一张" draws a new picture for the same form without
// reloading the page (and losing what was typed). Without JS the link opens a fresh form.
(function () {
  "use strict";
  var link = document.getElementById("captcha-new");
  var img = document.getElementById("captcha-image");
  if (!link || !img) { return; }
  var count = 0;
  link.addEventListener("click", function (evt) {
    evt.preventDefault();
    count += 1;
    img.src = link.getAttribute("data-src") + "?new=1&n=" + count;
    var input = document.querySelector("input[name='captcha']");
    if (input) { input.value = ""; input.focus(); }
  });
})();
