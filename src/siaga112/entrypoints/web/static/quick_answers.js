/* Siaga112: quick answers for the call-taker (_quick_answers.html). Needs common.js; uses
   live.js when the page loads it. The root ([data-quick-answers]) carries data-call-id: the
   current call (empty: none); every change of it reloads the call's topic.
   Keys in the search box: Down/Up move, Enter picks; the "dispose" button then has the focus. */
(function () {
  "use strict";
  var _ = Siaga._;
  var DEBOUNCE_MS = 120;

  var PROBLEM_TEXT = {
    sms_unavailable: _("No SMS gateway is set up: read the answer out."),
    no_number: _("The call has no number for an SMS: read the answer out."),
    sms_failed: _("SMS not sent: {error}")
  };

  function Panel(root) {
    this.root = root;
    this.el = {};
    this.hits = [];
    this.selected = -1;
    this.shownFor = "";  // the text whose hits are listed
    this.entry = null;
    this.ticket = 0;
    this.timer = null;
    var roles = root.querySelectorAll("[data-role]");
    for (var i = 0; i < roles.length; i++) this.el[roles[i].getAttribute("data-role")] = roles[i];
    var self = this;
    this.el.query.addEventListener("input", function () { self.typed(); });
    this.el.query.addEventListener("keydown", function (event) { self.key(event); });
    this.el.dispose.addEventListener("click", function () { self.dispose(); });
    this.el.sms.addEventListener("click", function () { self.sendSms(); });
    new MutationObserver(function () { self.callChanged(); })
      .observe(root, {attributes: true, attributeFilter: ["data-call-id"]});
    if (Siaga.live && Siaga.live.subscribe) {
      Siaga.live.subscribe(function (msg) {
        if (msg.topic === "hello" || (msg.topic === "call" && msg.id === self.callId())) {
          self.loadTopic();
        }
      });
    }
    this.callChanged();
  }

  Panel.prototype.callId = function () { return this.root.getAttribute("data-call-id") || ""; };

  Panel.prototype.status = function (text, kind) {
    this.el.status.textContent = text || "";
    this.el.status.className = "quick-answers-status" + (kind ? " is-" + kind : "");
  };

  Panel.prototype.callChanged = function () {
    this.status("");
    this.el["sms-text"].textContent = this.entry ? this.smsPreview(this.entry) : "";
    this.buttons();
    this.loadTopic();
  };

  Panel.prototype.buttons = function () {
    var call = !!this.callId(), entry = this.entry;
    this.el.dispose.disabled = !(call && entry);
    this.el.sms.disabled = !(call && entry && !entry.to_check);
  };

  /* The call's topic as stored: it shows what was recorded, also after a reload. */
  Panel.prototype.loadTopic = function () {
    var callId = this.callId(), self = this;
    if (!callId) return;
    Siaga.getJSON("/api/v1/calls/" + encodeURIComponent(callId) + "/topic")
      .then(function (topic) {
        if (callId !== self.callId()) return;
        if (topic && topic.disposition === "non_emergency") {
          self.status(Siaga.format(_("This call: not an emergency, topic: {title}."),
                                   {title: topic.title || topic.topic}), "done");
        }
      })
      .catch(function (error) { self.status(error.message, "error"); });
  };

  Panel.prototype.typed = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.search(false); }, DEBOUNCE_MS);
  };

  /* `thenPick`: Enter came before the answer to what is typed now: pick when it arrives. */
  Panel.prototype.search = function (thenPick) {
    var text = this.el.query.value, self = this, ticket = ++this.ticket;
    if (!text.trim()) { this.showHits([], false, text); return; }
    Siaga.getJSON("/api/v1/knowledge/search?limit=8&q=" + encodeURIComponent(text))
      .then(function (hits) {
        if (ticket !== self.ticket) return;
        self.showHits(hits, true, text);
        if (thenPick && hits.length) self.pick();
      })
      .catch(function (error) { self.status(error.message, "error"); });
  };

  Panel.prototype.showHits = function (hits, searched, text) {
    var list = this.el.hits, self = this;
    this.hits = hits;
    this.shownFor = text;
    this.selected = hits.length ? 0 : -1;
    list.textContent = "";
    hits.forEach(function (hit, index) {
      var item = Siaga.element("li", null);
      item.setAttribute("role", "option");
      item.setAttribute("data-code", hit.entry.code);
      item.appendChild(Siaga.element("span", "qa-title", hit.entry.title));
      item.appendChild(Siaga.element("span", "qa-score", Math.round(hit.score)));
      item.addEventListener("mousedown", function (event) { event.preventDefault(); });
      item.addEventListener("click", function () { self.select(index); self.pick(); });
      list.appendChild(item);
    });
    this.el.empty.hidden = !(searched && hits.length === 0);
    this.highlight();
  };

  Panel.prototype.highlight = function () {
    var items = this.el.hits.children;
    for (var i = 0; i < items.length; i++) {
      items[i].setAttribute("aria-selected", i === this.selected ? "true" : "false");
    }
    if (items[this.selected]) items[this.selected].scrollIntoView({block: "nearest"});
  };

  Panel.prototype.select = function (index) {
    if (!this.hits.length) return;
    this.selected = (index + this.hits.length) % this.hits.length;
    this.highlight();
  };

  /* The keys handled here stop: the console's own keys must not act on them too. A second
     Escape (the box already empty) is left to the console (leave the text field). */
  Panel.prototype.key = function (event) {
    if (event.key === "ArrowDown") this.select(this.selected + 1);
    else if (event.key === "ArrowUp") this.select(this.selected - 1);
    else if (event.key === "Enter") {
      clearTimeout(this.timer);
      if (this.shownFor !== this.el.query.value) this.search(true);
      else if (this.hits.length) this.pick();
    } else if (event.key === "Escape" && this.el.query.value) {
      this.el.query.value = "";
      this.showHits([], false, "");
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  };

  Panel.prototype.smsPreview = function (entry) {
    return entry.to_check ? "" : Siaga.format(_("SMS ({parts} part(s)): {text}"),
                                              {parts: entry.sms_parts, text: entry.sms_text});
  };

  /* Show the chosen answer to read out; with a call, the dispose button takes the focus. */
  Panel.prototype.pick = function () {
    var hit = this.hits[this.selected];
    if (!hit) return;
    var entry = hit.entry, el = this.el;
    this.entry = entry;
    el.answer.hidden = false;
    el.answer.setAttribute("data-code", entry.code);
    el.title.textContent = entry.title;
    el["to-check"].hidden = !entry.to_check;
    el.read.textContent = entry.answer;
    el.referrals.textContent = "";
    entry.referrals.forEach(function (r) {
      var item = Siaga.element("li", null);
      item.appendChild(Siaga.element("strong", null, r.name));
      if (r.phone) item.appendChild(Siaga.element("span", "qa-phone", " " + r.phone));
      var rest = [r.place, r.note].filter(Boolean).join(", ");
      if (rest) item.appendChild(document.createTextNode(" · " + rest));
      el.referrals.appendChild(item);
    });
    el.source.textContent = entry.source
      ? Siaga.format(_("Source: {source}"), {source: entry.source}) : "";
    el["sms-text"].textContent = this.smsPreview(entry);
    this.status("");
    this.buttons();
    if (!el.dispose.disabled) el.dispose.focus();
  };

  Panel.prototype.post = function (path, body) {
    return Siaga.api("POST", "/api/v1/calls/" + encodeURIComponent(this.callId()) + path, body)
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok) return data;
          var error = (data && data.error) || {};
          var known = PROBLEM_TEXT[error.code];
          throw new Error(known ? Siaga.format(known, {error: error.message || ""})
            : Siaga.format(_("Not done: {error}"), {error: error.message || response.status}));
        });
      });
  };

  /* One of the two actions on the picked answer, for the current call. */
  Panel.prototype.act = function (button, path, done) {
    var entry = this.entry, self = this;
    if (!entry || !this.callId()) return;
    button.disabled = true;
    this.post(path, {topic: entry.code})
      .then(function (answer) { done(answer, entry); })
      .catch(function (error) { self.status(error.message, "error"); })
      .then(function () { self.buttons(); });
  };

  Panel.prototype.dispose = function () {
    var self = this;
    this.act(this.el.dispose, "/topic", function (topic, entry) {
      self.status(Siaga.format(_("Disposed as not an emergency, topic: {title}."),
                               {title: topic.title || entry.title}), "done");
      if (!self.el.sms.disabled) self.el.sms.focus();
    });
  };

  Panel.prototype.sendSms = function () {
    var self = this;
    this.act(this.el.sms, "/quick-answer-sms", function (sent) {
      self.status(Siaga.format(_("SMS sent ({parts} part(s))."), {parts: sent.parts}), "done");
    });
  };

  function start() {
    var roots = document.querySelectorAll("[data-quick-answers]");
    for (var i = 0; i < roots.length; i++) new Panel(roots[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
