/* Woche: while a re-plan is worked out (up to a minute) the button says so. The form
   posts normally; without JavaScript the browser's own loading indicator shows. */
(function () {
  "use strict";

  var forms = document.querySelectorAll("form.replan");
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener("submit", function (event) {
      var form = event.currentTarget;
      var button = form.querySelector("button[type=submit]");
      if (form.hasAttribute("data-sent")) { // a second click: the plan is on its way
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "");
      if (button) {
        var spinner = document.createElement("span");
        spinner.className = "spinner";
        spinner.setAttribute("aria-hidden", "true");
        button.textContent = form.getAttribute("data-busy") || "Wird berechnet …";
        button.insertBefore(spinner, button.firstChild);
        button.setAttribute("aria-disabled", "true");
        button.disabled = true; // after the submit event: the form is sent all the same
      }
      var note = form.querySelector(".busy-note");
      if (note) { note.hidden = false; }
    });
  }
})();
