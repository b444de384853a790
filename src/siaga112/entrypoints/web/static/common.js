/* Siaga112: what every page's script shares. Words come from the page's JSON block
   (#siaga-messages), translated on the server from the message catalogues: write every
   user-facing word as _("English text") so that pybabel extracts it. */
window.Siaga = (function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var messages = data("siaga-messages") || {};

  function _(msgid) {
    return Object.prototype.hasOwnProperty.call(messages, msgid) ? messages[msgid] : msgid;
  }

  /* "{count} units" with {count: 3} -> "3 units" */
  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return "";
  }

  /* fetch() on our own API: JSON in and out, the CSRF header on every change. */
  function api(method, url, body) {
    var headers = {"Accept": "application/json"};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = cookie("siaga112_csrf");
    return fetch(url, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  }

  function getJSON(url) {
    return api("GET", url).then(function (response) {
      if (response.status === 401) {
        window.location.assign("/login");
        throw new Error(_("Your session has ended. Please log in again."));
      }
      if (response.ok) return response.json();
      return response.json().catch(function () { return {}; }).then(function (body) {
        var code = body && body.error ? body.error.code : "";
        throw new Error(code === "password_change_required"
          ? _("Your password must be changed before you can continue.")
          : _("The data could not be loaded."));
      });
    });
  }

  /* 28/11/2026 09:05 WITA: the center's zone, whatever the computer's own zone is. */
  function formatTime(moment, zone, abbreviation, seconds) {
    var options = {timeZone: zone, day: "2-digit", month: "2-digit", year: "numeric",
                   hour: "2-digit", minute: "2-digit", hourCycle: "h23"};
    if (seconds) options.second = "2-digit";
    var parts = {};
    new Intl.DateTimeFormat("en-GB", options).formatToParts(moment).forEach(function (p) {
      parts[p.type] = p.value;
    });
    var time = parts.hour + ":" + parts.minute + (seconds ? ":" + parts.second : "");
    return parts.day + "/" + parts.month + "/" + parts.year + " " + time + " " + abbreviation;
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined && text !== null) el.textContent = String(text);
    return el;
  }

  function logOut() {
    var done = function () { window.location.assign("/login"); };
    api("POST", "/api/v1/auth/logout").then(done, done);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("logout");
    if (button) button.addEventListener("click", logOut);
  });

  return {data: data, _: _, format: format, api: api, getJSON: getJSON,
          formatTime: formatTime, element: element};
})();
