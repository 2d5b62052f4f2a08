// Event pages (staff): htmx swaps the form's answer in place, also for 400 and 409
// (an error on a field, or a move the status no longer allows), which htmx 2 would
// otherwise drop; a select marked .autosubmit submits its form on change.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (status === 400 || status === 409) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
  document.addEventListener("change", function (evt) {
    var target = evt.target;
    if (target && target.classList && target.classList.contains("autosubmit") && target.form) {
      target.form.submit();
    }
  });
})();
