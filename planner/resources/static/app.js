/* Beratung Mobil – small enhancements; every page works without JavaScript. */
(function () {
  "use strict";

  // On a phone the case list matters more than the filters: fold them away unless one
  // is set (they stay open on a desktop and without JavaScript).
  var phone = window.matchMedia("(max-width: 720px)");
  var folding = document.querySelectorAll("details[data-fold-on-phone]");
  for (var i = 0; i < folding.length; i++) {
    if (phone.matches && !folding[i].hasAttribute("data-set")) {
      folding[i].open = false;
    }
  }
})();
