/* Progressive enhancement for the library facets. Without JavaScript the option links and the
   "应用筛选" button do the same job, so nothing here is required. */
(function () {
  "use strict";

  var form = document.querySelector("[data-facet-form]");
  if (!form) return;

  // Apply a filter as soon as a checkbox changes; the submit button is then unnecessary.
  var button = form.querySelector("[data-facet-submit]");
  if (button) {
    button.hidden = true;
    // Say beforehand that ticking a box reloads the results (WCAG 3.2.2).
    var hint = document.createElement("p");
    hint.className = "filters__hint";
    hint.textContent = "勾选后将自动更新结果。";
    form.insertBefore(hint, form.firstChild);
  }
  form.addEventListener("change", function (event) {
    if (event.target && event.target.type === "checkbox") {
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    }
  });

  // Browsers without ::details-content cannot force the panel open with CSS: open it on wide screens.
  var details = form.closest("details");
  var wide = window.matchMedia("(min-width: 768px)");
  var supported = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (details && !supported) {
    var sync = function () { details.open = wide.matches; };
    sync();
    if (wide.addEventListener) wide.addEventListener("change", sync);
  }
})();
