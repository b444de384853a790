/* Siaga112: the call-taker's location link panel (_location_link.html). Needs common.js;
   uses live.js when the page loads it (Siaga.live), else polls while a link is in use.
   The current call is the data-call-id of the panel or of the nearest element around it
   (the console's box); every change of it reloads the panel. */
(function () {
  "use strict";
  var _ = Siaga._;

  var STATE_TEXT = {
    created: _("Link made: read it out or send it another way"),
    sent: _("Link sent by SMS: waiting for the caller to open it"),
    opened: _("The caller opened the link"),
    shared: _("Location shared by the caller"),
    refused: _("The caller did not allow the location"),
    unavailable: _("The caller's phone could not find its position"),
    expired: _("The link has expired")
  };
  var REASON_TEXT = {
    timeout: _("(took too long)"),
    unsupported: _("(the browser cannot share a location)")
  };
  var SMS_TEXT = {
    sent: _("SMS sent."),
    failed: _("SMS not sent: {error}"),
    not_configured: _("No SMS gateway is set up: read the link out."),
    no_number: _("The call has no number for an SMS: read the link out.")
  };
  var FINAL = {expired: true};
  var POLL_MS = 2000, POLL_LIVE_MS = 15000;

  function store(key, value) {
    try {
      if (value === undefined) return window.sessionStorage.getItem(key);
      window.sessionStorage.setItem(key, value);
    } catch (e) { /* private mode: the URL stays until the page reloads */ }
    return null;
  }

  function Panel(root) {
    this.root = root;
    if (!root.closest("[data-call-id]")) root.setAttribute("data-call-id", "");
    this.holder = root.closest("[data-call-id]");
    this.view = null;
    this.loading = 0;
    this.el = {};
    var roles = root.querySelectorAll("[data-role]");
    for (var i = 0; i < roles.length; i++) this.el[roles[i].getAttribute("data-role")] = roles[i];
    var self = this;
    this.el.send.addEventListener("click", function () { self.send(); });
    this.el.copy.addEventListener("click", function () { self.copy(); });
    new MutationObserver(function () { self.reset(); self.load(); })
      .observe(this.holder, {attributes: true, attributeFilter: ["data-call-id"]});
    if (Siaga.live && Siaga.live.subscribe) {
      Siaga.live.subscribe(function (msg) {
        if (msg.topic === "hello" || (msg.topic === "call" && msg.id === self.callId())) self.load();
      });
    }
    setInterval(function () { self.tick(); }, 1000);
    this.reset();
    this.load();
  }

  Panel.prototype.callId = function () { return this.holder.getAttribute("data-call-id") || ""; };

  Panel.prototype.reset = function () {
    this.view = null;
    this.lastLoad = 0;
    this.el.send.disabled = !this.callId();
    this.el.state.textContent = "";
    this.el.state.removeAttribute("data-state");
    this.el.sms.textContent = "";
    this.el.expiry.textContent = "";
    this.el["url-box"].hidden = true;
    this.el["photo-link"].hidden = true;
  };

  Panel.prototype.load = function () {
    var callId = this.callId(), self = this, ticket = ++this.loading;
    if (!callId) return;
    this.lastLoad = Date.now();
    Siaga.getJSON("/api/v1/calls/" + encodeURIComponent(callId) + "/location-link")
      .then(function (view) { if (ticket === self.loading) self.render(view); })
      .catch(function (error) { self.el.state.textContent = error.message; });
  };

  Panel.prototype.send = function () {
    var callId = this.callId(), self = this;
    if (!callId) return;
    this.el.send.disabled = true;
    Siaga.api("POST", "/api/v1/calls/" + encodeURIComponent(callId) + "/location-link",
              {send_sms: this.el["by-sms"].checked})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            throw new Error(body && body.error && body.error.code === "too_many_links"
              ? _("Too many links for this call: wait a little.")
              : _("The link could not be made."));
          }
          return body;
        });
      })
      .then(function (view) {
        if (view.url && view.link_id) store("siaga112.locationLink." + view.link_id, view.url);
        if (callId === self.callId()) self.render(view);
      })
      .catch(function (error) { self.el.state.textContent = error.message; })
      .then(function () { self.el.send.disabled = !self.callId(); });
  };

  Panel.prototype.render = function (view) {
    this.view = view;
    var el = this.el;
    el.send.textContent = view.state ? _("Send a new location link") : _("Send location link");
    if (!view.state) {
      el.state.textContent = _("No location link sent for this call.");
      el.state.removeAttribute("data-state");
      return;
    }
    var text = STATE_TEXT[view.state] || view.state;
    if (view.state === "shared" || view.fixes) {
      text += " · " + Siaga.format(_("{count} positions received"), {count: view.fixes});
    }
    if (REASON_TEXT[view.reason]) text += " " + REASON_TEXT[view.reason];
    if (view.ended === "used") text += " · " + _("sharing finished");
    el.state.textContent = text;
    el.state.setAttribute("data-state", view.state);
    var sms = view.sms && SMS_TEXT[view.sms.status];
    el.sms.textContent = sms ? Siaga.format(sms, {error: view.sms.error || ""}) : "";
    el.sms.className = "location-link-sms-status" + (view.sms && view.sms.status === "failed" ? " is-failed" : "");
    var url = view.url || (view.link_id && store("siaga112.locationLink." + view.link_id));
    el["url-box"].hidden = !url || view.state === "expired";
    if (url) {
      el.url.value = url;
      var token = url.slice(url.lastIndexOf("/") + 1);
      el.spelled.textContent = token.replace(/(.{4})/g, "$1 ").trim();
    }
    this.renderChannels(view.channels || []);
    if (view.photo) {
      if (el.photo.getAttribute("src") !== view.photo.url) el.photo.setAttribute("src", view.photo.url);
      el["photo-link"].href = view.photo.url;
      el["photo-link"].hidden = false;
    } else {
      el["photo-link"].hidden = true;
    }
    this.tick();
  };

  Panel.prototype.renderChannels = function (channels) {
    var box = this.el.channels;
    if (!channels.length) return;  // only the answer that made the link has them
    box.textContent = "";
    channels.forEach(function (channel) {
      var a = Siaga.element("a", "btn", channel.name);
      a.href = channel.url;
      a.target = "_blank";
      a.rel = "noopener";
      box.appendChild(a);
    });
  };

  /* The countdown, and polling while a link is in use when no live channel says more. */
  Panel.prototype.tick = function () {
    var view = this.view;
    if (!view || !view.state) return;
    var left = Date.parse(view.expires_at) - Date.now();
    this.el.expiry.textContent = view.state === "expired" ? "" : left > 0
      ? Siaga.format(_("Valid for {minutes} more min"), {minutes: Math.ceil(left / 60000)})
      : _("The link has expired");
    var wait = Siaga.live && Siaga.live.subscribe ? POLL_LIVE_MS : POLL_MS;
    if (!FINAL[view.state] && Date.now() - this.lastLoad >= wait) this.load();
  };

  Panel.prototype.copy = function () {
    var input = this.el.url;
    input.select();
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).catch(function () { document.execCommand("copy"); });
    } else {
      document.execCommand("copy");
    }
  };

  function start() {
    var roots = document.querySelectorAll("[data-location-link]");
    for (var i = 0; i < roots.length; i++) new Panel(roots[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
