/* Changing one's password (required after an administrator set it). */
(function () {
  "use strict";
  var _ = Siaga._;
  var page = Siaga.data("siaga-page");
  var form = document.getElementById("password-form");
  var error = document.getElementById("password-error");
  var submit = document.getElementById("password-submit");

  function showError(text) {
    error.textContent = text;
    error.hidden = false;
    submit.disabled = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var current = form.elements.current.value;
    var fresh = form.elements.fresh.value;
    if (fresh.length < 10) {
      showError(_("The new password needs at least 10 characters."));
      return;
    }
    if (fresh !== form.elements.confirm.value) {
      showError(_("The two new passwords differ."));
      return;
    }
    error.hidden = true;
    submit.disabled = true;
    Siaga.api("POST", "/api/v1/auth/password", {current_password: current, new_password: fresh})
      .then(function (response) {
        if (response.ok) {
          window.location.assign(page.next);
        } else if (response.status === 422) {
          showError(_("The current password is wrong, or the new one is the same as the old one."));
        } else {
          showError(_("Changing the password failed. Please try again."));
        }
      }, function () {
        showError(_("The server cannot be reached. Check the network and try again."));
      });
  });
})();
