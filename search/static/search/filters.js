/* The search page's filter panel is a closed <details> on phones and a sidebar on wide screens.
   site.css keeps it open there with ::details-content; a browser without that selector gets the
   same from here. Without JavaScript such a browser shows the panel closed: one click opens it. */
(function () {
  "use strict";

  var details = document.querySelector("[data-search-filters]");
  if (!details || !window.matchMedia) return;
  var supported = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (supported) return;
  var wide = window.matchMedia("(min-width: 768px)");
  var sync = function () { details.open = wide.matches; };
  sync();
  if (wide.addEventListener) wide.addEventListener("change", sync);
})();
