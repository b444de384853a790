/* The login form: posts JSON to the API, which sets the session cookies, then opens the page. */
(function () {
  "use strict";
  var _ = Siaga._;
  var page = Siaga.data("siaga-page");
  var form = document.getElementById("login-form");
  var error = document.getElementById("login-error");
  var submit = document.getElementById("login-submit");

  function showError(text) {
    error.textContent = text;
    error.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var username = form.elements.username.value.trim();
    var password = form.elements.password.value;
    if (!username || !password) {
      showError(_("Enter your username and password."));
      return;
    }
    error.hidden = true;
    submit.disabled = true;
    Siaga.api("POST", "/api/v1/auth/login", {username: username, password: password})
      .then(function (response) {
        if (response.ok) {
          return response.json().then(function (session) {
            window.location.assign(session.must_change_password
              ? "/account/password?next=" + encodeURIComponent(page.next) : page.next);
          });
        }
        submit.disabled = false;
        if (response.status === 401) {
          showError(_("Wrong username or password."));
          form.elements.password.value = "";
          form.elements.password.focus();
        } else {
          showError(_("Logging in failed. Please try again."));
        }
      }, function () {
        submit.disabled = false;
        showError(_("The server cannot be reached. Check the network and try again."));
      });
  });
})();
